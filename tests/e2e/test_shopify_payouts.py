"""Shopify Payments payouts reach Odoo with exact amounts, linked to payments."""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .conftest import wait_until
from .test_shopify_orders import SPEC, _binding


def _payment_ids(odoo, gid):
    with odoo.env() as env:
        binding = env["shopify.sale.order"].search([("external_id", "=", gid)])
        return {p.external_id: p.odoo_id.id for p in binding.payment_binding_ids}


def test_payout_is_imported_exactly_and_linked_to_the_payment(odoo_server, simulator):
    order = simulator.create_order(dict(SPEC, email="payout.e2e@example.com"))
    gid = order["admin_graphql_api_id"]
    wait_until(
        lambda: (_binding(odoo_server, gid) or {}).get("payments"),
        message=f"order {order['name']} in Odoo",
    )
    payments = _payment_ids(odoo_server, gid)
    simulator.add_balance_transaction("adjustment", "-2.50", reason="correction")
    today = datetime.now(UTC).date()
    payout = simulator.create_payout(today)
    paid_out = simulator.balance_transactions(payout["id"])

    with odoo_server.env() as env:
        backend = env["shopify.backend"].browse(odoo_server.backend_id)
        backend.payout_import_enabled = True
        stored = backend._import_payouts(
            since=datetime.combine(today - timedelta(days=1), datetime.min.time())
        )
        env.cr.commit()
    assert stored == 1

    total = Decimal(order["total_price"])
    fee = (total * Decimal("0.029")).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    ) + Decimal("0.30")
    with odoo_server.env() as env:
        record = env["shopify.payout"].search(
            [("external_id", "=", payout["admin_graphql_api_id"])]
        )
        assert len(record) == 1
        assert record.status == "paid"
        assert Decimal(str(record.amount)).quantize(Decimal("0.01")) == Decimal(
            payout["net"]
        )
        assert len(record.transaction_ids) == len(paid_out)
        for tx in paid_out:
            line = record.transaction_ids.filtered(
                lambda r, tx=tx: r.external_id == tx["admin_graphql_api_id"]
            )
            assert (
                f"{line.amount:.2f}",
                f"{line.fee:.2f}",
                f"{line.net:.2f}",
            ) == (tx["amount"], tx["fee"], tx["net"])
        gross = sum(
            Decimal(tx["amount"]) for tx in paid_out if tx["type"] != "transfer"
        )
        fees = sum(Decimal(tx["fee"]) for tx in paid_out)
        assert f"{record.gross_amount:.2f}" == str(gross)
        assert f"{record.fee_amount:.2f}" == str(fees)

        ours = record.transaction_ids.filtered(lambda r: r.order_gid == gid)
        assert len(ours) == 1
        assert ours.category == "charge"
        assert f"{ours.amount:.2f}" == order["total_price"]
        assert f"{ours.fee:.2f}" == str(fee)
        assert ours.payment_id.id == payments[ours.source_transaction_gid]
        assert ours.sale_order_id.client_order_ref == order["name"]
        adjustment = record.transaction_ids.filtered(
            lambda r: r.category == "adjustment"
        )
        assert [f"{a.net:.2f}" for a in adjustment] == ["-2.50"]

        # Importing again adds nothing.
        backend = env["shopify.backend"].browse(odoo_server.backend_id)
        assert (
            backend._import_payouts(
                since=datetime.combine(today - timedelta(days=1), datetime.min.time())
            )
            == 0
        )
        assert (
            env["shopify.payout"].search_count(
                [("external_id", "=", payout["admin_graphql_api_id"])]
            )
            == 1
        )
