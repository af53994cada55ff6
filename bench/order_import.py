"""Benchmark: Shopify orders imported per second, against the bare ORM.

Contract:

* ``--database`` must exist with the suite installed (``setup/create-db``);
  this script configures a Shopify backend in it (committed) and leaves the
  imported orders there. ``--config`` is the Odoo configuration written by
  ``setup/odoo-config``; the server started here reads it, so its
  ``[queue_job] channels`` setting is the one in force.
* Suite: the in-process simulator creates ``--orders`` random orders, each
  sent by signed ``orders/create`` webhook to a real Odoo server subprocess
  whose job runner imports it. The clock runs from just before the first
  order is created to the first poll (fresh cursor) that sees all the
  ``shopify.sale.order`` bindings.
* Direct: the same REST payloads become ``sale.order`` records through the
  ORM in this process, in one transaction (lines, taxes from the tax mapping,
  shipping line, ``action_confirm()``, a posted inbound payment on the bank
  journal when the order is paid, as the suite does), then rolled back.
* Prints a table and writes ``bench/results/order_import.json``. Exits 1
  when the suite does not import every order within ``--timeout`` seconds.
"""

import argparse
import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, Command, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

from tests.simulators.shopify import ShopifySimulator  # noqa: E402
from tests.support.odoo_setup import configure_shopify_backend  # noqa: E402

SHOP_DOMAIN = "bench-shop.myshopify.com"
ACCESS_TOKEN = "shpat_bench_token"
WEBHOOK_SECRET = "bench-webhook-signing-secret"
RESULTS = ROOT / "bench" / "results" / "order_import.json"
LOG_FILE = ROOT / ".local" / "log" / "bench-odoo.log"


def parse_args(argv=None):
    """Command-line options: ``--config``, ``--database``, ``--orders``..."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--database", required=True, help="database to use")
    parser.add_argument("--orders", type=int, default=100, help="orders (100)")
    parser.add_argument("--seed", type=int, default=7, help="simulator seed (7)")
    parser.add_argument(
        "--timeout", type=float, default=900, help="seconds to wait for the suite"
    )
    args = parser.parse_args(argv)
    if args.orders < 1:
        parser.error("--orders must be at least 1")
    return args


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout, interval=0.1, message="condition"):
    """Return ``predicate()``'s first truthy value; TimeoutError after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {message}")
        time.sleep(interval)


def configure_backend(registry, sim, url):
    """Create the backend (committed) pointed at ``sim`` and ``url``; its id."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        backend = configure_shopify_backend(
            env,
            name="Bench shop",
            shop_domain=SHOP_DOMAIN,
            api_url=sim.base_url,
            access_token=ACCESS_TOKEN,
            webhook_secret=WEBHOOK_SECRET,
            webhook_base_url=url,
            register_webhooks=False,
        )
        env.ref("retail_connector_shopify.ir_cron_shopify_poll_orders").active = False
        return backend.id


def start_server(config, database, port):
    """Start ``python -m odoo`` (one process, job runner inside); the Popen."""
    LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
    with open(LOG_FILE, "wb") as log:
        return subprocess.Popen(
            [
                os.environ.get("ODOO_PYTHON", sys.executable),
                "-m",
                "odoo",
                "-c",
                config,
                "-d",
                database,
                "--http-port",
                str(port),
                "--workers",
                "0",
                "--max-cron-threads",
                "0",
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop_server(server):
    """Terminate the server, killing it if it does not stop in 30 s."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def count_bindings(registry, backend_id, gids):
    """How many of ``gids`` have a ``shopify.sale.order``, in a fresh cursor."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["shopify.sale.order"].search_count(
            [("backend_id", "=", backend_id), ("external_id", "in", gids)]
        )


def suite_totals(registry, names):
    """``{Shopify order name: amount_total}`` of the suite's sale orders."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        sales = env["sale.order"].search([("client_order_ref", "in", names)])
        return {sale.client_order_ref: sale.amount_total for sale in sales}


def run_suite(registry, sim, args, backend_id, port):
    """Import ``args.orders`` orders through webhooks; ``(seconds, orders)``."""
    config, database = args.config, args.database
    count, timeout = args.orders, args.timeout
    url = f"http://127.0.0.1:{port}"
    server = start_server(config, database, port)
    try:

        def answers():
            if server.poll() is not None:
                raise RuntimeError(f"Odoo exited; see {LOG_FILE}")
            try:
                return requests.get(f"{url}/web/login", timeout=30).status_code == 200
            except (requests.ConnectionError, requests.Timeout):
                return False

        wait_until(answers, timeout=120, interval=0.25, message="the Odoo server")
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["shopify.backend"].browse(backend_id).action_register_webhooks()

        start = time.perf_counter()
        orders = [sim.random_order() for _ in range(count)]
        gids = [order["admin_graphql_api_id"] for order in orders]
        wait_until(
            lambda: (
                count_bindings(registry, backend_id, gids) == count
                or server.poll() is not None
            ),
            timeout=timeout,
            message=f"{count} imported orders (see {LOG_FILE})",
        )
        elapsed = time.perf_counter() - start
        if server.poll() is not None:
            raise RuntimeError(f"Odoo exited during the run; see {LOG_FILE}")
        return elapsed, orders
    finally:
        stop_server(server)


def _tax_ids(env, retail_backend, tax_lines, included):
    taxes = env["account.tax"]
    for tax_line in tax_lines:
        taxes |= env["retail.tax.mapping"]._find_tax(
            retail_backend, tax_line["title"], tax_line["rate"] * 100, included
        )
    return taxes.ids


def _line_values(env, backend, order, products):
    retail = backend.backend_id
    included = bool(order.get("taxes_included"))
    values = []
    for item in order["line_items"]:
        price = float(item["price"])
        amount = price * item["quantity"]
        allocated = sum(float(a["amount"]) for a in item["discount_allocations"])
        values.append(
            Command.create(
                {
                    "product_id": products[item["sku"]],
                    "product_uom_qty": item["quantity"],
                    "price_unit": price,
                    "discount": round(allocated / amount * 100, 6) if amount else 0,
                    "tax_id": [
                        Command.set(_tax_ids(env, retail, item["tax_lines"], included))
                    ],
                }
            )
        )
    for shipping in order["shipping_lines"]:
        price = float(shipping["price"]) - sum(
            float(a["amount"]) for a in shipping["discount_allocations"]
        )
        values.append(
            Command.create(
                {
                    "product_id": backend.shipping_product_id.id,
                    "name": shipping["title"],
                    "product_uom_qty": 1,
                    "price_unit": price,
                    "tax_id": [
                        Command.set(
                            _tax_ids(env, retail, shipping["tax_lines"], included)
                        )
                    ],
                }
            )
        )
    return values


def run_direct(registry, backend_id, orders):
    """Create the same orders with the ORM in one transaction, rolled back.

    Returns ``(seconds, {order name: amount_total})``.
    """
    cr = registry.cursor()
    try:
        env = api.Environment(cr, SUPERUSER_ID, {})
        backend = env["shopify.backend"].browse(backend_id)
        journal = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
        )
        totals = {}
        start = time.perf_counter()
        products = {
            product.default_code: product.id
            for product in env["product.product"].search(
                [("default_code", "!=", False)]
            )
        }
        for order in orders:
            customer = order.get("customer") or {}
            email = order.get("email") or customer.get("email")
            names = (customer.get("first_name"), customer.get("last_name"))
            partner = env["res.partner"].create(
                {"name": " ".join(filter(None, names)) or email, "email": email}
            )
            sale = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "client_order_ref": order["name"],
                    "order_line": _line_values(env, backend, order, products),
                }
            )
            sale.action_confirm()
            if order["financial_status"] == "paid":
                payment = env["account.payment"].create(
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": partner.id,
                        "amount": float(order["total_price"]),
                        "journal_id": journal.id,
                        "memo": f"{sale.name} {order['name']}",
                    }
                )
                payment.action_post()
            totals[order["name"]] = sale.amount_total
        env.flush_all()
        elapsed = time.perf_counter() - start
        return elapsed, totals
    finally:
        cr.rollback()
        cr.close()


def report(args, suite_seconds, direct_seconds, orders, matching):
    """Print the table and write the JSON results; the results dict."""
    count = len(orders)
    suite_rate = count / suite_seconds
    direct_rate = count / direct_seconds
    results = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "odoo": odoo.release.version,
        },
        "database": args.database,
        "orders": count,
        "paid_orders": sum(o["financial_status"] == "paid" for o in orders),
        "order_lines": sum(len(o["line_items"]) for o in orders),
        "suite_seconds": round(suite_seconds, 3),
        "suite_orders_per_second": round(suite_rate, 2),
        "direct_seconds": round(direct_seconds, 3),
        "direct_orders_per_second": round(direct_rate, 2),
        "ratio_suite_to_direct": round(suite_seconds / direct_seconds, 2),
        "totals_matching": matching,
    }
    rows = [
        ("", "seconds", "orders/s", "ms/order"),
        (
            "suite (webhook + job)",
            f"{suite_seconds:.2f}",
            f"{suite_rate:.2f}",
            f"{1000 / suite_rate:.1f}",
        ),
        (
            "direct ORM",
            f"{direct_seconds:.2f}",
            f"{direct_rate:.2f}",
            f"{1000 / direct_rate:.1f}",
        ),
    ]
    print(f"\n{count} orders, {os.cpu_count()} CPUs")
    for row in rows:
        print(f"{row[0]:<22}{row[1]:>10}{row[2]:>10}{row[3]:>10}")
    print(f"ratio suite/direct per order: {results['ratio_suite_to_direct']:.2f}")
    print(f"order totals equal in both: {matching}/{count}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return results


def main(argv=None):
    """Run both measurements; return the exit status."""
    args = parse_args(argv)
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    registry = Registry(args.database)
    with ShopifySimulator(
        shop_domain=SHOP_DOMAIN,
        access_token=ACCESS_TOKEN,
        client_secret=WEBHOOK_SECRET,
        seed=args.seed,
        webhook_backoff=0.5,
    ) as sim:
        sim.seed_demo_catalog()
        port = free_port()
        backend_id = configure_backend(registry, sim, f"http://127.0.0.1:{port}")
        try:
            suite_seconds, orders = run_suite(registry, sim, args, backend_id, port)
        except TimeoutError as error:
            print(f"order_import: {error}", file=sys.stderr)
            return 1
        orders = [sim.get_order(order["id"]) for order in orders]
    expected = suite_totals(registry, [order["name"] for order in orders])
    direct_seconds, totals = run_direct(registry, backend_id, orders)
    matching = sum(
        abs(expected.get(name, -1) - total) < 0.005 for name, total in totals.items()
    )
    report(args, suite_seconds, direct_seconds, orders, matching)
    return 0


if __name__ == "__main__":
    sys.exit(main())
