import copy
from decimal import Decimal

from odoo.addons.queue_job.exception import RetryableJobError

from ..lib.refund_data import refund_from_rest, refund_total
from .common import ShopifyTestCase, load_fixture

ORDER_GID = "gid://shopify/Order/450789469"
REFUND_GID = "gid://shopify/Refund/509562969"
BLACK_LINE = "gid://shopify/LineItem/703073504"
GREEN_LINE = "gid://shopify/LineItem/466157049"
RED_LINE = "gid://shopify/LineItem/518995019"


def _bag(amount):
    money = {"amount": amount, "currency_code": "USD"}
    return {"shop_money": money, "presentment_money": dict(money)}


class TestRefundData(ShopifyTestCase):
    def test_fixture_reads_as_a_legacy_restock_of_two_lines(self):
        refund = refund_from_rest(load_fixture("rest-refund-restock-two-lines.json"))

        self.assertEqual(refund.gid, REFUND_GID)
        self.assertEqual(refund.order_gid, ORDER_GID)
        self.assertEqual(refund.note, "it broke during shipping")
        self.assertEqual(
            [
                (line.line_gid, line.quantity, line.restock_type)
                for line in refund.lines
            ],
            [(BLACK_LINE, 1, "legacy_restock"), (GREEN_LINE, 1, "legacy_restock")],
        )
        self.assertTrue(all(line.restocked for line in refund.lines))
        self.assertIsNone(refund.lines[0].subtotal)
        self.assertEqual(refund.lines[0].line_quantity, 1)
        [transaction] = refund.refund_transactions
        self.assertEqual(transaction.gid, "gid://shopify/OrderTransaction/179259969")
        self.assertEqual(transaction.gateway, "bogus")
        self.assertEqual(refund_total(refund).shop, Decimal("209.00"))


class TestRefundImport(ShopifyTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock = cls.backend.warehouse_id.lot_stock_id
        for sku in ("IPOD2008BLACK", "IPOD2008GREEN", "IPOD2008RED"):
            cls.env["stock.quant"]._update_available_quantity(
                cls.products[sku], cls.stock, 10
            )

    # Helpers -----------------------------------------------------------------

    @staticmethod
    def balanced_legacy_order():
        """The legacy order with a total that matches its three taxed lines.

        Shopify's sample states 409.94 for three lines of 199.00 taxed at
        6 %; the lines and their tax make 632.82, which is what Odoo books.
        """
        payload = copy.deepcopy(load_fixture("rest-order-discount-code-state-tax.json"))
        payload["order"]["total_price"] = "632.82"
        payload["order"]["total_tax"] = "35.82"
        return payload

    @staticmethod
    def refund_payload(amount="421.88"):
        """The refund fixture as its webhook carries it, refunding ``amount``."""
        payload = copy.deepcopy(load_fixture("rest-refund-restock-two-lines.json"))
        refund = payload["refund"]
        refund["transactions"][0]["amount"] = amount
        return refund

    def first_line_refund(self, tax, amount):
        """A refund of the fixture's first line, in full (199.00 and
        ``tax``), without restock, refunding ``amount``."""
        payload = self.refund_payload(amount=amount)
        payload["restock"] = False
        payload["refund_line_items"] = payload["refund_line_items"][:1]
        item = payload["refund_line_items"][0]
        item["restock_type"] = "no_restock"
        item["subtotal_set"] = _bag("199.00")
        item["total_tax_set"] = _bag(tax)
        return payload

    def order_selling_four_black(self, price, total_tax, total_price):
        """The balanced legacy order whose black line sells 4 units at
        ``price``; the caller states Shopify's totals of the order."""
        payload = self.balanced_legacy_order()
        order = payload["order"]
        black = next(item for item in order["line_items"] if item["id"] == 703073504)
        black["quantity"] = 4
        black["price"] = price
        order["total_tax"] = total_tax
        order["total_price"] = total_price
        return payload

    def partial_black_refund(self, subtotal, tax, amount, restock_type="no_restock"):
        """A refund of 1 of the 4 black units, with Shopify's ``subtotal``
        and ``tax`` for it, refunding ``amount``."""
        payload = self.refund_payload(amount=amount)
        payload["restock"] = False
        payload["refund_line_items"] = payload["refund_line_items"][:1]
        item = payload["refund_line_items"][0]
        item["restock_type"] = restock_type
        item["line_item"]["quantity"] = 4
        item["subtotal_set"] = _bag(subtotal)
        item["total_tax_set"] = _bag(tax)
        return payload

    def import_order(self, deliver=True, payload=None):
        payload = payload or self.balanced_legacy_order()
        event = self.process(payload, delivery_id="order-1")
        self.assertEqual(event.state, "done", event.error_message)
        sale = (
            self.env["shopify.sale.order"]
            .search([("external_id", "=", ORDER_GID)])
            .odoo_id
        )
        if deliver:
            picking = sale.picking_ids
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
                move.picked = True
            picking.button_validate()
            self.assertEqual(picking.state, "done")
        return sale

    def refund_binding(self, gid=REFUND_GID):
        return self.env["shopify.refund"].search([("external_id", "=", gid)])

    def sale_line(self, sale, line_gid):
        return sale.order_line.filtered(lambda line: line.shopify_line_key == line_gid)

    # Real fixture ------------------------------------------------------------

    def test_real_refund_that_does_not_add_up_needs_attention(self):
        self.import_order()
        refund = load_fixture("rest-refund-restock-two-lines.json")["refund"]

        event = self.process(refund, topic="refunds/create", delivery_id="r-1")

        self.assertEqual(event.external_id, REFUND_GID)
        self.assertEqual(event.state, "needs_attention")
        self.assertEqual(event.error_code, "amount_mismatch")
        self.assertIn("421.88 USD", event.error_message)
        self.assertIn("209.00 USD", event.error_message)
        self.assertIn("+212.88", event.error_message)
        # Nothing half-done is kept.
        self.assertFalse(self.refund_binding())
        self.assertFalse(
            self.env["account.move"].search([("move_type", "=", "out_refund")])
        )
        self.assertFalse(
            self.env["stock.picking"].search([("picking_type_code", "=", "incoming")])
        )

    def test_restocked_refund_books_credit_note_return_and_payment(self):
        sale = self.import_order()

        event = self.process(
            self.refund_payload(), topic="refunds/create", delivery_id="r-1"
        )

        self.assertEqual(event.state, "done", event.error_message)
        binding = self.refund_binding()
        credit_note = binding.odoo_id
        self.assertEqual(
            (event.res_model, event.res_id), ("account.move", credit_note.id)
        )
        self.assertEqual(binding.sale_order_id, sale)
        self.assertAlmostEqual(binding.amount_total, 421.88, places=2)
        self.assertEqual(binding.note, "it broke during shipping")

        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.partner_id, sale.partner_invoice_id)
        self.assertEqual(credit_note.currency_id, self.usd)
        self.assertAlmostEqual(credit_note.amount_untaxed, 398.0, places=2)
        self.assertAlmostEqual(credit_note.amount_tax, 23.88, places=2)
        self.assertAlmostEqual(credit_note.amount_total, 421.88, places=2)
        lines = credit_note.invoice_line_ids
        self.assertEqual(
            sorted(
                (line.product_id.default_code, line.quantity, line.price_subtotal)
                for line in lines
            ),
            [("IPOD2008BLACK", 1.0, 199.0), ("IPOD2008GREEN", 1.0, 199.0)],
        )
        self.assertEqual(lines.tax_ids, self.tax_state)
        black = self.sale_line(sale, BLACK_LINE)
        green = self.sale_line(sale, GREEN_LINE)
        self.assertEqual(lines.shopify_sale_line_id, black | green)
        # The order invoices what it sold; the credit note takes back what
        # came back, so the returned goods are not invoiced a second time.
        self.assertFalse(lines.sale_line_ids)
        self.assertEqual(black.qty_invoiced, 0.0)
        self.assertEqual(black.qty_to_invoice, 1.0)
        self.assertIn(binding, sale.shopify_refund_ids)

        # The two restocked goods come back into the warehouse's stock.
        picking = binding.return_picking_id
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.picking_type_code, "incoming")
        self.assertEqual(
            sorted(
                (move.product_id.default_code, move.quantity)
                for move in picking.move_ids
            ),
            [("IPOD2008BLACK", 1.0), ("IPOD2008GREEN", 1.0)],
        )
        self.assertEqual(picking.move_ids.location_dest_id, self.stock)
        self.assertEqual(picking.move_ids.move_line_ids.location_dest_id, self.stock)
        self.assertEqual(black.qty_delivered, 0.0)
        self.assertEqual(self.sale_line(sale, RED_LINE).qty_delivered, 1.0)

        # The refund transaction is money out of the gateway's journal.
        payment_binding = binding.payment_binding_ids
        self.assertEqual(payment_binding.kind, "refund")
        self.assertEqual(payment_binding.order_binding_id, sale.shopify_bind_ids)
        payment = payment_binding.odoo_id
        self.assertEqual(payment.payment_type, "outbound")
        self.assertEqual(payment.partner_type, "customer")
        self.assertAlmostEqual(payment.amount, 421.88, places=2)
        self.assertEqual(payment.journal_id, self.bank_journal)
        self.assertEqual(payment.partner_id, sale.partner_invoice_id)
        self.assertEqual(payment.state, "in_process")
        self.assertEqual(binding.trace_id, event.trace_id)

    def test_same_refund_delivered_twice_is_booked_once(self):
        self.import_order()
        first = self.process(
            self.refund_payload(), topic="refunds/create", delivery_id="r-1"
        )
        second = self.process(
            self.refund_payload(), topic="refunds/create", delivery_id="r-2"
        )

        self.assertEqual(first.state, "done", first.error_message)
        self.assertEqual(second.state, "ignored_duplicate")
        self.assertEqual(len(self.refund_binding()), 1)
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "out_refund")]),
            1,
        )
        self.assertEqual(
            self.env["account.payment"].search_count(
                [("payment_type", "=", "outbound")]
            ),
            1,
        )
        self.assertEqual(
            self.env["stock.picking"].search_count(
                [("picking_type_code", "=", "incoming")]
            ),
            1,
        )

    def test_restocked_goods_invoiced_on_delivery_count_against_the_order(self):
        sale = self.import_order()
        black = self.sale_line(sale, BLACK_LINE)
        black.product_id.invoice_policy = "delivery"

        event = self.process(
            self.refund_payload(), topic="refunds/create", delivery_id="r-1"
        )

        self.assertEqual(event.state, "done", event.error_message)
        credit_line = self.refund_binding().odoo_id.invoice_line_ids.filtered(
            lambda line: line.shopify_sale_line_id == black
        )
        # The return took the unit out of the delivered quantity, so the
        # credit note counts against the order: the unit is still invoiced
        # once, and the credit note takes it back.
        self.assertEqual(credit_line.sale_line_ids, black)
        self.assertEqual(black.qty_delivered, 0.0)
        self.assertEqual(black.qty_invoiced, -1.0)
        self.assertEqual(black.qty_to_invoice, 1.0)

    def test_restock_goes_to_the_mapped_location(self):
        self.import_order()
        returns = self.env["stock.location"].create(
            {"name": "Returns", "usage": "internal", "location_id": self.stock.id}
        )
        self.env["retail.location.mapping"].create(
            {
                "backend_id": self.backend.backend_id.id,
                "external_location_id": "487838322",
                "external_name": "Shop returns desk",
                "warehouse_id": self.backend.warehouse_id.id,
                "location_id": returns.id,
            }
        )
        payload = self.refund_payload()
        for item in payload["refund_line_items"]:
            item["restock_type"] = "return"
            item["location_id"] = 487838322

        event = self.process(payload, topic="refunds/create", delivery_id="r-1")

        self.assertEqual(event.state, "done", event.error_message)
        picking = self.refund_binding().return_picking_id
        self.assertEqual(picking.move_ids.location_dest_id, returns)
        self.assertEqual(picking.move_ids.move_line_ids.location_dest_id, returns)
        quants = self.env["stock.quant"].search([("location_id", "=", returns.id)])
        self.assertEqual(sum(quants.mapped("quantity")), 2.0)

    def test_refund_without_restock_books_the_credit_note_only(self):
        sale = self.import_order()
        payload = self.first_line_refund("11.94", amount="210.94")

        event = self.process(payload, topic="refunds/create", delivery_id="r-1")

        self.assertEqual(event.state, "done", event.error_message)
        binding = self.refund_binding()
        self.assertFalse(binding.return_picking_id)
        self.assertAlmostEqual(binding.odoo_id.amount_total, 210.94, places=2)
        self.assertEqual(binding.odoo_id.invoice_line_ids.quantity, 1.0)
        self.assertEqual(self.sale_line(sale, BLACK_LINE).qty_delivered, 1.0)
        self.assertAlmostEqual(
            binding.payment_binding_ids.odoo_id.amount, 210.94, places=2
        )

    def test_amount_only_refund_needs_the_adjustment_account(self):
        self.import_order()
        payload = self.refund_payload(amount="15.00")
        payload["refund_line_items"] = []
        payload["restock"] = False
        payload["order_adjustments"] = [
            {
                "id": 5,
                "kind": "refund_discrepancy",
                "reason": "Refund discrepancy",
                "amount": "-15.00",
                "tax_amount": "0.00",
            }
        ]

        event = self.process(payload, topic="refunds/create", delivery_id="r-1")
        self.assertEqual(event.state, "needs_attention")
        self.assertEqual(event.error_code, "missing_mapping")
        self.assertIn("refund adjustment account", event.error_message)
        self.assertIn("'Test shop'", event.error_message)

        account = self.env["account.account"].search(
            [("account_type", "=", "income"), ("company_ids", "in", self.company.id)],
            limit=1,
        )
        self.backend.refund_adjustment_account_id = account
        event.action_retry()
        event._run()

        self.assertEqual(event.state, "done", event.error_message)
        credit_note = self.refund_binding().odoo_id
        self.assertAlmostEqual(credit_note.amount_total, 15.0, places=2)
        self.assertEqual(credit_note.invoice_line_ids.account_id, account)
        self.assertFalse(credit_note.invoice_line_ids.tax_ids)
        self.assertFalse(self.refund_binding().return_picking_id)

    def test_cancelled_goods_leave_the_order_and_a_later_version_agrees(self):
        sale = self.import_order(deliver=False)
        payload = self.refund_payload(amount="210.94")
        payload["refund_line_items"] = payload["refund_line_items"][:1]
        item = payload["refund_line_items"][0]
        item["restock_type"] = "cancel"
        item["subtotal_set"] = _bag("199.00")
        item["total_tax_set"] = _bag("11.94")

        event = self.process(payload, topic="refunds/create", delivery_id="r-1")

        self.assertEqual(event.state, "done", event.error_message)
        black = self.sale_line(sale, BLACK_LINE)
        self.assertEqual(black.product_uom_qty, 0.0)
        self.assertFalse(self.refund_binding().return_picking_id)
        self.assertAlmostEqual(sale.amount_total, 421.88, places=2)
        self.assertAlmostEqual(self.refund_binding().odoo_id.amount_total, 210.94, 2)

        # Shopify's next version of the order carries the refund: the order
        # keeps its reduced line and the refund is not booked again.
        order = self.balanced_legacy_order()
        order["order"]["updated_at"] = "2008-01-10T12:00:00-05:00"
        order["order"]["refunds"] = [dict(payload, order_id=450789469)]
        update = self.process(order, topic="orders/updated", delivery_id="o-2")

        self.assertEqual(update.state, "done", update.error_message)
        self.assertEqual(black.product_uom_qty, 0.0)
        self.assertEqual(len(self.refund_binding()), 1)
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "out_refund")]),
            1,
        )

    def test_refunds_in_an_order_payload_are_booked_once(self):
        sale = self.import_order()
        order = self.balanced_legacy_order()
        order["order"]["updated_at"] = "2008-01-10T12:00:00-05:00"
        order["order"]["refunds"] = [self.refund_payload()]

        update = self.process(order, topic="orders/updated", delivery_id="o-2")
        webhook = self.process(
            self.refund_payload(), topic="refunds/create", delivery_id="r-1"
        )

        self.assertEqual(update.state, "done", update.error_message)
        self.assertEqual(webhook.state, "ignored_duplicate")
        binding = self.refund_binding()
        self.assertAlmostEqual(binding.odoo_id.amount_total, 421.88, places=2)
        self.assertEqual(binding.return_picking_id.state, "done")
        self.assertEqual(self.sale_line(sale, GREEN_LINE).qty_delivered, 0.0)
        self.assertEqual(len(binding.payment_binding_ids), 1)

    def test_refund_of_an_order_not_imported_yet_is_retried(self):
        event, _created = self.receive(
            self.refund_payload(), topic="refunds/create", delivery_id="r-1"
        )
        with self.assertRaises(RetryableJobError):
            event._run()
        self.assertFalse(self.refund_binding())

    def test_restock_of_goods_not_delivered_needs_attention(self):
        self.import_order(deliver=False)
        event = self.process(
            self.refund_payload(), topic="refunds/create", delivery_id="r-1"
        )

        self.assertEqual(event.state, "needs_attention")
        self.assertEqual(event.error_code, "not_delivered")
        self.assertIn("1 × ", event.error_message)
        self.assertIn("validate the delivery", event.error_message)
        self.assertFalse(self.refund_binding())

    # Tax rounding --------------------------------------------------------------

    def test_partial_refund_takes_shopify_tax_share_when_it_rounds_apart(self):
        # 4 × 19.90 taxed 6 %: Shopify's line tax is 4.78 and its share for
        # one unit 1.20 (a quarter of 4.78), where Odoo computes 1.19 on 19.90.
        self.import_order(
            payload=self.order_selling_four_black("19.90", "28.66", "506.26")
        )
        payload = self.partial_black_refund("19.90", "1.20", amount="21.10")

        event = self.process(payload, topic="refunds/create", delivery_id="r-1")

        self.assertEqual(event.state, "done", event.error_message)
        binding = self.refund_binding()
        credit_note = binding.odoo_id
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.invoice_line_ids.quantity, 1.0)
        self.assertAlmostEqual(credit_note.amount_untaxed, 19.90, places=2)
        self.assertAlmostEqual(credit_note.amount_tax, 1.20, places=2)
        self.assertAlmostEqual(credit_note.amount_total, 21.10, places=2)
        tax_line = credit_note.line_ids.filtered("tax_line_id")
        self.assertEqual(tax_line.tax_line_id, self.tax_state)
        self.assertAlmostEqual(tax_line.debit, 1.20, places=2)
        receivable = credit_note.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        self.assertAlmostEqual(receivable.credit, 21.10, places=2)
        self.assertAlmostEqual(binding.amount_total, 21.10, places=2)
        self.assertAlmostEqual(
            binding.payment_binding_ids.odoo_id.amount, 21.10, places=2
        )

    def test_partial_refund_with_more_than_a_rounding_difference_needs_attention(
        self,
    ):
        self.import_order(
            payload=self.order_selling_four_black("19.90", "28.66", "506.26")
        )
        payload = self.partial_black_refund("19.90", "1.21", amount="21.11")

        event = self.process(payload, topic="refunds/create", delivery_id="r-1")

        self.assertEqual(event.state, "needs_attention")
        self.assertEqual(event.error_code, "amount_mismatch")
        self.assertIn("is 21.09 USD", event.error_message)
        self.assertIn("refund is worth 21.11 USD", event.error_message)
        self.assertIn("-0.02", event.error_message)
        self.assertFalse(self.refund_binding())
        self.assertFalse(
            self.env["account.move"].search([("move_type", "=", "out_refund")])
        )

    def test_full_line_refund_keeps_odoo_tax_and_must_match_it(self):
        self.import_order()
        payload = self.first_line_refund("11.95", amount="210.95")

        event = self.process(payload, topic="refunds/create", delivery_id="r-1")

        # The whole line was refunded: its tax is no rounding share, so a
        # cent of difference is a real one.
        self.assertEqual(event.state, "needs_attention")
        self.assertEqual(event.error_code, "amount_mismatch")
        self.assertIn("is 210.94 USD", event.error_message)
        self.assertIn("refund is worth 210.95 USD", event.error_message)
        self.assertFalse(self.refund_binding())

    def test_order_with_cancelled_goods_is_checked_at_its_ordered_quantities(self):
        # 4 × 10.09 taxed 6 %: Shopify's line tax is 2.42 and its share for
        # the one unit cancelled 0.61, leaving 1.81 where Odoo computes 1.82
        # on the three units left.
        order = self.order_selling_four_black("10.09", "26.30", "464.66")
        sale = self.import_order(deliver=False, payload=order)
        payload = self.partial_black_refund(
            "10.09", "0.61", amount="10.70", restock_type="cancel"
        )

        refund = self.process(payload, topic="refunds/create", delivery_id="r-1")

        self.assertEqual(refund.state, "done", refund.error_message)
        credit_note = self.refund_binding().odoo_id
        self.assertAlmostEqual(credit_note.amount_tax, 0.61, places=2)
        self.assertAlmostEqual(credit_note.amount_total, 10.70, places=2)
        black = self.sale_line(sale, BLACK_LINE)
        self.assertEqual(black.product_uom_qty, 3.0)

        # The next version of the order carries the refund: its total with
        # the cancelled unit is Shopify's, the order keeps three units.
        order["order"]["updated_at"] = "2008-01-10T12:00:00-05:00"
        order["order"]["refunds"] = [dict(payload, order_id=450789469)]
        update = self.process(order, topic="orders/updated", delivery_id="o-2")

        self.assertEqual(update.state, "done", update.error_message)
        self.assertEqual(black.product_uom_qty, 3.0)
        self.assertAlmostEqual(sale.amount_untaxed, 428.27, places=2)
        self.assertAlmostEqual(sale.amount_tax, 25.70, places=2)
        self.assertAlmostEqual(sale.amount_total, 453.97, places=2)

    def test_order_with_cancelled_goods_and_a_wrong_total_needs_attention(self):
        order = self.order_selling_four_black("10.09", "26.30", "464.66")
        self.import_order(deliver=False, payload=order)
        payload = self.partial_black_refund(
            "10.09", "0.61", amount="10.70", restock_type="cancel"
        )
        self.process(payload, topic="refunds/create", delivery_id="r-1")

        order["order"]["updated_at"] = "2008-01-10T12:00:00-05:00"
        order["order"]["total_price"] = "464.76"
        order["order"]["refunds"] = [dict(payload, order_id=450789469)]
        update = self.process(order, topic="orders/updated", delivery_id="o-2")

        self.assertEqual(update.state, "needs_attention")
        self.assertEqual(update.error_code, "amount_mismatch")
        self.assertIn("goods cancelled by refunds included", update.error_message)
        self.assertIn("464.66 USD", update.error_message)
        self.assertIn("464.76 USD", update.error_message)
