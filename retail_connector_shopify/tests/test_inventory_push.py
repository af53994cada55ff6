from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests.common import TransactionCase

from odoo.addons.queue_job.job import Job

ITEM = "gid://shopify/InventoryItem/30"
LOCATION = "gid://shopify/Location/5"


class FakeShopify:
    """Answers inventorySetQuantities like Shopify and remembers the calls."""

    def __init__(self):
        self.calls = []
        self.levels = {}

    def execute(self, query, variables=None, expected_cost=10):
        self.calls.append((query, variables, expected_cost))
        if "inventorySetQuantities" not in query:
            raise AssertionError(f"unexpected query {query}")
        for quantity in variables["input"]["quantities"]:
            pair = quantity["inventoryItemId"], quantity["locationId"]
            self.levels[pair] = quantity["quantity"]
        return {
            "inventorySetQuantities": {
                "inventoryAdjustmentGroup": {"id": "gid://shopify/Group/1"},
                "userErrors": [],
            }
        }


class TestInventoryPush(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["shopify.backend"].create(
            {
                "name": "Stock shop",
                "shop_domain": "stock-shop.myshopify.com",
                "api_url": "http://127.0.0.1:9",
                "access_token": "shpat_test_token",
                "inventory_push_enabled": True,
                "inventory_quantity_basis": "on_hand",
            }
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.stock = cls.warehouse.lot_stock_id
        cls.mapping = cls.env["retail.location.mapping"].create(
            {
                "backend_id": cls.backend.backend_id.id,
                "external_location_id": LOCATION,
                "external_name": "Shop location",
                "warehouse_id": cls.warehouse.id,
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Stoneware Mug",
                "default_code": "MUG-STN",
                "type": "consu",
                "is_storable": True,
            }
        )
        cls.env["shopify.product.variant"].create(
            {
                "backend_id": cls.backend.id,
                "odoo_id": cls.product.id,
                "external_id": "gid://shopify/ProductVariant/7",
                "sku": "MUG-STN",
                "inventory_item_id": ITEM,
            }
        )
        cls.supplier = cls.env.ref("stock.stock_location_suppliers")
        cls.customer = cls.env.ref("stock.stock_location_customers")

    @contextmanager
    def shopify(self):
        """Patch the client and the committed idempotency keys."""
        fake = FakeShopify()
        calls = type(self.env["retail.outbound.call"])
        backends = type(self.env["shopify.backend"])
        with (
            patch.object(backends, "_client", lambda backend: fake),
            patch.object(
                calls, "_reserve_key", lambda *args, **kwargs: "key-" + args[3][-8:]
            ),
            patch.object(calls, "_record_result", lambda *args, **kwargs: None),
        ):
            yield fake

    def move(self, quantity, source, destination):
        move = self.env["stock.move"].create(
            {
                "name": "Test move",
                "product_id": self.product.id,
                "product_uom_qty": quantity,
                "product_uom": self.product.uom_id.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
            }
        )
        move._action_confirm()
        move._action_assign()
        move.quantity = quantity
        move.picked = True
        move._action_done()
        return move

    def push_jobs(self):
        return self.env["queue.job"].search(
            [
                ("model_name", "=", "shopify.backend"),
                ("method_name", "=", "_push_inventory"),
            ]
        )

    def test_burst_of_moves_is_one_job_pushing_the_final_quantity(self):
        for quantity in (10, 5, 3, 2, 1):
            self.move(quantity, self.supplier, self.stock)
        self.move(4, self.stock, self.customer)

        job = self.push_jobs()
        self.assertEqual(len(job), 1)
        self.assertEqual(job.args, [self.product.ids, self.mapping.ids])
        self.assertEqual(job.state, "pending")
        self.assertTrue(job.eta)
        with self.shopify() as fake:
            Job.load(self.env, job.uuid).perform()

        self.assertEqual(len(fake.calls), 1)
        query, variables, cost = fake.calls[0]
        self.assertIn("@idempotent(key: $idempotencyKey)", query)
        self.assertEqual(cost, 10)
        self.assertEqual(
            variables["input"]["quantities"],
            [
                {
                    "inventoryItemId": ITEM,
                    "locationId": LOCATION,
                    "quantity": 17,
                    "changeFromQuantity": None,
                }
            ],
        )
        level = self.backend.inventory_level_ids
        self.assertEqual(level.shopify_quantity, 17)
        self.assertTrue(level.shopify_quantity_known)

    def test_next_push_carries_the_known_quantity_and_skips_unchanged(self):
        self.env["stock.quant"]._update_available_quantity(self.product, self.stock, 6)
        with self.shopify() as fake:
            self.backend._push_inventory(self.product.ids, self.mapping.ids)
            self.backend._push_inventory(self.product.ids, self.mapping.ids)
            self.env["stock.quant"]._update_available_quantity(
                self.product, self.stock, -2
            )
            self.backend._push_inventory(self.product.ids, self.mapping.ids)

        self.assertEqual(len(fake.calls), 2, "an unchanged quantity is not sent")
        quantity = fake.calls[1][1]["input"]["quantities"][0]
        self.assertEqual((quantity["quantity"], quantity["changeFromQuantity"]), (4, 6))

    def test_negative_quantity_is_pushed_as_zero(self):
        self.env["stock.quant"]._update_available_quantity(self.product, self.stock, -3)
        self.assertEqual(
            self.product.with_context(location=self.stock.id).qty_available, -3
        )
        with self.shopify() as fake:
            self.backend._push_inventory(self.product.ids, self.mapping.ids)

        self.assertEqual(fake.levels[ITEM, LOCATION], 0)

    def test_quantity_basis_is_honoured(self):
        self.env["stock.quant"]._update_available_quantity(self.product, self.stock, 10)
        delivery = self.env["stock.move"].create(
            {
                "name": "Reserved delivery",
                "product_id": self.product.id,
                "product_uom_qty": 4,
                "product_uom": self.product.uom_id.id,
                "location_id": self.stock.id,
                "location_dest_id": self.customer.id,
            }
        )
        delivery._action_confirm()
        delivery._action_assign()
        receipt = self.env["stock.move"].create(
            {
                "name": "Incoming receipt",
                "product_id": self.product.id,
                "product_uom_qty": 5,
                "product_uom": self.product.uom_id.id,
                "location_id": self.supplier.id,
                "location_dest_id": self.stock.id,
            }
        )
        receipt._action_confirm()

        expected = {"on_hand": 10, "free": 6, "forecast": 11}
        for basis, quantity in expected.items():
            self.backend.inventory_quantity_basis = basis
            quantities = self.backend._inventory_quantities(self.product, self.mapping)
            self.assertEqual(quantities[self.product.id], quantity, basis)

    def test_only_changes_under_a_mapped_location_of_an_enabled_backend(self):
        elsewhere = self.env["stock.location"].create(
            {"name": "Elsewhere", "usage": "internal", "location_id": False}
        )
        self.env["stock.quant"]._update_available_quantity(self.product, elsewhere, 3)
        self.assertFalse(self.push_jobs())
        self.backend.inventory_push_enabled = False
        self.env["stock.quant"]._update_available_quantity(self.product, self.stock, 3)
        self.assertFalse(self.push_jobs())
