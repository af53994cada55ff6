"""Fulfilment orders and ``fulfillmentCreate``.

Every order has one fulfilment order, made on first read, with one line per
line item that requires shipping. What is left to ship is the order line's
``fulfillable_quantity`` (which refunds of unshipped goods lower already), so
the order record stays the only truth: a fulfilment lowers it, sets the
line's and the order's ``fulfillment_status`` and is appended to the order's
``fulfillments`` in its REST shape. A request for more than what remains is
refused with a user error, so the same quantities can never ship twice.
"""

from graphql import GraphQLError

from . import timestamps
from .resolvers import by_id, by_position, global_id, page, positioned, utc
from .store import gid, parse_gid

NOT_FULFILLABLE = ("CANCELLED", "CLOSED")


def _shippable(order):
    return [item for item in order["line_items"] if item.get("requires_shipping")]


def fulfillment_order(store, zone, order):
    """The order's fulfilment order, made (or given new lines) when needed."""
    with store.lock:
        meta = store.meta("Order", order["id"])
        record = store.get("FulfillmentOrder", meta.get("fulfillment_order_id"))
        lines = dict(record["lines"]) if record else {}
        missing = [item for item in _shippable(order) if item["id"] not in lines]
        if record is not None and not missing:
            return record
        for item in missing:
            lines[item["id"]] = store.next_id()
        now = timestamps.rest(store.now(), zone)
        if record is None:
            record_id = store.next_id()
            record = store.insert(
                "FulfillmentOrder",
                {
                    "id": record_id,
                    "admin_graphql_api_id": gid("FulfillmentOrder", record_id),
                    "order_id": order["id"],
                    "created_at": now,
                    "updated_at": now,
                    "lines": lines,
                },
                parent_id=order["id"],
            )
            meta["fulfillment_order_id"] = record_id
            return record
        return store.replace(
            "FulfillmentOrder", {**record, "lines": lines, "updated_at": now}
        )


def _lines(store, record):
    """``[(line id, order line item)]`` of a fulfilment order, current values."""
    order = store.get("Order", record["order_id"])
    items = {item["id"]: item for item in order["line_items"]}
    return [
        (line_id, {**items[item_id], "_order": order})
        for item_id, line_id in record["lines"].items()
        if item_id in items
    ]


def status(store, record):
    order = store.get("Order", record["order_id"])
    if order["cancelled_at"]:
        return "CANCELLED"
    lines = _lines(store, record)
    remaining = sum(item["fulfillable_quantity"] for _id, item in lines)
    shipped = any(
        line["line_item_id"] in record["lines"]
        for fulfillment in order.get("fulfillments") or ()
        for line in fulfillment["fulfillment_lines"]
    )
    if not remaining:
        return "CLOSED"
    return "IN_PROGRESS" if shipped else "OPEN"


# Resolvers -------------------------------------------------------------------


def order_fulfillment_orders(order, info, **arguments):
    context = info.context
    records = [fulfillment_order(context.store, context.shop.zone, order)]
    return page(records, by_id, arguments)


def order_fulfillments(order, _info, first=None):
    fulfillments = [
        {**fulfillment, "_order": order} for fulfillment in order["fulfillments"]
    ]
    return fulfillments if first is None else fulfillments[:first]


def fo_line_items(record, info, **arguments):
    lines = [
        {"id": line_id, "_item": item}
        for line_id, item in _lines(info.context.store, record)
    ]
    return page(positioned(lines), by_position, arguments)


def fo_line_total(line, _info):
    item = line["_item"]
    return item["fulfillable_quantity"] + sum(
        shipped["quantity"]
        for fulfillment in item["_order"].get("fulfillments") or ()
        for shipped in fulfillment["fulfillment_lines"]
        if shipped["line_item_id"] == item["id"]
    )


def fulfillment_line_items(fulfillment, _info, **arguments):
    order = fulfillment["_order"]
    items = {item["id"]: item for item in order["line_items"]}
    lines = [
        {**line, "_item": {**items[line["line_item_id"]], "_order": order}}
        for line in fulfillment["fulfillment_lines"]
    ]
    return page(positioned(lines), by_position, arguments)


def tracking_info(fulfillment, _info, first=None):
    numbers = fulfillment["tracking_numbers"]
    urls = fulfillment["tracking_urls"]
    infos = [
        {
            "company": fulfillment["tracking_company"],
            "number": number,
            "url": urls[index] if index < len(urls) else None,
        }
        for index, number in enumerate(numbers)
    ]
    if not infos and fulfillment["tracking_company"]:
        infos = [{"company": fulfillment["tracking_company"], "number": None}]
    return infos if first is None else infos[:first]


# fulfillmentCreate -----------------------------------------------------------


def _error(field, message):
    return {"field": field, "message": message}


def _requested(store, groups):
    """``({line item id: quantity}, errors, fulfilment order ids)`` of the input."""
    wanted = {}
    errors = []
    record_ids = []
    for index, group in enumerate(groups):
        field = ["fulfillment", "lineItemsByFulfillmentOrder", str(index)]
        parsed = parse_gid(group["fulfillmentOrderId"])
        record = None
        if parsed and parsed[0] == "FulfillmentOrder":
            record = store.get("FulfillmentOrder", parsed[1])
        if record is None:
            errors.append(
                _error(field + ["fulfillmentOrderId"], "Fulfillment order not found.")
            )
            continue
        if status(store, record) in NOT_FULFILLABLE:
            message = (
                f"Fulfillment order {group['fulfillmentOrderId']} has an "
                f"unfulfillable status= {status(store, record).lower()}."
            )
            errors.append(_error(field + ["fulfillmentOrderId"], message))
            continue
        record_ids.append(record["id"])
        lines = dict(_lines(store, record))
        requested = group.get("fulfillmentOrderLineItems")
        if requested is None:
            requested = [
                {"id": gid("FulfillmentOrderLineItem", line_id), "quantity": q}
                for line_id, item in lines.items()
                if (q := item["fulfillable_quantity"])
            ]
        for position, line in enumerate(requested):
            line_field = field + ["fulfillmentOrderLineItems", str(position)]
            parsed = parse_gid(line["id"])
            line_id = None
            if parsed and parsed[0] == "FulfillmentOrderLineItem":
                line_id = parsed[1]
            if line_id not in lines:
                errors.append(
                    _error(
                        line_field + ["id"],
                        "Fulfillment order line item does not belong to the "
                        "fulfillment order.",
                    )
                )
                continue
            item = lines[line_id]
            total = wanted.get(item["id"], 0) + line["quantity"]
            if line["quantity"] <= 0 or total > item["fulfillable_quantity"]:
                errors.append(
                    _error(
                        line_field + ["quantity"],
                        "Invalid fulfillment order line item quantity requested.",
                    )
                )
                continue
            wanted[item["id"]] = total
    if not errors and not wanted:
        errors.append(
            _error(
                ["fulfillment", "lineItemsByFulfillmentOrder"],
                "Nothing is left to fulfill in the given fulfillment orders.",
            )
        )
    return wanted, errors, record_ids


def resolve_fulfillment_create(_root, info, fulfillment, message=None):
    """Ship the requested quantities, all or none."""
    store = info.context.store
    zone = info.context.shop.zone
    groups = fulfillment["lineItemsByFulfillmentOrder"]
    if not groups:
        raise GraphQLError("lineItemsByFulfillmentOrder must not be empty.")
    with store.lock:
        wanted, errors, record_ids = _requested(store, groups)
        if errors:
            return {"fulfillment": None, "user_errors": errors}
        order = store.get(
            "Order", store.get("FulfillmentOrder", record_ids[0])["order_id"]
        )
        items = []
        for item in order["line_items"]:
            shipped = wanted.get(item["id"], 0)
            left = item["fulfillable_quantity"] - shipped
            if shipped:
                item = {
                    **item,
                    "fulfillable_quantity": left,
                    "fulfillment_status": "fulfilled" if left == 0 else "partial",
                }
            items.append(item)
        now = timestamps.rest(store.now(), zone)
        tracking = fulfillment.get("trackingInfo") or {}
        numbers = list(tracking.get("numbers") or ())
        if tracking.get("number"):
            numbers.insert(0, tracking["number"])
        urls = list(tracking.get("urls") or ())
        if tracking.get("url"):
            urls.insert(0, tracking["url"])
        fulfillment_id = store.next_id()
        record = {
            "id": fulfillment_id,
            "admin_graphql_api_id": gid("Fulfillment", fulfillment_id),
            "order_id": order["id"],
            "name": f"{order['name']}.{len(order['fulfillments']) + 1}",
            "status": "success",
            "created_at": now,
            "updated_at": now,
            "tracking_company": tracking.get("company"),
            "tracking_number": numbers[0] if numbers else None,
            "tracking_numbers": numbers,
            "tracking_url": urls[0] if urls else None,
            "tracking_urls": urls,
            "notify_customer": bool(fulfillment.get("notifyCustomer")),
            "message": message,
            "fulfillment_lines": [
                {"id": store.next_id(), "line_item_id": item_id, "quantity": quantity}
                for item_id, quantity in wanted.items()
            ],
        }
        shippable = [item for item in items if item.get("requires_shipping")]
        done = all(item["fulfillable_quantity"] == 0 for item in shippable)
        previous = timestamps.parse(order["updated_at"])
        order = {
            **order,
            "line_items": items,
            "fulfillments": [*order["fulfillments"], record],
            "fulfillment_status": "fulfilled" if done else "partial",
            "updated_at": timestamps.rest(store.later_than(previous), zone),
        }
        store.replace("Order", order)
        for record_id in record_ids:
            fo = store.get("FulfillmentOrder", record_id)
            store.replace("FulfillmentOrder", {**fo, "updated_at": now})
    return {"fulfillment": {**record, "_order": order}, "user_errors": []}


FIELD_RESOLVERS = {
    "Order": {
        "fulfillmentOrders": order_fulfillment_orders,
        "fulfillments": order_fulfillments,
    },
    "Mutation": {"fulfillmentCreate": resolve_fulfillment_create},
    "FulfillmentOrder": {
        "id": global_id,
        "status": lambda record, info: status(info.context.store, record),
        "createdAt": utc("created_at"),
        "updatedAt": utc("updated_at"),
        "orderId": lambda record, _info: gid("Order", record["order_id"]),
        "lineItems": fo_line_items,
    },
    "FulfillmentOrderLineItem": {
        "id": lambda line, _info: gid("FulfillmentOrderLineItem", line["id"]),
        "totalQuantity": fo_line_total,
        "remainingQuantity": lambda line, _info: line["_item"]["fulfillable_quantity"],
        "lineItem": lambda line, _info: line["_item"],
    },
    "Fulfillment": {
        "id": global_id,
        "legacyResourceId": lambda record, _info: str(record["id"]),
        "status": lambda record, _info: record["status"].upper(),
        "createdAt": utc("created_at"),
        "updatedAt": utc("updated_at"),
        "trackingInfo": tracking_info,
        "fulfillmentLineItems": fulfillment_line_items,
    },
    "FulfillmentLineItem": {
        "id": lambda line, _info: gid("FulfillmentLineItem", line["id"]),
        "lineItem": lambda line, _info: line["_item"],
    },
}

TYPE_RESOLVERS = {}


class FulfillmentControls:
    """Test hooks of ``ShopifySimulator`` for fulfilments (mixed into it)."""

    def fulfillments(self, order_id):
        """The REST fulfilments of an order, oldest first."""
        return list(self.get_order(order_id)["fulfillments"])

    def fulfillment_orders(self, order_id):
        """The order's fulfilment orders: id, status and per line its
        line item id, SKU and remaining quantity."""
        order = self.get_order(order_id)
        record = fulfillment_order(self.store, self.shop.zone, order)
        return [
            {
                "id": record["admin_graphql_api_id"],
                "status": status(self.store, record),
                "lines": [
                    {
                        "id": gid("FulfillmentOrderLineItem", line_id),
                        "line_item_id": item["id"],
                        "sku": item["sku"],
                        "remaining": item["fulfillable_quantity"],
                    }
                    for line_id, item in _lines(self.store, record)
                ],
            }
        ]
