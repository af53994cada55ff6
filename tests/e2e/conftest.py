"""A real Odoo server, a real database and the Shopify simulator, together.

The session copies the test database (which has the addons installed) into
its own database, configures a Shopify backend pointed at the simulator,
starts Odoo with its job runner in a separate process and subscribes it to
the simulator's webhooks. Tests then act on the shop and watch Odoo.
"""

import os
from contextlib import contextmanager

import pytest

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

from tests.simulators.shopify import ShopifySimulator
from tests.support.odoo_server import OdooServer, copy_database, wait_until
from tests.support.odoo_setup import configure_shopify_backend

__all__ = ["wait_until"]

SHOP_DOMAIN = "e2e-shop.myshopify.com"
ACCESS_TOKEN = "shpat_e2e_token"
WEBHOOK_SECRET = "e2e-webhook-signing-secret"


def source_database(request):
    return request.config.getoption("odoo_database", None) or os.environ.get(
        "RETAIL_TEST_DATABASE", "retail_test"
    )


def serve_shop(request, simulator, suffix, log_name):
    """Copy the test database, configure the shop's backend, start Odoo.

    The copy is named after the test database, so that test runs against
    different databases of one cluster never share it.
    """
    source = source_database(request)
    database = f"{source}_{suffix}"
    copy_database(source, database)
    server = OdooServer(database, log_name)
    with server.env() as env:
        backend = configure_shopify_backend(
            env,
            name="E2E shop",
            shop_domain=SHOP_DOMAIN,
            api_url=simulator.base_url,
            access_token=ACCESS_TOKEN,
            webhook_secret=WEBHOOK_SECRET,
            webhook_base_url=server.url,
            register_webhooks=False,
        )
        # The catch-up poll is run by the tests themselves.
        env.ref("retail_connector_shopify.ir_cron_shopify_poll_orders").active = False
        server.backend_id = backend.id
    server.start()
    with server.env() as env:
        env["shopify.backend"].browse(server.backend_id).action_register_webhooks()
    return server


@pytest.fixture
def transaction(request):
    """Open a committed transaction on the test database itself."""
    database = source_database(request)

    @contextmanager
    def open_env(**context):
        with Registry(database).cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, context)

    return open_env


@pytest.fixture(scope="session")
def simulator():
    with ShopifySimulator(
        shop_domain=SHOP_DOMAIN,
        access_token=ACCESS_TOKEN,
        client_secret=WEBHOOK_SECRET,
        seed=7,
        webhook_backoff=0.5,
    ) as sim:
        sim.seed_demo_catalog()
        yield sim


@pytest.fixture(scope="session")
def odoo_server(request, simulator):
    server = serve_shop(request, simulator, "e2e", "e2e-odoo.log")
    try:
        yield server
    finally:
        server.stop()
        print(f"Odoo server log: {server.log_file}")
