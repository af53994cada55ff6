import copy
from datetime import datetime
from decimal import Decimal
from unittest.mock import patch

from odoo.addons.retail_connector_base.exceptions import BusinessError

from ..lib.payout_data import check_payout, read_balance_transaction, read_payout
from .common import ShopifyTestCase

PAYOUT = "gid://shopify/ShopifyPaymentsPayout/300"
ORDER = "gid://shopify/Order/1001"


def money(amount, currency=None):
    value = {"amount": amount}
    if currency:
        value["currencyCode"] = currency
    return value


def payout_node(net="33.32", status="PAID", **amounts):
    summary = {
        "chargesGross": "39.00",
        "chargesFee": "1.43",
        "refundsFeeGross": "-3.00",
        "refundsFee": "0.00",
        "adjustmentsGross": "-1.25",
        "adjustmentsFee": "0.00",
        "reservedFundsGross": "0.00",
        "reservedFundsFee": "0.00",
        "retriedPayoutsGross": "0.00",
        "retriedPayoutsFee": "0.00",
        "advanceGross": "0.00",
        "advanceFees": "0.00",
    }
    summary.update(amounts)
    return {
        "id": PAYOUT,
        "legacyResourceId": "300",
        "issuedAt": "2026-12-04T12:00:00Z",
        "status": status,
        "net": money(net, "USD"),
        "summary": {name: money(amount) for name, amount in summary.items()},
    }


def tx_node(number, kind, amount, fee, net, source=None, order=ORDER):
    return {
        "id": f"gid://shopify/ShopifyPaymentsBalanceTransaction/{number}",
        "type": kind,
        "test": False,
        "amount": money(amount, "USD"),
        "fee": money(fee),
        "net": money(net),
        "transactionDate": "2026-12-03T10:00:00Z",
        "sourceOrderTransactionId": source,
        "associatedOrder": {"id": order, "name": "#1001"} if order else None,
        "associatedPayout": {"id": PAYOUT, "status": "PAID"},
    }


TRANSACTIONS = [
    tx_node(1, "CHARGE", "39.00", "1.43", "37.57", source="777"),
    tx_node(2, "REFUND", "-3.00", "0.00", "-3.00", source="778"),
    tx_node(3, "ADJUSTMENT", "-1.25", "0.00", "-1.25", order=None),
    tx_node(4, "TRANSFER", "-33.32", "0.00", "-33.32", order=None),
]


class FakePayments:
    def __init__(self, payouts, transactions):
        self.payouts = payouts
        self.transactions = transactions
        self.calls = []

    def execute(self, query, variables=None, expected_cost=10):
        self.calls.append((query, variables, expected_cost))
        if "balanceTransactions" in query:
            key, nodes = "balanceTransactions", self.transactions
        elif "payouts" in query:
            key, nodes = "payouts", self.payouts
        else:
            raise AssertionError(query)
        page = {"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}}
        return {"shopifyPaymentsAccount": {key: page}}


class TestPayouts(ShopifyTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend.payout_import_enabled = True
        partner = cls.env["res.partner"].create({"name": "Payout buyer"})
        sale = cls.env["sale.order"].create({"partner_id": partner.id})
        cls.order_binding = cls.env["shopify.sale.order"].create(
            {"backend_id": cls.backend.id, "odoo_id": sale.id, "external_id": ORDER}
        )
        cls.payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": 39.0,
                "journal_id": cls.bank_journal.id,
            }
        )
        cls.env["shopify.account.payment"].create(
            {
                "backend_id": cls.backend.id,
                "external_id": "gid://shopify/OrderTransaction/777",
                "odoo_id": cls.payment.id,
                "order_binding_id": cls.order_binding.id,
                "kind": "sale",
            }
        )

    def run_import(self, payouts, transactions):
        fake = FakePayments(payouts, transactions)
        backends = type(self.env["shopify.backend"])
        with patch.object(backends, "_client", lambda backend: fake):
            stored = self.backend._import_payouts(since=datetime(2026, 12, 1))
        return stored, fake

    def test_payout_is_imported_exactly_with_links_and_fees(self):
        stored, fake = self.run_import([payout_node()], TRANSACTIONS)
        self.assertEqual(stored, 1)
        self.assertEqual(fake.calls[0][1]["query"], "issued_at:>=2026-12-01")
        self.assertEqual(fake.calls[1][1]["query"], "payments_transfer_id:300")

        payout = self.env["shopify.payout"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(len(payout), 1)
        self.assertEqual(
            (
                payout.status,
                payout.currency_id.name,
                payout.amount,
                payout.gross_amount,
                payout.fee_amount,
                payout.charges_gross,
                payout.charges_fee,
                payout.refunds_gross,
                payout.adjustments_gross,
                str(payout.date),
            ),
            ("paid", "USD", 33.32, 34.75, 1.43, 39.0, 1.43, -3.0, -1.25, "2026-12-04"),
        )
        rows = [
            (tx.category, tx.amount, tx.fee, tx.net, tx.payment_id, tx.order_binding_id)
            for tx in payout.transaction_ids.sorted("external_id")
        ]
        self.assertEqual(
            rows,
            [
                ("charge", 39.0, 1.43, 37.57, self.payment, self.order_binding),
                (
                    "refund",
                    -3.0,
                    0.0,
                    -3.0,
                    self.env["account.payment"],
                    self.order_binding,
                ),
                (
                    "adjustment",
                    -1.25,
                    0.0,
                    -1.25,
                    self.env["account.payment"],
                    self.env["shopify.sale.order"],
                ),
                (
                    "payout",
                    -33.32,
                    0.0,
                    -33.32,
                    self.env["account.payment"],
                    self.env["shopify.sale.order"],
                ),
            ],
        )
        self.assertEqual(payout.unlinked_count, 1)

        # A refund payment imported later is linked by the next import, which
        # neither duplicates the paid payout nor reads its transactions again.
        refund_payment = self.payment.copy({"payment_type": "outbound", "amount": 3})
        self.env["shopify.account.payment"].create(
            {
                "backend_id": self.backend.id,
                "external_id": "gid://shopify/OrderTransaction/778",
                "odoo_id": refund_payment.id,
                "order_binding_id": self.order_binding.id,
                "kind": "refund",
            }
        )
        stored, fake = self.run_import([payout_node()], TRANSACTIONS)
        self.assertEqual(stored, 0)
        self.assertEqual(len(fake.calls), 1)
        self.assertEqual(
            self.env["shopify.payout"].search_count(
                [("backend_id", "=", self.backend.id)]
            ),
            1,
        )
        self.assertEqual(payout.unlinked_count, 0)
        self.assertEqual(
            payout.transaction_ids.filtered(
                lambda tx: tx.category == "refund"
            ).payment_id,
            refund_payment,
        )

    def test_status_change_updates_the_payout(self):
        self.run_import([payout_node(status="IN_TRANSIT")], TRANSACTIONS)
        payout = self.env["shopify.payout"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(payout.status, "in_transit")
        stored, _fake = self.run_import([payout_node()], TRANSACTIONS)
        self.assertEqual(stored, 1)
        self.assertEqual(payout.status, "paid")
        self.assertEqual(len(payout.transaction_ids), 4)

    def test_payout_that_does_not_add_up_is_refused_and_reported(self):
        transactions = TRANSACTIONS[:1] + TRANSACTIONS[2:]  # the refund is missing
        before = self.backend.payout_checkpoint
        stored, _fake = self.run_import([payout_node()], transactions)
        self.assertEqual(stored, 0)
        self.assertFalse(
            self.env["shopify.payout"].search([("backend_id", "=", self.backend.id)])
        )
        self.assertEqual(self.backend.payout_checkpoint, before)
        message = self.backend.message_ids[:1].body
        self.assertIn("add up to 36.32", message)
        self.assertIn("difference -3.00", message)

    def test_checks_name_the_difference_in_exact_decimals(self):
        payout = read_payout(payout_node(net="33.33"))
        self.assertEqual(payout.gross, Decimal("34.75"))
        self.assertEqual(payout.fees, Decimal("1.43"))
        with self.assertRaisesRegex(BusinessError, r"33\.32; difference \+0\.01"):
            check_payout(payout)

        payout = read_payout(payout_node())
        node = copy.deepcopy(TRANSACTIONS[0])
        node["net"] = money("37.58")
        payout.transactions = [read_balance_transaction(node)]
        with self.assertRaisesRegex(BusinessError, r"difference \+0\.01"):
            check_payout(payout)

        payout.transactions = [read_balance_transaction(n) for n in TRANSACTIONS]
        check_payout(payout)
        charge = payout.transactions[0]
        self.assertEqual(charge.transaction_gid, "gid://shopify/OrderTransaction/777")
        self.assertTrue(payout.transactions[3].is_transfer)

    def test_disputes_retried_payouts_and_advances_add_up(self):
        """A dispute counts in the adjustments with its fee, the return of a
        failed payout in the retried payouts, and an advance in its own part;
        only the payout's own transfer is left out of what it pays."""
        node = payout_node(
            net="146.32",
            adjustmentsGross="-41.25",
            adjustmentsFee="15.00",
            retriedPayoutsGross="50.00",
            advanceGross="120.00",
            advanceFees="2.00",
        )
        transactions = TRANSACTIONS[:3] + [
            tx_node(5, "DISPUTE_WITHDRAWAL", "-40.00", "15.00", "-55.00"),
            tx_node(6, "TRANSFER_FAILURE", "50.00", "0.00", "50.00", order=None),
            tx_node(7, "ADVANCE", "120.00", "2.00", "118.00", order=None),
            tx_node(8, "TRANSFER", "-146.32", "0.00", "-146.32", order=None),
        ]
        stored, _fake = self.run_import([node], transactions)
        self.assertEqual(stored, 1)
        payout = self.env["shopify.payout"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(
            (
                payout.amount,
                payout.gross_amount,
                payout.fee_amount,
                payout.adjustments_fee,
                payout.retried_payouts_gross,
                payout.advances_gross,
                payout.advances_fee,
            ),
            (146.32, 164.75, 18.43, 15.0, 50.0, 120.0, 2.0),
        )
        categories = {tx.transaction_type: tx.category for tx in payout.transaction_ids}
        self.assertEqual(
            categories,
            {
                "CHARGE": "charge",
                "REFUND": "refund",
                "ADJUSTMENT": "adjustment",
                "DISPUTE_WITHDRAWAL": "dispute",
                "TRANSFER_FAILURE": "payout",
                "ADVANCE": "other",
                "TRANSFER": "payout",
            },
        )

    def test_transactions_of_another_payout_are_left_out(self):
        stranger = tx_node(9, "CHARGE", "10.00", "0.59", "9.41", order=None)
        stranger["associatedPayout"] = {
            "id": "gid://shopify/ShopifyPaymentsPayout/301",
            "status": "SCHEDULED",
        }
        pending = tx_node(10, "CHARGE", "5.00", "0.45", "4.55", order=None)
        pending["associatedPayout"] = {"id": None, "status": "PENDING"}
        stored, _fake = self.run_import(
            [payout_node()], TRANSACTIONS + [stranger, pending]
        )
        self.assertEqual(stored, 1)
        payout = self.env["shopify.payout"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(len(payout.transaction_ids), 4)

    def test_finance_reviewer_reads_but_cannot_change_payouts(self):
        self.run_import([payout_node()], TRANSACTIONS)
        reviewer = self.env["res.users"].create(
            {
                "name": "Finance reviewer",
                "login": "payout-reviewer",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref("base.group_user").id,
                            self.env.ref(
                                "retail_connector_base.group_retail_finance_reviewer"
                            ).id,
                        ],
                    )
                ],
            }
        )
        payouts = self.env["shopify.payout"].with_user(reviewer)
        payout = payouts.search([("backend_id", "=", self.backend.id)])
        self.assertEqual(payout.amount, 33.32)
        self.assertEqual(len(payout.transaction_ids), 4)
        self.assertFalse(payouts.has_access("write"))
        self.assertFalse(
            self.env["shopify.balance.transaction"]
            .with_user(reviewer)
            .has_access("write")
        )
