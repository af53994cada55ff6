"""Returns with exchanges, the way Shopify's native exchanges change an order.

An exchange takes back delivered items and sends others in their place:

- the returned items are refunded with a ``return`` restock, like any
  refund (see ``refunds``), and the refund is linked to a ``Return``;
- the new items become new line items of the same order, priced on their
  own (no order discount is spread over them), so the order's totals grow
  by their price and tax; they wait to be fulfilled like any other line;
- the value of the returned items pays for the new ones: only the rest goes
  back to the customer as the refund's transaction, and when the new items
  cost more, the customer pays the difference with a new sale transaction.

Spec keys: ``returns`` (``[{line_item_id | sku, quantity, restock_type?}]``,
only fulfilled quantities), ``exchange`` (``[{sku, quantity, price?}]``),
``note``.
"""

from . import refunds, timestamps
from .money import ZERO, dec, fmt
from .orders import rest_transaction
from .resolvers import (
    by_id,
    by_position,
    global_id,
    linked,
    page,
    positioned,
    record_by_gid,
    with_order,
)
from .store import gid, parse_gid

# Line fields an order rebuild would reset, and which an exchange keeps.
_LINE_STATE = ("current_quantity", "fulfillable_quantity", "fulfillment_status")


def _line_value(item, included):
    """What a line item costs: after its discounts, with its tax."""
    tax = sum((dec(tax_line["price"]) for tax_line in item["tax_lines"]), ZERO)
    return refunds.with_tax(refunds.discounted(item), tax, included)


def _check_returnable(order, returned):
    """Only delivered quantities not refunded yet can come back."""
    refunded = refunds.refunded_quantities(order)
    for line_spec in returned:
        item = refunds.find_line(order, line_spec)
        delivered = item["quantity"] - item["fulfillable_quantity"]
        left = delivered - refunded.get(item["id"], 0)
        quantity = int(line_spec.get("quantity", 1))
        if quantity > left:
            raise ValueError(
                f"line {item['id']}: {left} fulfilled item(s) can be returned, "
                f"not {quantity}"
            )


class ReturnControls:
    """Test hooks of ``ShopifySimulator`` for returns (mixed into it)."""

    def exchange_order(self, order_id, spec):
        """Return delivered items of an order for other items.

        Stores the return, the refund of the returned items and the new
        lines, emits ``refunds/create`` then ``orders/updated``. Returns
        ``{"return", "refund", "order"}``.
        """
        returned, wanted = spec.get("returns") or [], spec.get("exchange") or []
        if not (returned and wanted):
            raise ValueError("an exchange needs 'returns' and 'exchange' lines")
        store = self.store
        with store.lock:
            order = self.get_order(order_id)
            if order["cancelled_at"]:
                raise ValueError(f"order {order['name']} is cancelled")
            _check_returnable(order, returned)
            locations = store.all("Location")
            refund, _transactions = refunds.build_refund(
                store,
                self.shop.zone,
                order,
                {
                    "lines": [
                        {"restock_type": "return", **line_spec}
                        for line_spec in returned
                    ],
                    "note": spec.get("note"),
                },
                default_location_id=locations[0]["id"] if locations else None,
            )
            meta = store.meta("Order", order["id"])
            exchange_spec = {
                **meta["spec"],
                "lines": [
                    *meta["spec"]["lines"],
                    *({**line_spec, "exchange": True} for line_spec in wanted),
                ],
            }
            exchanged = self._with_exchange_lines(order, exchange_spec)
            new_items = exchanged["line_items"][len(order["line_items"]) :]

            included = bool(order.get("taxes_included"))
            returned_value = sum(
                (
                    refunds.with_tax(
                        dec(line["subtotal"]), dec(line["total_tax"]), included
                    )
                    for line in refund["refund_line_items"]
                ),
                ZERO,
            )
            new_value = sum((_line_value(item, included) for item in new_items), ZERO)
            refund["transactions"] = self._exchange_money(
                exchanged, returned_value - new_value
            )

            return_id = store.next_id()
            number = len(store.children("Return", order["id"])) + 1
            record = store.insert(
                "Return",
                {
                    "id": return_id,
                    "admin_graphql_api_id": gid("Return", return_id),
                    "order_id": order["id"],
                    "name": f"{order['name']}-R{number}",
                    "status": "CLOSED",
                    "total_quantity": sum(
                        line["quantity"] for line in refund["refund_line_items"]
                    ),
                    "exchange_line_items": [
                        {
                            "id": store.next_id(),
                            "quantity": item["quantity"],
                            "line_item_id": item["id"],
                            "variant_id": item["variant_id"],
                        }
                        for item in new_items
                    ],
                },
                parent_id=order["id"],
            )
            store.insert("Refund", refund, parent_id=order["id"])
            store.meta("Refund", refund["id"])["return_id"] = return_id
            order = self._touched(refunds.refunded_order(exchanged, refund))
            store.replace("Order", order)
            meta["spec"] = exchange_spec
        self._emit("refunds/create", refund)
        self._emit("orders/updated", order)
        return {"return": record, "refund": refund, "order": order}

    def _with_exchange_lines(self, order, spec):
        """The order re-priced with the exchange lines added at its end; the
        lines it had keep their fulfilment and refund state."""
        rebuilt = self._orders.rebuild(order, spec)
        previous = {item["id"]: item for item in order["line_items"]}
        items = [
            {**item, **{name: previous[item["id"]][name] for name in _LINE_STATE}}
            if item["id"] in previous
            else item
            for item in rebuilt["line_items"]
        ]
        status = order["fulfillment_status"] and "partial"
        return {**rebuilt, "line_items": items, "fulfillment_status": status}

    def _exchange_money(self, order, balance):
        """Settle ``balance`` (returned value minus new items' value): return
        the refund's transactions; a negative balance is paid on the order."""
        if not balance:
            return []
        now = timestamps.rest(self.store.now(), self.shop.zone)
        gateway = order["payment_gateway_names"][0]
        conv = refunds.converter(order)
        amount = abs(balance)
        kind = "refund" if balance > 0 else "sale"
        transaction = rest_transaction(
            self.store, order, kind, gateway, fmt(amount), conv.bag(amount), now
        )
        if kind == "refund":
            transaction["parent_id"] = refunds.last_payment_id(self.store, order["id"])
        self.store.insert("OrderTransaction", transaction, parent_id=order["id"])
        return [transaction] if kind == "refund" else []


# GraphQL -------------------------------------------------------------------------


def resolve_refund(_root, info, id):
    parsed = parse_gid(id)
    if not parsed or parsed[0] != "Refund":
        return None
    store = info.context.store
    refund = store.get("Refund", parsed[1])
    if refund is None:
        return None
    return {**refund, "_order": store.get("Order", refund["order_id"])}


def refund_return(refund, info):
    store = info.context.store
    return store.get("Return", store.meta("Refund", refund["id"]).get("return_id"))


def order_returns(order, info, **arguments):
    return page(info.context.store.children("Return", order["id"]), by_id, arguments)


def exchange_line_items(record, _info, **arguments):
    items = [{**item, "_return": record} for item in record["exchange_line_items"]]
    return page(positioned(items), by_position, arguments)


def exchange_line_items_of_order(item, info):
    order = info.context.store.get("Order", item["_return"]["order_id"])
    return with_order(
        [line for line in order["line_items"] if line["id"] == item["line_item_id"]],
        order,
    )


FIELD_RESOLVERS = {
    "QueryRoot": {"refund": resolve_refund, "return": record_by_gid("Return")},
    "Order": {"returns": order_returns},
    "Refund": {"return": refund_return},
    "Return": {
        "id": global_id,
        "order": linked("Order", "order_id"),
        "totalQuantity": lambda record, _info: record["total_quantity"],
        "exchangeLineItems": exchange_line_items,
    },
    "ExchangeLineItem": {
        "id": lambda item, _info: gid("ExchangeLineItem", item["id"]),
        "processedQuantity": lambda item, _info: item["quantity"],
        "unprocessedQuantity": lambda _item, _info: 0,
        "variantId": lambda item, _info: (
            gid("ProductVariant", item["variant_id"]) if item["variant_id"] else None
        ),
        "lineItems": exchange_line_items_of_order,
    },
}
TYPE_RESOLVERS = {}
