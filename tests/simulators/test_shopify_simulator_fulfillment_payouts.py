"""The simulator's fulfilment orders, fulfillmentCreate and Shopify Payments."""

from datetime import date

import pytest
import requests

from tests.simulators.shopify import ShopifySimulator

TOKEN = "shpat_test_token"
VERSION = "2026-10"

FULFILLMENT_ORDERS = """
query($id: ID!) {
  order(id: $id) {
    displayFulfillmentStatus
    fulfillmentOrders(first: 5) {
      nodes {
        id status
        lineItems(first: 50) {
          nodes { id totalQuantity remainingQuantity lineItem { id sku } }
        }
      }
    }
    fulfillments(first: 10) {
      id name status
      trackingInfo(first: 5) { company number url }
      fulfillmentLineItems(first: 50) { nodes { quantity lineItem { sku } } }
    }
  }
}
"""
FULFILL = """
mutation($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id name status trackingInfo { company number } }
    userErrors { field message }
  }
}
"""
PAYOUTS = """
query($query: String) {
  shopifyPaymentsAccount {
    payouts(first: 10, query: $query) {
      nodes {
        id legacyResourceId issuedAt status net { amount currencyCode }
        summary {
          chargesGross { amount } chargesFee { amount }
          refundsFeeGross { amount } refundsFee { amount }
          adjustmentsGross { amount } adjustmentsFee { amount }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
BALANCE = """
query($query: String) {
  shopifyPaymentsAccount {
    balanceTransactions(first: 50, query: $query) {
      nodes {
        id type test amount { amount } fee { amount } net { amount }
        sourceType sourceOrderTransactionId associatedOrder { id name }
        associatedPayout { id status }
      }
    }
  }
}
"""


@pytest.fixture
def sim():
    with ShopifySimulator(access_token=TOKEN, seed=3) as simulator:
        yield simulator


def data(sim, query, variables=None):
    response = requests.post(
        sim.graphql_url(VERSION),
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": TOKEN},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def two_line_order(sim, **extra):
    spec = {
        "lines": [
            {"sku": "MUG", "title": "Mug", "price": "12.00", "quantity": 3},
            {"sku": "CARD", "title": "Card", "price": "3.00", "quantity": 1},
        ],
        "gateway": "shopify_payments",
    }
    return sim.create_order({**spec, **extra})


def fulfill(sim, fo_id, lines, number="TRACK-1"):
    return data(
        sim,
        FULFILL,
        {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [
                    {
                        "fulfillmentOrderId": fo_id,
                        "fulfillmentOrderLineItems": [
                            {"id": line_id, "quantity": quantity}
                            for line_id, quantity in lines
                        ],
                    }
                ],
                "trackingInfo": {"company": "UPS", "number": number},
                "notifyCustomer": False,
            }
        },
    )["fulfillmentCreate"]


def test_partial_then_full_fulfilment_and_no_double_shipping(sim):
    order = two_line_order(sim)
    gid = order["admin_graphql_api_id"]
    read = data(sim, FULFILLMENT_ORDERS, {"id": gid})["order"]
    (fo,) = read["fulfillmentOrders"]["nodes"]
    assert fo["status"] == "OPEN"
    lines = {n["lineItem"]["sku"]: n for n in fo["lineItems"]["nodes"]}
    assert lines["MUG"]["remainingQuantity"] == 3
    assert (
        lines["MUG"]["lineItem"]["id"] == order["line_items"][0]["admin_graphql_api_id"]
    )

    answer = fulfill(sim, fo["id"], [(lines["MUG"]["id"], 2)])
    assert answer["userErrors"] == []
    assert answer["fulfillment"]["status"] == "SUCCESS"
    assert answer["fulfillment"]["name"] == f"{order['name']}.1"
    assert answer["fulfillment"]["trackingInfo"] == [
        {"company": "UPS", "number": "TRACK-1"}
    ]

    read = data(sim, FULFILLMENT_ORDERS, {"id": gid})["order"]
    assert read["displayFulfillmentStatus"] == "PARTIALLY_FULFILLED"
    (fo,) = read["fulfillmentOrders"]["nodes"]
    assert fo["status"] == "IN_PROGRESS"
    remaining = {
        n["lineItem"]["sku"]: (n["totalQuantity"], n["remainingQuantity"])
        for n in fo["lineItems"]["nodes"]
    }
    assert remaining == {"MUG": (3, 1), "CARD": (1, 1)}

    # More than what remains: refused, nothing changes.
    refused = fulfill(sim, fo["id"], [(lines["MUG"]["id"], 2)], number="TRACK-X")
    assert refused["fulfillment"] is None
    assert "quantity" in refused["userErrors"][0]["message"]
    assert len(sim.fulfillments(order["id"])) == 1

    done = fulfill(
        sim, fo["id"], [(lines["MUG"]["id"], 1), (lines["CARD"]["id"], 1)], "TRACK-2"
    )
    assert done["userErrors"] == []
    read = data(sim, FULFILLMENT_ORDERS, {"id": gid})["order"]
    assert read["displayFulfillmentStatus"] == "FULFILLED"
    assert read["fulfillmentOrders"]["nodes"][0]["status"] == "CLOSED"
    assert [
        (f["trackingInfo"][0]["number"], f["fulfillmentLineItems"]["nodes"])
        for f in read["fulfillments"]
    ] == [
        ("TRACK-1", [{"quantity": 2, "lineItem": {"sku": "MUG"}}]),
        (
            "TRACK-2",
            [
                {"quantity": 1, "lineItem": {"sku": "MUG"}},
                {"quantity": 1, "lineItem": {"sku": "CARD"}},
            ],
        ),
    ]
    closed = fulfill(sim, fo["id"], [(lines["CARD"]["id"], 1)])
    assert closed["fulfillment"] is None
    assert "unfulfillable" in closed["userErrors"][0]["message"]


def test_unknown_fulfilment_order_is_a_user_error(sim):
    answer = fulfill(
        sim,
        "gid://shopify/FulfillmentOrder/1",
        [("gid://shopify/FulfillmentOrderLineItem/2", 1)],
    )
    assert answer["fulfillment"] is None
    assert answer["userErrors"][0]["field"][-1] == "fulfillmentOrderId"


def test_payout_groups_charges_refunds_and_adjustments_exactly(sim):
    paid = two_line_order(sim)  # 39.00
    other = two_line_order(sim, gateway="paypal")
    sim.refund_order(
        paid["id"],
        {"lines": [{"line_item_id": paid["line_items"][1]["id"], "quantity": 1}]},
    )
    sim.add_balance_transaction("adjustment", "-1.25", reason="correction")
    balance = data(sim, BALANCE)["shopifyPaymentsAccount"]["balanceTransactions"]
    by_type = {n["type"]: n for n in balance["nodes"]}
    assert set(by_type) == {"CHARGE", "REFUND", "ADJUSTMENT"}
    # 39.00 x 2.9 % = 1.131 → 1.13, plus 0.30.
    assert by_type["CHARGE"]["fee"] == {"amount": "1.43"}
    assert by_type["CHARGE"]["net"] == {"amount": "37.57"}
    assert by_type["REFUND"]["amount"] == {"amount": "-3.00"}
    assert by_type["REFUND"]["fee"] == {"amount": "0.00"}
    assert by_type["CHARGE"]["associatedOrder"]["id"] == paid["admin_graphql_api_id"]
    assert by_type["CHARGE"]["sourceOrderTransactionId"].isdigit()
    assert by_type["CHARGE"]["sourceType"] == "CHARGE"
    assert by_type["ADJUSTMENT"]["sourceType"] == "ADJUSTMENT"
    assert by_type["CHARGE"]["associatedPayout"] == {"id": None, "status": "PENDING"}
    orders = {(n["associatedOrder"] or {}).get("id") for n in balance["nodes"]}
    assert other["admin_graphql_api_id"] not in orders

    payout = sim.create_payout(date(2026, 12, 4))
    assert payout["net"] == "33.32"
    with pytest.raises(ValueError):
        sim.create_payout()

    read = data(sim, PAYOUTS, {"query": "issued_at:>=2026-12-01"})
    (node,) = read["shopifyPaymentsAccount"]["payouts"]["nodes"]
    assert node["status"] == "PAID"
    assert node["net"] == {"amount": "33.32", "currencyCode": "USD"}
    assert node["issuedAt"] == "2026-12-04T12:00:00Z"
    summary = {name: value["amount"] for name, value in node["summary"].items()}
    assert summary == {
        "chargesGross": "39.00",
        "chargesFee": "1.43",
        "refundsFeeGross": "-3.00",
        "refundsFee": "0.00",
        "adjustmentsGross": "-1.25",
        "adjustmentsFee": "0.00",
    }
    assert not data(sim, PAYOUTS, {"query": "issued_at:>=2026-12-05"})[
        "shopifyPaymentsAccount"
    ]["payouts"]["nodes"]

    search = f"payments_transfer_id:{node['legacyResourceId']}"
    of_payout = data(sim, BALANCE, {"query": search})
    nodes = of_payout["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"]
    assert sorted(n["type"] for n in nodes) == [
        "ADJUSTMENT",
        "CHARGE",
        "REFUND",
        "TRANSFER",
    ]
    assert {n["associatedPayout"]["id"] for n in nodes} == {node["id"]}
    assert {n["associatedPayout"]["status"] for n in nodes} == {"PAID"}
    transfer = next(n for n in nodes if n["type"] == "TRANSFER")
    assert transfer["net"] == {"amount": "-33.32"}
    assert transfer["sourceType"] == "TRANSFER"
    # Another payout's number finds none of them.
    other = int(node["legacyResourceId"]) + 1
    other_payout = data(sim, BALANCE, {"query": f"payments_transfer_id:{other}"})
    assert not other_payout["shopifyPaymentsAccount"]["balanceTransactions"]["nodes"]
