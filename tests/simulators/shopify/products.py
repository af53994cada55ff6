"""``productSet`` and bulk reads of products with their variants.

``productSet`` creates a product (no ``id``) or updates one: product fields
left out of the input keep their value, and the ``variants`` list, when
given, is the whole list: listed variants are updated (by ``id``) or
created, the others are deleted. A change made through the API sends a
``products/update`` webhook with the REST product, as Shopify does.
"""

from decimal import InvalidOperation

from . import resolvers, timestamps
from .catalog import handleize, product_payload
from .inventory import _connection
from .money import dec, fmt
from .store import gid, parse_gid

PRODUCT_FIELDS = {
    "title": "title",
    "descriptionHtml": "body_html",
    "handle": "handle",
    "vendor": "vendor",
    "productType": "product_type",
}
DEFAULT_OPTION = "Title"
DEFAULT_VALUE = "Default Title"


def _error(code, field, message):
    return {"code": code, "field": field, "message": message}


def _money(value):
    """The decimal of a Money input, or None when it is not a number."""
    try:
        return dec(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


def _record_id(text, kind):
    parsed = parse_gid(text or "")
    if parsed is None or parsed[0] != kind:
        return None
    return parsed[1]


def _variant_errors(store, product, index, variant, seen_skus):
    field = ["input", "variants", str(index)]
    errors = []
    if variant.get("id"):
        existing = store.get(
            "ProductVariant", _record_id(variant["id"], "ProductVariant")
        )
        if (
            existing is None
            or product is None
            or existing["product_id"] != product["id"]
        ):
            errors.append(
                _error(
                    "PRODUCT_VARIANT_DOES_NOT_EXIST",
                    field + ["id"],
                    "Product variant does not exist",
                )
            )
    elif "price" not in variant:
        errors.append(_error("BLANK", field + ["price"], "Price can't be blank"))
    for name in ("price", "compareAtPrice"):
        if variant.get(name) is None:
            continue
        amount = _money(variant[name])
        if amount is None:
            errors.append(_error("INVALID_INPUT", field + [name], "Invalid money"))
        elif amount < 0:
            message = "Price must be greater than or equal to 0"
            errors.append(_error("GREATER_THAN_OR_EQUAL_TO", field + [name], message))
    sku = variant.get("sku")
    if sku:
        if sku in seen_skus:
            message = f"SKU '{sku}' is given to two variants"
            errors.append(_error("INVALID_INPUT", field + ["sku"], message))
        seen_skus.add(sku)
    return errors


def input_errors(store, product, data):
    """User errors of a productSet input against the product (None: create)."""
    errors = []
    if data.get("id") and product is None:
        errors.append(
            _error("PRODUCT_DOES_NOT_EXIST", ["input", "id"], "Product does not exist")
        )
        return errors
    if product is None and not (data.get("title") or "").strip():
        errors.append(_error("BLANK", ["input", "title"], "Title can't be blank"))
    if product is None and not data.get("variants"):
        message = "A product needs at least one variant"
        errors.append(_error("BLANK", ["input", "variants"], message))
    seen = set()
    for index, variant in enumerate(data.get("variants") or ()):
        errors += _variant_errors(store, product, index, variant, seen)
    return errors


def _variant_title(variant):
    names = [
        value.get("name") or ""
        for value in variant.get("optionValues") or ()
        if value.get("optionName") != DEFAULT_OPTION
    ]
    return " / ".join(name for name in names if name) or DEFAULT_VALUE


def _variant_values(variant):
    values = {}
    if "sku" in variant:
        values["sku"] = variant["sku"]
    if "barcode" in variant:
        values["barcode"] = variant["barcode"] or None
    if variant.get("price") is not None:
        values["price"] = fmt(dec(variant["price"]))
    if "compareAtPrice" in variant:
        compare_at = variant["compareAtPrice"]
        values["compare_at_price"] = fmt(dec(compare_at)) if compare_at else None
    if "taxable" in variant and variant["taxable"] is not None:
        values["taxable"] = variant["taxable"]
    if variant.get("optionValues"):
        values["title"] = _variant_title(variant)
    return values


def _create_variant(store, product_id, position, values, now):
    item_id = store.next_id()
    store.insert(
        "InventoryItem",
        {
            "id": item_id,
            "admin_graphql_api_id": gid("InventoryItem", item_id),
            "sku": values.get("sku"),
            "tracked": True,
            "created_at": now,
            "updated_at": now,
        },
    )
    variant_id = store.next_id()
    store.insert(
        "ProductVariant",
        {
            "id": variant_id,
            "admin_graphql_api_id": gid("ProductVariant", variant_id),
            "product_id": product_id,
            "title": DEFAULT_VALUE,
            "sku": None,
            "price": "0.00",
            "compare_at_price": None,
            "barcode": None,
            "grams": 0,
            "position": position,
            "taxable": True,
            "inventory_item_id": item_id,
            "inventory_quantity": 0,
            "inventory_policy": "deny",
            "created_at": now,
            "updated_at": now,
            **values,
        },
        parent_id=product_id,
    )


def _set_variants(store, product_id, variants, now):
    """Make the product's variants the listed ones; return whether any changed."""
    existing = {v["id"]: v for v in store.children("ProductVariant", product_id)}
    kept = set()
    changed = False
    for position, variant in enumerate(variants, start=1):
        values = {**_variant_values(variant), "position": position}
        variant_id = _record_id(variant.get("id"), "ProductVariant")
        if variant_id is None:
            _create_variant(store, product_id, position, values, now)
            changed = True
            continue
        kept.add(variant_id)
        record = existing[variant_id]
        if all(record.get(key) == value for key, value in values.items()):
            continue
        store.replace("ProductVariant", {**record, **values, "updated_at": now})
        if "sku" in values:
            item = store.get("InventoryItem", record["inventory_item_id"])
            store.replace("InventoryItem", {**item, "sku": values["sku"]})
        changed = True
    for variant_id in set(existing) - kept:
        store.delete("ProductVariant", variant_id)
        changed = True
    return changed


def _product_values(data):
    values = {
        key: data[name]
        for name, key in PRODUCT_FIELDS.items()
        if name in data and data[name] is not None
    }
    if data.get("status"):
        values["status"] = data["status"].lower()
    return values


def resolve_product_set(_root, info, input, synchronous=True):
    """Create or update a product with its variants, all or nothing."""
    context = info.context
    store = context.store
    with store.lock:
        product_id = _record_id(input.get("id"), "Product")
        product = store.get("Product", product_id) if product_id else None
        errors = input_errors(store, product, input)
        if errors:
            return {"product": None, "user_errors": errors}
        previous = timestamps.parse(product["updated_at"]) if product else None
        now = timestamps.rest(store.later_than(previous), context.shop.zone)
        values = _product_values(input)
        if product is None:
            product_id = store.next_id()
            product = store.insert(
                "Product",
                {
                    "id": product_id,
                    "admin_graphql_api_id": gid("Product", product_id),
                    "title": values["title"],
                    "body_html": "",
                    "handle": handleize(values["title"]),
                    "status": "active",
                    "vendor": None,
                    "product_type": "",
                    "tags": "",
                    "created_at": now,
                    "updated_at": now,
                    **values,
                },
            )
            _set_variants(store, product_id, input["variants"], now)
            return {"product": product, "user_errors": []}
        changed = any(product.get(key) != value for key, value in values.items())
        if input.get("variants") is not None:
            changed = (
                _set_variants(store, product_id, input["variants"], now) or changed
            )
        if changed:
            product = store.replace("Product", {**product, **values, "updated_at": now})
            payload = product_payload(store, product)
    if changed:
        emit = getattr(store, "on_webhook", None)
        if emit is not None:
            emit("products/update", payload)
    return {"product": product, "user_errors": []}


# Bulk reads ------------------------------------------------------------------


def resolve_products(root, info, query=None, **arguments):
    """Products page by page, or all of them inside a bulk operation."""
    if not getattr(info.context, "bulk", False):
        return resolvers.resolve_products(root, info, query=query, **arguments)
    records = resolvers.searched(
        info.context.store, "Product", query, resolvers.PRODUCT_SEARCH
    )
    return _connection(records, info, {})


def product_variants(product, info, **arguments):
    if not getattr(info.context, "bulk", False):
        return resolvers.product_variants(product, info, **arguments)
    variants = info.context.store.children("ProductVariant", product["id"])
    return _connection(variants, info, {})


FIELD_RESOLVERS = {
    "QueryRoot": {"products": resolve_products},
    "Mutation": {"productSet": resolve_product_set},
    "Product": {
        "descriptionHtml": lambda product, _info: product.get("body_html") or "",
        "variants": product_variants,
    },
}

TYPE_RESOLVERS = {}
