"""Refunds in the Shopify simulator: amounts, webhooks and the GraphQL view."""

import json

import pytest

from tests.simulators.shopify import ShopifySimulator

from .test_shopify_simulator import SECRET, SUBSCRIBE, TOKEN, Receiver, data


@pytest.fixture
def sim():
    with ShopifySimulator(
        access_token=TOKEN, client_secret=SECRET, seed=7, webhook_backoff=0.05
    ) as simulator:
        yield simulator


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


REFUNDS_QUERY = """
query($id: ID!) {
  order(id: $id) {
    displayFinancialStatus
    totalRefundedSet { shopMoney { amount } }
    lineItems(first: 5) { nodes { id currentQuantity } }
    refunds(first: 5) {
      id note createdAt
      totalRefundedSet { shopMoney { amount } }
      refundLineItems(first: 5) {
        nodes {
          quantity restockType restocked location { id }
          lineItem { id quantity }
          priceSet { shopMoney { amount } }
          subtotalSet { shopMoney { amount } }
          totalTaxSet { shopMoney { amount } }
        }
      }
      refundShippingLines(first: 5) {
        nodes {
          shippingLine { id }
          subtotalAmountSet { shopMoney { amount } }
          taxAmountSet { shopMoney { amount } }
        }
      }
      orderAdjustments(first: 5) {
        nodes { id reason amountSet { shopMoney { amount } } }
      }
      transactions(first: 5) {
        nodes { id kind status gateway amountSet { shopMoney { amount } } }
      }
    }
  }
}
"""


def _discounted_order(sim):
    sim.add_product("Organic Tee", [{"sku": "SKU-1", "price": "19.99", "title": "M"}])
    return sim.create_order(
        {
            "lines": [
                {"sku": "SKU-1", "quantity": 2},
                {"sku": "WRAP", "title": "Gift wrap", "price": "25.00"},
            ],
            "order_discount": {"code": "TENOFF", "percentage": 10},
            "shipping": {"title": "Standard", "price": "7.50"},
            "taxes": [{"title": "State Tax", "rate": "0.06"}],
            "gateway": "bogus",
        }
    )


def test_partial_refund_with_restock_and_shipping_adds_up_to_the_cent(sim, receiver):
    for topic in ("REFUNDS_CREATE", "ORDERS_UPDATED"):
        data(sim, SUBSCRIBE, {"topic": topic, "url": receiver.url})
    order = _discounted_order(sim)
    tee = order["line_items"][0]

    refund = sim.refund_order(
        order["id"],
        {
            "lines": [
                {"line_item_id": tee["id"], "quantity": 1, "restock_type": "return"}
            ],
            "shipping": True,
            "note": "too small",
        },
    )

    # The tee line is 39.98 less its 4.00 share of the code, taxed 2.16: one
    # of two is 17.99 and 1.08; shipping 7.50 is untaxed. 26.57 goes back.
    [item] = refund["refund_line_items"]
    assert (item["quantity"], item["restock_type"]) == (1, "return")
    assert (item["subtotal"], item["total_tax"]) == ("17.99", "1.08")
    assert item["line_item_id"] == tee["id"]
    assert item["location_id"] == sim.store.all("Location")[0]["id"]
    [shipping] = refund["refund_shipping_lines"]
    assert shipping["subtotal_amount_set"]["shop_money"]["amount"] == "7.50"
    assert shipping["tax_amount_set"]["shop_money"]["amount"] == "0.00"
    [transaction] = refund["transactions"]
    assert (transaction["kind"], transaction["gateway"], transaction["amount"]) == (
        "refund",
        "bogus",
        "26.57",
    )
    assert refund["order_adjustments"] == []

    updated = sim.get_order(order["id"])
    assert updated["financial_status"] == "partially_refunded"
    assert updated["updated_at"] > order["updated_at"]
    assert [r["id"] for r in updated["refunds"]] == [refund["id"]]
    assert updated["line_items"][0]["current_quantity"] == 1

    assert sim.wait_for_deliveries(5)
    bodies = {
        headers["X-Shopify-Topic"]: json.loads(body)
        for headers, body in receiver.requests
    }
    assert bodies["refunds/create"] == refund
    assert bodies["orders/updated"]["refunds"] == [refund]

    node = data(sim, REFUNDS_QUERY, {"id": order["admin_graphql_api_id"]})["order"]
    assert node["displayFinancialStatus"] == "PARTIALLY_REFUNDED"
    assert node["totalRefundedSet"]["shopMoney"]["amount"] == "26.57"
    assert node["lineItems"]["nodes"][0]["currentQuantity"] == 1
    [graph] = node["refunds"]
    assert graph["id"] == refund["admin_graphql_api_id"]
    assert graph["note"] == "too small"
    assert graph["totalRefundedSet"]["shopMoney"]["amount"] == "26.57"
    [line] = graph["refundLineItems"]["nodes"]
    assert line["lineItem"] == {"id": tee["admin_graphql_api_id"], "quantity": 2}
    assert (line["quantity"], line["restockType"], line["restocked"]) == (
        1,
        "RETURN",
        True,
    )
    assert line["subtotalSet"]["shopMoney"]["amount"] == "17.99"
    assert line["priceSet"]["shopMoney"]["amount"] == "17.99"
    assert line["totalTaxSet"]["shopMoney"]["amount"] == "1.08"
    assert line["location"]["id"].startswith("gid://shopify/Location/")
    [ship] = graph["refundShippingLines"]["nodes"]
    assert ship["shippingLine"]["id"] == (
        f"gid://shopify/ShippingLine/{order['shipping_lines'][0]['id']}"
    )
    assert ship["subtotalAmountSet"]["shopMoney"]["amount"] == "7.50"
    [tx] = graph["transactions"]["nodes"]
    assert (tx["kind"], tx["status"], tx["amountSet"]["shopMoney"]["amount"]) == (
        "REFUND",
        "SUCCESS",
        "26.57",
    )


def test_amount_only_refund_is_an_adjustment(sim):
    order = _discounted_order(sim)

    refund = sim.refund_order(order["id"], {"amount": "5.00"})

    [adjustment] = refund["order_adjustments"]
    assert (adjustment["kind"], adjustment["amount"]) == ("refund_discrepancy", "-5.00")
    assert refund["transactions"][0]["amount"] == "5.00"
    node = data(sim, REFUNDS_QUERY, {"id": order["admin_graphql_api_id"]})["order"]
    [graph_adjustment] = node["refunds"][0]["orderAdjustments"]["nodes"]
    assert graph_adjustment["reason"] == "REFUND_DISCREPANCY"
    assert graph_adjustment["amountSet"]["shopMoney"]["amount"] == "-5.00"


def test_whole_order_refund_marks_it_refunded_and_nothing_is_left(sim):
    order = _discounted_order(sim)
    lines = [
        {"line_item_id": item["id"], "quantity": item["quantity"]}
        for item in order["line_items"]
    ]

    refund = sim.refund_order(order["id"], {"lines": lines, "shipping": True})

    assert refund["transactions"][0]["amount"] == order["total_price"]
    assert sim.get_order(order["id"])["financial_status"] == "refunded"
    with pytest.raises(ValueError, match="can refund 1 to 0 items"):
        sim.refund_order(order["id"], {"lines": lines[:1]})
    with pytest.raises(ValueError, match="restock_type"):
        sim.refund_order(order["id"], {"lines": [dict(lines[0], restock_type="later")]})
