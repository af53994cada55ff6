"""Shopify exchanges: returned goods credited, new goods added to the order.

The order of ``SPEC`` is two tees at 24.00 and a throw at 79.00 with a 10 %
code, 7.50 shipping and 6 % tax: a tee comes to 21.60 + 1.30 tax = 22.90
after its share of the code, the throw to 71.10 + 4.27 = 75.37. The items
sent in exchange are priced on their own, without the code.
"""

from .conftest import wait_until
from .test_shopify_refunds import (
    _deliver,
    _invoiced_balance,
    _paid_order,
    _sale_order_id,
    _settled,
)


def _delivered_order(odoo, simulator, email, **changes):
    """An order imported, paid, delivered in Odoo and fulfilled in Shopify."""
    order = _paid_order(odoo, simulator, email, **changes)
    _deliver(odoo, _sale_order_id(odoo, order["admin_graphql_api_id"]))
    wait_until(
        lambda: all(
            item["fulfillable_quantity"] == 0
            for item in simulator.get_order(order["id"])["line_items"]
        ),
        message=f"order {order['name']} fulfilled in Shopify",
    )
    return order


def _exchange_state(odoo, gid, refund_gid, return_name=""):
    with odoo.env() as env:
        order_binding = env["shopify.sale.order"].search([("external_id", "=", gid)])
        refund = env["shopify.refund"].search([("external_id", "=", refund_gid)])
        sale = order_binding.odoo_id
        exchange_lines = sale.order_line.filtered("shopify_exchange_return")
        if not (refund and exchange_lines):
            return None
        open_deliveries = sale.picking_ids.filtered(
            lambda picking: (
                picking.picking_type_code == "outgoing"
                and picking.state not in ("done", "cancel")
            )
        )
        return {
            "refunds": len(refund),
            "sale_total": round(sale.amount_total, 2),
            "exchange_lines": [
                (
                    line.product_id.default_code,
                    line.product_uom_qty,
                    round(line.price_total, 2),
                    line.shopify_exchange_return,
                )
                for line in exchange_lines
            ],
            "to_deliver": sorted(
                (move.product_id.default_code, move.product_uom_qty)
                for move in open_deliveries.move_ids
            ),
            "credit_note": (
                refund.odoo_id.state,
                round(refund.odoo_id.amount_total, 2),
                refund.odoo_id.ref,
            ),
            "credit_lines": sorted(
                (line.product_id.default_code, line.quantity)
                for line in refund.odoo_id.invoice_line_ids
            ),
            "returned": sorted(
                (move.product_id.default_code, move.quantity, move.state)
                for move in refund.return_picking_id.move_ids
            ),
            "refunded": round(refund.amount_total, 2),
            "exchange": (refund.exchange_return, round(refund.exchange_amount, 2)),
            "payments": sorted(
                (p.odoo_id.payment_type, round(p.odoo_id.amount, 2), p.kind)
                for p in order_binding.payment_binding_ids
            ),
            "chatter": any(
                f"added by exchange {return_name}" in (message.body or "")
                for message in sale.message_ids
            ),
        }


def _exchange(odoo, simulator, order, line_index, sku):
    """Exchange one unit of the order's line for one unit of ``sku`` in
    Shopify; return Shopify's result and Odoo's state once it is booked."""
    line = order["line_items"][line_index]
    result = simulator.exchange_order(
        order["id"],
        {
            "returns": [{"line_item_id": line["id"], "quantity": 1}],
            "exchange": [{"sku": sku, "quantity": 1}],
        },
    )
    gid = order["admin_graphql_api_id"]
    refund_gid = result["refund"]["admin_graphql_api_id"]
    state = wait_until(
        lambda: (
            _settled(odoo, gid, refund_gid)
            and _exchange_state(odoo, gid, refund_gid, result["return"]["name"])
        ),
        timeout=120,
        message="the exchange in Odoo",
    )
    return result, state


def test_exchange_for_a_dearer_item_adds_it_and_takes_the_difference(
    odoo_server, simulator
):
    order = _delivered_order(odoo_server, simulator, "exchange.up@example.com")

    result, state = _exchange(odoo_server, simulator, order, 0, "TEE-ORG-L")

    # The new tee: 24.00 + 1.44 tax = 25.44, of which the returned tee's
    # 22.90 pays 22.90; the customer pays the other 2.54 in Shopify.
    return_name = result["return"]["name"]
    assert result["refund"]["transactions"] == []
    assert result["order"]["total_price"] == "154.10"
    assert state["refunds"] == 1
    assert state["sale_total"] == 154.10
    assert state["exchange_lines"] == [("TEE-ORG-L", 1.0, 25.44, return_name)]
    assert state["to_deliver"] == [("TEE-ORG-L", 1.0)]
    assert state["credit_note"] == (
        "posted",
        22.90,
        f"Shopify return {return_name} of {order['name']}, exchanged",
    )
    assert state["credit_lines"] == [("TEE-ORG-M", 1.0)]
    assert state["returned"] == [("TEE-ORG-M", 1.0, "done")]
    assert state["refunded"] == 0.0
    assert state["exchange"] == (return_name, 22.90)
    assert state["payments"] == [
        ("inbound", 2.54, "sale"),
        ("inbound", 128.66, "sale"),
    ]
    assert state["chatter"]
    # Invoiced from the order, new tee included: the customer owes nothing.
    assert _invoiced_balance(odoo_server, order["admin_graphql_api_id"]) == (
        154.10,
        0.0,
    )


def test_exchange_for_a_cheaper_item_refunds_the_difference(odoo_server, simulator):
    order = _delivered_order(odoo_server, simulator, "exchange.down@example.com")

    result, state = _exchange(odoo_server, simulator, order, 1, "TEE-ORG-S")

    # 75.37 for the throw, 25.44 for the tee: 49.93 goes back.
    return_name = result["return"]["name"]
    assert [tx["amount"] for tx in result["refund"]["transactions"]] == ["49.93"]
    assert state["sale_total"] == 154.10
    assert state["exchange_lines"] == [("TEE-ORG-S", 1.0, 25.44, return_name)]
    assert state["credit_note"][:2] == ("posted", 75.37)
    assert state["credit_lines"] == [("THR-KNT", 1.0)]
    assert state["returned"] == [("THR-KNT", 1.0, "done")]
    assert state["refunded"] == 49.93
    assert state["exchange"] == (return_name, 25.44)
    assert state["payments"] == [
        ("inbound", 128.66, "sale"),
        ("outbound", 49.93, "refund"),
    ]
    assert _invoiced_balance(odoo_server, order["admin_graphql_api_id"]) == (
        154.10,
        0.0,
    )


def _map_included_vat(odoo):
    """A shop whose prices include a 20 % VAT, mapped to an included tax."""
    with odoo.env() as env:
        backend = env["shopify.backend"].search([], limit=1).backend_id
        if backend.tax_mapping_ids.filtered(lambda m: m.external_name == "VAT"):
            return
        tax = env["account.tax"].create(
            {
                "name": "VAT 20% included",
                "amount": 20.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "company_id": backend.company_id.id,
            }
        )
        backend.tax_mapping_ids = [
            (0, 0, {"external_name": "VAT", "external_rate": 20.0, "tax_id": tax.id})
        ]
        env.cr.commit()


def test_exchange_in_a_shop_whose_prices_include_tax(odoo_server, simulator):
    _map_included_vat(odoo_server)
    order = _delivered_order(
        odoo_server,
        simulator,
        "exchange.vat@example.com",
        taxes=[{"title": "VAT", "rate": "0.20"}],
        taxes_included=True,
        shipping_taxable=True,
    )

    result, state = _exchange(odoo_server, simulator, order, 1, "TEE-ORG-XL")

    # Prices hold their VAT: the throw is worth 79.00 less its 7.90 share of
    # the code, 71.10; the tee 24.00; 47.10 goes back.
    return_name = result["return"]["name"]
    assert [tx["amount"] for tx in result["refund"]["transactions"]] == ["47.10"]
    assert state["sale_total"] == float(result["order"]["total_price"])
    assert state["exchange_lines"] == [("TEE-ORG-XL", 1.0, 24.0, return_name)]
    assert state["credit_note"][:2] == ("posted", 71.10)
    assert state["refunded"] == 47.10
    assert state["exchange"] == (return_name, 24.0)
    total = float(result["order"]["total_price"])
    assert _invoiced_balance(odoo_server, order["admin_graphql_api_id"]) == (
        total,
        0.0,
    )
