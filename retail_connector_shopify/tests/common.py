import copy
import json
from pathlib import Path

from odoo.tests.common import TransactionCase

FIXTURES = Path(__file__).parent / "fixtures"


def load_fixture(name):
    return json.loads((FIXTURES / name).read_text())


class ShopifyTestCase(TransactionCase):
    """A company with a chart of accounts, a Shopify backend and its mappings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        if not cls.company.chart_template:
            cls.env["account.chart.template"].try_loading(
                "generic_coa", cls.company, install_demo=False
            )
        cls.usd = cls.env.ref("base.USD")
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.backend = cls.env["shopify.backend"].create(
            {
                "name": "Test shop",
                "shop_domain": "test-shop.myshopify.com",
                "api_url": "http://127.0.0.1:9",
                "access_token": "shpat_test_token",
                "webhook_secret": "test-signing-secret",
            }
        )
        cls.tax_state = cls.env["account.tax"].create(
            {"name": "State Tax 6%", "amount": 6.0, "type_tax_use": "sale"}
        )
        cls.tax_vat_included = cls.env["account.tax"].create(
            {
                "name": "VAT 20% included",
                "amount": 20.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            }
        )
        mappings = cls.env["retail.tax.mapping"]
        mappings.create(
            {
                "backend_id": cls.backend.backend_id.id,
                "external_name": "State Tax",
                "external_rate": 6.0,
                "tax_id": cls.tax_state.id,
            }
        )
        mappings.create(
            {
                "backend_id": cls.backend.backend_id.id,
                "external_name": "VAT",
                "external_rate": 20.0,
                "tax_id": cls.tax_vat_included.id,
            }
        )
        cls.bank_journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.env["retail.payment.mapping"].create(
            {
                "backend_id": cls.backend.backend_id.id,
                "gateway": "bogus",
                "journal_id": cls.bank_journal.id,
            }
        )
        cls.products = {}
        for sku in (
            "SKU2006-001",
            "LENS-PROTECT-2YR",
            "CASE-LEATHER-PREM",
            "SKU2006-020",
            "SKU2006-035",
            "IPOD2008GREEN",
            "IPOD2008RED",
            "IPOD2008BLACK",
        ):
            cls.products[sku] = cls.env["product.product"].create(
                {
                    "name": f"Product {sku}",
                    "default_code": sku,
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 1.0,
                }
            )

    def receive(self, payload, topic="orders/create", delivery_id=None):
        """Store a verified delivery as the webhook controller does."""
        body = json.dumps(payload).encode()
        headers = {"event_id": delivery_id} if delivery_id else {}
        return self.backend._register_webhook_event(topic, body, headers)

    def process(self, payload, **kwargs):
        event, _created = self.receive(payload, **kwargs)
        event._run()
        return event

    @staticmethod
    def balanced_orders_create():
        """The orders/create sample with its 20.00 discount allocated.

        Shopify's sample declares ``total_discounts`` 20.00 without saying
        where it applies; allocating it to the lounger line, as a discount
        code would, makes every total of the payload add up.
        """
        payload = copy.deepcopy(load_fixture("webhook-orders-create-2026-04.json"))
        payload["discount_applications"] = [
            {
                "type": "discount_code",
                "code": "SUMMER20",
                "value": "20.00",
                "value_type": "fixed_amount",
                "allocation_method": "across",
                "target_selection": "entitled",
                "target_type": "line_item",
            }
        ]
        lounger = payload["line_items"][3]
        lounger["discount_allocations"] = [
            {
                "amount": "20.00",
                "amount_set": {
                    "shop_money": {"amount": "20.00", "currency_code": "USD"},
                    "presentment_money": {"amount": "20.00", "currency_code": "USD"},
                },
                "discount_application_index": 0,
            }
        ]
        payload["cancelled_at"] = None
        payload["cancel_reason"] = None
        payload["financial_status"] = "paid"
        return payload
