import copy
from datetime import datetime, timedelta

from odoo.addons.queue_job.exception import RetryableJobError

from .common import ShopifyTestCase, load_fixture

SAMPLE_GID = "gid://shopify/Order/820982911946154508"


def _shift_updated_at(payload, minutes):
    moment = datetime.fromisoformat(payload["updated_at"]) + timedelta(minutes=minutes)
    payload["updated_at"] = moment.isoformat()
    return payload


def _set_money(bag, amount):
    for side in ("shop_money", "presentment_money"):
        bag[side]["amount"] = amount


class TestOrderImport(ShopifyTestCase):
    def _sale_order(self, gid=SAMPLE_GID):
        binding = self.env["shopify.sale.order"].search(
            [("backend_id", "=", self.backend.id), ("external_id", "=", gid)]
        )
        return binding.odoo_id

    def _balanced_paid(self):
        payload = self.balanced_orders_create()
        payload["transactions"] = load_fixture(
            "rest-transactions-auth-capture-refund.json"
        )["transactions"]
        return payload

    # Real payloads whose numbers do not add up -------------------------------

    def test_sample_order_with_unallocated_discount_needs_attention(self):
        payload = load_fixture("webhook-orders-create-2026-04.json")
        event = self.process(payload, delivery_id="sample-1")

        self.assertEqual(event.state, "needs_attention")
        self.assertEqual(event.error_class, "business")
        self.assertEqual(event.error_code, "amount_mismatch")
        self.assertIn("424.95 USD", event.error_message)
        self.assertIn("404.95 USD", event.error_message)
        self.assertIn("+20.00", event.error_message)
        # Nothing half-done is kept: no order, no binding, no new customer.
        self.assertFalse(self._sale_order())
        self.assertFalse(
            self.env["sale.order"].search([("client_order_ref", "=", "#9999")])
        )
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "john@example.com")])
        )

    def test_legacy_order_that_does_not_add_up_needs_attention(self):
        payload = load_fixture("rest-order-discount-code-state-tax.json")
        event = self.process(payload, delivery_id="legacy-1")

        self.assertEqual(event.external_id, "gid://shopify/Order/450789469")
        self.assertEqual(event.state, "needs_attention")
        self.assertEqual(event.error_code, "amount_mismatch")
        self.assertIn("632.82 USD", event.error_message)
        self.assertIn("409.94 USD", event.error_message)
        self.assertIn("+222.88", event.error_message)
        self.assertFalse(self._sale_order("gid://shopify/Order/450789469"))

    # A payload that adds up --------------------------------------------------

    def test_balanced_order_matches_the_payload_to_the_cent(self):
        event = self.process(self._balanced_paid(), delivery_id="balanced-1")

        self.assertEqual(event.state, "done", event.error_message)
        sale = self._sale_order()
        self.assertEqual((event.res_model, event.res_id), ("sale.order", sale.id))
        self.assertEqual(sale.state, "sale")
        self.assertEqual(sale.client_order_ref, "#9999")
        self.assertEqual(sale.currency_id, self.usd)
        self.assertEqual(sale.date_order, datetime(2022, 1, 1, 0, 0, 0))
        self.assertAlmostEqual(sale.amount_untaxed, 404.95, places=2)
        self.assertAlmostEqual(sale.amount_tax, 0.0, places=2)
        self.assertAlmostEqual(sale.amount_total, 404.95, places=2)

        lines = sale.order_line
        products = lines.filtered(lambda line: line.product_id.is_storable)
        self.assertEqual(
            sorted(
                (line.product_id.default_code, line.price_unit) for line in products
            ),
            [
                ("CASE-LEATHER-PREM", 24.99),
                ("LENS-PROTECT-2YR", 19.99),
                ("SKU2006-001", 89.99),
                ("SKU2006-020", 159.99),
                ("SKU2006-035", 119.99),
            ],
        )
        self.assertEqual(set(products.mapped("product_uom_qty")), {1.0})
        # The 20.00 code is the lounger's exact discount percentage.
        lounger = products.filtered(
            lambda line: line.product_id.default_code == "SKU2006-020"
        )
        self.assertEqual(lounger.name, "Mid-century lounger (SUMMER20)")
        self.assertAlmostEqual(lounger.discount, 20 / 159.99 * 100, places=6)
        self.assertAlmostEqual(lounger.price_subtotal, 139.99, places=2)
        shipping = lines.filtered(
            lambda line: line.product_id == self.backend.shipping_product_id
        )
        self.assertEqual(shipping.name, "Generic Shipping")
        self.assertAlmostEqual(shipping.price_subtotal, 10.0, places=2)

        self.assertEqual(sale.partner_id.email, "john@example.com")
        self.assertEqual(sale.partner_id.name, "Fakefirst02 Fakelast02")
        self.assertEqual(sale.partner_shipping_id.street, "1 Fake Street")
        self.assertEqual(sale.partner_shipping_id.city, "Shippington")
        self.assertEqual(sale.partner_shipping_id.state_id.code, "KY")
        # Billing and shipping addresses are the same: no extra contact.
        self.assertEqual(sale.partner_shipping_id, sale.partner_id)
        self.assertEqual(sale.partner_invoice_id, sale.partner_id)

        # Stock leaves with the delivery of the five goods.
        moves = sale.picking_ids.move_ids
        self.assertEqual(len(moves), 5)
        self.assertEqual(sum(moves.mapped("product_uom_qty")), 5.0)

        # The captured 250.94 is a posted payment; the authorization and the
        # refund of the same list are not.
        binding = sale.shopify_bind_ids
        self.assertEqual(len(binding.payment_binding_ids), 1)
        payment = binding.payment_binding_ids.odoo_id
        self.assertEqual(payment.state, "in_process")
        self.assertAlmostEqual(payment.amount, 250.94, places=2)
        self.assertEqual(payment.journal_id, self.bank_journal)
        self.assertEqual(payment.partner_id, sale.partner_id)
        self.assertEqual(binding.trace_id, event.trace_id)

    def test_duplicate_delivery_changes_nothing(self):
        payload = self._balanced_paid()
        first, created = self.receive(payload, delivery_id="same-event")
        self.assertTrue(created)
        first._run()
        again, created_again = self.receive(payload, delivery_id="same-event")
        self.assertFalse(created_again)
        self.assertEqual(again, first)

        # The same version found again by another delivery or by the poll.
        other = self.process(payload, delivery_id="other-delivery")
        self.assertEqual(other.state, "ignored_duplicate")
        self.assertEqual(
            len(self.env["sale.order"].search([("client_order_ref", "=", "#9999")])), 1
        )
        self.assertEqual(
            len(self._sale_order().shopify_bind_ids.payment_binding_ids), 1
        )

    def _newer_version(self):
        """Two coffee tables instead of one, a minute later."""
        payload = _shift_updated_at(self._balanced_paid(), 1)
        coffee_table = payload["line_items"][4]
        coffee_table["quantity"] = 2
        _set_money(payload["total_price_set"], "524.94")
        payload["total_price"] = "524.94"
        return payload

    def test_newer_version_updates_the_order(self):
        self.process(self._balanced_paid(), delivery_id="v1")
        event = self.process(
            self._newer_version(), topic="orders/updated", delivery_id="v2"
        )

        self.assertEqual(event.state, "done", event.error_message)
        sale = self._sale_order()
        coffee = sale.order_line.filtered(
            lambda line: line.product_id.default_code == "SKU2006-035"
        )
        self.assertEqual(coffee.product_uom_qty, 2.0)
        self.assertAlmostEqual(coffee.price_unit, 119.99, places=2)
        self.assertAlmostEqual(sale.amount_total, 524.94, places=2)
        self.assertEqual(sum(sale.picking_ids.move_ids.mapped("product_uom_qty")), 6.0)
        self.assertEqual(len(sale.shopify_bind_ids.payment_binding_ids), 1)

    def test_older_version_after_newer_is_ignored(self):
        newer = self.process(self._newer_version(), delivery_id="v2")
        older = self.process(self._balanced_paid(), delivery_id="v1")

        self.assertEqual(newer.state, "done", newer.error_message)
        self.assertEqual(older.state, "ignored_stale")
        self.assertAlmostEqual(self._sale_order().amount_total, 524.94, places=2)

    def test_cancelled_order_is_cancelled_in_odoo(self):
        self.process(self._balanced_paid(), delivery_id="v1")
        cancelled = _shift_updated_at(self._balanced_paid(), 2)
        cancelled["cancelled_at"] = cancelled["updated_at"]
        event = self.process(cancelled, topic="orders/cancelled", delivery_id="v3")

        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(self._sale_order().state, "cancel")

    # Currencies and taxes ----------------------------------------------------

    def test_prices_including_tax_keep_the_total(self):
        payload = self._balanced_paid()
        lounger = payload["line_items"][3]
        payload["taxes_included"] = True
        lounger["tax_lines"] = [
            {
                "title": "VAT",
                "rate": 0.2,
                "price": "23.33",
                "price_set": {
                    "shop_money": {"amount": "23.33", "currency_code": "USD"},
                    "presentment_money": {"amount": "23.33", "currency_code": "USD"},
                },
            }
        ]
        event = self.process(payload, delivery_id="vat-1")

        self.assertEqual(event.state, "done", event.error_message)
        sale = self._sale_order()
        lounger_line = sale.order_line.filtered(
            lambda line: line.product_id.default_code == "SKU2006-020"
        )
        self.assertEqual(lounger_line.tax_id, self.tax_vat_included)
        self.assertAlmostEqual(sale.amount_total, 404.95, places=2)
        self.assertAlmostEqual(sale.amount_tax, 23.33, delta=0.011)

    def test_tax_mode_contradicting_the_mapping_needs_attention(self):
        payload = self._balanced_paid()
        payload["line_items"][3]["tax_lines"] = [
            {"title": "VAT", "rate": 0.2, "price": "26.66"}
        ]
        event = self.process(payload, delivery_id="vat-2")

        self.assertEqual(event.state, "needs_attention")
        self.assertEqual(event.error_code, "missing_mapping")
        self.assertIn("'VAT'", event.error_message)

    def test_presentment_currency_when_the_backend_asks_for_it(self):
        self.backend.currency_source = "presentment"
        self.env["product.pricelist"].create(
            {"name": "Shop EUR", "currency_id": self.eur.id}
        )
        payload = self._balanced_paid()
        payload["presentment_currency"] = "EUR"

        def double_presentment(node):
            if isinstance(node, dict):
                money = node.get("presentment_money")
                if isinstance(money, dict) and "amount" in money:
                    money["amount"] = f"{float(money['amount']) * 2:.2f}"
                    money["currency_code"] = "EUR"
                for value in node.values():
                    double_presentment(value)
            elif isinstance(node, list):
                for value in node:
                    double_presentment(value)

        double_presentment(payload)
        # Transactions carry plain amounts, the same in both currencies.
        payload["transactions"] = []
        event = self.process(payload, delivery_id="eur-1")

        self.assertEqual(event.state, "done", event.error_message)
        sale = self._sale_order()
        self.assertEqual(sale.currency_id, self.eur)
        self.assertAlmostEqual(sale.amount_total, 809.90, places=2)

    # Business exceptions and their fixes -------------------------------------

    def test_unknown_sku_names_the_sku_and_retry_after_fix_imports(self):
        self.products["SKU2006-035"].default_code = "RENAMED"
        event = self.process(self._balanced_paid(), delivery_id="sku-1")

        self.assertEqual(event.state, "needs_attention")
        self.assertEqual(event.error_code, "unknown_sku")
        self.assertIn("'SKU2006-035'", event.error_message)
        self.assertIn("Coffee table", event.error_message)
        self.assertFalse(self._sale_order())

        self.products["SKU2006-035"].default_code = "SKU2006-035"
        event.action_retry()
        self.assertEqual(event.state, "queued")
        event._run()
        self.assertEqual(event.state, "done", event.error_message)
        self.assertAlmostEqual(self._sale_order().amount_total, 404.95, places=2)

    def test_missing_tax_mapping_names_the_mapping_to_add(self):
        payload = copy.deepcopy(load_fixture("rest-order-discount-code-state-tax.json"))
        payload["order"]["tax_lines"][0]["title"] = "County Tax"
        event = self.process(payload, delivery_id="tax-1")

        self.assertEqual(event.error_code, "missing_mapping")
        self.assertIn("Add a tax mapping for 'County Tax 6%'", event.error_message)
        self.assertIn("'Test shop'", event.error_message)

    def test_missing_payment_mapping_blocks_the_whole_order(self):
        payload = self._balanced_paid()
        for transaction in payload["transactions"]:
            transaction["gateway"] = "paypal"
        event = self.process(payload, delivery_id="gateway-1")

        self.assertEqual(event.error_code, "missing_mapping")
        self.assertIn("gateway 'paypal'", event.error_message)
        self.assertFalse(self._sale_order())

    def test_guest_order_goes_to_the_guest_customer(self):
        payload = self._balanced_paid()
        payload.pop("customer")
        payload["email"] = payload["contact_email"] = None
        payload["billing_address"] = payload["shipping_address"] = None
        event = self.process(payload, delivery_id="guest-1")
        self.assertEqual(event.error_code, "missing_mapping")
        self.assertIn("guest customer", event.error_message)

        guest = self.env["res.partner"].create({"name": "Web guest"})
        self.backend.guest_partner_id = guest
        event.action_retry()
        event._run()
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(self._sale_order().partner_id, guest)

    def test_known_customer_is_matched_by_email_then_phone(self):
        by_email = self.env["res.partner"].create(
            {"name": "Known", "email": " John@Example.com "}
        )
        self.process(self._balanced_paid(), delivery_id="match-1")
        self.assertEqual(self._sale_order().partner_id, by_email)

        by_phone = self.env["res.partner"].create(
            {"name": "Phone only", "phone": "+1 (555) 010-0077"}
        )
        payload = self._balanced_paid()
        payload["admin_graphql_api_id"] = "gid://shopify/Order/2"
        payload["customer"]["admin_graphql_api_id"] = "gid://shopify/Customer/2"
        payload["customer"]["email"] = None
        payload["customer"]["phone"] = "555-010-0077"
        payload["email"] = payload["contact_email"] = None
        payload["transactions"] = []
        self.process(payload, delivery_id="match-2")
        self.assertEqual(self._sale_order("gid://shopify/Order/2").partner_id, by_phone)

    def test_paid_order_without_transactions_retries_when_api_unreachable(self):
        payload = self.balanced_orders_create()  # paid, no transactions
        event, _created = self.receive(payload, delivery_id="net-1")
        with self.assertRaises(RetryableJobError):
            event._run()
