"""Shopify refunds reach Odoo as credit notes, returns and refund payments."""

import json

from .conftest import wait_until
from .test_shopify_orders import SPEC, _binding, _post


def _sale_order_id(odoo, gid):
    with odoo.env() as env:
        binding = env["shopify.sale.order"].search([("external_id", "=", gid)])
        return binding.odoo_id.id


def _deliver(odoo, sale_order_id):
    """Validate the order's delivery in Odoo, as the warehouse would."""
    with odoo.env() as env:
        picking = env["sale.order"].browse(sale_order_id).picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.with_context(skip_backorder=True).button_validate()
        assert picking.state == "done"
        env.cr.commit()


def _refund(odoo, gid):
    with odoo.env() as env:
        binding = env["shopify.refund"].search([("external_id", "=", gid)])
        if not binding:
            return None
        credit_note = binding.odoo_id
        picking = binding.return_picking_id
        return {
            "count": len(binding),
            "credit_note": (
                credit_note.move_type,
                credit_note.state,
                round(credit_note.amount_total, 2),
            ),
            "credit_lines": sorted(
                (line.product_id.default_code, line.quantity)
                for line in credit_note.invoice_line_ids
            ),
            "return": sorted(
                (move.product_id.default_code, move.quantity, move.state)
                for move in picking.move_ids
            ),
            "return_destination": picking.location_dest_id.id,
            "stock_location": binding.sale_order_id.warehouse_id.lot_stock_id.id,
            "payments": [
                (p.odoo_id.payment_type, round(p.odoo_id.amount, 2), p.kind)
                for p in binding.payment_binding_ids
            ],
            "sale_credit_notes": len(binding.sale_order_id.shopify_refund_ids.odoo_id),
            "tee_line": [
                (line.product_uom_qty, line.qty_delivered)
                for line in binding.sale_order_id.order_line
                if line.product_id.default_code == "TEE-ORG-M"
            ],
        }


def _invoiced_balance(odoo, gid):
    """Invoice what the order has left to invoice, as a user does from the
    order, and return what the customer then owes: invoices less credit
    notes, less payments, plus refund payments."""
    with odoo.env() as env:
        binding = env["shopify.sale.order"].search([("external_id", "=", gid)])
        sale = binding.odoo_id
        env["sale.advance.payment.inv"].with_context(
            active_model="sale.order", active_ids=sale.ids, active_id=sale.id
        ).create({"advance_payment_method": "delivered"}).create_invoices()
        invoices = sale.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice"
        )
        invoices.filtered(lambda move: move.state == "draft").action_post()
        credit_notes = sale.shopify_refund_ids.odoo_id
        balance = (
            sum(invoices.mapped("amount_total"))
            - sum(credit_notes.mapped("amount_total"))
            - _net_payments(binding)
        )
        env.cr.commit()
        return round(sum(invoices.mapped("amount_total")), 2), round(balance, 2)


def _net_payments(order_binding):
    """What the customer paid for an order, less what went back."""
    return sum(
        payment.amount * (1 if payment.payment_type == "inbound" else -1)
        for payment in order_binding.payment_binding_ids.odoo_id
    )


def _paid_order(odoo, simulator, email, **changes):
    """An order of ``SPEC`` (with ``changes``), imported with its payment."""
    order = simulator.create_order(dict(SPEC, email=email, **changes))
    gid = order["admin_graphql_api_id"]
    wait_until(
        lambda: (_binding(odoo, gid) or {}).get("payments"),
        message=f"order {order['name']} in Odoo",
    )
    return order


def _wait_for_refund(odoo, gid, refund_gid):
    wait_until(
        lambda: _settled(odoo, gid, refund_gid) and _refund(odoo, refund_gid),
        message="the refund in Odoo",
    )


def _settled(odoo, *gids):
    with odoo.env() as env:
        events = env["retail.event"].search([("external_id", "in", list(gids))])
        return events and all(
            event.state not in ("received", "queued") for event in events
        )


def test_restocked_refund_of_a_delivered_order_books_once(odoo_server, simulator):
    order = _paid_order(odoo_server, simulator, "refund.e2e@example.com")
    gid = order["admin_graphql_api_id"]
    _deliver(odoo_server, _sale_order_id(odoo_server, gid))

    tee = order["line_items"][0]
    simulator.set_faults(webhooks={"duplicate_rate": 1.0})
    try:
        refund = simulator.refund_order(
            order["id"],
            {
                "lines": [
                    {"line_item_id": tee["id"], "quantity": 1, "restock_type": "return"}
                ],
                "note": "wrong size",
            },
        )
        simulator.wait_for_deliveries(30)
    finally:
        simulator.set_faults(webhooks={"duplicate_rate": 0.0})
    refund_gid = refund["admin_graphql_api_id"]
    # The same refund again under another delivery id: a second event.
    again = _post(
        odoo_server,
        simulator,
        json.dumps(refund).encode(),
        topic="refunds/create",
        **{"X-Shopify-Event-Id": f"again-{refund['id']}"},
    )
    assert again.status_code == 200

    wait_until(
        lambda: _refund(odoo_server, refund_gid) and _settled(odoo_server, refund_gid),
        message="the refund in Odoo",
    )
    wait_until(lambda: _settled(odoo_server, gid), message="the order's versions")
    result = _refund(odoo_server, refund_gid)

    # One tee of two: 48.00 less its 4.80 share of the code is 43.20, taxed
    # 2.59; half of each is 21.60 and 1.30 (half-up), 22.90 in all.
    amount = refund["transactions"][0]["amount"]
    assert amount == "22.90"
    assert result["count"] == 1
    assert result["credit_note"] == ("out_refund", "posted", 22.90)
    assert result["credit_lines"] == [("TEE-ORG-M", 1.0)]
    assert result["return"] == [("TEE-ORG-M", 1.0, "done")]
    assert result["return_destination"] == result["stock_location"]
    assert result["payments"] == [("outbound", 22.90, "refund")]
    assert result["sale_credit_notes"] == 1
    assert result["tee_line"] == [(2.0, 1.0)]
    # Invoiced as sold, the returned tee taken back by the credit note: the
    # customer owes nothing.
    assert _invoiced_balance(odoo_server, gid) == (128.66, 0.0)
    with odoo_server.env() as env:
        states = sorted(
            env["retail.event"]
            .search([("external_id", "=", refund_gid)])
            .mapped("state")
        )
    # Two events (the duplicated delivery was refused at the door); the
    # refund was booked by the first of them or by the order version that
    # carries it, whichever job ran first, and never twice.
    assert len(states) == 2
    assert "ignored_duplicate" in states
    assert set(states) <= {"done", "ignored_duplicate"}


def test_catch_up_poll_books_a_refund_whose_webhooks_were_lost(odoo_server, simulator):
    order = _paid_order(odoo_server, simulator, "refund.poll@example.com")
    gid = order["admin_graphql_api_id"]

    throw = order["line_items"][1]
    simulator.set_faults(webhooks={"drop_rate": 1.0})
    try:
        refund = simulator.refund_order(
            order["id"],
            {
                "lines": [
                    {
                        "line_item_id": throw["id"],
                        "quantity": 1,
                        "restock_type": "cancel",
                    }
                ]
            },
        )
        simulator.wait_for_deliveries(10)
    finally:
        simulator.set_faults(webhooks={"drop_rate": 0.0})
    refund_gid = refund["admin_graphql_api_id"]

    with odoo_server.env() as env:
        env["shopify.backend"].browse(odoo_server.backend_id)._poll_orders()
    wait_until(
        lambda: _refund(odoo_server, refund_gid), message="the polled refund in Odoo"
    )
    wait_until(lambda: _settled(odoo_server, gid), message="the polled order")

    # The throw (79.00 less 7.90, taxed 4.27) never shipped: it leaves the
    # order, and its 75.37 comes back.
    result = _refund(odoo_server, refund_gid)
    assert refund["transactions"][0]["amount"] == "75.37"
    assert result["credit_note"] == ("out_refund", "posted", 75.37)
    assert result["return"] == []
    assert result["payments"] == [("outbound", 75.37, "refund")]
    sale = _binding(odoo_server, gid)
    assert round(sale["amount_total"], 2) == 53.29
    assert [qty for name, qty, _ in sale["lines"] if "Throw" in name] == [0.0]


def test_refund_of_a_cancelled_paid_order_pays_the_money_back(odoo_server, simulator):
    order = _paid_order(odoo_server, simulator, "cancel.refund@example.com")
    gid = order["admin_graphql_api_id"]
    simulator.cancel_order(order["id"])
    wait_until(
        lambda: (_binding(odoo_server, gid) or {}).get("state") == "cancel",
        message=f"order {order['name']} cancelled in Odoo",
    )
    refund = simulator.refund_order(order["id"], {"amount": order["total_price"]})
    refund_gid = refund["admin_graphql_api_id"]

    _wait_for_refund(odoo_server, gid, refund_gid)
    result = _refund(odoo_server, refund_gid)
    # A cancelled order has no invoice to credit; the money it took through
    # Odoo goes back through Odoo.
    assert result["count"] == 1
    assert result["credit_note"] == (False, False, 0.0)
    assert result["payments"] == [("outbound", 128.66, "refund")]
    assert result["sale_credit_notes"] == 0
    with odoo_server.env() as env:
        binding = env["shopify.sale.order"].search([("external_id", "=", gid)])
        balance = _net_payments(binding)
    assert round(balance, 2) == 0.0


def test_cancellation_after_a_refund_reverses_its_credit_note(odoo_server, simulator):
    order = _paid_order(odoo_server, simulator, "refund.cancel@example.com")
    gid = order["admin_graphql_api_id"]
    refund = simulator.refund_order(order["id"], {"amount": order["total_price"]})
    refund_gid = refund["admin_graphql_api_id"]
    _wait_for_refund(odoo_server, gid, refund_gid)
    assert _refund(odoo_server, refund_gid)["credit_note"] == (
        "out_refund",
        "posted",
        128.66,
    )

    simulator.cancel_order(order["id"])
    wait_until(
        lambda: (
            _settled(odoo_server, gid)
            and (_binding(odoo_server, gid) or {}).get("state") == "cancel"
        ),
        message=f"order {order['name']} cancelled in Odoo",
    )
    with odoo_server.env() as env:
        binding = env["shopify.sale.order"].search([("external_id", "=", gid)])
        credit_note = binding.refund_binding_ids.odoo_id
        reversal = env["account.move"].search(
            [("reversed_entry_id", "=", credit_note.id)]
        )
        money = _net_payments(binding)
        state = (
            round(credit_note.amount_residual, 2),
            reversal.move_type,
            reversal.state,
            reversal.payment_state,
            round(reversal.amount_total, 2),
            round(money, 2),
        )
    # The credit note is settled by its reversal, and the order's payment by
    # the refund payment: the customer owes nothing and is owed nothing.
    assert state == (0.0, "out_invoice", "posted", "reversed", 128.66, 0.0)
