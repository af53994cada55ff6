"""Inventory levels, ``inventorySetQuantities`` and bulk query operations.

A level is the stock of one inventory item at one location, with a
quantity per state (``available``, ``committed``, ``on_hand``...); it is
stored under its inventory item. ``inventorySetQuantities`` follows the
2026-04 contract: every quantity carries ``changeFromQuantity`` (an explicit
null opts out of the check), the mutation must carry ``@idempotent`` and a
call applies all of its quantities or none. A bulk query runs at once; its
JSONL result is served by the control API at ``/_sim/bulk/<id>.jsonl`` and
the operation reports RUNNING for a configurable number of polls first.
"""

import dataclasses
import json

from graphql import GraphQLError, execute, get_directive_values, parse, validate

from . import pagination, timestamps
from .resolvers import by_id, default_resolver, global_id, linked, searched, utc
from .store import gid, parse_gid

QUANTITY_NAMES = (
    "available",
    "committed",
    "damaged",
    "incoming",
    "on_hand",
    "quality_control",
    "reserved",
    "safety_stock",
)
SETTABLE_NAMES = ("available", "on_hand")
# States that count in on_hand besides available (incoming does not).
ON_HAND_PARTS = (
    "available",
    "committed",
    "damaged",
    "quality_control",
    "reserved",
    "safety_stock",
)
REASONS = (
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_canceled",
    "movement_created",
    "movement_received",
    "movement_updated",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
)
MAX_INPUT_ITEMS = 250
QUANTITY_LIMIT = 1_000_000_000
CHANGE_FROM_SINCE = "2026-01"
MANDATORY_SINCE = "2026-04"
BULK_PATH = "/_sim/bulk/{id}.jsonl"
INVENTORY_ITEM_SEARCH = {
    "id": lambda item: item["id"],
    "sku": lambda item: item["sku"],
}


def version_at_least(version, wanted):
    """Whether API ``version`` (``YYYY-MM`` or ``unstable``) is ``wanted`` or later."""
    return version == "unstable" or version >= wanted


def level_gid(level):
    return (
        f"gid://shopify/InventoryLevel/{level['id']}"
        f"?inventory_item_id={level['inventory_item_id']}"
    )


def find_level(store, item_id, location_id):
    """The level of an item at a location, or None if it is not stocked there."""
    for level in store.children("InventoryLevel", item_id):
        if level["location_id"] == location_id:
            return level
    return None


def set_level(store, zone, item_id, location_id, **quantities):
    """Create or change a level; ``on_hand`` follows ``available`` by the
    same delta unless given. Returns the new level record."""
    with store.lock:
        now = timestamps.rest(store.now(), zone)
        level = find_level(store, item_id, location_id)
        if level is None:
            level_id = store.next_id()
            values = dict.fromkeys(QUANTITY_NAMES, 0)
            values.update(quantities)
            if "on_hand" not in quantities:
                values["on_hand"] = sum(values[name] for name in ON_HAND_PARTS)
            level = {
                "id": level_id,
                "inventory_item_id": item_id,
                "location_id": location_id,
                "quantities": values,
                "created_at": now,
                "updated_at": now,
            }
            return store.insert("InventoryLevel", level, parent_id=item_id)
        values = dict(level["quantities"])
        for name, quantity in quantities.items():
            delta = quantity - values[name]
            values[name] = quantity
            if name == "available" and "on_hand" not in quantities:
                values["on_hand"] += delta
            elif name == "on_hand" and "available" not in quantities:
                values["available"] += delta
        return store.replace(
            "InventoryLevel", {**level, "quantities": values, "updated_at": now}
        )


# Connections -----------------------------------------------------------------


def _connection(records, info, arguments):
    """A page of records, or all of them inside a bulk operation."""
    if not getattr(info.context, "bulk", False):
        return pagination.connection(
            records,
            by_id,
            first=arguments.get("first"),
            after=arguments.get("after"),
            last=arguments.get("last"),
            before=arguments.get("before"),
            reverse=arguments.get("reverse", False),
        )
    ordered = sorted(records, key=by_id)
    edges = [
        {"cursor": pagination.encode_cursor(by_id(record)), "node": record}
        for record in ordered
    ]
    return {
        "edges": edges,
        "nodes": ordered,
        "page_info": {
            "has_next_page": False,
            "has_previous_page": False,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _record_id(text, kind):
    """Numeric id of a global id of ``kind`` (a query part is ignored)."""
    parsed = parse_gid((text or "").split("?", 1)[0])
    if parsed is None or parsed[0] != kind:
        return None
    return parsed[1]


# Query fields ----------------------------------------------------------------


def resolve_inventory_items(_root, info, query=None, **arguments):
    items = searched(info.context.store, "InventoryItem", query, INVENTORY_ITEM_SEARCH)
    return _connection(items, info, arguments)


def resolve_inventory_level(_root, info, id):
    level_id = _record_id(id, "InventoryLevel")
    return info.context.store.get("InventoryLevel", level_id) if level_id else None


def resolve_node(_root, info, id):
    text = (id or "").split("?", 1)[0]
    parsed = parse_gid(text)
    if parsed is None:
        raise GraphQLError(f"Invalid global id '{id}'")
    kind, record_id = parsed
    if kind not in ("InventoryLevel", "BulkOperation"):
        return None
    record = info.context.store.get(kind, record_id)
    if record is not None and kind == "BulkOperation":
        record = _advance(info.context.store, record)
    return record


def resolve_current_bulk_operation(_root, info, type="QUERY"):
    operations = [
        operation
        for operation in info.context.store.all("BulkOperation")
        if operation["type"] == type.lower()
    ]
    if not operations:
        return None
    return _advance(info.context.store, operations[-1])


def item_levels(item, info, **arguments):
    levels = info.context.store.children("InventoryLevel", item["id"])
    return _connection(levels, info, arguments)


def item_level(item, info, locationId):
    location_id = _record_id(locationId, "Location")
    if location_id is None:
        raise GraphQLError(f"Invalid global id '{locationId}'")
    return find_level(info.context.store, item["id"], location_id)


def level_quantities(level, info, names):
    unknown = [name for name in names if name not in QUANTITY_NAMES]
    if unknown:
        raise GraphQLError(
            f"Unknown quantity names {unknown}: use {', '.join(QUANTITY_NAMES)}."
        )
    updated = timestamps.graphql(level["updated_at"])
    return [
        {
            "id": f"gid://shopify/InventoryQuantity/{level['id']}?name={name}",
            "name": name,
            "quantity": level["quantities"][name],
            "updated_at": updated,
        }
        for name in names
    ]


# inventorySetQuantities ------------------------------------------------------


def _has_idempotency_key(info):
    directive = info.schema.get_directive("idempotent")
    values = get_directive_values(directive, info.field_nodes[0], info.variable_values)
    return bool(values and values.get("key"))


def _user_error(code, field, message):
    return {"code": code, "field": field, "message": message}


def _check_contract(info, input):
    """Top-level errors: the request breaks the API version's contract."""
    version = info.context.api_version
    quantities = input["quantities"]
    if len(quantities) > MAX_INPUT_ITEMS:
        raise GraphQLError(
            f"The input array size of {len(quantities)} is greater than the "
            f"maximum allowed of {MAX_INPUT_ITEMS}.",
            extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"},
        )
    if not version_at_least(version, MANDATORY_SINCE):
        return
    if not _has_idempotency_key(info):
        raise GraphQLError(
            "The @idempotent directive is required for inventorySetQuantities "
            f'from API version {MANDATORY_SINCE}: add @idempotent(key: "...").',
            extensions={"code": "BAD_REQUEST"},
        )
    if "ignoreCompareQuantity" in input:
        raise GraphQLError(
            f"ignoreCompareQuantity was removed in API version {MANDATORY_SINCE}: "
            "pass changeFromQuantity: null instead.",
            extensions={"code": "BAD_REQUEST"},
        )
    for index, quantity in enumerate(quantities):
        if "compareQuantity" in quantity:
            raise GraphQLError(
                f"quantities[{index}].compareQuantity was removed in API version "
                f"{MANDATORY_SINCE}: use changeFromQuantity.",
                extensions={"code": "BAD_REQUEST"},
            )
        if "changeFromQuantity" not in quantity:
            raise GraphQLError(
                f"quantities[{index}].changeFromQuantity is required from API "
                f"version {MANDATORY_SINCE}: pass the quantity you expect, or "
                "null to set without a check.",
                extensions={"code": "BAD_REQUEST"},
            )


def _quantity_errors(store, input, version, index, quantity, seen):
    """User errors of one quantity of the input, and its level if valid."""
    field = ["input", "quantities", str(index)]
    item_id = _record_id(quantity["inventoryItemId"], "InventoryItem")
    if item_id is None or store.get("InventoryItem", item_id) is None:
        message = "The specified inventory item could not be found."
        return [_user_error("INVALID_INVENTORY_ITEM", field, message)], None
    location_id = _record_id(quantity["locationId"], "Location")
    if location_id is None or store.get("Location", location_id) is None:
        message = "The specified location could not be found."
        return [_user_error("INVALID_LOCATION", field, message)], None
    if (item_id, location_id) in seen:
        message = "The combination of inventoryItemId and locationId must be unique."
        code = "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"
        return [_user_error(code, field, message)], None
    seen.add((item_id, location_id))
    level = find_level(store, item_id, location_id)
    if level is None:
        message = "The item is not stocked at the location."
        return [_user_error("ITEM_NOT_STOCKED_AT_LOCATION", field, message)], None
    value = quantity["quantity"]
    if value > QUANTITY_LIMIT or value < -QUANTITY_LIMIT:
        code = "INVALID_QUANTITY_TOO_HIGH" if value > 0 else "INVALID_QUANTITY_TOO_LOW"
        message = f"The quantity must be within +/-{QUANTITY_LIMIT}."
        return [_user_error(code, field + ["quantity"], message)], None
    current = level["quantities"][input["name"]]
    if "changeFromQuantity" in quantity and version_at_least(
        version, CHANGE_FROM_SINCE
    ):
        expected = quantity["changeFromQuantity"]
        if expected is not None and expected != current:
            message = (
                "The quantity was changed since changeFromQuantity was read: "
                "read it again and retry."
            )
            code = "CHANGE_FROM_QUANTITY_STALE"
            return [_user_error(code, field + ["changeFromQuantity"], message)], None
    elif not input.get("ignoreCompareQuantity"):
        expected = quantity.get("compareQuantity")
        if expected is None:
            message = "compareQuantity is required unless ignoreCompareQuantity is set."
            code = "COMPARE_QUANTITY_REQUIRED"
            return [_user_error(code, field + ["compareQuantity"], message)], None
        if expected != current:
            message = "The compareQuantity value does not match the stored quantity."
            code = "COMPARE_QUANTITY_STALE"
            return [_user_error(code, field + ["compareQuantity"], message)], None
    return [], level


def resolve_set_quantities(_root, info, input):
    """Set absolute quantities, all or none, under the version's contract."""
    context = info.context
    store = context.store
    _check_contract(info, input)
    errors = []
    if input["name"] not in SETTABLE_NAMES:
        message = f"The quantity name must be one of {', '.join(SETTABLE_NAMES)}."
        errors.append(_user_error("INVALID_NAME", ["input", "name"], message))
    if input["reason"] not in REASONS:
        message = "The reason is not a valid inventory change reason."
        errors.append(_user_error("INVALID_REASON", ["input", "reason"], message))
    if errors:
        return {"inventory_adjustment_group": None, "user_errors": errors}
    with store.lock:
        seen = set()
        levels = []
        for index, quantity in enumerate(input["quantities"]):
            found, level = _quantity_errors(
                store, input, context.api_version, index, quantity, seen
            )
            errors.extend(found)
            levels.append(level)
        if errors:
            return {"inventory_adjustment_group": None, "user_errors": errors}
        changes = []
        name = input["name"]
        for quantity, level in zip(input["quantities"], levels, strict=True):
            before = dict(level["quantities"])
            after = set_level(
                store,
                context.shop.zone,
                level["inventory_item_id"],
                level["location_id"],
                **{name: quantity["quantity"]},
            )["quantities"]
            item = store.get("InventoryItem", level["inventory_item_id"])
            location = store.get("Location", level["location_id"])
            for changed in SETTABLE_NAMES:
                delta = after[changed] - before[changed]
                if delta:
                    changes.append(
                        {
                            "name": changed,
                            "delta": delta,
                            "quantity_after_change": after[changed],
                            "item": item,
                            "location": location,
                        }
                    )
        group_id = store.next_id()
        store.insert(
            "InventoryAdjustmentGroup",
            {
                "id": group_id,
                "admin_graphql_api_id": gid("InventoryAdjustmentGroup", group_id),
                "created_at": timestamps.rest(store.now(), context.shop.zone),
                "reason": input["reason"],
                "reference_document_uri": input.get("referenceDocumentUri"),
                "changes": changes,
            },
        )
        return {
            "inventory_adjustment_group": store.get(
                "InventoryAdjustmentGroup", group_id
            ),
            "user_errors": [],
        }


# Bulk operations -------------------------------------------------------------


def _bulk_nodes(connection):
    if connection.get("edges") is not None:
        return [edge["node"] for edge in connection["edges"]]
    return connection.get("nodes") or []


def _is_connection(value):
    return isinstance(value, dict) and ("edges" in value or "nodes" in value)


def jsonl_lines(data):
    """Flatten a bulk query result: one line per object, children of nested
    connections on their own lines with ``__parentId``. Returns
    ``(lines, root count)``."""
    lines = []
    (connection,) = data.values()
    roots = _bulk_nodes(connection)

    def emit(node, parent_id):
        own = {k: v for k, v in node.items() if not _is_connection(v)}
        if parent_id is not None:
            own["__parentId"] = parent_id
        lines.append(own)
        for value in node.values():
            if _is_connection(value):
                for child in _bulk_nodes(value):
                    emit(child, node.get("id"))

    for root in roots:
        emit(root, None)
    return lines, len(roots)


def _bulk_refusal(message):
    return {
        "bulk_operation": None,
        "user_errors": [{"code": "INVALID", "field": ["query"], "message": message}],
    }


def resolve_bulk_run_query(_root, info, query, groupObjects=False):
    """Run a bulk query at once and keep its JSONL for download."""
    context = info.context
    store = context.store
    try:
        document = parse(query)
    except GraphQLError as error:
        return _bulk_refusal(f"Invalid bulk query: {error.message}")
    problems = validate(info.schema, document)
    if problems:
        return _bulk_refusal(f"Invalid bulk query: {problems[0].message}")
    operation = document.definitions[0]
    if len(operation.selection_set.selections) != 1:
        return _bulk_refusal("A bulk query must select exactly one connection.")
    result = execute(
        info.schema,
        document,
        context_value=dataclasses.replace(context, bulk=True),
        field_resolver=default_resolver,
    )
    if result.errors:
        return _bulk_refusal(f"Bulk query failed: {result.errors[0].message}")
    lines, roots = jsonl_lines(result.data)
    content = "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines)
    with store.lock:
        operation_id = store.next_id()
        record = store.insert(
            "BulkOperation",
            {
                "id": operation_id,
                "admin_graphql_api_id": gid("BulkOperation", operation_id),
                "status": "created",
                "type": "query",
                "query": query,
                "error_code": None,
                "object_count": len(lines),
                "root_object_count": roots,
                "file_size": len(content.encode()),
                "path": BULK_PATH.format(id=operation_id),
                "created_at": timestamps.rest(store.now(), context.shop.zone),
                "completed_at": None,
            },
        )
        meta = store.meta("BulkOperation", operation_id)
        meta["jsonl"] = content
        meta["polls_left"] = getattr(context, "bulk_polls", 1)
    return {"bulk_operation": record, "user_errors": []}


def _advance(store, operation):
    """A poll moves an operation on: RUNNING for its polls, then COMPLETED."""
    with store.lock:
        operation = store.get("BulkOperation", operation["id"])
        if operation["status"] == "completed":
            return operation
        meta = store.meta("BulkOperation", operation["id"])
        if meta.get("polls_left", 0) > 0:
            meta["polls_left"] -= 1
            status, completed = "running", None
        else:
            status = "completed"
            completed = timestamps.rest(store.now(), timestamps.EPOCH.tzinfo)
        return store.replace(
            "BulkOperation",
            {**operation, "status": status, "completed_at": completed},
        )


def bulk_url(operation, info):
    if operation["status"] != "completed":
        return None
    return f"{getattr(info.context, 'base_url', '')}{operation['path']}"


def bulk_jsonl(store, operation_id):
    """The JSONL text of a completed operation, or None."""
    operation = store.get("BulkOperation", operation_id)
    if operation is None or operation["status"] != "completed":
        return None
    return store.meta("BulkOperation", operation_id).get("jsonl")


def node_type(record, _info, _type):
    kind = record["admin_graphql_api_id"].split("/")[3]
    return kind.split("?", 1)[0]


FIELD_RESOLVERS = {
    "QueryRoot": {
        "node": resolve_node,
        "inventoryItem": lambda _root, info, id: info.context.store.get(
            "InventoryItem", _record_id(id, "InventoryItem")
        ),
        "inventoryItems": resolve_inventory_items,
        "inventoryLevel": resolve_inventory_level,
        "currentBulkOperation": resolve_current_bulk_operation,
    },
    "Mutation": {
        "inventorySetQuantities": resolve_set_quantities,
        "bulkOperationRunQuery": resolve_bulk_run_query,
    },
    "InventoryItem": {
        "inventoryLevel": item_level,
        "inventoryLevels": item_levels,
    },
    "InventoryLevel": {
        "id": lambda level, _info: level_gid(level),
        "item": linked("InventoryItem", "inventory_item_id"),
        "location": linked("Location", "location_id"),
        "quantities": level_quantities,
        "createdAt": utc("created_at"),
        "updatedAt": utc("updated_at"),
    },
    "InventoryAdjustmentGroup": {"id": global_id, "createdAt": utc("created_at")},
    "BulkOperation": {
        "id": global_id,
        "status": lambda operation, _info: operation["status"].upper(),
        "type": lambda operation, _info: operation["type"].upper(),
        "url": bulk_url,
        "partialDataUrl": lambda _operation, _info: None,
        "createdAt": utc("created_at"),
        "completedAt": utc("completed_at"),
    },
}

TYPE_RESOLVERS = {"Node": node_type}


class InventoryControls:
    """Test hooks of ``ShopifySimulator`` for inventory (mixed into it)."""

    def _item_id(self, item):
        """Numeric id of an inventory item given as gid, number or SKU."""
        if isinstance(item, int):
            return item
        found = _record_id(item, "InventoryItem")
        if found is not None:
            return found
        for record in self.store.all("InventoryItem"):
            if record["sku"] == item:
                return record["id"]
        raise ValueError(f"no inventory item {item!r}")

    def _location_id(self, location):
        if location is None:
            return self.store.all("Location")[0]["id"]
        if isinstance(location, int):
            return location
        found = _record_id(location, "Location")
        if found is None:
            raise ValueError(f"no location {location!r}")
        return found

    def set_inventory_level(self, item, location=None, available=0, **quantities):
        """Stock an item at a location, or change its level behind the
        client's back (drift). ``item`` is a gid, a numeric id or a SKU;
        ``location`` a gid or id (the first location when None)."""
        return set_level(
            self.store,
            self.shop.zone,
            self._item_id(item),
            self._location_id(location),
            available=available,
            **quantities,
        )

    def inventory_level(self, item, location=None):
        """The quantities of an item at a location, or None if not stocked."""
        level = find_level(self.store, self._item_id(item), self._location_id(location))
        return dict(level["quantities"]) if level else None

    def api_counters(self):
        """GraphQL calls answered since the last reset, and how many were
        throttled: ``{"calls": n, "throttled": n}``."""
        return self._endpoint.counters()

    def reset_api_counters(self):
        self._endpoint.reset_counters()

    def drop_next_responses(self, count=1):
        """Run the next ``count`` GraphQL requests, then close the connection
        without answering: the client sees a timeout after the change."""
        self._endpoint.drop_after_run += count

    def set_bulk_polls(self, polls):
        """How many polls a new bulk operation answers RUNNING before COMPLETED."""
        self._endpoint.bulk_polls = int(polls)
