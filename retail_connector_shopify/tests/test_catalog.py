import copy
import json
from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests.common import TransactionCase

from odoo.addons.retail_connector_base.exceptions import BusinessError

from .common import load_fixture

PRODUCT_GID = "gid://shopify/Product/900"
BULK_URL = "http://shop.test/bulk/1.jsonl"


class FakeShopify:
    """Answers productSet, the variant lookup and bulk reads like Shopify,
    and remembers the calls."""

    def __init__(self):
        self.calls = []
        self.products = {}  # gid -> productSet input as last applied
        self.user_errors = []
        self.bulk_lines = []
        self.timeout = 5
        self.session = self
        self._next = 900

    def _gid(self, kind):
        self._next += 1
        return f"gid://shopify/{kind}/{self._next - 1}"

    def execute(self, query, variables=None, expected_cost=10):
        self.calls.append((query, copy.deepcopy(variables)))
        if "productSet(" in query:
            return {"productSet": self._product_set(variables["input"])}
        if "ProductVariants(" in query:
            product = self.products[variables["id"]]
            return {"product": self._answer(variables["id"], product)["product"]}
        if "productVariants(" in query:
            sku = variables["query"].split('"')[1]
            nodes = [
                {"id": variant["id"], "sku": sku, "product": {"id": gid}}
                for gid, product in self.products.items()
                for variant in product["variants"]
                if variant["sku"] == sku
            ]
            return {"productVariants": {"nodes": nodes}}
        if "bulkOperationRunQuery" in query:
            return {
                "bulkOperationRunQuery": {
                    "bulkOperation": {"id": "gid://shopify/BulkOperation/1"},
                    "userErrors": [],
                }
            }
        if "BulkOperation" in query:
            return {"node": {"status": "COMPLETED", "url": BULK_URL}}
        raise AssertionError(f"unexpected query {query}")

    def get(self, url, timeout=None):
        text = "".join(json.dumps(line) + "\n" for line in self.bulk_lines)
        return type("Response", (), {"status_code": 200, "text": text})()

    def _product_set(self, data):
        if self.user_errors:
            return {"product": None, "userErrors": self.user_errors}
        gid = data.get("id") or self._gid("Product")
        product = self.products.setdefault(gid, {"variants": []})
        product.update({k: v for k, v in data.items() if k != "variants"})
        variants = []
        for variant in data["variants"]:
            variant = dict(variant)
            variant.setdefault("id", self._gid("ProductVariant"))
            variants.append(variant)
        product["variants"] = variants
        return self._answer(gid, product)

    def _answer(self, gid, product):
        variants = product["variants"]
        return {
            "product": {
                "id": gid,
                "updatedAt": "2026-12-01T10:00:00Z",
                "variants": {
                    "nodes": [
                        {
                            "id": v["id"],
                            "sku": v["sku"],
                            "inventoryItem": {"id": v["id"].replace("Variant", "Item")},
                        }
                        for v in variants
                    ]
                },
            },
            "userErrors": [],
        }

    def product_sets(self):
        return [v["input"] for q, v in self.calls if "productSet(" in q]


class TestCatalog(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["shopify.backend"].create(
            {
                "name": "Catalogue shop",
                "shop_domain": "catalogue-shop.myshopify.com",
                "api_url": "http://127.0.0.1:9",
                "access_token": "shpat_test_token",
            }
        )
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Shopify prices",
                "currency_id": cls.env.company.currency_id.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "3_global",
                            "compute_price": "percentage",
                            "percent_price": 10.0,
                        },
                    )
                ],
            }
        )
        cls.backend.catalog_pricelist_id = cls.pricelist
        cls.apron = cls.env["product.template"].create(
            {
                "name": "Linen Apron",
                "default_code": "APR-LIN",
                "barcode": "5060001009001",
                "list_price": 40.0,
                "description_sale": "Washed linen",
                "sale_ok": True,
            }
        )

    @contextmanager
    def shopify(self, fake=None):
        """Patch the client and the committed idempotency keys."""
        fake = fake or FakeShopify()
        calls = type(self.env["retail.outbound.call"])
        backends = type(self.env["shopify.backend"])
        with (
            patch.object(backends, "_client", lambda backend: fake),
            patch.object(calls, "_reserve_key", lambda *args, **kwargs: "key"),
            patch.object(calls, "_record_result", lambda *args, **kwargs: None),
        ):
            yield fake

    def push_jobs(self):
        return self.env["queue.job"].search(
            [
                ("model_name", "=", "shopify.backend"),
                ("method_name", "=", "_push_product_template"),
            ]
        )

    def binding(self, template):
        return self.env["shopify.product.template"]._for(self.backend, template)

    # Pushing ---------------------------------------------------------------

    def test_push_sends_title_sku_barcode_pricelist_price_and_compare_at(self):
        with self.shopify() as fake:
            self.backend._push_product_template(self.apron.id)
        (data,) = fake.product_sets()
        self.assertNotIn("id", data)
        self.assertEqual(data["title"], "Linen Apron")
        self.assertEqual(data["descriptionHtml"], "<p>Washed linen</p>")
        self.assertEqual(data["status"], "ACTIVE")
        (variant,) = data["variants"]
        self.assertEqual(variant["sku"], "APR-LIN")
        self.assertEqual(variant["barcode"], "5060001009001")
        self.assertEqual(variant["price"], "36.00")
        self.assertEqual(variant["compareAtPrice"], "40.00")
        self.assertEqual(
            variant["optionValues"], [{"optionName": "Title", "name": "Default Title"}]
        )
        binding = self.binding(self.apron)
        self.assertEqual(binding.external_id, PRODUCT_GID)
        variant_binding = self.apron.product_variant_id.shopify_bind_ids
        self.assertEqual(variant_binding.product_binding_id, binding)
        self.assertEqual(
            variant_binding.external_id, "gid://shopify/ProductVariant/901"
        )
        self.assertEqual(
            variant_binding.inventory_item_id, "gid://shopify/ProductItem/901"
        )

    def test_no_compare_at_price_when_the_pricelist_gives_the_sales_price(self):
        self.backend.catalog_pricelist_id = False
        with self.shopify() as fake:
            self.backend._push_product_template(self.apron.id)
        (variant,) = fake.product_sets()[0]["variants"]
        self.assertEqual(variant["price"], "40.00")
        self.assertIsNone(variant["compareAtPrice"])

    def test_archived_product_is_pushed_archived_to_the_same_product(self):
        with self.shopify() as fake:
            self.backend._push_product_template(self.apron.id)
            self.apron.active = False
            self.backend._push_product_template(self.apron.id)
        first, second = fake.product_sets()
        self.assertEqual(second["id"], PRODUCT_GID)
        self.assertEqual(second["status"], "ARCHIVED")
        self.assertNotIn("id", first["variants"][0])
        self.assertEqual(
            second["variants"][0]["id"], "gid://shopify/ProductVariant/901"
        )
        self.assertEqual(len(fake.products), 1)

    def test_retry_after_a_lost_answer_updates_the_product_created_first(self):
        fake = FakeShopify()
        with self.shopify(fake):
            self.backend._push_product_template(self.apron.id)
        # The job's transaction was lost with the answer: no binding in Odoo.
        self.binding(self.apron).unlink()
        self.apron.product_variant_id.shopify_bind_ids.unlink()
        with self.shopify(fake):
            self.backend._push_product_template(self.apron.id)
        self.assertEqual(len(fake.products), 1)
        retried = fake.product_sets()[-1]
        self.assertEqual(retried["id"], PRODUCT_GID)
        self.assertEqual(
            retried["variants"][0]["id"], "gid://shopify/ProductVariant/901"
        )
        self.assertEqual(self.binding(self.apron).external_id, PRODUCT_GID)

    def test_user_errors_name_the_product_variant_and_field(self):
        fake = FakeShopify()
        fake.user_errors = [
            {
                "code": "GREATER_THAN_OR_EQUAL_TO",
                "field": ["input", "variants", "0", "price"],
                "message": "Price must be greater than or equal to 0",
            }
        ]
        with self.shopify(fake), self.assertRaises(BusinessError) as caught:
            self.backend._push_product_template(self.apron.id)
        message = str(caught.exception)
        self.assertIn("Linen Apron", message)
        self.assertIn("price of variant APR-LIN", message)
        self.assertEqual(caught.exception.code, "product_refused")

    def test_update_sends_only_odoo_owned_fields(self):
        with self.shopify() as fake:
            self.backend._push_product_template(self.apron.id)
            self.backend.write(
                {"catalog_owner_title": "shopify", "catalog_owner_price": "shopify"}
            )
            self.backend._push_product_template(self.apron.id)
        created, updated = fake.product_sets()
        self.assertIn("title", created)
        self.assertNotIn("title", updated)
        self.assertNotIn("price", updated["variants"][0])
        self.assertEqual(updated["variants"][0]["compareAtPrice"], "40.00")
        self.assertEqual(updated["descriptionHtml"], "<p>Washed linen</p>")

    def test_product_without_sku_is_refused_with_what_to_fix(self):
        template = self.env["product.template"].create({"name": "Gift wrap"})
        with self.shopify(), self.assertRaises(BusinessError) as caught:
            self.backend._push_product_template(template.id)
        self.assertIn("internal reference", str(caught.exception))

    # Debounced jobs --------------------------------------------------------

    def test_writes_of_odoo_owned_fields_queue_one_push(self):
        self.backend.catalog_push_enabled = True
        self.backend.catalog_owner_title = "shopify"
        before = self.push_jobs()
        self.apron.name = "Linen Apron (Shopify's title)"
        self.assertEqual(self.push_jobs(), before)
        self.apron.list_price = 42.0
        self.apron.product_variant_id.barcode = "5060001009002"
        jobs = self.push_jobs() - before
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.args, [self.apron.id])
        self.assertTrue(jobs.eta)

    # products/update webhook ------------------------------------------------

    def bind_example_tshirt(self):
        payload = load_fixture("webhook-products-update-2026-04.json")
        template = self.env["product.template"].create(
            {"name": "Tee from Odoo", "default_code": "TEE-EX", "list_price": 25.0}
        )
        binding = self.env["shopify.product.template"].create(
            {
                "backend_id": self.backend.id,
                "odoo_id": template.id,
                "external_id": payload["admin_graphql_api_id"],
            }
        )
        self.backend._bind_variant(
            template.product_variant_id,
            payload["variants"][0]["admin_graphql_api_id"],
            binding,
        )
        return payload, template

    def process(self, payload):
        event, _created = self.backend._register_webhook_event(
            "products/update", json.dumps(payload).encode(), {}
        )
        event._run()
        return event

    def test_webhook_brings_shopify_owned_title_and_keeps_odoo_price(self):
        payload, template = self.bind_example_tshirt()
        self.backend.write(
            {"catalog_owner_title": "shopify", "catalog_push_enabled": True}
        )
        before = self.push_jobs()
        event = self.process(payload)
        self.assertEqual(event.state, "done")
        self.assertEqual(template.name, "Example T-Shirt")
        self.assertEqual(template.list_price, 25.0)
        self.assertEqual(self.push_jobs(), before, "a webhook must not push back")

    def test_webhook_brings_shopify_owned_price(self):
        payload, template = self.bind_example_tshirt()
        self.backend.write(
            {"catalog_owner_price": "shopify", "catalog_push_enabled": True}
        )
        before = self.push_jobs()
        self.process(payload)
        self.assertEqual(template.list_price, 19.99)
        self.assertEqual(template.name, "Tee from Odoo")
        self.assertEqual(self.push_jobs(), before)

    def test_webhook_of_an_unbound_product_changes_nothing(self):
        payload = load_fixture("webhook-products-update-2026-04.json")
        payload["admin_graphql_api_id"] = "gid://shopify/Product/1"
        event = self.process(payload)
        self.assertEqual(event.state, "done")
        self.assertFalse(event.res_id)

    # Matching --------------------------------------------------------------

    def test_match_by_sku_reports_what_is_unmatched_on_each_side(self):
        rest = load_fixture("rest-product-four-variants.json")["product"]
        product_gid = f"gid://shopify/Product/{rest['id']}"
        fake = FakeShopify()
        fake.bulk_lines = [
            {"id": product_gid, "title": rest["title"], "status": "ACTIVE"}
        ] + [
            {
                "id": f"gid://shopify/ProductVariant/{variant['id']}",
                "sku": variant["sku"],
                "title": variant["title"],
                "price": variant["price"],
                "inventoryItem": {"id": f"gid://shopify/InventoryItem/{variant['id']}"},
                "__parentId": product_gid,
            }
            for variant in rest["variants"]
        ]
        nano = self.env["product.template"].create({"name": "iPod nano 8GB"})
        for sku in ("IPOD2008RED", "IPOD2008GREEN"):
            self.env["product.product"].create(
                {"name": f"iPod {sku}", "default_code": sku, "product_tmpl_id": nano.id}
            )
        with self.shopify(fake):
            report = self.backend._match_catalog()
        self.assertEqual(report.matched_count, 2)
        self.assertEqual(
            sorted(report.shopify_line_ids.mapped("name")),
            ["IPod Nano - 8GB - Black", "IPod Nano - 8GB - Pink"],
        )
        self.assertEqual(report.unmatched_shopify_count, 2)
        self.assertIn("APR-LIN", report.odoo_line_ids.mapped("sku"))
        self.assertNotIn("IPOD2008RED", report.odoo_line_ids.mapped("sku"))
        self.assertEqual(report.unmatched_odoo_count, len(report.odoo_line_ids))
        red = self.env["product.product"].search([("default_code", "=", "IPOD2008RED")])
        self.assertEqual(
            red.shopify_bind_ids.external_id, "gid://shopify/ProductVariant/49148385"
        )
        self.assertEqual(self.binding(nano).external_id, product_gid)
        message = self.backend.message_ids[:1].body
        self.assertIn("2 variants matched", message)
        self.assertIn(
            f"{report.unmatched_odoo_count} Odoo products without a Shopify", message
        )
        self.assertIn("2 Shopify variants without an Odoo product", message)
