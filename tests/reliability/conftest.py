"""A second shop and Odoo server that the reliability tests may crash."""

import pytest

from tests.e2e.conftest import ACCESS_TOKEN, SHOP_DOMAIN, WEBHOOK_SECRET, serve_shop
from tests.simulators.shopify import ShopifySimulator


@pytest.fixture(scope="session")
def shop():
    with ShopifySimulator(
        shop_domain=SHOP_DOMAIN,
        access_token=ACCESS_TOKEN,
        client_secret=WEBHOOK_SECRET,
        seed=11,
        id_start=7_000_000_001,
        order_number_start=7001,
        webhook_backoff=0.5,
        webhook_retries=10,
    ) as sim:
        sim.seed_demo_catalog()
        yield sim


@pytest.fixture(scope="session")
def crashable_odoo(request, shop):
    server = serve_shop(request, shop, "reliability", "reliability-odoo.log")
    try:
        yield server
    finally:
        server.stop()
