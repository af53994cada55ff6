"""Refund generation: a refund spec and an order in, a REST refund out.

The amounts follow the simulator's contract, in shop currency with
``Decimal``:

- a refunded line's subtotal is its share of the line's amount after every
  discount allocation (``discounted × quantity / line quantity``), rounded
  half-up; its tax is the same share of each of the line's tax lines,
  rounded per tax line;
- ``shipping: true`` refunds the discounted shipping and its tax; an
  amount string refunds that much shipping, taxed pro rata;
- an ``amount`` with no lines and no shipping is an amount-only refund,
  recorded as an order adjustment of minus that amount;
- the refund transaction carries the total: line subtotals, their tax when
  prices exclude it, shipping, minus adjustments.

Spec keys: ``lines`` (``[{line_item_id | sku, quantity, restock_type,
location_id?}]``, restock types ``return``, ``cancel``, ``no_restock``),
``shipping``, ``amount``, ``note``, ``gateway``.
"""

from . import timestamps
from .money import ZERO, Converter, cents, dec, fmt
from .orders import rest_transaction
from .store import gid

RESTOCK_TYPES = ("return", "cancel", "no_restock")


def converter(order):
    shop = order["total_price_set"]["shop_money"]
    presentment = order["total_price_set"]["presentment_money"]
    rate = dec(1)
    if dec(shop["amount"]):
        rate = dec(presentment["amount"]) / dec(shop["amount"])
    return Converter(shop["currency_code"], presentment["currency_code"], rate)


def refunded_quantities(order):
    """``{line item id: quantity}`` already refunded on the order."""
    quantities = {}
    for refund in order.get("refunds") or ():
        for item in refund["refund_line_items"]:
            line_id = item["line_item_id"]
            quantities[line_id] = quantities.get(line_id, 0) + item["quantity"]
    return quantities


def find_line(order, line_spec):
    for item in order["line_items"]:
        if "line_item_id" in line_spec and item["id"] == int(line_spec["line_item_id"]):
            return item
        if "line_item_id" not in line_spec and item["sku"] == line_spec.get("sku"):
            return item
    wanted = line_spec.get("line_item_id") or line_spec.get("sku")
    raise ValueError(f"order {order['name']} has no line {wanted!r}")


def discounted(item):
    """A line item's amount after every discount allocated to it."""
    amount = dec(item["price"]) * item["quantity"]
    return amount - sum((dec(a["amount"]) for a in item["discount_allocations"]), ZERO)


def with_tax(amount, tax, included):
    """What an amount costs the customer: its tax is part of it when prices
    include tax, else added to it."""
    return amount if included else amount + tax


def last_payment_id(store, order_id):
    """The id of the order's latest sale or capture, which refunds point to."""
    paid = [
        transaction
        for transaction in store.children("OrderTransaction", order_id)
        if transaction["kind"] in ("sale", "capture")
    ]
    return paid[-1]["id"] if paid else None


def build_refund(store, zone, order, spec, default_location_id=None):
    """Return ``(refund, transaction)`` for ``spec``; nothing is stored."""
    conv = converter(order)
    included = bool(order.get("taxes_included"))
    now = timestamps.rest(store.now(), zone)
    refund_id = store.next_id()
    already = refunded_quantities(order)

    line_items = []
    lines_total = ZERO
    for line_spec in spec.get("lines") or ():
        item = find_line(order, line_spec)
        restock_type = line_spec.get("restock_type", "no_restock")
        if restock_type not in RESTOCK_TYPES:
            raise ValueError(f"restock_type must be one of {RESTOCK_TYPES}")
        quantity = int(line_spec.get("quantity", 1))
        left = item["quantity"] - already.get(item["id"], 0)
        if quantity < 1 or quantity > left:
            raise ValueError(
                f"line {item['id']}: can refund 1 to {left} items, not {quantity}"
            )
        already[item["id"]] = already.get(item["id"], 0) + quantity
        subtotal = cents(discounted(item) * quantity / item["quantity"])
        tax = sum(
            (
                cents(dec(tax_line["price"]) * quantity / item["quantity"])
                for tax_line in item["tax_lines"]
            ),
            ZERO,
        )
        lines_total += with_tax(subtotal, tax, included)
        location_id = None
        if restock_type != "no_restock":
            location_id = line_spec.get("location_id", default_location_id)
        line_id = store.next_id()
        line_items.append(
            {
                "id": line_id,
                "line_item_id": item["id"],
                "location_id": location_id,
                "quantity": quantity,
                "restock_type": restock_type,
                "subtotal": fmt(subtotal),
                "subtotal_set": conv.bag(subtotal),
                "total_tax": fmt(tax),
                "total_tax_set": conv.bag(tax),
                "line_item": dict(item),
            }
        )

    shipping_lines = []
    shipping_total = ZERO
    shipping = spec.get("shipping")
    if shipping:
        if not order["shipping_lines"]:
            raise ValueError(f"order {order['name']} has no shipping to refund")
        line = order["shipping_lines"][0]
        full = dec(line["discounted_price"])
        subtotal = full if shipping is True else cents(dec(shipping))
        if subtotal > full:
            raise ValueError(f"cannot refund more than {fmt(full)} of shipping")
        tax = sum(
            (
                cents(dec(tax_line["price"]) * subtotal / full) if full else ZERO
                for tax_line in line["tax_lines"]
            ),
            ZERO,
        )
        shipping_total = with_tax(subtotal, tax, included)
        shipping_lines.append(
            {
                "id": store.next_id(),
                "shipping_line_id": line["id"],
                "subtotal_amount_set": conv.bag(subtotal),
                "tax_amount_set": conv.bag(tax),
            }
        )

    adjustments = []
    adjustment_total = ZERO
    if spec.get("amount") is not None:
        if line_items or shipping_lines:
            raise ValueError("'amount' is for refunds without lines or shipping")
        amount = cents(dec(spec["amount"]))
        adjustment_total = amount
        adjustments.append(
            {
                "id": store.next_id(),
                "order_id": order["id"],
                "refund_id": refund_id,
                "kind": "refund_discrepancy",
                "reason": "Refund discrepancy",
                "amount": fmt(-amount),
                "amount_set": conv.bag(-amount),
                "tax_amount": "0.00",
                "tax_amount_set": conv.bag(ZERO),
            }
        )
    if not (line_items or shipping_lines or adjustments):
        raise ValueError("a refund needs lines, shipping or an amount")

    total = lines_total + shipping_total + adjustment_total
    transactions = []
    if total > 0:
        gateway = spec.get("gateway") or order["payment_gateway_names"][0]
        transactions.append(
            rest_transaction(
                store, order, "refund", gateway, fmt(total), conv.bag(total), now
            )
        )
    refund = {
        "id": refund_id,
        "admin_graphql_api_id": gid("Refund", refund_id),
        "order_id": order["id"],
        "created_at": now,
        "processed_at": now,
        "note": spec.get("note"),
        "restock": any(item["restock_type"] != "no_restock" for item in line_items),
        "user_id": None,
        "duties": [],
        "refund_line_items": line_items,
        "refund_shipping_lines": shipping_lines,
        "order_adjustments": adjustments,
        "transactions": transactions,
    }
    return refund, transactions


def refunded_order(order, refund):
    """Return ``order`` with ``refund`` added and what depends on it."""
    refunds = [*(order.get("refunds") or ()), refund]
    refunded = sum(
        (dec(tx["amount"]) for r in refunds for tx in r["transactions"]), ZERO
    )
    quantities = refunded_quantities({"refunds": refunds})
    items = [
        {
            **item,
            "current_quantity": item["quantity"] - quantities.get(item["id"], 0),
            "fulfillable_quantity": max(
                item["fulfillable_quantity"]
                - sum(
                    line["quantity"]
                    for line in refund["refund_line_items"]
                    if line["line_item_id"] == item["id"]
                    and line["restock_type"] == "cancel"
                ),
                0,
            ),
        }
        for item in order["line_items"]
    ]
    status = order["financial_status"]
    if refunded > 0:
        full = refunded >= dec(order["total_price"])
        status = "refunded" if full else "partially_refunded"
    return {
        **order,
        "refunds": refunds,
        "line_items": items,
        "financial_status": status,
    }
