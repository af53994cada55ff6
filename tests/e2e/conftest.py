"""A real Odoo server, a real database and the Shopify simulator, together.

The session copies the test database (which has the addons installed) into
its own database, configures a Shopify backend pointed at the simulator,
starts Odoo with its job runner in a separate process and subscribes it to
the simulator's webhooks. Tests then act on the shop and watch Odoo.
"""

import os
import socket
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
import requests

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.sql_db import close_db, db_connect

from tests.simulators.shopify import ShopifySimulator
from tests.support.odoo_setup import configure_shopify_backend

ROOT = Path(__file__).resolve().parents[2]
E2E_DATABASE = "retail_e2e"
SHOP_DOMAIN = "e2e-shop.myshopify.com"
ACCESS_TOKEN = "shpat_e2e_token"
WEBHOOK_SECRET = "e2e-webhook-signing-secret"


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout=60.0, interval=0.25, message="condition"):
    """Poll ``predicate`` until it returns a truthy value, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"Timed out after {timeout:.0f} s waiting for {message}"
            )
        time.sleep(interval)


class OdooHandle:
    """The e2e database, seen from the test process."""

    def __init__(self, registry, url, backend_id):
        self.registry = registry
        self.url = url
        self.backend_id = backend_id

    @contextmanager
    def env(self):
        """A fresh transaction: sees what the server committed so far."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    def count(self, model, domain):
        with self.env() as env:
            return env[model].search_count(domain)

    def webhook_url(self):
        return f"{self.url}/retail/shopify/webhook/{self.backend_id}"


def _copy_database(source, target):
    close_db(source)
    with closing(db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        cr.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cr.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


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
    source = request.config.getoption("odoo_database", None) or os.environ.get(
        "RETAIL_TEST_DATABASE", "retail_test"
    )
    config_file = odoo.tools.config.rcfile
    _copy_database(source, E2E_DATABASE)
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    registry = Registry(E2E_DATABASE)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        backend = configure_shopify_backend(
            env,
            name="E2E shop",
            shop_domain=SHOP_DOMAIN,
            api_url=simulator.base_url,
            access_token=ACCESS_TOKEN,
            webhook_secret=WEBHOOK_SECRET,
            webhook_base_url=url,
            register_webhooks=False,
        )
        # The catch-up poll is run by the tests themselves.
        env.ref("retail_connector_shopify.ir_cron_shopify_poll_orders").active = False
        backend_id = backend.id

    log_dir = ROOT / ".local" / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "e2e-odoo.log"
    with open(log_file, "wb") as log:
        server = subprocess.Popen(
            [
                os.environ.get("ODOO_PYTHON", sys.executable),
                "-m",
                "odoo",
                "-c",
                config_file,
                "-d",
                E2E_DATABASE,
                "--http-port",
                str(port),
                "--workers",
                "0",
                "--max-cron-threads",
                "0",
                "--log-level",
                "info",
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:

        def answers():
            if server.poll() is not None:
                raise AssertionError(f"Odoo exited; see {log_file}")
            try:
                return requests.get(f"{url}/web/login", timeout=30).status_code == 200
            except (requests.ConnectionError, requests.Timeout):
                return False

        wait_until(answers, timeout=120, message="the Odoo server")
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["shopify.backend"].browse(backend_id).action_register_webhooks()
        yield OdooHandle(registry, url, backend_id)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        print(f"Odoo server log: {log_file}")
