"""Odoo products pushed to the Shopify simulator, in-process, through real HTTP.

The push runs in this process against the test database with committed
transactions (outbound calls are recorded in their own transactions), and
the simulator runs in a thread; no Odoo server is needed.
"""

import uuid

import pytest

from tests.simulators.shopify import ShopifySimulator

TOKEN = "shpat_catalog_e2e"
VERSION = "2026-04"


@pytest.fixture(scope="module")
def shop():
    with ShopifySimulator(
        shop_domain="catalog-e2e.myshopify.com", access_token=TOKEN, seed=13
    ) as sim:
        yield sim


@pytest.fixture
def setup(shop, transaction):
    """A committed backend with a 20 %-off pricelist and one product."""
    suffix = uuid.uuid4().hex[:8]
    sku = f"CAT-E2E-{suffix}"
    with transaction() as env:
        pricelist = env["product.pricelist"].create(
            {
                "name": f"Shopify e2e {suffix}",
                "currency_id": env.company.currency_id.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "3_global",
                            "compute_price": "percentage",
                            "percent_price": 20.0,
                        },
                    )
                ],
            }
        )
        backend = env["shopify.backend"].create(
            {
                "name": f"Catalogue e2e {suffix}",
                "shop_domain": f"catalog-e2e-{suffix}.myshopify.com",
                "api_url": shop.base_url,
                "api_version": VERSION,
                "access_token": TOKEN,
                "catalog_pricelist_id": pricelist.id,
            }
        )
        template = env["product.template"].create(
            {
                "name": f"Stoneware Jug {suffix}",
                "default_code": sku,
                "barcode": f"50600{suffix}",
                "list_price": 50.0,
                "sale_ok": True,
            }
        )
        ids = {
            "backend": backend.id,
            "template": template.id,
            "pricelist": pricelist.id,
            "sku": sku,
            "suffix": suffix,
        }
    yield ids
    with transaction() as env:
        backend = env["shopify.backend"].browse(ids["backend"])
        env["retail.outbound.call"].search(
            [("backend_id", "=", backend.backend_id.id)]
        ).unlink()
        backend.unlink()
        template = env["product.template"].browse(ids["template"])
        template.with_context(active_test=False).product_variant_ids.write(
            {"default_code": False, "barcode": False}
        )
        template.active = False
        env["product.pricelist"].browse(ids["pricelist"]).active = False


def push(transaction, ids):
    with transaction() as env:
        backend = env["shopify.backend"].browse(ids["backend"])
        return backend._push_product_template(ids["template"])


def shop_products(shop, sku):
    """The simulator's products that have a variant with this SKU."""
    product_ids = {
        variant["product_id"]
        for variant in shop.store.all("ProductVariant")
        if variant["sku"] == sku
    }
    return [shop.store.get("Product", product_id) for product_id in product_ids]


def test_push_creates_the_product_then_a_retry_makes_no_duplicate(
    shop, transaction, setup
):
    ids = setup
    push(transaction, ids)

    (product,) = shop_products(shop, ids["sku"])
    assert product["title"] == f"Stoneware Jug {ids['suffix']}"
    assert product["status"] == "active"
    (variant,) = shop.store.children("ProductVariant", product["id"])
    assert variant["sku"] == ids["sku"]
    assert variant["barcode"] == f"50600{ids['suffix']}"
    assert variant["price"] == "40.00"
    assert variant["compare_at_price"] == "50.00"
    with transaction() as env:
        binding = env["shopify.product.template"].search(
            [("backend_id", "=", ids["backend"])]
        )
        assert binding.external_id == product["admin_graphql_api_id"]
        assert binding.variant_binding_ids.inventory_item_id
        calls = env["retail.outbound.call"].search(
            [("backend_id", "=", binding.backend_id.backend_id.id)]
        )
        assert calls.mapped("state") == ["done"]
        assert calls.external_id == product["admin_graphql_api_id"]

    # The same push again (a retried job): same product, same variant.
    push(transaction, ids)
    # A retry whose first answer was lost: Odoo has no binding left.
    with transaction() as env:
        env["shopify.product.template"].search(
            [("backend_id", "=", ids["backend"])]
        ).unlink()
        env["shopify.product.variant"].search(
            [("backend_id", "=", ids["backend"])]
        ).unlink()
    push(transaction, ids)
    (again,) = shop_products(shop, ids["sku"])
    assert again["id"] == product["id"]
    assert [v["id"] for v in shop.store.children("ProductVariant", product["id"])] == [
        variant["id"]
    ]
    with transaction() as env:
        binding = env["shopify.product.template"].search(
            [("backend_id", "=", ids["backend"])]
        )
        assert binding.external_id == product["admin_graphql_api_id"]


def test_archiving_and_repricing_in_odoo_reach_the_same_shopify_product(
    shop, transaction, setup
):
    ids = setup
    push(transaction, ids)
    with transaction() as env:
        template = env["product.template"].browse(ids["template"])
        template.list_price = 30.0
        template.active = False
    push(transaction, ids)
    (product,) = shop_products(shop, ids["sku"])
    assert product["status"] == "archived"
    (variant,) = shop.store.children("ProductVariant", product["id"])
    assert (variant["price"], variant["compare_at_price"]) == ("24.00", "30.00")
