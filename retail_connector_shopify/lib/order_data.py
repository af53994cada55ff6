"""One shape for a Shopify order, whichever way it reached Odoo.

Webhooks carry the REST representation (snake_case, ``*_set`` money bags,
numeric ids); the catch-up poll reads GraphQL (camelCase, ``gid://`` ids).
Both are read here into the same plain objects, with money as ``Decimal``
and ids as ``gid://`` strings, so the importer knows a single shape.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

ZERO = Decimal("0")


class PayloadError(ValueError):
    """The payload lacks something an order import cannot do without."""


@dataclass(frozen=True)
class Money:
    """An amount in the shop currency and in the buyer's currency."""

    shop: Decimal
    presentment: Decimal

    def pick(self, side):
        return self.presentment if side == "presentment" else self.shop

    def __add__(self, other):
        return Money(self.shop + other.shop, self.presentment + other.presentment)


NO_MONEY = Money(ZERO, ZERO)


@dataclass
class TaxLine:
    title: str
    rate: Decimal  # a fraction: 0.0725 for 7.25 %
    amount: Money

    @property
    def rate_percent(self):
        return float(self.rate * 100)


@dataclass
class DiscountAllocation:
    application_index: int | None
    amount: Money


@dataclass
class DiscountApplication:
    index: int
    title: str


@dataclass
class LineItem:
    gid: str
    name: str
    sku: str
    variant_gid: str | None
    quantity: int
    unit_price: Money
    taxable: bool = True
    is_gift_card: bool = False
    tax_lines: list[TaxLine] = field(default_factory=list)
    discounts: list[DiscountAllocation] = field(default_factory=list)


@dataclass
class ShippingLine:
    gid: str
    title: str
    price: Money
    tax_lines: list[TaxLine] = field(default_factory=list)
    discounts: list[DiscountAllocation] = field(default_factory=list)


@dataclass
class Transaction:
    gid: str
    kind: str  # lower case: sale, capture, authorization, refund, void...
    status: str  # lower case: success, failure, pending...
    gateway: str
    amount: Money
    processed_at: datetime | None
    test: bool = False


@dataclass
class Address:
    name: str = ""
    company: str = ""
    street: str = ""
    street2: str = ""
    city: str = ""
    zip: str = ""
    country_code: str = ""
    province_code: str = ""
    phone: str = ""


@dataclass
class Customer:
    gid: str | None
    email: str
    phone: str
    first_name: str
    last_name: str

    @property
    def name(self):
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass
class Order:
    gid: str
    name: str
    created_at: datetime
    updated_at: datetime
    processed_at: datetime | None
    cancelled_at: datetime | None
    test: bool
    taxes_included: bool
    currency: str
    presentment_currency: str
    financial_status: str
    email: str
    phone: str
    total_price: Money
    total_tax: Money
    customer: Customer | None
    billing_address: Address | None
    shipping_address: Address | None
    lines: list[LineItem]
    shipping_lines: list[ShippingLine]
    tax_lines: list[TaxLine]
    discount_applications: list[DiscountApplication]
    transactions: list[Transaction] | None  # None: not in the payload

    def currency_for(self, side):
        return self.presentment_currency if side == "presentment" else self.currency

    def discount_title(self, index):
        for application in self.discount_applications:
            if application.index == index:
                return application.title
        return ""


# Small readers ---------------------------------------------------------------


def _decimal(value, what):
    if value is None or value == "":
        return ZERO
    try:
        return Decimal(str(value))
    except InvalidOperation as error:
        raise PayloadError(f"{what} is not a number: {value!r}") from error


def parse_datetime(value):
    """Naive UTC datetime of an ISO 8601 string (as Odoo stores them)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise PayloadError(f"Not an ISO 8601 date: {value!r}") from error
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def to_gid(kind, value):
    """``gid://shopify/{kind}/{n}`` from a numeric id or an existing gid."""
    if value is None or value == "":
        return None
    value = str(value)
    if value.startswith("gid://"):
        return value
    return f"gid://shopify/{kind}/{value}"


def _text(value):
    return str(value).strip() if value not in (None, False) else ""


# REST (webhook) shape --------------------------------------------------------


def _rest_money(node, key, what):
    """Money of ``key`` from its ``key_set`` bag, else from the bare amount."""
    bag = node.get(f"{key}_set")
    if isinstance(bag, dict) and bag.get("shop_money"):
        shop = _decimal(bag["shop_money"].get("amount"), what)
        presentment_bag = bag.get("presentment_money") or bag["shop_money"]
        return Money(shop, _decimal(presentment_bag.get("amount"), what))
    amount = _decimal(node.get(key), what)
    return Money(amount, amount)


def _rest_tax_lines(nodes, what):
    return [
        TaxLine(
            title=_text(tax.get("title")),
            rate=_decimal(tax.get("rate"), f"{what} tax rate"),
            amount=_rest_money(tax, "price", f"{what} tax"),
        )
        for tax in nodes or []
    ]


def _rest_discounts(nodes, what):
    return [
        DiscountAllocation(
            application_index=allocation.get("discount_application_index"),
            amount=_rest_money(allocation, "amount", f"{what} discount"),
        )
        for allocation in nodes or []
    ]


def _rest_address(node):
    if not node:
        return None
    return Address(
        name=_text(node.get("name"))
        or " ".join(
            _text(node.get(key)) for key in ("first_name", "last_name") if node.get(key)
        ),
        company=_text(node.get("company")),
        street=_text(node.get("address1")),
        street2=_text(node.get("address2")),
        city=_text(node.get("city")),
        zip=_text(node.get("zip")),
        country_code=_text(node.get("country_code")),
        province_code=_text(node.get("province_code")),
        phone=_text(node.get("phone")),
    )


def _rest_discount_title(application):
    return _text(
        application.get("code")
        or application.get("title")
        or application.get("description")
        or application.get("type")
    )


def order_from_rest(payload):
    """Read an order webhook body (or a REST ``{"order": ...}`` answer)."""
    if not isinstance(payload, dict):
        raise PayloadError("An order payload must be a JSON object.")
    node = payload.get("order", payload)
    if not isinstance(node, dict) or not (
        node.get("admin_graphql_api_id") or node.get("id")
    ):
        raise PayloadError("The order payload has no id.")
    gid = node.get("admin_graphql_api_id") or to_gid("Order", node["id"])
    label = _text(node.get("name")) or gid

    lines = []
    for item in node.get("line_items") or []:
        what = f"line '{_text(item.get('name'))}' of order {label}"
        lines.append(
            LineItem(
                gid=item.get("admin_graphql_api_id")
                or to_gid("LineItem", item.get("id")),
                name=_text(item.get("name") or item.get("title")),
                sku=_text(item.get("sku")),
                variant_gid=to_gid("ProductVariant", item.get("variant_id")),
                quantity=int(item.get("quantity") or 0),
                unit_price=_rest_money(item, "price", what),
                taxable=item.get("taxable", True) is not False,
                is_gift_card=bool(item.get("gift_card")),
                tax_lines=_rest_tax_lines(item.get("tax_lines"), what),
                discounts=_rest_discounts(item.get("discount_allocations"), what),
            )
        )

    shipping_lines = []
    for position, shipping in enumerate(node.get("shipping_lines") or []):
        what = f"shipping '{_text(shipping.get('title'))}' of order {label}"
        shipping_lines.append(
            ShippingLine(
                gid=to_gid("ShippingLine", shipping.get("id"))
                or f"{gid}/shipping/{position}",
                title=_text(shipping.get("title") or shipping.get("code")),
                price=_rest_money(shipping, "price", what),
                tax_lines=_rest_tax_lines(shipping.get("tax_lines"), what),
                discounts=_rest_discounts(shipping.get("discount_allocations"), what),
            )
        )

    customer = None
    if node.get("customer"):
        raw = node["customer"]
        customer = Customer(
            gid=raw.get("admin_graphql_api_id") or to_gid("Customer", raw.get("id")),
            email=_text(raw.get("email")),
            phone=_text(raw.get("phone")),
            first_name=_text(raw.get("first_name")),
            last_name=_text(raw.get("last_name")),
        )

    transactions = None
    if "transactions" in node:
        transactions = [
            Transaction(
                gid=tx.get("admin_graphql_api_id")
                or to_gid("OrderTransaction", tx["id"]),
                kind=_text(tx.get("kind")).lower(),
                status=_text(tx.get("status")).lower(),
                gateway=_text(tx.get("gateway")),
                amount=_rest_money(tx, "amount", f"transaction of order {label}"),
                processed_at=parse_datetime(
                    tx.get("processed_at") or tx.get("created_at")
                ),
                test=bool(tx.get("test")),
            )
            for tx in node.get("transactions") or []
        ]

    currency = _text(node.get("currency"))
    created_at = parse_datetime(node.get("created_at"))
    return Order(
        gid=gid,
        name=label,
        created_at=created_at,
        updated_at=parse_datetime(node.get("updated_at")) or created_at,
        processed_at=parse_datetime(node.get("processed_at")),
        cancelled_at=parse_datetime(node.get("cancelled_at")),
        test=bool(node.get("test")),
        taxes_included=bool(node.get("taxes_included")),
        currency=currency,
        presentment_currency=_text(node.get("presentment_currency")) or currency,
        financial_status=_text(node.get("financial_status")).lower(),
        email=_text(node.get("email") or node.get("contact_email")),
        phone=_text(node.get("phone")),
        total_price=_rest_money(node, "total_price", f"total of order {label}"),
        total_tax=_rest_money(node, "total_tax", f"tax of order {label}"),
        customer=customer,
        billing_address=_rest_address(node.get("billing_address")),
        shipping_address=_rest_address(node.get("shipping_address")),
        lines=lines,
        shipping_lines=shipping_lines,
        tax_lines=_rest_tax_lines(node.get("tax_lines"), f"order {label}"),
        discount_applications=[
            DiscountApplication(index=index, title=_rest_discount_title(application))
            for index, application in enumerate(node.get("discount_applications") or [])
        ],
        transactions=transactions,
    )


# GraphQL shape ---------------------------------------------------------------


def _gql_money(bag, what):
    if not bag:
        return NO_MONEY
    shop = _decimal((bag.get("shopMoney") or {}).get("amount"), what)
    presentment = bag.get("presentmentMoney") or bag.get("shopMoney")
    return Money(shop, _decimal(presentment.get("amount"), what))


def _nodes(connection):
    if connection is None:
        return []
    if isinstance(connection, list):
        return connection
    if "nodes" in connection:
        return connection["nodes"] or []
    return [edge["node"] for edge in connection.get("edges") or []]


def _gql_tax_lines(nodes, what):
    return [
        TaxLine(
            title=_text(tax.get("title")),
            rate=_decimal(tax.get("rate"), f"{what} tax rate"),
            amount=_gql_money(tax.get("priceSet"), f"{what} tax"),
        )
        for tax in nodes or []
    ]


def _gql_discounts(nodes, what):
    return [
        DiscountAllocation(
            application_index=(allocation.get("discountApplication") or {}).get(
                "index"
            ),
            amount=_gql_money(allocation.get("allocatedAmountSet"), f"{what} discount"),
        )
        for allocation in nodes or []
    ]


def _gql_address(node):
    if not node:
        return None
    return Address(
        name=_text(node.get("name"))
        or " ".join(
            _text(node.get(key)) for key in ("firstName", "lastName") if node.get(key)
        ),
        company=_text(node.get("company")),
        street=_text(node.get("address1")),
        street2=_text(node.get("address2")),
        city=_text(node.get("city")),
        zip=_text(node.get("zip")),
        country_code=_text(node.get("countryCodeV2") or node.get("countryCode")),
        province_code=_text(node.get("provinceCode")),
        phone=_text(node.get("phone")),
    )


def transactions_from_graphql(nodes, label=""):
    return [
        Transaction(
            gid=tx["id"],
            kind=_text(tx.get("kind")).lower(),
            status=_text(tx.get("status")).lower(),
            gateway=_text(tx.get("gateway")),
            amount=_gql_money(tx.get("amountSet"), f"transaction of order {label}"),
            processed_at=parse_datetime(tx.get("processedAt")),
            test=bool(tx.get("test")),
        )
        for tx in nodes or []
    ]


def order_from_graphql(node):
    """Read an ``Order`` node as the catch-up poll's query returns it."""
    if not isinstance(node, dict) or not node.get("id"):
        raise PayloadError("The order node has no id.")
    label = _text(node.get("name")) or node["id"]

    lines = []
    for item in _nodes(node.get("lineItems")):
        what = f"line '{_text(item.get('name'))}' of order {label}"
        variant = item.get("variant") or {}
        lines.append(
            LineItem(
                gid=item["id"],
                name=_text(item.get("name") or item.get("title")),
                sku=_text(item.get("sku") or variant.get("sku")),
                variant_gid=variant.get("id"),
                quantity=int(item.get("quantity") or 0),
                unit_price=_gql_money(item.get("originalUnitPriceSet"), what),
                taxable=item.get("taxable", True) is not False,
                is_gift_card=bool(item.get("isGiftCard")),
                tax_lines=_gql_tax_lines(item.get("taxLines"), what),
                discounts=_gql_discounts(item.get("discountAllocations"), what),
            )
        )

    shipping_lines = []
    for shipping in _nodes(node.get("shippingLines")):
        what = f"shipping '{_text(shipping.get('title'))}' of order {label}"
        shipping_lines.append(
            ShippingLine(
                gid=shipping.get("id"),
                title=_text(shipping.get("title") or shipping.get("code")),
                price=_gql_money(shipping.get("originalPriceSet"), what),
                tax_lines=_gql_tax_lines(shipping.get("taxLines"), what),
                discounts=_gql_discounts(shipping.get("discountAllocations"), what),
            )
        )

    customer = None
    if node.get("customer"):
        raw = node["customer"]
        customer = Customer(
            gid=raw.get("id"),
            email=_text(raw.get("email")),
            phone=_text(raw.get("phone")),
            first_name=_text(raw.get("firstName")),
            last_name=_text(raw.get("lastName")),
        )

    applications = []
    for position, application in enumerate(_nodes(node.get("discountApplications"))):
        applications.append(
            DiscountApplication(
                index=application.get("index", position),
                title=_text(
                    application.get("code")
                    or application.get("title")
                    or application.get("description")
                ),
            )
        )

    currency = _text(node.get("currencyCode"))
    created_at = parse_datetime(node.get("createdAt"))
    return Order(
        gid=node["id"],
        name=label,
        created_at=created_at,
        updated_at=parse_datetime(node.get("updatedAt")) or created_at,
        processed_at=parse_datetime(node.get("processedAt")),
        cancelled_at=parse_datetime(node.get("cancelledAt")),
        test=bool(node.get("test")),
        taxes_included=bool(node.get("taxesIncluded")),
        currency=currency,
        presentment_currency=_text(node.get("presentmentCurrencyCode")) or currency,
        financial_status=_text(node.get("displayFinancialStatus")).lower(),
        email=_text(node.get("email")),
        phone=_text(node.get("phone")),
        total_price=_gql_money(node.get("totalPriceSet"), f"total of order {label}"),
        total_tax=_gql_money(node.get("totalTaxSet"), f"tax of order {label}"),
        customer=customer,
        billing_address=_gql_address(node.get("billingAddress")),
        shipping_address=_gql_address(node.get("shippingAddress")),
        lines=lines,
        shipping_lines=shipping_lines,
        tax_lines=_gql_tax_lines(node.get("taxLines"), f"order {label}"),
        discount_applications=applications,
        transactions=(
            transactions_from_graphql(node["transactions"], label)
            if "transactions" in node
            else None
        ),
    )


def read_order(payload, payload_format):
    """Dispatch on the payload's shape: ``rest`` or ``graphql``."""
    if payload_format == "graphql":
        return order_from_graphql(payload)
    return order_from_rest(payload)
