"""Catalogue documents and helpers, free of any Odoo model.

A product goes to Shopify in one ``productSet`` call carrying its variants;
the connector reads the whole shop's catalogue back through a bulk query.
"""

import json
import time

from odoo.addons.retail_connector_base.exceptions import BusinessError, RetryableError

from .. import const
from . import queries

PRODUCT_SET = """
mutation ProductSet($input: ProductSetInput!, $synchronous: Boolean!) {
  productSet(input: $input, synchronous: $synchronous) {
    product {
      id
      updatedAt
      variants(first: 250) {
        nodes { id sku inventoryItem { id } }
      }
    }
    userErrors { code field message }
  }
}
"""

VARIANT_BY_SKU = """
query VariantBySku($query: String!) {
  productVariants(first: 2, query: $query) {
    nodes { id sku product { id } }
  }
}
"""

PRODUCT_VARIANTS = """
query ProductVariants($id: ID!) {
  product(id: $id) {
    id
    variants(first: 250) {
      nodes { id sku inventoryItem { id } }
    }
  }
}
"""

PRODUCTS_BULK_QUERY = """
{
  products {
    edges {
      node {
        id
        title
        status
        variants {
          edges {
            node { id sku title barcode price inventoryItem { id } }
          }
        }
      }
    }
  }
}
"""


def sku_query(sku):
    """Search expression of the variants with exactly this SKU."""
    return 'sku:"{}"'.format(sku.replace("\\", "\\\\").replace('"', '\\"'))


def error_field(error):
    """``(variant index or None, input field name)`` of a productSet user
    error, from its path (``["input", "variants", "0", "price"]``)."""
    path = [str(part) for part in error.get("field") or ()]
    if len(path) >= 3 and path[1] == "variants" and path[2].isdigit():
        return int(path[2]), path[3] if len(path) > 3 else None
    return None, path[1] if len(path) > 1 else None


def run_bulk_query(client, query, sleep=time.sleep, timeout=None):
    """Run one bulk query; return the records of its JSONL result, in order
    (children of nested connections carry ``__parentId``)."""
    timeout = const.BULK_POLL_TIMEOUT_SECONDS if timeout is None else timeout
    started = client.execute(
        queries.BULK_OPERATION_RUN_QUERY,
        {"query": query},
        expected_cost=const.MUTATION_COST,
    )["bulkOperationRunQuery"]
    if started["userErrors"]:
        raise BusinessError(
            "Shopify refused the bulk read of the catalogue: "
            + "; ".join(error["message"] for error in started["userErrors"]),
            code="bulk_refused",
        )
    operation_id = started["bulkOperation"]["id"]
    deadline = time.monotonic() + timeout
    while True:
        operation = client.execute(
            queries.BULK_OPERATION, {"id": operation_id}, expected_cost=1
        )["node"]
        if operation["status"] in const.BULK_DONE_STATUSES:
            break
        if time.monotonic() > deadline:
            raise RetryableError(
                f"The bulk read of the catalogue {operation_id} is still running."
            )
        sleep(const.BULK_POLL_SECONDS)
    if operation["status"] != "COMPLETED":
        raise RetryableError(
            f"The bulk read of the catalogue ended {operation['status']} "
            f"({operation.get('errorCode')})."
        )
    if not operation.get("url"):
        return []  # an empty shop: Shopify gives no file
    response = client.session.get(operation["url"], timeout=client.timeout)
    if response.status_code != 200:
        raise RetryableError(
            f"Downloading the bulk result failed: HTTP {response.status_code}"
        )
    return [json.loads(line) for line in response.text.splitlines() if line.strip()]


def split_catalog(records):
    """``(products by gid, variants)`` of a products-with-variants bulk result;
    each variant dict carries its product gid in ``__parentId``."""
    products = {}
    variants = []
    for record in records:
        if "__parentId" in record:
            variants.append(record)
        else:
            products[record["id"]] = record
    return products, variants
