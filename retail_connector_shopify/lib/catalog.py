"""Catalogue documents and helpers, free of any Odoo model.

A product goes to Shopify in one ``productSet`` call carrying its variants;
the connector reads the whole shop's catalogue back through a bulk query.
"""

import time

from .bulk import run_bulk_query

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


def read_catalog(client, sleep=time.sleep, timeout=None):
    """Every product and variant of the shop, through one bulk read."""
    return run_bulk_query(client, PRODUCTS_BULK_QUERY, "the catalogue", sleep, timeout)


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
