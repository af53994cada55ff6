"""Products, variants, inventory items and locations in the REST shape."""

import re

from . import timestamps
from .money import dec, fmt
from .store import gid


def handleize(title):
    """Return the URL handle Shopify derives from a product title."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def add_product(store, zone, title, variants, **fields):
    """Create a product with its variants and their inventory items.

    ``variants`` are dicts with ``sku``, ``price`` and optionally ``title``,
    ``barcode``, ``compare_at_price``, ``grams`` and ``inventory_quantity``.
    ``fields`` may set ``vendor``, ``product_type``, ``handle``, ``status`` and
    ``tags``. Returns the REST product payload (variants embedded).
    """
    if not variants:
        raise ValueError(f"product {title!r} needs at least one variant")
    with store.lock:
        now = timestamps.rest(store.now(), zone)
        product_id = store.next_id()
        store.insert(
            "Product",
            {
                "id": product_id,
                "admin_graphql_api_id": gid("Product", product_id),
                "title": title,
                "handle": fields.get("handle") or handleize(title),
                "status": fields.get("status", "active"),
                "vendor": fields.get("vendor"),
                "product_type": fields.get("product_type", ""),
                "tags": fields.get("tags", ""),
                "created_at": now,
                "updated_at": now,
            },
        )
        for position, spec in enumerate(variants, start=1):
            _add_variant(store, product_id, position, spec, now)
        return product_payload(store, store.get("Product", product_id))


def _add_variant(store, product_id, position, spec, now):
    """Create one variant and the inventory item that tracks its stock."""
    item_id = store.next_id()
    store.insert(
        "InventoryItem",
        {
            "id": item_id,
            "admin_graphql_api_id": gid("InventoryItem", item_id),
            "sku": spec["sku"],
            "tracked": True,
            "created_at": now,
            "updated_at": now,
        },
    )
    variant_id = store.next_id()
    compare_at = spec.get("compare_at_price")
    store.insert(
        "ProductVariant",
        {
            "id": variant_id,
            "admin_graphql_api_id": gid("ProductVariant", variant_id),
            "product_id": product_id,
            "title": spec.get("title", "Default Title"),
            "sku": spec["sku"],
            "price": fmt(dec(spec["price"])),
            "compare_at_price": fmt(dec(compare_at)) if compare_at else None,
            "barcode": spec.get("barcode"),
            "grams": spec.get("grams", 0),
            "position": position,
            "taxable": spec.get("taxable", True),
            "inventory_item_id": item_id,
            "inventory_quantity": spec.get("inventory_quantity", 0),
            "inventory_policy": "deny",
            "created_at": now,
            "updated_at": now,
        },
        parent_id=product_id,
    )


def product_payload(store, product):
    """Return a product with its variants embedded, as REST and webhooks show it."""
    return {**product, "variants": store.children("ProductVariant", product["id"])}


def variant_by_sku(store, sku):
    """Return the first variant whose SKU is ``sku``, or None."""
    for variant in store.all("ProductVariant"):
        if variant["sku"] == sku:
            return variant
    return None


def add_location(store, name, active=True):
    """Create a stock location and return it."""
    location_id = store.next_id()
    return store.insert(
        "Location",
        {
            "id": location_id,
            "admin_graphql_api_id": gid("Location", location_id),
            "name": name,
            "active": active,
        },
    )


def ean13(stem):
    """Return a 13-digit EAN barcode: the 12-digit ``stem`` plus its check digit."""
    total = sum(
        int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(stem)
    )
    return f"{stem}{(10 - total % 10) % 10}"


def _sized(prefix, price, sizes, stem):
    """Variants of one product in several sizes, with barcodes."""
    return [
        {
            "title": size,
            "sku": f"{prefix}-{size}",
            "price": price,
            "barcode": ean13(f"{stem}{index:02d}"),
            "inventory_quantity": 40,
        }
        for index, size in enumerate(sizes, start=1)
    ]


def _single(sku, price, stem):
    """The only variant of a product without options."""
    return [
        {
            "sku": sku,
            "price": price,
            "barcode": ean13(f"{stem}01"),
            "inventory_quantity": 25,
        }
    ]


def demo_catalog():
    """Return a dozen apparel and homeware products as ``add_product`` arguments."""
    apparel, homeware = "Apparel", "Homeware"
    return [
        (
            "Organic Cotton Tee",
            "Northwind Basics",
            apparel,
            _sized("TEE-ORG", "24.00", ("S", "M", "L", "XL"), "5060001001"),
        ),
        (
            "Merino Crew Sweater",
            "Northwind Basics",
            apparel,
            _sized("SWT-MER", "89.00", ("S", "M", "L"), "5060001002"),
        ),
        (
            "Everyday Hoodie",
            "Northwind Basics",
            apparel,
            _sized("HOD-EVD", "59.50", ("S", "M", "L", "XL"), "5060001003"),
        ),
        (
            "Slim Chino Trousers",
            "Harbour & Co",
            apparel,
            _sized("CHN-SLM", "65.00", ("30", "32", "34", "36"), "5060001004"),
        ),
        (
            "Wool Blend Socks (3 pack)",
            "Harbour & Co",
            apparel,
            _single("SCK-WOL-3PK", "18.90", "5060001005"),
        ),
        (
            "Canvas Baseball Cap",
            "Harbour & Co",
            apparel,
            _single("CAP-CNV", "22.00", "5060001006"),
        ),
        (
            "Stoneware Mug",
            "Fieldhouse",
            homeware,
            _sized("MUG-STN", "14.50", ("Sand", "Slate", "Moss"), "5060002001"),
        ),
        (
            "Linen Tea Towels (set of 2)",
            "Fieldhouse",
            homeware,
            _single("TWL-LIN-2", "19.99", "5060002002"),
        ),
        (
            "Soy Wax Candle",
            "Fieldhouse",
            homeware,
            _sized("CND-SOY", "27.00", ("Fig", "Cedar", "Citrus"), "5060002003"),
        ),
        (
            "Chunky Knit Throw",
            "Loom Studio",
            homeware,
            _single("THR-KNT", "79.00", "5060002004"),
        ),
        (
            "Cushion Cover 45 cm",
            "Loom Studio",
            homeware,
            _sized("CSH-45", "29.95", ("Ochre", "Ink", "Natural"), "5060002005"),
        ),
        (
            "Ceramic Planter",
            "Loom Studio",
            homeware,
            _sized("PLT-CER", "34.00", ("Small", "Large"), "5060002006"),
        ),
    ]
