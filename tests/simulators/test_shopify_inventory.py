"""Inventory levels, inventorySetQuantities and bulk queries of the simulator."""

import json

import pytest
import requests

from tests.simulators.shopify import ShopifySimulator

TOKEN = "shpat_test_token"
SET = """
mutation Set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input)%s {
    inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange } }
    userErrors { code field message }
  }
}
"""
LEVEL = """
query Level($item: ID!, $location: ID!) {
  inventoryItem(id: $item) {
    inventoryLevel(locationId: $location) {
      id quantities(names: ["available", "on_hand"]) { name quantity }
    }
  }
}
"""
BULK = """
mutation Bulk($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message }
  }
}
"""
LEVELS_BULK = """
{ inventoryItems { edges { node { id sku inventoryLevels { edges { node {
  id location { id } quantities(names: ["available"]) { name quantity }
} } } } } } }
"""
CURRENT = "{ currentBulkOperation { id status objectCount rootObjectCount url } }"


@pytest.fixture(scope="module")
def sim():
    with ShopifySimulator(access_token=TOKEN) as simulator:
        yield simulator


@pytest.fixture(autouse=True)
def stocked(sim):
    sim.reset()
    sim.add_product("Mug", [{"sku": "MUG-1", "price": "9.00"}])
    sim.add_product("Cup", [{"sku": "CUP-1", "price": "5.00"}])
    sim.set_inventory_level("MUG-1", available=5)
    sim.set_inventory_level("CUP-1", available=2)


def call(sim, query, variables=None, version="2026-04"):
    response = requests.post(
        sim.graphql_url(version),
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": TOKEN},
        timeout=5,
    )
    return response.json()


def ids(sim, sku):
    item = next(i for i in sim.store.all("InventoryItem") if i["sku"] == sku)
    location = sim.store.all("Location")[0]
    return item["admin_graphql_api_id"], location["admin_graphql_api_id"]


def quantity(sim, sku, value, change_from=...):
    item, location = ids(sim, sku)
    entry = {"inventoryItemId": item, "locationId": location, "quantity": value}
    if change_from is not ...:
        entry["changeFromQuantity"] = change_from
    return entry


def set_input(*quantities):
    return {
        "input": {
            "name": "available",
            "reason": "correction",
            "quantities": list(quantities),
        }
    }


def test_set_quantities_checks_change_from_and_moves_on_hand(sim):
    mutation = SET % ' @idempotent(key: "k-1")'
    answer = call(sim, mutation, set_input(quantity(sim, "MUG-1", 12, 5)))

    payload = answer["data"]["inventorySetQuantities"]
    assert payload["userErrors"] == []
    assert {"name": "available", "delta": 7, "quantityAfterChange": 12} in payload[
        "inventoryAdjustmentGroup"
    ]["changes"]
    assert sim.inventory_level("MUG-1")["on_hand"] == 12
    assert answer["extensions"]["cost"]["requestedQueryCost"] == 10


def test_stale_change_from_refuses_the_whole_call(sim):
    mutation = SET % ' @idempotent(key: "k-2")'
    answer = call(
        sim,
        mutation,
        set_input(quantity(sim, "MUG-1", 1, 5), quantity(sim, "CUP-1", 1, 9)),
    )

    errors = answer["data"]["inventorySetQuantities"]["userErrors"]
    assert [e["code"] for e in errors] == ["CHANGE_FROM_QUANTITY_STALE"]
    assert errors[0]["field"] == ["input", "quantities", "1", "changeFromQuantity"]
    assert sim.inventory_level("MUG-1")["available"] == 5


def test_2026_04_contract_requires_key_and_change_from(sim):
    no_key = call(sim, SET % "", set_input(quantity(sim, "MUG-1", 1, None)))
    no_change_from = call(
        sim, SET % ' @idempotent(key: "k-3")', set_input(quantity(sim, "MUG-1", 1))
    )
    older = call(
        sim, SET % "", set_input(quantity(sim, "MUG-1", 3, None)), version="2026-01"
    )

    assert "@idempotent" in no_key["errors"][0]["message"]
    assert "changeFromQuantity is required" in no_change_from["errors"][0]["message"]
    assert older["data"]["inventorySetQuantities"]["userErrors"] == []
    assert sim.inventory_level("MUG-1")["available"] == 3


def test_more_than_250_quantities_are_refused(sim):
    entry = quantity(sim, "MUG-1", 1, None)
    answer = call(sim, SET % ' @idempotent(key: "k-4")', set_input(*[entry] * 251))

    assert answer["errors"][0]["extensions"]["code"] == "MAX_INPUT_SIZE_EXCEEDED"


def test_same_key_replays_without_a_second_change(sim):
    mutation = SET % ' @idempotent(key: "k-5")'
    variables = set_input(quantity(sim, "MUG-1", 8, 5))
    sim.drop_next_responses(1)
    with pytest.raises(requests.ConnectionError):
        call(sim, mutation, variables)
    sim.set_inventory_level("MUG-1", available=6)  # a sale after the change

    replay = call(sim, mutation, variables)

    assert replay["data"]["inventorySetQuantities"]["userErrors"] == []
    assert sim.inventory_level("MUG-1")["available"] == 6


def test_unstocked_item_and_level_query(sim):
    sim.add_product("Pot", [{"sku": "POT-1", "price": "3.00"}])
    answer = call(
        sim,
        SET % ' @idempotent(key: "k-6")',
        set_input(quantity(sim, "POT-1", 1, None)),
    )
    item, location = ids(sim, "MUG-1")
    level = call(sim, LEVEL, {"item": item, "location": location})

    errors = answer["data"]["inventorySetQuantities"]["userErrors"]
    assert errors[0]["code"] == "ITEM_NOT_STOCKED_AT_LOCATION"
    quantities = level["data"]["inventoryItem"]["inventoryLevel"]["quantities"]
    assert quantities == [
        {"name": "available", "quantity": 5},
        {"name": "on_hand", "quantity": 5},
    ]


def test_bulk_query_polls_then_serves_jsonl(sim):
    sim.set_bulk_polls(1)
    started = call(sim, BULK, {"query": LEVELS_BULK})["data"]["bulkOperationRunQuery"]
    first = call(sim, CURRENT)["data"]["currentBulkOperation"]
    second = call(sim, CURRENT)["data"]["currentBulkOperation"]

    assert started["bulkOperation"]["status"] == "CREATED"
    assert first["status"] == "RUNNING" and first["url"] is None
    assert second["status"] == "COMPLETED"
    assert int(second["rootObjectCount"]) == 2
    assert int(second["objectCount"]) == 4
    lines = [
        json.loads(line)
        for line in requests.get(second["url"], timeout=5).text.splitlines()
    ]
    mug, _cup = ids(sim, "MUG-1")
    levels = [line for line in lines if line.get("__parentId") == mug]
    assert levels[0]["quantities"] == [{"name": "available", "quantity": 5}]


def test_counters_count_calls_and_throttled_answers(sim):
    sim.reset_api_counters()
    call(sim, CURRENT)
    sim.set_throttle(currently_available=0, restore_rate=0.01)
    call(sim, CURRENT)

    assert sim.api_counters() == {"calls": 2, "throttled": 1}
