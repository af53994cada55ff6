"""Odoo stock pushed to the Shopify simulator, in-process, through real HTTP.

The push code runs in this process against the test database with committed
transactions (idempotency keys are committed before each call), and the
simulator runs in a thread; no Odoo server is needed.
"""

import uuid

import pytest

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_shopify.lib.client import ShopifyClient
from odoo.addons.retail_connector_shopify.lib.inventory_push import (
    InventoryPusher,
    LevelPush,
    MemoryKeys,
)

from tests.simulators.shopify import ShopifySimulator

TOKEN = "shpat_inventory_e2e"
VERSION = "2026-04"
SKUS = ("INV-E2E-1", "INV-E2E-2", "INV-E2E-3")


@pytest.fixture(scope="module")
def shop():
    with ShopifySimulator(
        shop_domain="inventory-e2e.myshopify.com", access_token=TOKEN, seed=11
    ) as sim:
        sim.add_location("Back store")
        for sku in SKUS:
            sim.add_product(f"Product {sku}", [{"sku": sku, "price": "10.00"}])
            for location in sim.store.all("Location"):
                sim.set_inventory_level(sku, location["id"], available=1)
        yield sim


@pytest.fixture
def setup(shop, transaction):
    """A committed backend with two mapped locations and three products."""
    suffix = uuid.uuid4().hex[:8]
    gids = [location["admin_graphql_api_id"] for location in shop.store.all("Location")]
    with transaction(shopify_skip_inventory_push=True) as env:
        warehouse = env["stock.warehouse"].search([], limit=1)
        back = env["stock.location"].create(
            {
                "name": f"Back store {suffix}",
                "usage": "internal",
                "location_id": warehouse.view_location_id.id,
            }
        )
        backend = env["shopify.backend"].create(
            {
                "name": f"Inventory e2e {suffix}",
                "shop_domain": f"inventory-e2e-{suffix}.myshopify.com",
                "api_url": shop.base_url,
                "api_version": VERSION,
                "access_token": TOKEN,
                "inventory_push_enabled": True,
                "inventory_quantity_basis": "on_hand",
            }
        )
        mappings = env["retail.location.mapping"]
        for gid, location in zip(gids, (warehouse.lot_stock_id, back), strict=True):
            mappings |= mappings.create(
                {
                    "backend_id": backend.backend_id.id,
                    "external_location_id": gid,
                    "warehouse_id": warehouse.id,
                    "location_id": location.id,
                }
            )
        products = env["product.product"].create(
            [
                {
                    "name": f"Product {sku}",
                    "default_code": sku,
                    "type": "consu",
                    "is_storable": True,
                }
                for sku in SKUS
            ]
        )
        # Old products of an earlier run keep their SKU: archive them.
        env["product.product"].search(
            [("default_code", "in", SKUS), ("id", "not in", products.ids)]
        ).active = False
        ids = {
            "backend": backend.id,
            "products": products.ids,
            "locations": [warehouse.lot_stock_id.id, back.id],
            "gids": gids,
        }
    yield ids
    with transaction() as env:
        backend = env["shopify.backend"].browse(ids["backend"])
        env["retail.outbound.call"].search(
            [("backend_id", "=", backend.backend_id.id)]
        ).unlink()
        env["stock.quant"].search([("product_id", "in", ids["products"])]).unlink()
        backend.unlink()
        env["product.product"].browse(ids["products"]).active = False
        env["stock.location"].browse(ids["locations"][1]).active = False


def set_stock(env, ids, index, location_index, quantity):
    product = env["product.product"].browse(ids["products"][index])
    location = env["stock.location"].browse(ids["locations"][location_index])
    current = product.with_context(location=location.id).qty_available
    if quantity != current:
        env["stock.quant"]._update_available_quantity(
            product, location, quantity - current
        )
        product.invalidate_recordset(["qty_available"])


def available(shop, index, location_index):
    location = shop.store.all("Location")[location_index]["id"]
    return shop.inventory_level(SKUS[index], location)["available"]


def test_push_stale_replay_and_drift_repair(shop, transaction, setup):
    ids = setup
    stock = {(0, 0): 7, (1, 0): 0, (2, 0): -2, (0, 1): 4, (1, 1): 9, (2, 1): 1}
    with transaction(shopify_skip_inventory_push=True) as env:
        for (index, location), quantity in stock.items():
            set_stock(env, ids, index, location, quantity)

    # First push: SKUs resolved, one call for six quantities, negatives at 0.
    shop.reset_api_counters()
    with transaction() as env:
        result = (
            env["shopify.backend"]
            .browse(ids["backend"])
            ._push_inventory(ids["products"])
        )
    assert "6 quantities set in 1 calls" in result
    assert shop.api_counters() == {"calls": 4, "throttled": 0}  # 3 SKU reads
    for (index, location), quantity in stock.items():
        assert available(shop, index, location) == max(quantity, 0)

    # A sale in Shopify makes the known quantity stale: read again, retry.
    shop.set_inventory_level(SKUS[0], shop.store.all("Location")[0]["id"], 50)
    shop.reset_api_counters()
    with transaction(shopify_skip_inventory_push=True) as env:
        set_stock(env, ids, 0, 0, 8)
    with transaction() as env:
        env["shopify.backend"].browse(ids["backend"])._push_inventory(
            ids["products"][:1]
        )
    assert available(shop, 0, 0) == 8
    assert shop.api_counters()["calls"] == 3  # stale set, read, set

    # The answer of a call is lost: the retried job sends the same key and
    # Shopify replays it, so a sale made meanwhile is not overwritten.
    with transaction(shopify_skip_inventory_push=True) as env:
        set_stock(env, ids, 1, 0, 5)
    shop.drop_next_responses(1)
    with pytest.raises(RetryableJobError), transaction(job_uuid="job-1") as env:
        env["shopify.backend"].browse(ids["backend"])._push_inventory(
            ids["products"][1:2]
        )
    assert available(shop, 1, 0) == 5
    shop.set_inventory_level(SKUS[1], shop.store.all("Location")[0]["id"], 4)
    with transaction(job_uuid="job-1") as env:
        env["shopify.backend"].browse(ids["backend"])._push_inventory(
            ids["products"][1:2]
        )
    assert available(shop, 1, 0) == 4, "a replay makes no second change"

    # Drift repair: the replayed level plus two changed behind Odoo's back.
    back = shop.store.all("Location")[1]["id"]
    shop.set_inventory_level(SKUS[2], back, 30)
    shop.set_inventory_level(SKUS[1], back, 0)
    shop.set_bulk_polls(1)
    with transaction() as env:
        backend = env["shopify.backend"].browse(ids["backend"])
        fixed = backend._repair_inventory_drift(sleep=lambda _seconds: None)
        message = backend.message_ids[:1].body
    assert fixed == 3
    assert "3 of 6" in message
    assert (available(shop, 1, 0), available(shop, 1, 1), available(shop, 2, 1)) == (
        5,
        9,
        1,
    )


def test_a_refused_quantity_is_set_aside_and_the_others_are_set(shop):
    shop.add_product("Not stocked", [{"sku": "INV-E2E-NS", "price": "1.00"}])
    location = shop.store.all("Location")[0]
    items = {
        i["sku"]: i["admin_graphql_api_id"] for i in shop.store.all("InventoryItem")
    }
    levels = [
        LevelPush(sku, items[sku], location["admin_graphql_api_id"], 21, None)
        for sku in (SKUS[0], "INV-E2E-NS", SKUS[2])
    ]
    client = ShopifyClient(shop.base_url, VERSION, TOKEN)

    report = InventoryPusher(client, MemoryKeys(), "refused").push(levels)

    assert [level.handle for level in report.pushed] == [SKUS[0], SKUS[2]]
    assert list(report.failed) == ["INV-E2E-NS"]
    assert shop.inventory_level(SKUS[2], location["id"])["available"] == 21
