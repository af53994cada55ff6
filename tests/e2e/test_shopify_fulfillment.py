"""Done deliveries in Odoo become fulfilments in Shopify, partial ones too."""

from .conftest import wait_until
from .test_shopify_orders import SPEC, _binding


def _sale_order_id(odoo, gid):
    with odoo.env() as env:
        return env["shopify.sale.order"].search([("external_id", "=", gid)]).odoo_id.id


def _validate(odoo, sale_order_id, quantities, tracking):
    """Validate the open delivery with these quantities per SKU, as the
    warehouse would; what is not delivered goes to a backorder."""
    with odoo.env() as env:
        picking = (
            env["sale.order"]
            .browse(sale_order_id)
            .picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        )
        assert len(picking) == 1
        picking.carrier_tracking_ref = tracking
        picking.shopify_tracking_company = "UPS"
        for move in picking.move_ids:
            move.quantity = quantities.get(move.product_id.default_code, 0)
            move.picked = True
        picking.with_context(skip_backorder=True).button_validate()
        assert picking.state == "done"
        env.cr.commit()
        return picking.id


def _shipped(fulfillment, order):
    skus = {item["id"]: item["sku"] for item in order["line_items"]}
    return sorted(
        (skus[line["line_item_id"]], line["quantity"])
        for line in fulfillment["fulfillment_lines"]
    )


def _fulfillment_binding(odoo, picking_id):
    with odoo.env() as env:
        binding = env["shopify.fulfillment"].search([("odoo_id", "=", picking_id)])
        return binding.read(["external_id", "tracking_number", "quantity"])


def test_partial_delivery_then_backorder_fulfil_the_order_in_shopify(
    odoo_server, simulator
):
    order = simulator.create_order(dict(SPEC, email="fulfil.e2e@example.com"))
    gid = order["admin_graphql_api_id"]
    wait_until(
        lambda: (_binding(odoo_server, gid) or {}).get("payments"),
        message=f"order {order['name']} in Odoo",
    )
    sale_order_id = _sale_order_id(odoo_server, gid)

    first = _validate(odoo_server, sale_order_id, {"TEE-ORG-M": 1}, "1ZTRACK001")
    fulfillments = wait_until(
        lambda: simulator.fulfillments(order["id"]),
        message="the first fulfilment in the simulator",
    )
    assert len(fulfillments) == 1
    assert fulfillments[0]["tracking_number"] == "1ZTRACK001"
    assert fulfillments[0]["tracking_company"] == "UPS"
    assert _shipped(fulfillments[0], order) == [("TEE-ORG-M", 1)]
    assert simulator.get_order(order["id"])["fulfillment_status"] == "partial"
    (fo,) = simulator.fulfillment_orders(order["id"])
    assert fo["status"] == "IN_PROGRESS"
    assert sorted((line["sku"], line["remaining"]) for line in fo["lines"]) == [
        ("TEE-ORG-M", 1),
        ("THR-KNT", 1),
    ]
    binding = wait_until(
        lambda: _fulfillment_binding(odoo_server, first), message="the binding"
    )
    assert binding[0]["external_id"] == fulfillments[0]["admin_graphql_api_id"]
    assert binding[0]["quantity"] == 1

    _validate(odoo_server, sale_order_id, {"TEE-ORG-M": 1, "THR-KNT": 1}, "1ZTRACK002")
    fulfillments = wait_until(
        lambda: (
            len(simulator.fulfillments(order["id"])) == 2
            and simulator.fulfillments(order["id"])
        ),
        message="the second fulfilment in the simulator",
    )
    assert fulfillments[1]["tracking_number"] == "1ZTRACK002"
    assert _shipped(fulfillments[1], order) == [("TEE-ORG-M", 1), ("THR-KNT", 1)]
    assert simulator.get_order(order["id"])["fulfillment_status"] == "fulfilled"
    assert simulator.fulfillment_orders(order["id"])[0]["status"] == "CLOSED"
    with odoo_server.env() as env:
        jobs = env["queue.job"].search(
            [("model_name", "=", "shopify.fulfillment"), ("state", "!=", "done")]
        )
        assert not jobs.filtered(lambda job: job.state == "failed")
