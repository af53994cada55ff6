"""The Shopify simulator, driven over real HTTP as a connector would drive it."""

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.simulators.shopify import ShopifySimulator

TOKEN = "shpat_test_token"
SECRET = "test-client-secret"
VERSION = "2026-04"
REPO_ROOT = Path(__file__).resolve().parents[2]

ORDER_PAGE = """
query Page($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query) {
    nodes { id name updatedAt }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
SUBSCRIBE = """
mutation Subscribe($topic: WebhookSubscriptionTopic!, $url: URL!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {callbackUrl: $url}) {
    webhookSubscription { id topic callbackUrl apiVersion { handle } }
    userErrors { field message }
  }
}
"""


class Receiver:
    """A local webhook endpoint that records every request it gets.

    The first ``fail_first`` requests are answered with ``fail_status``.
    """

    def __init__(self):
        self.requests = []
        self.fail_first = 0
        self.fail_status = 500
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    receiver.requests.append((dict(self.headers), body))
                    failing = len(receiver.requests) <= receiver.fail_first
                self.send_response(receiver.fail_status if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/webhooks"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def sim():
    simulator = ShopifySimulator(
        access_token=TOKEN,
        client_secret=SECRET,
        seed=7,
        webhook_backoff=0.05,
        webhook_retries=3,
    )
    with simulator:
        yield simulator


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def gql(sim, query, variables=None, version=VERSION, token=TOKEN):
    """POST a GraphQL document; return the HTTP response."""
    return requests.post(
        sim.graphql_url(version),
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": token},
        timeout=10,
    )


def data(sim, query, variables=None):
    """Run a query that must succeed; return its ``data``."""
    response = gql(sim, query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def simple_order(sim, **extra):
    spec = {"lines": [{"sku": "CUSTOM-1", "title": "Thing", "price": "10.00"}]}
    return sim.create_order({**spec, **extra})


def amounts(bag):
    return bag["shop_money"]["amount"], bag["presentment_money"]["amount"]


# Authentication, envelope, cost and throttling -------------------------------


def test_wrong_token_is_answered_401_with_shopify_message(sim):
    response = gql(sim, "{ shop { name } }", token="wrong")

    assert response.status_code == 401
    assert response.json() == {
        "errors": "[API] Invalid API key or access token "
        "(unrecognized login or wrong password)"
    }


def test_malformed_json_body_is_answered_400(sim):
    response = requests.post(
        sim.graphql_url(),
        data=b"{not json",
        headers={"X-Shopify-Access-Token": TOKEN, "Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 400


def test_shop_fields_and_cost_extensions(sim):
    body = gql(
        sim, "{ shop { name myshopifyDomain currencyCode ianaTimezone } }"
    ).json()

    assert body["data"]["shop"] == {
        "name": "Demo Shop",
        "myshopifyDomain": "demo-shop.myshopify.com",
        "currencyCode": "USD",
        "ianaTimezone": "America/New_York",
    }
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 1
    assert cost["actualQueryCost"] == 1
    assert cost["throttleStatus"]["maximumAvailable"] == 2000.0
    assert cost["throttleStatus"]["restoreRate"] == 100.0
    assert 1999 <= cost["throttleStatus"]["currentlyAvailable"] <= 2000


def test_connection_cost_is_requested_by_page_size_and_refunded_to_actual(sim):
    simple_order(sim)
    sim.create_order(
        {
            "lines": [
                {"sku": "A", "title": "A", "price": "1.00"},
                {"sku": "B", "title": "B", "price": "2.00"},
            ]
        }
    )
    sim.set_throttle(restore_rate=0.001, currently_available=2000)

    body = gql(
        sim,
        "{ orders(first: 5) { nodes { id lineItems(first: 10) { nodes { id } } } } }",
    ).json()

    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 5 * (1 + 2 + 10)
    assert cost["actualQueryCost"] == 2 + (1 + 2 + 1) + (1 + 2 + 2)
    assert cost["throttleStatus"]["currentlyAvailable"] == 2000 - 11


def test_drained_bucket_answers_throttled_with_200_or_429_when_switched(sim):
    sim.set_throttle(maximum_available=100, restore_rate=0.001, currently_available=10)
    query = "{ orders(first: 10) { nodes { id } } }"

    response = gql(sim, query)

    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    assert body["extensions"]["cost"]["requestedQueryCost"] == 12
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 10

    sim.set_throttle(http_status=429)
    assert gql(sim, query).status_code == 429

    sim.set_throttle(currently_available=100)
    assert gql(sim, query).json()["data"] == {"orders": {"nodes": []}}


def test_query_above_1000_points_is_refused_before_running(sim):
    query = (
        "{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }"
    )

    body = gql(sim, query).json()

    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["extensions"]["cost"]["requestedQueryCost"] == 2 + 250 * (1 + 2 + 250)
    assert "data" not in body


def test_validation_errors_come_from_graphql_core(sim):
    body = gql(sim, "{ shop { zzz } }").json()

    assert body["errors"][0]["message"] == "Cannot query field 'zzz' on type 'Shop'."
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 10}]


# Pagination and search -------------------------------------------------------


def test_cursor_pagination_walks_120_orders_in_pages_of_50(sim):
    created = [simple_order(sim)["admin_graphql_api_id"] for _ in range(120)]

    seen, pages, after = [], [], None
    while True:
        page = data(sim, ORDER_PAGE, {"first": 50, "after": after})["orders"]
        pages.append(page)
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert [len(page["nodes"]) for page in pages] == [50, 50, 20]
    assert seen == created
    assert [page["pageInfo"]["hasPreviousPage"] for page in pages] == [
        False,
        True,
        True,
    ]
    assert pages[1]["pageInfo"]["startCursor"] != pages[0]["pageInfo"]["endCursor"]

    back = data(
        sim,
        "query($before: String) { orders(last: 5, before: $before) { nodes { id } } }",
        {"before": pages[1]["pageInfo"]["startCursor"]},
    )
    assert [node["id"] for node in back["orders"]["nodes"]] == created[45:50]


def test_page_size_over_250_is_an_error(sim):
    body = gql(sim, "{ orders(first: 251) { nodes { id } } }").json()

    assert (
        body["errors"][0]["message"]
        == "The 'first' argument must be between 0 and 250."
    )


def test_updated_at_and_created_at_filters(sim):
    orders = [
        simple_order(sim, created_at=f"2020-01-0{day}T10:00:00Z")[
            "admin_graphql_api_id"
        ]
        for day in range(1, 6)
    ]

    def ids(query):
        found = data(sim, ORDER_PAGE, {"first": 50, "query": query})["orders"]["nodes"]
        return [node["id"] for node in found]

    assert ids("updated_at:>'2020-01-03T10:00:00Z'") == orders[3:]
    assert ids("updated_at:>='2020-01-03T10:00:00Z'") == orders[2:]
    assert ids("updated_at:<'2020-01-03T10:00:00Z'") == orders[:2]
    assert (
        ids("created_at:>='2020-01-02' created_at:<='2020-01-04T10:00:00Z'")
        == (orders[1:4])
    )
    assert ids("updated_at:>'2020-01-02T05:00:00-05:00' status:any") == orders[2:]

    sim.update_order(int(orders[0].rsplit("/", 1)[1]), {"note": "called the customer"})
    assert ids("updated_at:>'2020-01-05T10:00:00Z'") == [orders[0]]


def test_order_by_id_and_sort_by_updated_at_reverse(sim):
    first, second = simple_order(sim), simple_order(sim)
    sim.update_order(first["id"], {"tags": ["vip", "gift"]})

    found = data(
        sim,
        "query($id: ID!) { order(id: $id) { id legacyResourceId name tags note } }",
        {"id": first["admin_graphql_api_id"]},
    )["order"]
    latest = data(
        sim, "{ orders(first: 1, sortKey: UPDATED_AT, reverse: true) { nodes { id } } }"
    )["orders"]["nodes"]

    assert found == {
        "id": first["admin_graphql_api_id"],
        "legacyResourceId": str(first["id"]),
        "name": "#1001",
        "tags": ["vip", "gift"],
        "note": None,
    }
    assert second["name"] == "#1002"
    assert latest == [{"id": first["admin_graphql_api_id"]}]


def test_product_variants_are_found_by_sku(sim):
    product = sim.add_product(
        "Stoneware Mug",
        [
            {
                "sku": "MUG-S",
                "price": "14.50",
                "barcode": "5060002001017",
                "title": "Sand",
            },
            {"sku": "MUG-M", "price": "15.00", "title": "Moss"},
        ],
        vendor="Fieldhouse",
    )

    variants = data(
        sim,
        """{ productVariants(first: 5, query: "sku:MUG-S") { nodes {
            id sku title price barcode inventoryItem { id }
            product { id title status } } } }""",
    )["productVariants"]["nodes"]

    variant = product["variants"][0]
    assert variants == [
        {
            "id": variant["admin_graphql_api_id"],
            "sku": "MUG-S",
            "title": "Sand",
            "price": "14.50",
            "barcode": "5060002001017",
            "inventoryItem": {
                "id": f"gid://shopify/InventoryItem/{variant['inventory_item_id']}"
            },
            "product": {
                "id": product["admin_graphql_api_id"],
                "title": "Stoneware Mug",
                "status": "ACTIVE",
            },
        }
    ]


# Order arithmetic ------------------------------------------------------------


def test_discount_code_two_lines_tax_and_shipping_add_up_to_the_cent(sim):
    sim.add_product("Organic Tee", [{"sku": "SKU-1", "price": "19.99", "title": "M"}])

    order = sim.create_order(
        {
            "lines": [
                {"sku": "SKU-1", "quantity": 2},
                {"sku": "WRAP", "title": "Gift wrap", "price": "25.00"},
            ],
            "order_discount": {"code": "TENOFF", "percentage": 10},
            "shipping": {"title": "Standard", "price": "7.50"},
            "taxes": [{"title": "State Tax", "rate": "0.06"}],
            "customer": {"email": "Fake.Person01@example.com", "first_name": "Fake"},
        }
    )

    # 39.98 + 25.00 = 64.98; 10 % = 6.50, allocated 4.00 / 2.50 (remainder);
    # tax 6 % of 35.98 = 2.16 and of 22.50 = 1.35.
    assert order["total_line_items_price"] == "64.98"
    assert order["total_discounts"] == "6.50"
    assert order["subtotal_price"] == "58.48"
    assert order["total_tax"] == "3.51"
    assert order["total_price"] == "69.49"
    assert amounts(order["total_shipping_price_set"]) == ("7.50", "7.50")
    assert order["discount_codes"] == [
        {"code": "TENOFF", "amount": "6.50", "type": "percentage"}
    ]
    tee, wrap = order["line_items"]
    assert (tee["variant_id"], tee["name"]) == (
        sim.store.all("ProductVariant")[0]["id"],
        "Organic Tee - M",
    )
    assert (wrap["variant_id"], wrap["product_id"]) == (None, None)
    assert [a["amount"] for a in tee["discount_allocations"]] == ["4.00"]
    assert [a["amount"] for a in wrap["discount_allocations"]] == ["2.50"]
    assert [t["price"] for t in tee["tax_lines"]] == ["2.16"]
    assert [t["price"] for t in wrap["tax_lines"]] == ["1.35"]
    assert [(t["title"], t["rate"], t["price"]) for t in order["tax_lines"]] == [
        ("State Tax", 0.06, "3.51")
    ]
    assert order["customer"]["email"] == "fake.person01@example.com"
    assert order["financial_status"] == "paid"

    transactions = data(
        sim,
        "query($id: ID!) { order(id: $id) { transactions { kind status amountSet"
        " { shopMoney { amount } } } } }",
        {"id": order["admin_graphql_api_id"]},
    )["order"]["transactions"]
    assert transactions == [
        {
            "kind": "SALE",
            "status": "SUCCESS",
            "amountSet": {"shopMoney": {"amount": "69.49"}},
        }
    ]


def test_line_and_shipping_discounts_are_applications_of_their_own(sim):
    order = sim.create_order(
        {
            "lines": [
                {"sku": "A", "title": "A", "price": "24.00", "quantity": 2},
                {"sku": "B", "title": "B", "price": "25.00", "discount": "5.00"},
            ],
            "order_discount": {"code": "TENOFF", "percentage": 10},
            "shipping": {"title": "Standard", "price": "7.50", "discount": "2.00"},
            "taxes": [{"title": "State Tax", "rate": "0.06"}],
        }
    )

    # Code base 48.00 + 20.00 = 68.00 → 6.80, split 4.80 / 2.00.
    assert [app["type"] for app in order["discount_applications"]] == [
        "manual",
        "discount_code",
        "manual",
    ]
    assert order["subtotal_price"] == "61.20"
    assert order["total_discounts"] == "13.80"
    assert order["total_tax"] == "3.67"
    assert order["shipping_lines"][0]["discounted_price"] == "5.50"
    assert order["total_price"] == "70.37"

    lines = data(
        sim,
        """query($id: ID!) { order(id: $id) { lineItems(first: 5) { nodes {
            originalTotalSet { shopMoney { amount } }
            discountedTotalSet { shopMoney { amount } }
            discountAllocations { allocatedAmountSet { shopMoney { amount } }
              discountApplication { index ... on DiscountCodeApplication { code } } }
        } } } }""",
        {"id": order["admin_graphql_api_id"]},
    )["order"]["lineItems"]["nodes"]
    assert lines[1] == {
        "originalTotalSet": {"shopMoney": {"amount": "25.00"}},
        "discountedTotalSet": {"shopMoney": {"amount": "20.00"}},
        "discountAllocations": [
            {
                "allocatedAmountSet": {"shopMoney": {"amount": "5.00"}},
                "discountApplication": {"index": 0},
            },
            {
                "allocatedAmountSet": {"shopMoney": {"amount": "2.00"}},
                "discountApplication": {"index": 1, "code": "TENOFF"},
            },
        ],
    }


def test_taxes_included_prices_carry_their_tax(sim):
    order = sim.create_order(
        {
            "lines": [
                {"sku": "MUG", "title": "Mug", "price": "21.20"},
                {"sku": "TWL", "title": "Towel", "price": "10.00", "quantity": 2},
            ],
            "shipping": {"title": "Standard", "price": "5.00"},
            "shipping_taxable": True,
            "taxes": [{"title": "VAT", "rate": "0.06"}],
            "taxes_included": True,
        }
    )

    # 21.20 × 0.06 / 1.06 = 1.20; 20.00 → 1.13; shipping 5.00 → 0.28.
    assert [item["tax_lines"][0]["price"] for item in order["line_items"]] == [
        "1.20",
        "1.13",
    ]
    assert order["shipping_lines"][0]["tax_lines"][0]["price"] == "0.28"
    assert order["total_tax"] == "2.61"
    assert order["subtotal_price"] == "41.20"
    assert order["total_price"] == "46.20"
    assert order["taxes_included"] is True


def test_presentment_currency_rounds_each_amount_on_its_own(sim):
    order = sim.create_order(
        {
            "lines": [
                {"sku": "BAG", "title": "Bag", "price": "100.00"},
                {"sku": "PIN", "title": "Pin", "price": "3.33", "quantity": 3},
            ],
            "shipping": {"title": "Standard", "price": "10.00"},
            "taxes": [{"title": "State Tax", "rate": "0.06"}],
            "currency": "USD",
            "presentment_currency": "EUR",
            "rate": "0.92",
        }
    )

    bag, pin = order["line_items"]
    assert amounts(bag["price_set"]) == ("100.00", "92.00")
    assert amounts(pin["price_set"]) == ("3.33", "3.06")
    assert amounts(pin["tax_lines"][0]["price_set"]) == ("0.60", "0.55")
    assert amounts(order["total_line_items_price_set"]) == ("109.99", "101.19")
    assert amounts(order["total_tax_set"]) == ("6.60", "6.07")
    assert amounts(order["total_shipping_price_set"]) == ("10.00", "9.20")
    assert amounts(order["total_price_set"]) == ("126.59", "116.46")
    assert order["total_price_set"]["presentment_money"]["currency_code"] == "EUR"
    assert order["presentment_currency"] == "EUR"

    node = data(
        sim,
        """query($id: ID!) { order(id: $id) { currencyCode presentmentCurrencyCode
            totalPriceSet { shopMoney { amount currencyCode }
                            presentmentMoney { amount currencyCode } } } }""",
        {"id": order["admin_graphql_api_id"]},
    )["order"]
    assert node == {
        "currencyCode": "USD",
        "presentmentCurrencyCode": "EUR",
        "totalPriceSet": {
            "shopMoney": {"amount": "126.59", "currencyCode": "USD"},
            "presentmentMoney": {"amount": "116.46", "currencyCode": "EUR"},
        },
    }


def test_random_orders_are_internally_consistent(sim):
    sim.seed_demo_catalog()

    for _ in range(40):
        order = sim.random_order()
        items = order["line_items"]
        line_total = sum(Decimal(i["price"]) * i["quantity"] for i in items)
        allocated = sum(
            Decimal(a["amount"]) for i in items for a in i["discount_allocations"]
        )
        taxes = sum(Decimal(t["price"]) for t in order["tax_lines"])
        shipping = sum(Decimal(s["discounted_price"]) for s in order["shipping_lines"])
        assert 1 <= len(items) <= 4
        assert Decimal(order["total_line_items_price"]) == line_total
        assert Decimal(order["subtotal_price"]) == line_total - allocated
        assert Decimal(order["total_tax"]) == taxes
        assert (
            Decimal(order["total_price"]) == line_total - allocated + shipping + taxes
        )
        assert all(item["variant_id"] for item in items)


def test_update_with_new_lines_reprices_and_keeps_line_ids(sim):
    order = sim.create_order(
        {
            "lines": [
                {"sku": "A", "title": "A", "price": "10.00", "quantity": 3},
                {"sku": "B", "title": "B", "price": "5.00"},
            ],
            "taxes": [{"title": "State Tax", "rate": "0.06"}],
            "financial_status": "pending",
        }
    )

    updated = sim.update_order(
        order["id"], {"lines": [{"sku": "A", "title": "A", "price": "10.00"}]}
    )

    assert updated["total_price"] == "10.60"
    assert updated["line_items"][0]["id"] == order["line_items"][0]["id"]
    assert len(updated["line_items"]) == 1
    assert datetime.fromisoformat(updated["updated_at"]) > datetime.fromisoformat(
        order["updated_at"]
    )

    paid = sim.update_order(order["id"], {"financial_status": "paid"})
    assert (paid["financial_status"], paid["total_outstanding"]) == ("paid", "0.00")
    kinds = [t["kind"] for t in sim.store.children("OrderTransaction", order["id"])]
    assert kinds == ["sale"]


FULL_ORDER = """
query($id: ID!) { order(id: $id) {
  id legacyResourceId name email phone createdAt updatedAt processedAt cancelledAt
  cancelReason closedAt test taxesIncluded currencyCode presentmentCurrencyCode
  displayFinancialStatus displayFulfillmentStatus note tags discountCodes
  totalPriceSet { ...bag } subtotalPriceSet { ...bag } totalTaxSet { ...bag }
  totalDiscountsSet { ...bag } totalShippingPriceSet { ...bag }
  currentTotalPriceSet { ...bag } totalRefundedSet { ...bag }
  customer { id email phone firstName lastName displayName }
  billingAddress { ...address } shippingAddress { ...address }
  taxLines { ...tax }
  discountApplications(first: 5) { nodes {
    __typename index allocationMethod targetSelection targetType
    value { ... on MoneyV2 { amount currencyCode }
            ... on PricingPercentageValue { percentage } }
    ... on DiscountCodeApplication { code }
    ... on ManualDiscountApplication { title description }
    ... on AutomaticDiscountApplication { title }
    ... on ScriptDiscountApplication { title } } }
  lineItems(first: 5) {
    nodes { id name title sku quantity currentQuantity requiresShipping isGiftCard
      variant { id sku title } originalUnitPriceSet { ...bag }
      discountedUnitPriceSet { ...bag } originalTotalSet { ...bag }
      discountedTotalSet { ...bag }
      discountAllocations { allocatedAmountSet { ...bag }
                            discountApplication { index } }
      taxLines { ...tax } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
  shippingLines(first: 5) { nodes { id title code source originalPriceSet { ...bag }
    discountedPriceSet { ...bag } taxLines { ...tax }
    discountAllocations { allocatedAmountSet { ...bag } } } }
  transactions(first: 5) { id kind status gateway amountSet { ...bag } processedAt
    test parentTransaction { id } }
} }
fragment bag on MoneyBag {
  shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
fragment address on MailingAddress { firstName lastName name company address1
  address2 city province provinceCode zip country countryCodeV2 phone }
fragment tax on TaxLine { title rate ratePercentage priceSet { ...bag } }
"""


def test_every_listed_order_field_resolves_from_the_rest_record(sim):
    sim.seed_demo_catalog()
    address = {
        "first_name": "Fakefirst01",
        "last_name": "Fakelast01",
        "address1": "1 Fake Street",
        "city": "Albany",
        "province": "New York",
        "province_code": "NY",
        "zip": "12207",
        "country": "United States",
        "country_code": "US",
    }
    order = sim.create_order(
        {
            "lines": [{"sku": "MUG-STN-Sand", "quantity": 3, "discount": "1.50"}],
            "order_discount": {"code": "FIVEOFF", "amount": "5.00"},
            "shipping": {"title": "Express", "code": "EXPRESS", "price": "12.50"},
            "shipping_taxable": True,
            "taxes": [{"title": "State Tax", "rate": "0.04"}],
            "customer": {"email": "fake@example.com", "first_name": "Fake"},
            "shipping_address": address,
            "financial_status": "authorized",
            "tags": ["web", "first order"],
            "created_at": "2026-01-15T15:30:00Z",
        }
    )

    body = gql(sim, FULL_ORDER, {"id": order["admin_graphql_api_id"]}).json()

    assert "errors" not in body
    node = body["data"]["order"]
    assert order["created_at"] == "2026-01-15T10:30:00-05:00"
    assert (node["createdAt"], node["updatedAt"]) == ("2026-01-15T15:30:00Z",) * 2
    assert node["displayFinancialStatus"] == "AUTHORIZED"
    assert node["displayFulfillmentStatus"] == "UNFULFILLED"
    assert node["tags"] == ["web", "first order"]
    assert node["discountCodes"] == ["FIVEOFF"]
    assert node["customer"]["displayName"] == "Fake"
    assert node["billingAddress"]["countryCodeV2"] == "US"
    assert node["billingAddress"]["name"] == "Fakefirst01 Fakelast01"
    [item] = node["lineItems"]["nodes"]
    assert (item["name"], item["variant"]["sku"]) == (
        "Stoneware Mug - Sand",
        "MUG-STN-Sand",
    )
    # 3 × 14.50 = 43.50, minus the 1.50 line discount = 42.00 (14.00 a unit);
    # the 5.00 code is order-wide, so it stays out of discountedTotalSet.
    assert item["discountedTotalSet"]["shopMoney"]["amount"] == "42.00"
    assert item["discountedUnitPriceSet"]["shopMoney"]["amount"] == "14.00"
    # Tax 4 % of 37.00 = 1.48 and of 12.50 shipping = 0.50.
    assert [tax["priceSet"]["shopMoney"]["amount"] for tax in node["taxLines"]] == [
        "1.98"
    ]
    assert node["taxLines"][0]["ratePercentage"] == 4.0
    assert node["totalPriceSet"]["shopMoney"]["amount"] == "51.48"
    [shipping] = node["shippingLines"]["nodes"]
    assert shipping["taxLines"][0]["priceSet"]["shopMoney"]["amount"] == "0.50"
    assert [
        (app["__typename"], app["value"])
        for app in node["discountApplications"]["nodes"]
    ] == [
        ("ManualDiscountApplication", {"amount": "1.50", "currencyCode": "USD"}),
        ("DiscountCodeApplication", {"amount": "5.00", "currencyCode": "USD"}),
    ]
    [transaction] = node["transactions"]
    assert (transaction["kind"], transaction["amountSet"]["shopMoney"]["amount"]) == (
        "AUTHORIZATION",
        "51.48",
    )
    assert node["totalRefundedSet"]["shopMoney"]["amount"] == "0.00"


# Webhooks --------------------------------------------------------------------


def verify(headers, body):
    """Check the Shopify signature the way a receiving app must."""
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    ).decode()
    return hmac.compare_digest(expected, headers["X-Shopify-Hmac-Sha256"])


def test_subscription_through_graphql_gets_signed_rest_order_bodies(sim, receiver):
    created = data(sim, SUBSCRIBE, {"topic": "ORDERS_CREATE", "url": receiver.url})

    payload = created["webhookSubscriptionCreate"]
    assert payload["userErrors"] == []
    assert payload["webhookSubscription"]["topic"] == "ORDERS_CREATE"
    assert payload["webhookSubscription"]["apiVersion"] == {"handle": VERSION}

    order = simple_order(sim, customer={"email": "buyer@example.com"})
    assert sim.wait_for_deliveries(5)

    [(headers, body)] = receiver.requests
    assert verify(headers, body)
    assert headers["X-Shopify-Topic"] == "orders/create"
    assert headers["X-Shopify-Shop-Domain"] == "demo-shop.myshopify.com"
    assert headers["X-Shopify-API-Version"] == VERSION
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Shopify-Triggered-At"].endswith("Z")
    rest = json.loads(body)
    assert rest["id"] == order["id"]
    assert rest["total_price_set"] == order["total_price_set"]
    graphql_id = data(sim, "{ orders(first: 1) { nodes { id } } }")["orders"]["nodes"][
        0
    ]
    assert rest["admin_graphql_api_id"] == graphql_id["id"]

    [logged] = sim.deliveries()
    assert logged["webhook_id"] == headers["X-Shopify-Webhook-Id"]
    assert logged["event_id"] == headers["X-Shopify-Event-Id"]
    assert (logged["state"], logged["status_code"], logged["attempts"]) == (
        "delivered",
        200,
        1,
    )


def test_subscriptions_are_listed_by_topic_and_deleted(sim, receiver):
    created = sim.subscribe("ORDERS_PAID", receiver.url)
    sim.subscribe("REFUNDS_CREATE", receiver.url)
    listing = """query($topics: [WebhookSubscriptionTopic!]) {
        webhookSubscriptions(first: 10, topics: $topics) {
          nodes { id topic uri format includeFields } } }"""

    paid = data(sim, listing, {"topics": ["ORDERS_PAID"]})
    deleted = data(
        sim,
        """mutation($id: ID!) { webhookSubscriptionDelete(id: $id) {
            deletedWebhookSubscriptionId userErrors { field message } } }""",
        {"id": created["admin_graphql_api_id"]},
    )
    remaining = data(sim, listing)

    assert paid["webhookSubscriptions"]["nodes"] == [
        {
            "id": created["admin_graphql_api_id"],
            "topic": "ORDERS_PAID",
            "uri": receiver.url,
            "format": "JSON",
            "includeFields": [],
        }
    ]
    assert deleted["webhookSubscriptionDelete"] == {
        "deletedWebhookSubscriptionId": created["admin_graphql_api_id"],
        "userErrors": [],
    }
    assert [n["topic"] for n in remaining["webhookSubscriptions"]["nodes"]] == [
        "REFUNDS_CREATE"
    ]


def test_duplicate_subscription_and_bad_address_are_user_errors(sim, receiver):
    data(sim, SUBSCRIBE, {"topic": "ORDERS_CREATE", "url": receiver.url})

    again = data(sim, SUBSCRIBE, {"topic": "ORDERS_CREATE", "url": receiver.url})
    bad = data(sim, SUBSCRIBE, {"topic": "ORDERS_CREATE", "url": "not a url"})

    assert again["webhookSubscriptionCreate"] == {
        "webhookSubscription": None,
        "userErrors": [
            {
                "field": ["webhookSubscription", "callbackUrl"],
                "message": "Address for this topic has already been taken",
            }
        ],
    }
    assert bad["webhookSubscriptionCreate"]["userErrors"][0]["message"] == (
        "Address is invalid"
    )


def test_idempotent_directive_replays_same_arguments_and_refuses_others(sim, receiver):
    mutation = SUBSCRIBE.replace(
        "{callbackUrl: $url}) {", '{callbackUrl: $url}) @idempotent(key: "k-1") {'
    )

    first = data(sim, mutation, {"topic": "ORDERS_CREATE", "url": receiver.url})
    replay = data(sim, mutation, {"topic": "ORDERS_CREATE", "url": receiver.url})
    other = data(sim, mutation, {"topic": "ORDERS_PAID", "url": receiver.url})

    assert replay == first
    assert first["webhookSubscriptionCreate"]["userErrors"] == []
    assert sim.store.count("WebhookSubscription") == 1
    assert other["webhookSubscriptionCreate"]["webhookSubscription"] is None
    assert other["webhookSubscriptionCreate"]["userErrors"] == [
        {
            "field": ["idempotent", "key"],
            "message": (
                "The idempotency key was already used with different parameters."
            ),
        }
    ]


def test_failed_delivery_is_retried_with_the_original_body_and_headers(sim, receiver):
    sim.subscribe("ORDERS_CREATE", receiver.url, api_version="2026-01")
    receiver.fail_first = 2

    simple_order(sim)
    assert sim.wait_for_deliveries(5)

    assert len(receiver.requests) == 3
    (first_headers, first_body), *retries = receiver.requests
    for headers, body in retries:
        assert body == first_body
        for name in (
            "X-Shopify-Webhook-Id",
            "X-Shopify-Event-Id",
            "X-Shopify-Triggered-At",
            "X-Shopify-Hmac-Sha256",
        ):
            assert headers[name] == first_headers[name]
    assert first_headers["X-Shopify-API-Version"] == "2026-01"
    [logged] = sim.deliveries()
    assert logged["history"] == [500, 500, 200]
    assert (logged["state"], logged["attempts"]) == ("delivered", 3)


def test_delivery_gives_up_after_the_configured_retries(sim, receiver):
    sim.subscribe("ORDERS_CREATE", receiver.url)
    receiver.fail_first, receiver.fail_status = 100, 503

    simple_order(sim)
    assert sim.wait_for_deliveries(5)

    [logged] = sim.deliveries()
    assert (logged["state"], logged["attempts"], logged["status_code"]) == (
        "failed",
        4,
        503,
    )


def test_duplicated_delivery_repeats_webhook_and_event_ids(sim, receiver):
    sim.subscribe("ORDERS_CREATE", receiver.url)
    sim.set_faults(webhooks={"duplicate_rate": 1.0})

    simple_order(sim)
    assert sim.wait_for_deliveries(5)

    (first_headers, first_body), (second_headers, second_body) = receiver.requests
    assert second_body == first_body
    assert (
        second_headers["X-Shopify-Webhook-Id"] == first_headers["X-Shopify-Webhook-Id"]
    )
    assert second_headers["X-Shopify-Event-Id"] == first_headers["X-Shopify-Event-Id"]
    assert sim.deliveries()[0]["duplicates_sent"] == 1


def test_one_event_shares_its_event_id_across_subscriptions(sim, receiver):
    sim.subscribe("ORDERS_UPDATED", receiver.url)
    sim.subscribe("ORDERS_UPDATED", receiver.url + "/second")
    sim.subscribe("ORDERS_CANCELLED", receiver.url)
    order = simple_order(sim)

    sim.cancel_order(order["id"], reason="fraud")
    assert sim.wait_for_deliveries(5)

    by_topic = {}
    for headers, _body in receiver.requests:
        by_topic.setdefault(headers["X-Shopify-Topic"], []).append(headers)
    updated = by_topic["orders/updated"]
    assert len(updated) == 2
    assert updated[0]["X-Shopify-Event-Id"] == updated[1]["X-Shopify-Event-Id"]
    assert updated[0]["X-Shopify-Webhook-Id"] != updated[1]["X-Shopify-Webhook-Id"]
    [cancelled] = by_topic["orders/cancelled"]
    assert cancelled["X-Shopify-Event-Id"] != updated[0]["X-Shopify-Event-Id"]
    body = json.loads(receiver.requests[0][1])
    assert (body["cancel_reason"], body["cancelled_at"] is not None) == ("fraud", True)


def test_dropped_and_held_deliveries(sim, receiver):
    sim.subscribe("ORDERS_CREATE", receiver.url)
    sim.set_faults(webhooks={"drop_rate": 1.0})
    simple_order(sim)
    assert sim.wait_for_deliveries(5)
    assert receiver.requests == []
    assert sim.deliveries()[0]["state"] == "dropped"

    sim.set_faults(webhooks={"drop_rate": 0.0})
    sim.hold_webhooks()
    names = [simple_order(sim)["name"] for _ in range(3)]
    assert sim.wait_for_deliveries(5)
    assert receiver.requests == []

    assert sim.release_webhooks() == 3
    assert sim.wait_for_deliveries(5)
    assert sorted(json.loads(body)["name"] for _, body in receiver.requests) == names


def test_reorder_batch_sends_every_delivery_once_in_shuffled_order(sim, receiver):
    sim.subscribe("ORDERS_CREATE", receiver.url)
    sim.set_faults(webhooks={"reorder_batch": 6})

    names = [simple_order(sim)["name"] for _ in range(6)]
    assert sim.wait_for_deliveries(5)

    received = [json.loads(body)["name"] for _, body in receiver.requests]
    assert sorted(received) == names
    assert received != names


# API fault injection ---------------------------------------------------------


def test_fail_next_gives_exact_failures_then_recovers(sim):
    sim.fail_next(2, 503)

    statuses = [gql(sim, "{ shop { name } }").status_code for _ in range(3)]

    assert statuses == [503, 503, 200]


def test_injected_429_carries_retry_after(sim):
    sim.set_faults(api={"rate_429": 1.0, "retry_after": 2})

    response = gql(sim, "{ shop { name } }")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"


def test_injected_5xx_uses_the_configured_statuses(sim):
    sim.set_faults(api={"rate_5xx": 1.0, "statuses_5xx": [502]})

    assert {gql(sim, "{ shop { name } }").status_code for _ in range(3)} == {502}

    sim.set_faults(api={"rate_5xx": 0.0})
    assert gql(sim, "{ shop { name } }").status_code == 200


def test_dropped_connection_is_a_connection_error(sim):
    sim.fail_next(1, "drop")

    with pytest.raises(requests.ConnectionError):
        gql(sim, "{ shop { name } }")
    assert gql(sim, "{ shop { name } }").status_code == 200


# Control API and CLI ---------------------------------------------------------


def test_control_api_drives_the_simulator_over_http(sim, receiver):
    control = f"{sim.base_url}/_sim"
    product = requests.post(
        f"{control}/products",
        json={"title": "Canvas Cap", "variants": [{"sku": "CAP-1", "price": "22.00"}]},
        timeout=10,
    ).json()
    requests.post(
        f"{control}/webhooks/subscribe",
        json={"topic": "ORDERS_CREATE", "address": receiver.url},
        timeout=10,
    ).raise_for_status()

    order = requests.post(
        f"{control}/orders",
        json={"lines": [{"sku": "CAP-1", "quantity": 2}]},
        timeout=10,
    )
    randoms = requests.post(f"{control}/orders/random", json={"count": 3}, timeout=10)
    cancelled = requests.post(
        f"{control}/orders/{order.json()['id']}/cancel", json={}, timeout=10
    )
    requests.post(f"{control}/webhooks/wait", json={"timeout": 5}, timeout=10)
    state = requests.get(f"{control}/state", timeout=10).json()
    deliveries = requests.get(f"{control}/deliveries", timeout=10).json()["deliveries"]
    missing = requests.post(f"{control}/orders/1/update", json={}, timeout=10)
    invalid = requests.post(f"{control}/faults", json={"api": {"nope": 1}}, timeout=10)

    assert order.status_code == 201
    assert order.json()["line_items"][0]["product_id"] == product["id"]
    assert len(randoms.json()["orders"]) == 3
    assert cancelled.json()["cancel_reason"] == "customer"
    assert state["records"]["Order"] == 4
    assert [d["state"] for d in deliveries] == ["delivered"] * 4
    assert (missing.status_code, invalid.status_code) == (404, 400)


def test_reset_forgets_orders_but_never_reuses_ids(sim):
    sim.add_product("Cap", [{"sku": "CAP", "price": "20.00"}])
    before = simple_order(sim)

    sim.reset(keep_catalog=True)
    after = simple_order(sim)
    locations = data(sim, "{ locations(first: 5) { nodes { name isActive } } }")

    assert sim.store.count("Order") == 1
    assert after["id"] > before["id"]
    assert sim.store.count("Product") == 1
    assert locations["locations"]["nodes"] == [
        {"name": "Shop location", "isActive": True}
    ]


def test_trickle_creates_random_orders_until_stopped(sim):
    sim.seed_demo_catalog()
    stop = threading.Event()

    thread = sim.trickle(6000, stop)
    deadline = time.monotonic() + 5
    while sim.store.count("Order") < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(2)

    assert sim.store.count("Order") >= 3
    assert not thread.is_alive()


def test_cli_prints_its_url_and_stops_on_sigterm():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.simulators.shopify", "--port", "0"]
        + ["--token", TOKEN, "--secret", SECRET, "--catalog", "demo"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        line = process.stdout.readline()
        base_url = line.strip().rsplit(" ", 1)[-1]
        response = requests.post(
            f"{base_url}/admin/api/{VERSION}/graphql.json",
            json={"query": "{ products(first: 20) { nodes { title } } }"},
            headers={"X-Shopify-Access-Token": TOKEN},
            timeout=10,
        )
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()

    assert line.startswith("Shopify simulator ready on http://127.0.0.1:")
    titles = [node["title"] for node in response.json()["data"]["products"]["nodes"]]
    assert len(titles) == 12
    assert "Organic Cotton Tee" in titles
