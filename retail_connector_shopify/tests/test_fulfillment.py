from contextlib import contextmanager
from unittest.mock import patch

from odoo.tests.common import TransactionCase

from odoo.addons.queue_job.job import Job
from odoo.addons.retail_connector_base.exceptions import BusinessError

from ..lib.fulfillment import plan_fulfillment

ORDER = "gid://shopify/Order/1001"
MUG_LINE = "gid://shopify/LineItem/11"
CARD_LINE = "gid://shopify/LineItem/12"
FO = "gid://shopify/FulfillmentOrder/90"


class FakeShopify:
    """One order with one fulfilment order; fulfils like Shopify does."""

    def __init__(self, remaining):
        self.remaining = dict(remaining)
        self.fo_lines = {
            f"gid://shopify/FulfillmentOrderLineItem/{n}": gid
            for n, gid in enumerate(remaining)
        }
        self.fulfillments = []
        self.calls = []
        self.lose_answer = False

    def execute(self, query, variables=None, expected_cost=10):
        self.calls.append((query, variables))
        if "fulfillmentCreate" in query:
            return self._create(variables["fulfillment"])
        if "fulfillmentOrders" in query:
            return {
                "order": {
                    "id": ORDER,
                    "name": "#1001",
                    "fulfillmentOrders": {
                        "nodes": [
                            {
                                "id": FO,
                                "status": "OPEN"
                                if any(self.remaining.values())
                                else "CLOSED",
                                "lineItems": {
                                    "nodes": [
                                        {
                                            "id": line_id,
                                            "remainingQuantity": self.remaining[gid],
                                            "lineItem": {"id": gid},
                                        }
                                        for line_id, gid in self.fo_lines.items()
                                    ]
                                },
                            }
                        ]
                    },
                }
            }
        if "fulfillments(" in query:
            return {"order": {"fulfillments": self.fulfillments}}
        raise AssertionError(f"unexpected query {query}")

    def _create(self, fulfillment):
        (group,) = fulfillment["lineItemsByFulfillmentOrder"]
        assert group["fulfillmentOrderId"] == FO
        for line in group["fulfillmentOrderLineItems"]:
            gid = self.fo_lines[line["id"]]
            if line["quantity"] > self.remaining[gid]:
                return {
                    "fulfillmentCreate": {
                        "fulfillment": None,
                        "userErrors": [
                            {
                                "field": ["fulfillment"],
                                "message": "Invalid fulfillment order line item "
                                "quantity requested.",
                            }
                        ],
                    }
                }
        lines = []
        for line in group["fulfillmentOrderLineItems"]:
            gid = self.fo_lines[line["id"]]
            self.remaining[gid] -= line["quantity"]
            lines.append({"quantity": line["quantity"], "lineItem": {"id": gid}})
        tracking = fulfillment.get("trackingInfo") or {}
        node = {
            "id": f"gid://shopify/Fulfillment/{500 + len(self.fulfillments)}",
            "name": f"#1001.{len(self.fulfillments) + 1}",
            "status": "SUCCESS",
            "trackingInfo": [
                {"company": tracking.get("company"), "number": tracking.get("number")}
            ],
            "fulfillmentLineItems": {"nodes": lines},
        }
        self.fulfillments.append(node)
        if self.lose_answer:
            self.lose_answer = False
            raise ConnectionError("answer lost")
        return {"fulfillmentCreate": {"fulfillment": node, "userErrors": []}}


class TestFulfillment(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["shopify.backend"].create(
            {
                "name": "Fulfil shop",
                "shop_domain": "fulfil-shop.myshopify.com",
                "api_url": "http://127.0.0.1:9",
                "access_token": "shpat_test_token",
                "fulfillment_tracking_company": "UPS",
            }
        )
        partner = cls.env["res.partner"].create({"name": "Ada Buyer"})
        products = {
            sku: cls.env["product.product"].create(
                {"name": sku, "default_code": sku, "type": "consu", "is_storable": True}
            )
            for sku in ("MUG", "CARD")
        }
        stock = cls.backend.warehouse_id.lot_stock_id
        for product in products.values():
            cls.env["stock.quant"]._update_available_quantity(product, stock, 10)
        cls.sale = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "warehouse_id": cls.backend.warehouse_id.id,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": products["MUG"].id,
                            "product_uom_qty": 3,
                            "price_unit": 12.0,
                            "shopify_line_key": MUG_LINE,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "product_id": products["CARD"].id,
                            "product_uom_qty": 1,
                            "price_unit": 3.0,
                            "shopify_line_key": CARD_LINE,
                        },
                    ),
                ],
            }
        )
        cls.sale.action_confirm()
        cls.binding = cls.env["shopify.sale.order"].create(
            {
                "backend_id": cls.backend.id,
                "odoo_id": cls.sale.id,
                "external_id": ORDER,
                "name": "#1001",
            }
        )

    @contextmanager
    def shopify(self, remaining):
        fake = FakeShopify(remaining)
        calls = type(self.env["retail.outbound.call"])
        backends = type(self.env["shopify.backend"])
        self.recorded = []
        with (
            patch.object(backends, "_client", lambda backend: fake),
            patch.object(calls, "_reserve_key", lambda *args, **kwargs: "key"),
            patch.object(
                calls,
                "_record_result",
                lambda *args, **kwargs: self.recorded.append(args[4:5] + (kwargs,)),
            ),
        ):
            yield fake

    def jobs(self):
        return self.env["queue.job"].search(
            [("model_name", "=", "shopify.fulfillment")], order="id"
        )

    def deliver(self, quantities, tracking=None):
        picking = self.sale.picking_ids.filtered(lambda p: p.state != "done")
        picking.carrier_tracking_ref = tracking
        for move in picking.move_ids:
            move.quantity = quantities.get(move.product_id.default_code, 0)
            move.picked = True
        picking.with_context(cancel_backorder=False)._action_done()
        self.assertEqual(picking.state, "done")
        return picking

    def test_partial_delivery_makes_a_partial_fulfilment_then_the_rest(self):
        with self.shopify({MUG_LINE: 3, CARD_LINE: 1}) as fake:
            first = self.deliver({"MUG": 2}, tracking="1Z999")
            job = self.jobs()
            self.assertEqual(len(job), 1)
            self.assertEqual(job.args, [self.binding.id, first.id])
            self.assertEqual(
                job.identity_key, f"shopify.fulfillment:{self.backend.id}:{first.id}"
            )
            Job.load(self.env, job.uuid).perform()

            create = [v for q, v in fake.calls if "fulfillmentCreate" in q]
            self.assertEqual(
                create[0]["fulfillment"],
                {
                    "lineItemsByFulfillmentOrder": [
                        {
                            "fulfillmentOrderId": FO,
                            "fulfillmentOrderLineItems": [
                                {
                                    "id": "gid://shopify/FulfillmentOrderLineItem/0",
                                    "quantity": 2,
                                }
                            ],
                        }
                    ],
                    "notifyCustomer": False,
                    "trackingInfo": {"company": "UPS", "number": "1Z999"},
                },
            )
            binding = first.shopify_fulfillment_ids
            self.assertEqual(binding.external_id, "gid://shopify/Fulfillment/500")
            self.assertEqual(
                (binding.tracking_company, binding.tracking_number, binding.quantity),
                ("UPS", "1Z999", 2),
            )
            self.assertEqual(fake.remaining, {MUG_LINE: 1, CARD_LINE: 1})
            self.assertEqual(self.recorded[-1][0], True)

            # The backorder ships the rest, with its own carrier.
            backorder = self.sale.picking_ids.filtered(lambda p: p.state != "done")
            self.assertEqual(len(backorder), 1)
            backorder.shopify_tracking_company = "FedEx"
            second = self.deliver({"MUG": 1, "CARD": 1}, tracking="FX-1")
            job = self.jobs() - job
            Job.load(self.env, job.uuid).perform()
            self.assertEqual(second.shopify_fulfillment_ids.quantity, 2)
            self.assertEqual(second.shopify_fulfillment_ids.tracking_company, "FedEx")
            self.assertEqual(fake.remaining, {MUG_LINE: 0, CARD_LINE: 0})

            # Running a job again changes nothing.
            calls = len(fake.calls)
            result = Job.load(self.env, job.uuid).perform()
            self.assertIn("Already fulfilled", result)
            self.assertEqual(len(fake.calls), calls)

    def test_retry_after_a_lost_answer_binds_the_fulfilment_created(self):
        with self.shopify({MUG_LINE: 3, CARD_LINE: 1}) as fake:
            picking = self.deliver({"MUG": 3, "CARD": 1}, tracking="LOST-1")
            job = self.jobs()
            fake.lose_answer = True
            with self.assertRaises(ConnectionError):
                Job.load(self.env, job.uuid).perform()
            self.assertFalse(picking.shopify_fulfillment_ids)
            self.assertEqual(len(fake.fulfillments), 1)

            Job.load(self.env, job.uuid).perform()
            binding = picking.shopify_fulfillment_ids
            self.assertEqual(binding.external_id, "gid://shopify/Fulfillment/500")
            self.assertTrue(binding.recovered)
            self.assertEqual(len(fake.fulfillments), 1)

    def test_quantities_fulfilled_elsewhere_are_a_business_error(self):
        with self.shopify({MUG_LINE: 1, CARD_LINE: 0}) as fake:
            self.deliver({"MUG": 3, "CARD": 1})
            with self.assertRaisesRegex(BusinessError, "no open quantity left"):
                Job.load(self.env, self.jobs().uuid).perform()
            self.assertFalse([q for q, _v in fake.calls if "fulfillmentCreate" in q])

    def test_orders_not_from_shopify_enqueue_nothing(self):
        other = self.sale.copy()
        other.action_confirm()
        picking = other.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()
        self.assertFalse(self.jobs())

    def test_plan_spreads_over_fulfilment_orders_and_reports_the_rest(self):
        orders = [
            {
                "id": "fo-closed",
                "status": "CLOSED",
                "lineItems": {
                    "nodes": [
                        {"id": "x", "remainingQuantity": 5, "lineItem": {"id": "A"}}
                    ]
                },
            },
            {
                "id": "fo-1",
                "status": "OPEN",
                "lineItems": {
                    "nodes": [
                        {"id": "a1", "remainingQuantity": 1, "lineItem": {"id": "A"}}
                    ]
                },
            },
            {
                "id": "fo-2",
                "status": "IN_PROGRESS",
                "lineItems": {
                    "nodes": [
                        {"id": "a2", "remainingQuantity": 1, "lineItem": {"id": "A"}},
                        {"id": "b2", "remainingQuantity": 4, "lineItem": {"id": "B"}},
                    ]
                },
            },
        ]
        plan = plan_fulfillment({"A": 3, "B": 2}, orders)
        self.assertEqual(plan.groups, {"fo-1": {"a1": 1}, "fo-2": {"a2": 1, "b2": 2}})
        self.assertEqual(plan.missing, {"A": 1})
