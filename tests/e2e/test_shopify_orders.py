"""Shopify orders reach Odoo through signed webhooks and the catch-up poll."""

import json

import requests

from .conftest import wait_until

SPEC = {
    "lines": [
        {"sku": "TEE-ORG-M", "quantity": 2, "price": "24.00"},
        {"sku": "THR-KNT", "quantity": 1, "price": "79.00"},
    ],
    "order_discount": {"code": "WELCOME10", "percentage": "10"},
    "shipping": {"title": "Standard", "price": "7.50"},
    "taxes": [{"title": "State Tax", "rate": "0.06"}],
    "customer": {
        "email": "ada.e2e@example.com",
        "first_name": "Ada",
        "last_name": "Example",
        "phone": "555-010-0101",
    },
    "gateway": "shopify_payments",
    "financial_status": "paid",
}


def _binding(odoo, gid):
    with odoo.env() as env:
        binding = env["shopify.sale.order"].search([("external_id", "=", gid)])
        if not binding:
            return None
        sale = binding.odoo_id
        return {
            "state": sale.state,
            "amount_total": sale.amount_total,
            "amount_tax": sale.amount_tax,
            "lines": sorted(
                (line.name, line.product_uom_qty, round(line.price_subtotal, 2))
                for line in sale.order_line
            ),
            "partner_email": sale.partner_id.email,
            "payments": [
                (p.odoo_id.amount, p.odoo_id.state) for p in binding.payment_binding_ids
            ],
            "pickings": len(sale.picking_ids),
            "version": binding.external_updated_at,
        }


def _events(odoo, gid):
    with odoo.env() as env:
        return env["retail.event"].search_read(
            [("external_id", "=", gid)], ["state", "source", "error_message"]
        )


def _post(odoo, simulator, body, topic="orders/create", signature=None, **headers):
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": simulator.shop.domain,
        "X-Shopify-Hmac-Sha256": simulator.sign(body)
        if signature is None
        else signature,
        **headers,
    }
    return requests.post(odoo.webhook_url(), data=body, headers=headers, timeout=10)


def test_shop_order_becomes_a_confirmed_sale_order(odoo_server, simulator):
    order = simulator.create_order(SPEC)
    gid = order["admin_graphql_api_id"]

    result = wait_until(
        lambda: (
            (_binding(odoo_server, gid) or {}).get("payments")
            and _binding(odoo_server, gid)
        ),
        message=f"order {order['name']} in Odoo",
    )
    # Hand-computed: 48.00 + 79.00 - 12.70 (10 %) + 7.50 shipping
    # + tax 2.59 + 4.27 (6 % per discounted line) = 128.66.
    assert order["total_price"] == "128.66"
    assert result["state"] == "sale"
    assert round(result["amount_total"], 2) == 128.66
    assert round(result["amount_tax"], 2) == 6.86
    assert result["partner_email"] == "ada.e2e@example.com"
    assert [round(amount, 2) for amount, _state in result["payments"]] == [128.66]
    assert result["pickings"] == 1
    # The code's 12.70 is spread as Shopify allocated it: 4.80 and 7.90.
    subtotals = {name: (qty, subtotal) for name, qty, subtotal in result["lines"]}
    assert ("Standard", (1.0, 7.5)) in subtotals.items()
    discounted = [
        value for name, value in subtotals.items() if name.endswith("(WELCOME10)")
    ]
    assert sorted(discounted) == [(1.0, 71.1), (2.0, 43.2)]


def test_bad_or_missing_signature_gets_401_and_stores_nothing(odoo_server, simulator):
    before = odoo_server.count("retail.event", [])
    body = json.dumps({"id": 1, "admin_graphql_api_id": "gid://shopify/Order/1"})

    forged = _post(odoo_server, simulator, body.encode(), signature="Zm9yZ2Vk")
    missing = requests.post(
        odoo_server.webhook_url(),
        data=body,
        headers={"X-Shopify-Topic": "orders/create"},
        timeout=10,
    )

    assert forged.status_code == 401
    assert missing.status_code == 401
    assert odoo_server.count("retail.event", []) == before


def test_duplicate_delivery_makes_one_order(odoo_server, simulator):
    simulator.set_faults(webhooks={"duplicate_rate": 1.0})
    try:
        order = simulator.create_order(
            dict(SPEC, customer=None, email="dup@example.com")
        )
        simulator.wait_for_deliveries(30)
    finally:
        simulator.set_faults(webhooks={"duplicate_rate": 0.0})
    gid = order["admin_graphql_api_id"]
    body = json.dumps(order).encode()
    again = _post(odoo_server, simulator, body, **{"X-Shopify-Event-Id": "dup-1"})
    again_twice = _post(odoo_server, simulator, body, **{"X-Shopify-Event-Id": "dup-1"})

    wait_until(lambda: _binding(odoo_server, gid), message="the duplicated order")
    wait_until(
        lambda: all(
            e["state"] not in ("received", "queued") for e in _events(odoo_server, gid)
        ),
        message="every delivery processed",
    )
    assert again.status_code == again_twice.status_code == 200
    assert again_twice.json()["status"] == "duplicate"
    assert odoo_server.count("shopify.sale.order", [("external_id", "=", gid)]) == 1
    assert (
        odoo_server.count("sale.order", [("client_order_ref", "=", order["name"])]) == 1
    )
    deliveries = [d for d in simulator.deliveries() if d["topic"] == "orders/create"]
    assert any(d["duplicates_sent"] for d in deliveries)
    assert len(_binding(odoo_server, gid)["payments"]) == 1


def test_versions_out_of_order_end_with_the_latest(odoo_server, simulator):
    simulator.hold_webhooks()
    order = simulator.create_order(dict(SPEC, email="versions@example.com"))
    lines = [dict(line) for line in SPEC["lines"]]
    lines[0]["quantity"] = 3
    newer = simulator.update_order(order["id"], {"lines": lines})
    # The newest version arrives first, the creation last.
    _post(
        odoo_server,
        simulator,
        json.dumps(newer).encode(),
        topic="orders/updated",
        **{"X-Shopify-Event-Id": f"newer-{order['id']}"},
    )
    simulator.release_webhooks()
    simulator.wait_for_deliveries(30)
    gid = order["admin_graphql_api_id"]

    wait_until(
        lambda: (
            _binding(odoo_server, gid)
            and all(
                e["state"] not in ("received", "queued")
                for e in _events(odoo_server, gid)
            )
        ),
        message="both versions processed",
    )
    result = _binding(odoo_server, gid)
    states = sorted(e["state"] for e in _events(odoo_server, gid))
    assert "ignored_stale" in states
    assert round(result["amount_total"], 2) == float(newer["total_price"])
    assert [qty for name, qty, _ in result["lines"] if "Tee" in name] == [3.0]


def test_oversized_body_is_refused_before_anything_is_stored(odoo_server, simulator):
    before = odoo_server.count("retail.event", [])
    body = b'{"id": 1, "padding": "' + b"x" * (3 * 1024 * 1024) + b'"}'

    response = _post(odoo_server, simulator, body)

    assert response.status_code == 413
    assert odoo_server.count("retail.event", []) == before


def test_catch_up_poll_imports_orders_whose_webhook_never_arrived(
    odoo_server, simulator
):
    simulator.set_faults(webhooks={"drop_rate": 1.0})
    try:
        order = simulator.create_order(dict(SPEC, email="lost@example.com"))
        simulator.wait_for_deliveries(10)
    finally:
        simulator.set_faults(webhooks={"drop_rate": 0.0})
    gid = order["admin_graphql_api_id"]
    assert not _events(odoo_server, gid)

    with odoo_server.env() as env:
        backend = env["shopify.backend"].browse(odoo_server.backend_id)
        found = backend._poll_orders()
    assert found >= 1

    result = wait_until(
        lambda: _binding(odoo_server, gid), message="the polled order in Odoo"
    )
    assert round(result["amount_total"], 2) == 128.66
    assert [e["source"] for e in _events(odoo_server, gid)] == ["poll"]


def test_poll_adds_nothing_for_versions_already_received(odoo_server, simulator):
    known = simulator.create_order(dict(SPEC, email="known@example.com"))
    blocked = simulator.create_order(
        dict(
            SPEC,
            email="blocked@example.com",
            lines=[{"sku": "NOT-IN-ODOO", "quantity": 1, "price": "5.00"}],
        )
    )
    gids = [known["admin_graphql_api_id"], blocked["admin_graphql_api_id"]]
    wait_until(
        lambda: all(
            _events(odoo_server, gid)
            and all(
                e["state"] not in ("received", "queued")
                for e in _events(odoo_server, gid)
            )
            for gid in gids
        ),
        message="both orders processed",
    )
    before = {gid: len(_events(odoo_server, gid)) for gid in gids}

    with odoo_server.env() as env:
        env["shopify.backend"].browse(odoo_server.backend_id)._poll_orders()

    assert {gid: len(_events(odoo_server, gid)) for gid in gids} == before
    assert [e["state"] for e in _events(odoo_server, gids[1])] == ["needs_attention"]
