"""The simulator's productSet mutation and bulk reads of the catalogue."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.simulators.shopify import ShopifySimulator

TOKEN = "shpat_products_test"
VERSION = "2026-04"

PRODUCT_SET = """
mutation ProductSet($input: ProductSetInput!) {
  productSet(input: $input, synchronous: true) {
    product {
      id title status descriptionHtml
      variants(first: 10) { nodes { id sku price compareAtPrice barcode title } }
    }
    userErrors { code field message }
  }
}
"""
BULK_RUN = """
mutation Run($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id } userErrors { message } }
}
"""
BULK_POLL = """
query Poll($id: ID!) { node(id: $id) { ... on BulkOperation { status url } } }
"""
PRODUCTS_BULK = """
{ products { edges { node { id title status
  variants { edges { node { id sku price inventoryItem { id } } } } } } } }
"""


@pytest.fixture
def shop():
    with ShopifySimulator(access_token=TOKEN, seed=3) as sim:
        yield sim


def call(shop, query, variables=None):
    response = requests.post(
        shop.graphql_url(VERSION),
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": TOKEN},
        timeout=10,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def variant_input(sku, price, **extra):
    return {
        "sku": sku,
        "price": price,
        "optionValues": [{"optionName": "Title", "name": "Default Title"}],
        **extra,
    }


def test_product_set_creates_then_updates_only_given_fields(shop):
    created = call(
        shop,
        PRODUCT_SET,
        {
            "input": {
                "title": "Linen Apron",
                "descriptionHtml": "<p>Washed linen</p>",
                "status": "ACTIVE",
                "productOptions": [
                    {"name": "Title", "values": [{"name": "Default Title"}]}
                ],
                "variants": [
                    variant_input(
                        "APR-LIN", "32.00", compareAtPrice="40.00", barcode="1"
                    )
                ],
            }
        },
    )["productSet"]
    assert created["userErrors"] == []
    product = created["product"]
    variant = product["variants"]["nodes"][0]
    assert (product["title"], product["status"]) == ("Linen Apron", "ACTIVE")
    assert product["descriptionHtml"] == "<p>Washed linen</p>"
    assert (variant["sku"], variant["price"], variant["compareAtPrice"]) == (
        "APR-LIN",
        "32.00",
        "40.00",
    )

    updated = call(
        shop,
        PRODUCT_SET,
        {
            "input": {
                "id": product["id"],
                "status": "ARCHIVED",
                "variants": [
                    {
                        "id": variant["id"],
                        "price": "30.00",
                        "optionValues": [
                            {"optionName": "Title", "name": "Default Title"}
                        ],
                    }
                ],
            }
        },
    )["productSet"]["product"]
    assert updated["title"] == "Linen Apron"
    assert updated["status"] == "ARCHIVED"
    (after,) = updated["variants"]["nodes"]
    assert (after["id"], after["sku"], after["price"], after["barcode"]) == (
        variant["id"],
        "APR-LIN",
        "30.00",
        "1",
    )


def test_product_set_user_errors_name_the_field(shop):
    answer = call(
        shop,
        PRODUCT_SET,
        {"input": {"title": "", "variants": [variant_input("X-1", "-1.00")]}},
    )["productSet"]
    assert answer["product"] is None
    errors = {(e["code"], tuple(e["field"])) for e in answer["userErrors"]}
    assert ("BLANK", ("input", "title")) in errors
    assert ("GREATER_THAN_OR_EQUAL_TO", ("input", "variants", "0", "price")) in errors
    missing = call(
        shop,
        PRODUCT_SET,
        {"input": {"id": "gid://shopify/Product/1", "title": "Gone"}},
    )["productSet"]["userErrors"]
    assert [e["code"] for e in missing] == ["PRODUCT_DOES_NOT_EXIST"]
    assert shop.store.count("Product") == 0


def test_product_set_sends_products_update_only_on_change(shop):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["X-Shopify-Topic"], json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        shop.subscribe("PRODUCTS_UPDATE", f"http://127.0.0.1:{server.server_port}/")
        product = shop.add_product("Tote Bag", [{"sku": "TOTE", "price": "15.00"}])
        gid = product["admin_graphql_api_id"]
        call(shop, PRODUCT_SET, {"input": {"id": gid, "title": "Tote Bag"}})
        call(shop, PRODUCT_SET, {"input": {"id": gid, "title": "Canvas Tote"}})
        assert shop.wait_for_deliveries(10)
    finally:
        server.shutdown()
    assert [topic for topic, _body in received] == ["products/update"]
    body = received[0][1]
    assert body["title"] == "Canvas Tote"
    assert body["admin_graphql_api_id"] == gid
    assert body["variants"][0]["sku"] == "TOTE"


def test_bulk_query_reads_products_with_their_variants(shop):
    shop.add_product(
        "Mug",
        [{"sku": "MUG-1", "price": "9.00"}, {"sku": "MUG-2", "price": "9.50"}],
    )
    shop.add_product("Cap", [{"sku": "CAP", "price": "20.00"}])
    operation = call(shop, BULK_RUN, {"query": PRODUCTS_BULK})["bulkOperationRunQuery"]
    operation_id = operation["bulkOperation"]["id"]
    status = None
    for _poll in range(5):
        status = call(shop, BULK_POLL, {"id": operation_id})["node"]
        if status["status"] == "COMPLETED":
            break
    lines = [
        json.loads(line)
        for line in requests.get(status["url"], timeout=10).text.splitlines()
    ]
    products = [line for line in lines if "__parentId" not in line]
    variants = [line for line in lines if "__parentId" in line]
    assert [p["title"] for p in products] == ["Mug", "Cap"]
    assert sorted(v["sku"] for v in variants) == ["CAP", "MUG-1", "MUG-2"]
    mug = products[0]["id"]
    assert {v["sku"] for v in variants if v["__parentId"] == mug} == {"MUG-1", "MUG-2"}
    assert all(v["inventoryItem"]["id"] for v in variants)
