"""The GraphQL client against the simulator: budgets, faults, credentials."""

import pytest

from odoo.addons.retail_connector_base.exceptions import (
    FatalBackendError,
    RetryableError,
)
from odoo.addons.retail_connector_shopify.lib import queries
from odoo.addons.retail_connector_shopify.lib.client import ShopifyClient

from .conftest import ACCESS_TOKEN


@pytest.fixture
def client(simulator):
    yield ShopifyClient(simulator.base_url, "2026-10", ACCESS_TOKEN, max_wait=2.0)
    simulator.set_faults(api={"rate_429": 0.0, "rate_5xx": 0.0, "rate_drop": 0.0})
    simulator.set_throttle(currently_available=2000)


def test_answers_update_the_cost_budget(client):
    shop = client.execute(queries.SHOP, expected_cost=1)["shop"]

    assert shop["myshopifyDomain"] == "e2e-shop.myshopify.com"
    assert client.budget.maximum == 2000.0
    assert client.budget.restore_rate == 100.0
    assert 0 < client.budget.available <= 2000.0


def test_a_drained_budget_is_waited_for_or_postponed(client, simulator):
    simulator.set_throttle(currently_available=0)
    with pytest.raises(RetryableError) as throttled:
        client.execute(queries.ORDER, {"id": "gid://shopify/Order/1"}, 800)
    # The answer said THROTTLED; the client now knows the budget is empty
    # and postpones a call it cannot pay for within two seconds.
    assert throttled.value.retry_after > 0
    with pytest.raises(RetryableError, match="budget exhausted") as planned:
        client.execute(queries.ORDER, {"id": "gid://shopify/Order/1"}, 800)
    assert planned.value.retry_after > 2.0
    # A small query is affordable after a short wait, without an error.
    simulator.set_throttle(currently_available=2000)
    client.budget.available = 2000.0
    assert client.execute(queries.SHOP, expected_cost=1)["shop"]


@pytest.mark.parametrize("outcome", [429, 503, "drop"])
def test_transient_failures_are_retryable(client, simulator, outcome):
    simulator.fail_next(1, outcome)
    with pytest.raises(RetryableError) as failure:
        client.execute(queries.SHOP, expected_cost=1)
    if outcome == 429:
        assert failure.value.retry_after == 1.0
    assert client.execute(queries.SHOP, expected_cost=1)["shop"]


def test_a_refused_token_is_fatal_for_the_backend(simulator):
    client = ShopifyClient(simulator.base_url, "2026-10", "shpat_wrong")
    with pytest.raises(FatalBackendError, match="credentials were refused"):
        client.execute(queries.SHOP, expected_cost=1)


def test_pagination_walks_every_page(client, simulator):
    created = {simulator.random_order()["admin_graphql_api_id"] for _ in range(60)}
    seen = [
        node["id"]
        for node in client.paginate(
            queries.ORDERS_UPDATED_SINCE,
            {"first": 25, "query": "updated_at:>='2000-01-01T00:00:00Z'"},
            "orders",
            expected_cost=27,
        )
    ]
    assert created <= set(seen)
    assert len(seen) == len(set(seen))
