"""GraphQL resolvers: Shopify's GraphQL view of the REST-shaped records.

A field without a resolver here reads the record key that is its name in
snake_case (``totalPriceSet`` → ``total_price_set``), which is how most
GraphQL fields map onto REST ones. The tables below handle the rest:
global ids, enums, UTC timestamps, connections and computed amounts.
"""

import functools
import re

from graphql import GraphQLError

from . import pagination, search, timestamps, webhooks
from .money import ZERO, dec, fmt
from .store import parse_gid

FULFILLMENT_DISPLAY = {
    None: "UNFULFILLED",
    "partial": "PARTIALLY_FULFILLED",
    "fulfilled": "FULFILLED",
    "restocked": "RESTOCKED",
}
DISCOUNT_TYPES = {
    "discount_code": "DiscountCodeApplication",
    "manual": "ManualDiscountApplication",
    "automatic": "AutomaticDiscountApplication",
    "script": "ScriptDiscountApplication",
}


@functools.cache
def snake_case(name):
    """``totalPriceSet`` → ``total_price_set``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def default_resolver(source, info, **_arguments):
    """Read the snake_case key of a record (the default field resolver)."""
    return source.get(snake_case(info.field_name))


# Small resolver factories ----------------------------------------------------


def key(name):
    """Resolve to ``record[name]``."""
    return lambda record, _info: record.get(name)


def upper(name):
    """Resolve to ``record[name]`` as an enum value (upper case), or None."""

    def resolve(record, _info):
        value = record.get(name)
        return value.upper() if value else None

    return resolve


def utc(name):
    """Resolve to ``record[name]`` as a GraphQL UTC ``DateTime``."""
    return lambda record, _info: timestamps.graphql(record.get(name))


def global_id(record, _info):
    return record["admin_graphql_api_id"]


def legacy_id(record, _info):
    return str(record["id"])


def tag_list(record, _info):
    return [tag.strip() for tag in (record.get("tags") or "").split(",") if tag.strip()]


def record_by_gid(kind):
    """Resolve ``(id:)`` to the record of ``kind`` with that global id, or None."""

    def resolve(_root, info, id):
        parsed = parse_gid(id)
        if parsed is None:
            raise GraphQLError(f"Invalid global id '{id}'")
        found_kind, record_id = parsed
        if found_kind != kind:
            return None
        return info.context.store.get(kind, record_id)

    return resolve


def linked(kind, field):
    """Resolve to the record of ``kind`` whose id is in ``record[field]``."""
    return lambda record, info: info.context.store.get(kind, record.get(field))


def with_order(items, order):
    """Give nested records a reference to their order (for discounts, currency)."""
    return [{**item, "_order": order} for item in items]


def page(records, sort_key, arguments):
    """Paginate ``records`` with the connection ``arguments`` of a field."""
    return pagination.connection(
        records,
        sort_key,
        first=arguments.get("first"),
        after=arguments.get("after"),
        last=arguments.get("last"),
        before=arguments.get("before"),
        reverse=arguments.get("reverse", False),
    )


def by_position(item):
    return (item["_position"],)


def positioned(items):
    return [{**item, "_position": index} for index, item in enumerate(items)]


def by_id(record):
    return (record["id"],)


def time_key(name):
    """Sort key on a timestamp field, ties broken by id."""
    return lambda record: (timestamps.epoch_micros(record[name]), record["id"])


# MoneyBag arithmetic on REST bags --------------------------------------------


def bag_map(function, *bags):
    """Apply ``function`` to the amounts of each side of REST MoneyBags."""
    result = {}
    for side in ("shop_money", "presentment_money"):
        amounts = [dec(bag[side]["amount"]) for bag in bags]
        result[side] = {
            "amount": fmt(function(*amounts)),
            "currency_code": bags[0][side]["currency_code"],
        }
    return result


def zero_bag(order):
    """A zero MoneyBag in the order's two currencies."""
    return bag_map(lambda amount: ZERO, order["total_price_set"])


# Root fields -----------------------------------------------------------------

ORDER_SEARCH = {
    "created_at": lambda order: timestamps.parse(order["created_at"]),
    "updated_at": lambda order: timestamps.parse(order["updated_at"]),
    "processed_at": lambda order: timestamps.parse(order["processed_at"]),
    "id": lambda order: order["id"],
    "name": lambda order: order["name"],
    "email": lambda order: order["email"],
    "financial_status": lambda order: order["financial_status"],
    "fulfillment_status": lambda order: order["fulfillment_status"] or "unfulfilled",
    "test": lambda order: order["test"],
    "sku": lambda order: [item["sku"] for item in order["line_items"] if item["sku"]],
    "status": lambda order: ["any", order_status(order)],
}
ORDER_SORT = {
    "ID": by_id,
    "CREATED_AT": time_key("created_at"),
    "UPDATED_AT": time_key("updated_at"),
    "PROCESSED_AT": time_key("processed_at"),
}
PRODUCT_SEARCH = {
    "id": lambda product: product["id"],
    "title": lambda product: product["title"],
    "handle": lambda product: product["handle"],
    "status": lambda product: product["status"],
    "vendor": lambda product: product["vendor"],
    "product_type": lambda product: product["product_type"],
    "created_at": lambda product: timestamps.parse(product["created_at"]),
    "updated_at": lambda product: timestamps.parse(product["updated_at"]),
}
VARIANT_SEARCH = {
    "id": lambda variant: variant["id"],
    "sku": lambda variant: variant["sku"],
    "barcode": lambda variant: variant["barcode"],
    "title": lambda variant: variant["title"],
    "product_id": lambda variant: variant["product_id"],
    "updated_at": lambda variant: timestamps.parse(variant["updated_at"]),
}


def order_status(order):
    """Shopify's ``status`` search value: open, closed or cancelled."""
    if order["cancelled_at"]:
        return "cancelled"
    return "closed" if order["closed_at"] else "open"


def searched(store, kind, query, fields):
    terms = search.parse(query)
    return [
        record for record in store.all(kind) if search.matches(record, terms, fields)
    ]


def resolve_shop(_root, info):
    shop = info.context.shop
    return {
        "id": f"gid://shopify/Shop/{shop.id}",
        "name": shop.name,
        "email": f"owner@{shop.domain}",
        "myshopify_domain": shop.domain,
        "currency_code": shop.currency,
        "iana_timezone": shop.timezone,
    }


def resolve_orders(_root, info, query=None, sortKey="ID", **arguments):
    orders = searched(info.context.store, "Order", query, ORDER_SEARCH)
    return page(orders, ORDER_SORT[sortKey], arguments)


def resolve_products(_root, info, query=None, **arguments):
    products = searched(info.context.store, "Product", query, PRODUCT_SEARCH)
    if query:
        terms = [term for term in search.parse(query) if term.field == "sku"]
        if terms:
            products = [p for p in products if _has_sku(info.context.store, p, terms)]
    return page(products, by_id, arguments)


def _has_sku(store, product, terms):
    variants = store.children("ProductVariant", product["id"])
    return any(search.matches(variant, terms, VARIANT_SEARCH) for variant in variants)


def resolve_variants(_root, info, query=None, **arguments):
    variants = searched(info.context.store, "ProductVariant", query, VARIANT_SEARCH)
    return page(variants, by_id, arguments)


def resolve_locations(_root, info, includeInactive=False, **arguments):
    locations = [
        location
        for location in info.context.store.all("Location")
        if includeInactive or location["active"]
    ]
    return page(locations, by_id, arguments)


def resolve_subscriptions(_root, info, topics=None, **arguments):
    wanted = {webhooks.TOPICS[topic] for topic in topics or ()}
    subscriptions = [
        subscription
        for subscription in info.context.store.all("WebhookSubscription")
        if not wanted or subscription["topic"] in wanted
    ]
    return page(subscriptions, by_id, arguments)


# Mutations -------------------------------------------------------------------


def resolve_subscription_create(_root, info, topic, webhookSubscription):
    context = info.context
    if webhookSubscription.get("format") not in (None, "JSON"):
        message = "The simulator delivers JSON webhooks only"
        errors = [{"field": ["webhookSubscription", "format"], "message": message}]
        return {"webhook_subscription": None, "user_errors": errors}
    address = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl")
    subscription, errors = webhooks.create_subscription(
        context.store,
        context.shop.zone,
        topic,
        address,
        context.api_version,
        webhookSubscription.get("includeFields"),
    )
    return {"webhook_subscription": subscription, "user_errors": errors}


def resolve_subscription_delete(_root, info, id):
    parsed = parse_gid(id)
    store = info.context.store
    if parsed and parsed[0] == "WebhookSubscription" and store.delete(*parsed):
        return {"deleted_webhook_subscription_id": id, "user_errors": []}
    error = {"field": ["id"], "message": "Webhook subscription does not exist"}
    return {"deleted_webhook_subscription_id": None, "user_errors": [error]}


# Order and its parts ---------------------------------------------------------


def order_transactions(order, info, first=None):
    transactions = info.context.store.children("OrderTransaction", order["id"])
    return transactions if first is None else transactions[:first]


def order_refunded(order, _info):
    amounts = [
        transaction["amount_set"]
        for refund in order.get("refunds") or ()
        for transaction in refund.get("transactions") or ()
        if "amount_set" in transaction
    ]
    return bag_map(lambda *values: sum(values, ZERO), zero_bag(order), *amounts)


def order_refunds(order, _info, first=None):
    refunds = [{**refund, "_order": order} for refund in order.get("refunds") or ()]
    return refunds if first is None else refunds[:first]


def refund_line_items(refund, _info, **arguments):
    order = refund["_order"]
    items = {item["id"]: item for item in order["line_items"]}
    lines = [
        {**line, "_item": {**items[line["line_item_id"]], "_order": order}}
        for line in refund["refund_line_items"]
    ]
    return page(positioned(lines), by_position, arguments)


def refund_shipping_lines(refund, _info, **arguments):
    order = refund["_order"]
    shipping = {line["id"]: line for line in order["shipping_lines"]}
    lines = [
        {**line, "_shipping": {**shipping[line["shipping_line_id"]], "_order": order}}
        for line in refund["refund_shipping_lines"]
    ]
    return page(positioned(lines), by_position, arguments)


def refund_adjustments(refund, _info, **arguments):
    return page(positioned(refund["order_adjustments"]), by_position, arguments)


def refund_transactions(refund, _info, **arguments):
    return page(positioned(refund["transactions"]), by_position, arguments)


def refund_total(refund, _info):
    bags = [transaction["amount_set"] for transaction in refund["transactions"]]
    return bag_map(lambda *values: sum(values, ZERO), zero_bag(refund["_order"]), *bags)


def refund_line_price(line, _info):
    return bag_map(lambda subtotal: subtotal / line["quantity"], line["subtotal_set"])


def order_discount_applications(order, _info, **arguments):
    applications = [
        {**application, "index": index, "_order": order, "_position": index}
        for index, application in enumerate(order["discount_applications"])
    ]
    return page(applications, by_position, arguments)


def order_line_items(order, _info, **arguments):
    items = positioned(with_order(order["line_items"], order))
    return page(items, by_position, arguments)


def order_shipping_lines(order, _info, **arguments):
    lines = positioned(with_order(order["shipping_lines"], order))
    return page(lines, by_position, arguments)


def line_original_total(item, _info):
    return bag_map(lambda price: price * item["quantity"], item["price_set"])


def line_discounted_total(item, info):
    """Original total minus line-level discounts; order-wide codes are not in it."""
    applications = item["_order"]["discount_applications"]
    line_level = [
        allocation["amount_set"]
        for allocation in item["discount_allocations"]
        if applications[allocation["discount_application_index"]]["target_selection"]
        != "all"
    ]
    return bag_map(
        lambda total, *discounts: total - sum(discounts, ZERO),
        line_original_total(item, info),
        *line_level,
    )


def line_discounted_unit(item, info):
    return bag_map(
        lambda total: total / item["quantity"], line_discounted_total(item, info)
    )


def allocations(record, _info):
    return with_order(record["discount_allocations"], record["_order"])


def allocation_application(allocation, _info):
    index = allocation["discount_application_index"]
    order = allocation["_order"]
    return {**order["discount_applications"][index], "index": index, "_order": order}


def application_value(application, _info):
    if application["value_type"] == "percentage":
        return {"percentage": float(application["value"])}
    currency = application["_order"]["presentment_currency"]
    return {"amount": application["value"], "currency_code": currency}


def first_items(name):
    """Resolve a list field with an optional ``first`` argument."""

    def resolve(record, _info, first=None):
        items = record.get(name) or []
        return items if first is None else items[:first]

    return resolve


def customer_display_name(customer, _info):
    names = [customer.get("first_name"), customer.get("last_name")]
    return " ".join(name for name in names if name) or customer.get("email") or ""


def variant_display_name(variant, info):
    product = info.context.store.get("Product", variant["product_id"])
    return f"{product['title']} - {variant['title']}"


def product_variants(product, info, **arguments):
    variants = info.context.store.children("ProductVariant", product["id"])
    return page(
        variants, lambda variant: (variant["position"], variant["id"]), arguments
    )


DISCOUNT_APPLICATION_FIELDS = {
    "allocationMethod": upper("allocation_method"),
    "targetSelection": upper("target_selection"),
    "targetType": upper("target_type"),
    "value": application_value,
}
TIMESTAMPED = {"createdAt": utc("created_at"), "updatedAt": utc("updated_at")}
IDENTIFIED = {"id": global_id, "legacyResourceId": legacy_id}

FIELD_RESOLVERS = {
    "QueryRoot": {
        "shop": resolve_shop,
        "order": record_by_gid("Order"),
        "orders": resolve_orders,
        "product": record_by_gid("Product"),
        "products": resolve_products,
        "productVariant": record_by_gid("ProductVariant"),
        "productVariants": resolve_variants,
        "locations": resolve_locations,
        "webhookSubscription": record_by_gid("WebhookSubscription"),
        "webhookSubscriptions": resolve_subscriptions,
    },
    "Mutation": {
        "webhookSubscriptionCreate": resolve_subscription_create,
        "webhookSubscriptionDelete": resolve_subscription_delete,
    },
    "Order": {
        **IDENTIFIED,
        **TIMESTAMPED,
        "processedAt": utc("processed_at"),
        "cancelledAt": utc("cancelled_at"),
        "closedAt": utc("closed_at"),
        "cancelReason": upper("cancel_reason"),
        "currencyCode": key("currency"),
        "presentmentCurrencyCode": key("presentment_currency"),
        "displayFinancialStatus": upper("financial_status"),
        "displayFulfillmentStatus": lambda order, _info: FULFILLMENT_DISPLAY[
            order["fulfillment_status"]
        ],
        "tags": tag_list,
        "totalRefundedSet": order_refunded,
        "discountCodes": lambda order, _info: [
            c["code"] for c in order["discount_codes"]
        ],
        "discountApplications": order_discount_applications,
        "lineItems": order_line_items,
        "shippingLines": order_shipping_lines,
        "transactions": order_transactions,
        "refunds": order_refunds,
    },
    "Refund": {
        **IDENTIFIED,
        "createdAt": utc("created_at"),
        "updatedAt": utc("created_at"),
        "order": lambda refund, _info: refund["_order"],
        "totalRefundedSet": refund_total,
        "refundLineItems": refund_line_items,
        "refundShippingLines": refund_shipping_lines,
        "orderAdjustments": refund_adjustments,
        "transactions": refund_transactions,
    },
    "RefundLineItem": {
        "id": lambda line, _info: f"gid://shopify/RefundLineItem/{line['id']}",
        "lineItem": key("_item"),
        "restockType": upper("restock_type"),
        "restocked": lambda line, _info: line["restock_type"] != "no_restock",
        "location": linked("Location", "location_id"),
        "priceSet": refund_line_price,
    },
    "RefundShippingLine": {
        "id": lambda line, _info: f"gid://shopify/RefundShippingLine/{line['id']}",
        "shippingLine": key("_shipping"),
    },
    "OrderAdjustment": {
        "id": lambda adjustment, _info: (
            f"gid://shopify/OrderAdjustment/{adjustment['id']}"
        ),
        "reason": lambda adjustment, _info: adjustment["kind"].upper(),
    },
    "Customer": {**IDENTIFIED, "displayName": customer_display_name},
    "MailingAddress": {"countryCodeV2": key("country_code")},
    "TaxLine": {
        "ratePercentage": lambda tax, _info: round(tax["rate"] * 100, 4),
    },
    "LineItem": {
        "id": global_id,
        "isGiftCard": key("gift_card"),
        "variant": linked("ProductVariant", "variant_id"),
        "product": linked("Product", "product_id"),
        "originalUnitPriceSet": key("price_set"),
        "originalTotalSet": line_original_total,
        "discountedTotalSet": line_discounted_total,
        "discountedUnitPriceSet": line_discounted_unit,
        "discountAllocations": allocations,
        "taxLines": first_items("tax_lines"),
    },
    "ShippingLine": {
        "id": lambda line, _info: f"gid://shopify/ShippingLine/{line['id']}",
        "originalPriceSet": key("price_set"),
        "discountAllocations": allocations,
    },
    "DiscountAllocation": {
        "allocatedAmountSet": key("amount_set"),
        "discountApplication": allocation_application,
    },
    **dict.fromkeys(DISCOUNT_TYPES.values(), DISCOUNT_APPLICATION_FIELDS),
    "OrderTransaction": {
        "id": global_id,
        "kind": upper("kind"),
        "status": upper("status"),
        "createdAt": utc("created_at"),
        "processedAt": utc("processed_at"),
        "parentTransaction": linked("OrderTransaction", "parent_id"),
    },
    "Product": {
        **IDENTIFIED,
        **TIMESTAMPED,
        "status": upper("status"),
        "tags": tag_list,
        "variants": product_variants,
    },
    "ProductVariant": {
        **IDENTIFIED,
        **TIMESTAMPED,
        "displayName": variant_display_name,
        "inventoryItem": linked("InventoryItem", "inventory_item_id"),
        "product": linked("Product", "product_id"),
    },
    "InventoryItem": IDENTIFIED,
    "Location": {**IDENTIFIED, "isActive": key("active")},
    "WebhookSubscription": {
        **IDENTIFIED,
        **TIMESTAMPED,
        "topic": lambda subscription, _info: webhooks.TOPIC_ENUMS[
            subscription["topic"]
        ],
        "uri": key("address"),
        "callbackUrl": key("address"),
        "format": upper("format"),
        "apiVersion": lambda subscription, _info: {
            "handle": subscription["api_version"],
            "display_name": subscription["api_version"],
            "supported": True,
        },
    },
}

TYPE_RESOLVERS = {
    "DiscountApplication": lambda application, _info, _type: DISCOUNT_TYPES[
        application["type"]
    ],
    "PricingValue": lambda value, _info, _type: (
        "PricingPercentageValue" if "percentage" in value else "MoneyV2"
    ),
}
