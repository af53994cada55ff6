from datetime import datetime
from decimal import Decimal

from odoo.tests.common import BaseCase

from ..lib.order_data import PayloadError, order_from_graphql, order_from_rest
from .common import load_fixture


class TestOrderData(BaseCase):
    def test_webhook_sample_keeps_exact_ids_and_amounts(self):
        order = order_from_rest(load_fixture("webhook-orders-create-2026-04.json"))

        # The numeric id lost precision in JSON; the gid did not.
        self.assertEqual(order.gid, "gid://shopify/Order/820982911946154508")
        self.assertEqual(
            order.lines[0].gid, "gid://shopify/LineItem/487817672276298554"
        )
        self.assertEqual(order.total_price.shop, Decimal("404.95"))
        self.assertEqual(
            [line.unit_price.shop for line in order.lines][:2],
            [
                Decimal("89.99"),
                Decimal("19.99"),
            ],
        )
        self.assertEqual(order.shipping_lines[0].price.shop, Decimal("10.00"))
        self.assertEqual(order.updated_at, datetime(2022, 1, 1, 0, 0, 0))
        self.assertEqual(order.cancelled_at, datetime(2022, 1, 1, 0, 0, 0))
        self.assertEqual(order.customer.email, "john@example.com")
        self.assertIsNone(order.transactions)

    def test_legacy_rest_order_without_money_bags(self):
        order = order_from_rest(load_fixture("rest-order-discount-code-state-tax.json"))

        self.assertEqual(order.gid, "gid://shopify/Order/450789469")
        self.assertEqual(order.presentment_currency, "USD")
        self.assertEqual(order.total_price.presentment, Decimal("409.94"))
        self.assertEqual(order.tax_lines[0].rate_percent, 6.0)
        self.assertEqual(
            order.lines[0].variant_gid, "gid://shopify/ProductVariant/39072856"
        )

    def test_graphql_node(self):
        bag = {
            "shopMoney": {"amount": "12.50", "currencyCode": "USD"},
            "presentmentMoney": {"amount": "11.00", "currencyCode": "EUR"},
        }
        order = order_from_graphql(
            {
                "id": "gid://shopify/Order/7",
                "name": "#1007",
                "createdAt": "2026-12-01T10:00:00Z",
                "updatedAt": "2026-12-01T10:05:00Z",
                "currencyCode": "USD",
                "presentmentCurrencyCode": "EUR",
                "displayFinancialStatus": "PAID",
                "totalPriceSet": bag,
                "lineItems": {
                    "nodes": [
                        {
                            "id": "gid://shopify/LineItem/1",
                            "name": "Mug",
                            "quantity": 1,
                            "variant": {
                                "id": "gid://shopify/ProductVariant/9",
                                "sku": "MUG",
                            },
                            "originalUnitPriceSet": bag,
                            "taxLines": [],
                            "discountAllocations": [],
                        }
                    ]
                },
                "transactions": [
                    {
                        "id": "gid://shopify/OrderTransaction/3",
                        "kind": "SALE",
                        "status": "SUCCESS",
                        "gateway": "shopify_payments",
                        "amountSet": bag,
                    }
                ],
            }
        )
        self.assertEqual(order.financial_status, "paid")
        self.assertEqual(order.lines[0].sku, "MUG")
        self.assertEqual(order.total_price.pick("presentment"), Decimal("11.00"))
        self.assertEqual(order.transactions[0].kind, "sale")
        self.assertEqual(order.updated_at, datetime(2026, 12, 1, 10, 5, 0))

    def test_payload_without_id_is_refused(self):
        with self.assertRaises(PayloadError):
            order_from_rest({"name": "#1"})
        with self.assertRaises(PayloadError):
            order_from_rest({"id": 1, "line_items": [{"price": "abc"}]})
