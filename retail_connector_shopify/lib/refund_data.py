"""One shape for a Shopify refund, whichever way it reached Odoo.

The ``refunds/create`` webhook and the ``refunds`` of a REST order carry the
REST representation; the catch-up poll reads ``Order.refunds`` in GraphQL.
Both become the same plain objects, money as ``Decimal`` and ids as
``gid://`` strings.

Sign of order adjustments: Shopify records the difference between the
calculated refund (lines, shipping) and the money actually returned as an
adjustment whose amount is *subtracted* from the calculated refund. Shipping
refunded through an adjustment (legacy ``shipping_refund``) and an
amount-only refund are therefore negative amounts.
"""

from dataclasses import dataclass, field
from datetime import datetime

from .order_data import (
    NO_MONEY,
    Money,
    PayloadError,
    Transaction,
    _gql_money,
    _nodes,
    _rest_money,
    _text,
    parse_datetime,
    to_gid,
    transactions_from_graphql,
)

# Restock types that put goods back into stock (lower case, as in REST).
RESTOCK_TYPES = ("return", "cancel", "legacy_restock")
SHIPPING_ADJUSTMENT_KIND = "shipping_refund"


@dataclass
class RefundLine:
    line_gid: str
    quantity: int
    restock_type: str  # return, cancel, no_restock, legacy_restock
    location_gid: str | None
    subtotal: Money | None  # None: not in the payload (older versions)
    tax: Money | None
    line_quantity: int | None  # quantity of the order line itself

    @property
    def restocked(self):
        return self.restock_type in RESTOCK_TYPES


@dataclass
class ShippingRefund:
    shipping_gid: str | None
    subtotal: Money
    tax: Money


@dataclass
class Adjustment:
    gid: str | None
    kind: str
    reason: str
    amount: Money
    tax: Money

    @property
    def refunded(self):
        """What this adjustment adds to the money refunded (tax included)."""
        return Money(
            -(self.amount.shop + self.tax.shop),
            -(self.amount.presentment + self.tax.presentment),
        )


@dataclass
class Refund:
    gid: str
    order_gid: str
    created_at: datetime | None
    note: str
    lines: list[RefundLine] = field(default_factory=list)
    shipping: list[ShippingRefund] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    # The return the refund was made for, when the payload names it.
    return_gid: str | None = None

    @property
    def returned_goods(self):
        """Whether goods came back through Shopify's returns (a ``return``
        restock), which is where exchanges happen."""
        return any(line.restock_type == "return" for line in self.lines)

    @property
    def refund_transactions(self):
        """The successful refund transactions: money that went back."""
        return [
            transaction
            for transaction in self.transactions
            if transaction.kind == "refund" and transaction.status == "success"
        ]

    def cancelled_quantities(self):
        """``{line gid: quantity}`` removed from the order before delivery."""
        quantities = {}
        for line in self.lines:
            if line.restock_type == "cancel":
                quantities[line.line_gid] = (
                    quantities.get(line.line_gid, 0) + line.quantity
                )
        return quantities


def _money_sum(values):
    total = NO_MONEY
    for value in values:
        total = total + value
    return total


def refund_money(refund):
    """The money a refund's successful transactions sent back."""
    return _money_sum(transaction.amount for transaction in refund.refund_transactions)


def refund_total(refund, taxes_included=False):
    """Shopify's total of a refund: the money refunded when transactions say
    so, else its lines, shipping and adjustments."""
    if refund.refund_transactions:
        return refund_money(refund)
    return refund_value(refund, taxes_included)


def refund_value(refund, taxes_included=False):
    """What a refund's lines, shipping and adjustments are worth, whatever
    part of it went back as money. With ``taxes_included`` (the order's
    prices include tax) a subtotal already holds its tax."""

    def with_tax(subtotal, tax):
        return subtotal if taxes_included else subtotal + tax

    return _money_sum(
        [
            with_tax(line.subtotal or NO_MONEY, line.tax or NO_MONEY)
            for line in refund.lines
        ]
        + [with_tax(shipping.subtotal, shipping.tax) for shipping in refund.shipping]
        + [adjustment.refunded for adjustment in refund.adjustments]
    )


# REST shape --------------------------------------------------------------------


def _rest_restock_type(node, legacy_restock):
    restock_type = _text(node.get("restock_type")).lower()
    if restock_type:
        return restock_type
    return "legacy_restock" if legacy_restock else "no_restock"


def refund_from_rest(payload, order_gid=None):
    """Read a ``refunds/create`` body, a ``{"refund": ...}`` answer, or one
    entry of a REST order's ``refunds``."""
    if not isinstance(payload, dict):
        raise PayloadError("A refund payload must be a JSON object.")
    node = payload.get("refund", payload)
    if not isinstance(node, dict) or not (
        node.get("admin_graphql_api_id") or node.get("id")
    ):
        raise PayloadError("The refund payload has no id.")
    gid = node.get("admin_graphql_api_id") or to_gid("Refund", node["id"])
    order_gid = order_gid or to_gid("Order", node.get("order_id"))
    if not order_gid:
        raise PayloadError(f"Refund {gid} does not name its order.")
    legacy_restock = bool(node.get("restock"))

    lines = []
    for item in node.get("refund_line_items") or []:
        what = f"refund line of {gid}"
        line_item = item.get("line_item") or {}
        line_id = item.get("line_item_id") or line_item.get("id")
        has_subtotal = "subtotal_set" in item or "subtotal" in item
        lines.append(
            RefundLine(
                line_gid=line_item.get("admin_graphql_api_id")
                or to_gid("LineItem", line_id),
                quantity=int(item.get("quantity") or 0),
                restock_type=_rest_restock_type(item, legacy_restock),
                location_gid=to_gid("Location", item.get("location_id")),
                subtotal=_rest_money(item, "subtotal", what) if has_subtotal else None,
                tax=_rest_money(item, "total_tax", what) if has_subtotal else None,
                line_quantity=(
                    int(line_item["quantity"]) if line_item.get("quantity") else None
                ),
            )
        )

    shipping = []
    for item in node.get("refund_shipping_lines") or []:
        what = f"shipping refund of {gid}"
        shipping_line = item.get("shipping_line") or {}
        shipping.append(
            ShippingRefund(
                shipping_gid=to_gid(
                    "ShippingLine",
                    item.get("shipping_line_id") or shipping_line.get("id"),
                ),
                subtotal=_rest_money(item, "subtotal_amount", what),
                tax=_rest_money(item, "tax_amount", what),
            )
        )

    adjustments = [
        Adjustment(
            gid=to_gid("OrderAdjustment", adjustment.get("id")),
            kind=_text(adjustment.get("kind")).lower(),
            reason=_text(adjustment.get("reason")),
            amount=_rest_money(adjustment, "amount", f"adjustment of {gid}"),
            tax=_rest_money(adjustment, "tax_amount", f"adjustment tax of {gid}"),
        )
        for adjustment in node.get("order_adjustments") or []
    ]
    if shipping:
        # Newer payloads state refunded shipping on its own lines; an older
        # shipping adjustment beside them would count it twice.
        adjustments = [a for a in adjustments if a.kind != SHIPPING_ADJUSTMENT_KIND]

    transactions = [
        Transaction(
            gid=tx.get("admin_graphql_api_id") or to_gid("OrderTransaction", tx["id"]),
            kind=_text(tx.get("kind")).lower(),
            status=_text(tx.get("status")).lower(),
            gateway=_text(tx.get("gateway")),
            amount=_rest_money(tx, "amount", f"transaction of {gid}"),
            processed_at=parse_datetime(tx.get("processed_at") or tx.get("created_at")),
            test=bool(tx.get("test")),
        )
        for tx in node.get("transactions") or []
    ]
    linked_return = node.get("return") or {}
    return Refund(
        gid=gid,
        order_gid=order_gid,
        created_at=parse_datetime(node.get("processed_at") or node.get("created_at")),
        note=_text(node.get("note")),
        lines=lines,
        shipping=shipping,
        adjustments=adjustments,
        transactions=transactions,
        return_gid=linked_return.get("admin_graphql_api_id")
        or to_gid("Return", linked_return.get("id")),
    )


# GraphQL shape -------------------------------------------------------------------


def refund_from_graphql(node, order_gid=None):
    """Read a ``Refund`` node as ``Order.refunds`` returns it."""
    if not isinstance(node, dict) or not node.get("id"):
        raise PayloadError("The refund node has no id.")
    gid = node["id"]
    order_gid = order_gid or (node.get("order") or {}).get("id")
    if not order_gid:
        raise PayloadError(f"Refund {gid} does not name its order.")

    lines = []
    for item in _nodes(node.get("refundLineItems")):
        what = f"refund line of {gid}"
        line_item = item.get("lineItem") or {}
        if not line_item.get("id"):
            raise PayloadError(f"A line of refund {gid} has no line item id.")
        restock_type = _text(item.get("restockType")).lower()
        if not restock_type:
            restock_type = "legacy_restock" if item.get("restocked") else "no_restock"
        lines.append(
            RefundLine(
                line_gid=line_item["id"],
                quantity=int(item.get("quantity") or 0),
                restock_type=restock_type,
                location_gid=(item.get("location") or {}).get("id"),
                subtotal=(
                    _gql_money(item["subtotalSet"], what)
                    if item.get("subtotalSet")
                    else None
                ),
                tax=(
                    _gql_money(item["totalTaxSet"], what)
                    if item.get("totalTaxSet")
                    else None
                ),
                line_quantity=(
                    int(line_item["quantity"]) if line_item.get("quantity") else None
                ),
            )
        )

    shipping = [
        ShippingRefund(
            shipping_gid=(item.get("shippingLine") or {}).get("id"),
            subtotal=_gql_money(item.get("subtotalAmountSet"), f"shipping of {gid}"),
            tax=_gql_money(item.get("taxAmountSet"), f"shipping tax of {gid}"),
        )
        for item in _nodes(node.get("refundShippingLines"))
    ]
    adjustments = [
        Adjustment(
            gid=adjustment.get("id"),
            kind=_text(adjustment.get("kind")).lower(),
            reason=_text(adjustment.get("reason")).lower(),
            amount=_gql_money(adjustment.get("amountSet"), f"adjustment of {gid}"),
            tax=_gql_money(adjustment.get("taxAmountSet"), f"adjustment of {gid}"),
        )
        for adjustment in _nodes(node.get("orderAdjustments"))
    ]
    if shipping:
        adjustments = [a for a in adjustments if a.kind != SHIPPING_ADJUSTMENT_KIND]
    return Refund(
        gid=gid,
        order_gid=order_gid,
        created_at=parse_datetime(node.get("createdAt")),
        note=_text(node.get("note")),
        lines=lines,
        shipping=shipping,
        adjustments=adjustments,
        transactions=transactions_from_graphql(_nodes(node.get("transactions")), gid),
        return_gid=(node.get("return") or {}).get("id"),
    )


@dataclass
class Exchange:
    """A Shopify return that added new line items to its order."""

    return_gid: str
    name: str
    # ``{line item gid: quantity exchanged}``; None when Shopify split one
    # exchanged item over several line items.
    quantities: dict[str, int | None]

    @property
    def line_gids(self):
        return set(self.quantities)

    @property
    def label(self):
        return self.name or self.return_gid


def exchange_of_return(node):
    """The ``Exchange`` of a ``Return`` node, or None when it exchanged
    nothing."""
    if not node or not node.get("id"):
        return None
    quantities = {}
    for item in _nodes(node.get("exchangeLineItems")):
        line_items = [line for line in item.get("lineItems") or () if line.get("id")]
        for line_item in line_items:
            quantities[line_item["id"]] = (
                int(item.get("quantity") or 0) if len(line_items) == 1 else None
            )
    if not quantities:
        return None
    return Exchange(node["id"], _text(node.get("name")), quantities)


def refunds_of_order(payload, payload_format):
    """The refunds an order payload carries (REST ``refunds`` or GraphQL
    ``Order.refunds``); an empty list when it carries none."""
    if not isinstance(payload, dict):
        return []
    if payload_format == "graphql":
        return [
            refund_from_graphql(node, payload.get("id"))
            for node in _nodes(payload.get("refunds"))
        ]
    node = payload.get("order", payload)
    order_gid = node.get("admin_graphql_api_id") or to_gid("Order", node.get("id"))
    return [refund_from_rest(item, order_gid) for item in node.get("refunds") or []]
