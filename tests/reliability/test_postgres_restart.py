"""PostgreSQL restarting in the middle of an import loses and repeats nothing."""

import glob
import os
import subprocess
from pathlib import Path

import psycopg2

from tests.support.odoo_server import wait_until

ORDERS = 20


def _pg_ctl():
    """pg_ctl of the newest PostgreSQL server installed (or of ``PG_BIN``)."""
    if os.environ.get("PG_BIN"):
        return str(Path(os.environ["PG_BIN"]) / "pg_ctl")
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]),
    )
    assert found, "no pg_ctl found: set PG_BIN to PostgreSQL's bin directory"
    return found[-1]


def restart_postgres(odoo):
    """Restart the server that holds the test databases, as a crash would."""
    with odoo.env() as env:
        env.cr.execute("SHOW data_directory")
        data_dir = env.cr.fetchone()[0]
    # The server's own account must be able to write its log.
    log = Path(data_dir) / "restarted.log"
    command = [_pg_ctl(), "-D", data_dir, "-l", str(log), "restart", "-m", "immediate"]
    owner = Path(data_dir).owner()
    if os.geteuid() == 0 and owner != "root":
        command = ["runuser", "-u", owner, "--", *command]
    # The restarted server writes to its log file, so pg_ctl returns at once.
    subprocess.run(
        [*command, "-w"],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )


def _tolerant(count):
    """A count that reads 'not yet' while the database is away."""
    try:
        return count()
    except psycopg2.OperationalError:
        return None


def test_postgres_restart_during_imports_loses_nothing(crashable_odoo, shop):
    odoo = crashable_odoo
    orders = [shop.random_order() for _ in range(ORDERS)]
    gids = [order["admin_graphql_api_id"] for order in orders]

    def imported():
        return odoo.count("shopify.sale.order", [("external_id", "in", gids)])

    wait_until(lambda: (_tolerant(imported) or 0) >= 1, timeout=120, message="imports")
    restart_postgres(odoo)

    wait_until(
        lambda: _tolerant(imported) == ORDERS,
        timeout=300,
        message=f"{ORDERS} orders after the restart",
    )
    wait_until(
        lambda: (
            _tolerant(
                lambda: odoo.count(
                    "retail.event",
                    [
                        ("external_id", "in", gids),
                        ("state", "in", ("received", "queued")),
                    ],
                )
            )
            == 0
        ),
        timeout=180,
        message="every event processed",
    )
    with odoo.env() as env:
        refs = (
            env["sale.order"]
            .search([("client_order_ref", "in", [order["name"] for order in orders])])
            .mapped("client_order_ref")
        )
        bad = env["retail.event"].search_count(
            [
                ("external_id", "in", gids),
                ("state", "in", ("failed", "dead", "needs_attention")),
            ]
        )
    assert sorted(refs) == sorted(order["name"] for order in orders)
    assert bad == 0
