"""Order generation: a spec in, a consistent REST-shaped Shopify order out.

The arithmetic follows the contract stated in the simulator's brief, in
shop currency with ``Decimal``:

- a line's amount is ``price × quantity``; a line ``discount`` is a manual
  discount application allocated to that line only;
- an ``order_discount`` code is allocated over the eligible lines (not gift
  cards) pro rata to their amount after line discounts, the last line taking
  the rounding remainder;
- each tax applies per line to the line amount after all its allocations,
  rounded half-up per line; with ``taxes_included`` the tax is the part of the
  amount that the rate represents (``amount × rate / (1 + Σ rates)``);
  shipping is taxed only when ``shipping_taxable``;
- ``total_line_items_price`` = Σ line amounts, ``subtotal_price`` = that minus
  the line allocations, ``total_discounts`` = every allocation (lines and
  shipping), ``total_shipping_price_set`` = shipping before discounts,
  ``total_price`` = subtotal + discounted shipping + tax (tax only when it is
  not included);
- every presentment amount is its shop amount × ``rate``, rounded on its own.
"""

from dataclasses import dataclass, field

from . import catalog, customers, timestamps
from .money import ZERO, Converter, allocate, cents, dec, fmt
from .store import gid

FINANCIAL_STATUSES = ("paid", "authorized", "pending")
PRICING_KEYS = (
    "lines",
    "order_discount",
    "shipping",
    "taxes",
    "taxes_included",
    "shipping_taxable",
)


@dataclass
class _Line:
    """A line being priced: its spec resolved against the catalog."""

    spec: dict
    title: str
    price: object
    quantity: int
    variant: dict | None
    product: dict | None
    allocations: list = field(default_factory=list)
    taxes: list = field(default_factory=list)

    @property
    def amount(self):
        return self.price * self.quantity

    @property
    def discounted(self):
        return self.amount - sum((share for _, share in self.allocations), ZERO)

    @property
    def gift_card(self):
        return bool(self.spec.get("gift_card"))


def rest_transaction(store, order, kind, gateway, amount, amount_set, when):
    """A successful REST order transaction, with a new id."""
    transaction_id = store.next_id()
    return {
        "id": transaction_id,
        "admin_graphql_api_id": gid("OrderTransaction", transaction_id),
        "order_id": order["id"],
        "kind": kind,
        "status": "success",
        "gateway": gateway,
        "amount": amount,
        "amount_set": amount_set,
        "currency": order["presentment_currency"],
        "authorization": None,
        "created_at": when,
        "processed_at": when,
        "device_id": None,
        "error_code": None,
        "location_id": None,
        "message": None,
        "parent_id": None,
        "receipt": {},
        "source_name": "web",
        "test": order["test"],
        "user_id": None,
    }


class OrderBuilder:
    """Builds and rebuilds orders for one shop from order specs."""

    def __init__(self, store, *, currency, zone):
        self._store = store
        self._currency = currency
        self._zone = zone

    def create(self, spec):
        """Return ``(order, transactions)`` for a new order described by ``spec``.

        Nothing is stored: the caller inserts the records and emits webhooks.
        """
        status = spec.get("financial_status", "paid")
        if status not in FINANCIAL_STATUSES:
            raise ValueError(
                f"financial_status must be one of {FINANCIAL_STATUSES}, not {status!r}"
            )
        conv = self._converter(spec)
        priced = self._priced(spec, conv)

        store = self._store
        created = spec.get("created_at")
        moment = timestamps.parse(created) if created else store.now()
        now = timestamps.rest(moment, self._zone)
        order_id = store.next_id()
        number = store.next_order_number()
        customer = None
        if spec.get("customer"):
            customer = customers.upsert_customer(
                store, self._zone, conv.shop_currency, spec["customer"]
            )
        shipping_address = customers.address(spec.get("shipping_address"))
        billing_address = customers.address(spec.get("billing_address"))
        email = spec.get("email") or (customer or {}).get("email")
        gateway = spec.get("gateway", "shopify_payments")
        order = {
            "id": order_id,
            "admin_graphql_api_id": gid("Order", order_id),
            "app_id": None,
            "browser_ip": None,
            "buyer_accepts_marketing": False,
            "cancel_reason": None,
            "cancelled_at": None,
            "closed_at": None,
            "confirmation_number": None,
            "confirmed": True,
            "contact_email": email,
            "created_at": now,
            "currency": conv.shop_currency,
            "customer_locale": "en",
            "email": email,
            "estimated_taxes": False,
            "financial_status": "pending",
            "fulfillment_status": None,
            "location_id": None,
            "name": f"#{number}",
            "note": spec.get("note"),
            "note_attributes": [],
            "number": number - 1000,
            "order_number": number,
            "payment_gateway_names": [gateway],
            "phone": spec.get("phone") or (customer or {}).get("phone"),
            "presentment_currency": conv.presentment_currency,
            "processed_at": now,
            "source_name": spec.get("source_name", "web"),
            "tags": rest_tags(spec.get("tags")),
            "tax_exempt": False,
            "test": bool(spec.get("test", False)),
            "total_tip_received": "0.00",
            "updated_at": now,
            "user_id": None,
            "billing_address": billing_address or shipping_address,
            "customer": customer,
            "fulfillments": [],
            "refunds": [],
            "shipping_address": shipping_address,
        }
        order.update(priced)
        transactions = []
        if status != "pending":
            kind = "sale" if status == "paid" else "authorization"
            transactions.append(self.transaction(order, kind, gateway, now))
        return self.with_financial_status(order, status), transactions

    def rebuild(self, order, spec):
        """Return ``order`` re-priced from ``spec``; line ids are kept by position.

        A line keeps its id when the line at the same position has the same
        SKU; other lines get new ids. Shipping lines keep theirs.
        """
        priced = self._priced(spec, self._converter(spec), previous=order["line_items"])
        # The shipping line stays the same line when it is re-priced.
        for before, after in zip(
            order["shipping_lines"], priced["shipping_lines"], strict=False
        ):
            after["id"] = before["id"]
        return self.with_financial_status(
            {**order, **priced}, order["financial_status"]
        )

    def transaction(self, order, kind, gateway, when):
        """Return a successful transaction of ``kind`` for the order's total."""
        return rest_transaction(
            self._store,
            order,
            kind,
            gateway,
            order["total_price_set"]["presentment_money"]["amount"],
            order["total_price_set"],
            when,
        )

    @staticmethod
    def with_financial_status(order, status):
        """Return ``order`` with ``financial_status`` and what depends on it."""
        outstanding = ZERO if status == "paid" else dec(order["total_price"])
        return {
            **order,
            "financial_status": status,
            "total_outstanding": fmt(outstanding),
        }

    def _converter(self, spec):
        currency = spec.get("currency", self._currency)
        presentment = spec.get("presentment_currency", currency)
        if presentment != currency and "rate" not in spec:
            raise ValueError(
                f"presentment currency {presentment} differs from {currency}: "
                "the spec needs a 'rate'"
            )
        return Converter(currency, presentment, dec(spec.get("rate", "1")))

    def _priced(self, spec, conv, previous=()):
        """Return the order fields that pricing decides: lines, discounts, totals."""
        if not spec.get("lines"):
            raise ValueError("an order needs at least one line")
        lines = [self._line(line_spec) for line_spec in spec["lines"]]
        applications = []
        for line in lines:
            self._apply_line_discount(line, applications)
        discount_codes = self._apply_order_discount(
            spec.get("order_discount"), lines, applications
        )
        shipping = spec.get("shipping")
        shipping_price = cents(dec(shipping["price"])) if shipping else ZERO
        shipping_allocations = self._shipping_discount(shipping, applications)
        shipping_discounted = shipping_price - sum(
            (share for _, share in shipping_allocations), ZERO
        )

        taxes = [(tax["title"], dec(tax["rate"])) for tax in spec.get("taxes", [])]
        included = bool(spec.get("taxes_included", False))
        for line in lines:
            if line.spec.get("taxable", True) and not line.gift_card:
                line.taxes = _tax_amounts(line.discounted, taxes, included)
        shipping_taxes = []
        if shipping and spec.get("shipping_taxable"):
            shipping_taxes = _tax_amounts(shipping_discounted, taxes, included)

        line_items_total = sum((line.amount for line in lines), ZERO)
        subtotal = sum((line.discounted for line in lines), ZERO)
        line_discounts = line_items_total - subtotal
        total_discounts = line_discounts + (shipping_price - shipping_discounted)
        tax_by_line = [line.taxes for line in lines] + [shipping_taxes]
        tax_lines = _aggregate_taxes(tax_by_line)
        total_tax = sum((amount for _, _, amount in tax_lines), ZERO)
        total = subtotal + shipping_discounted + (ZERO if included else total_tax)

        previous_ids = [(item["sku"], item["id"]) for item in previous]
        items = [
            self._line_item(
                line, conv, previous_ids[index] if index < len(previous_ids) else None
            )
            for index, line in enumerate(lines)
        ]
        shipping_lines = []
        if shipping:
            shipping_lines.append(
                self._shipping_line(
                    shipping,
                    shipping_price,
                    shipping_discounted,
                    shipping_allocations,
                    shipping_taxes,
                    conv,
                )
            )
        money = {
            "current_subtotal_price": subtotal,
            "current_total_discounts": total_discounts,
            "current_total_price": total,
            "current_total_tax": total_tax,
            "subtotal_price": subtotal,
            "total_discounts": total_discounts,
            "total_line_items_price": line_items_total,
            "total_price": total,
            "total_tax": total_tax,
        }
        fields = {}
        for name, amount in money.items():
            fields[name] = fmt(amount)
            fields[f"{name}_set"] = conv.bag(amount)
        fields.update(
            {
                "current_shipping_price_set": conv.bag(shipping_discounted),
                "total_shipping_price_set": conv.bag(shipping_price),
                "taxes_included": included,
                "tax_lines": [
                    _tax_line(title, rate, amount, conv)
                    for title, rate, amount in tax_lines
                ],
                "discount_applications": applications,
                "discount_codes": discount_codes,
                "line_items": items,
                "shipping_lines": shipping_lines,
                "total_weight": sum(item["grams"] * item["quantity"] for item in items),
            }
        )
        return fields

    def _line(self, spec):
        sku = spec.get("sku")
        variant = catalog.variant_by_sku(self._store, sku) if sku else None
        product = self._store.get("Product", variant["product_id"]) if variant else None
        price = spec.get("price") or (variant or {}).get("price")
        if price is None:
            raise ValueError(f"line {sku or spec.get('title')!r} needs a price")
        title = spec.get("title") or (product or {}).get("title") or sku
        if not title:
            raise ValueError("a custom line needs a title or a sku")
        quantity = int(spec.get("quantity", 1))
        if quantity < 1:
            raise ValueError(f"line {title!r}: quantity must be at least 1")
        return _Line(spec, title, cents(dec(price)), quantity, variant, product)

    @staticmethod
    def _apply_line_discount(line, applications):
        discount = line.spec.get("discount")
        if not discount:
            return
        if not isinstance(discount, dict):
            discount = {"amount": discount}
        amount = min(cents(dec(discount["amount"])), line.amount)
        line.allocations.append((len(applications), amount))
        applications.append(
            {
                "target_type": "line_item",
                "type": "manual",
                "value": fmt(amount),
                "value_type": "fixed_amount",
                "allocation_method": "one",
                "target_selection": "explicit",
                "title": discount.get("title", "Line discount"),
                "description": discount.get("description", "Line discount"),
            }
        )

    @staticmethod
    def _apply_order_discount(code, lines, applications):
        """Allocate a discount code over eligible lines; return ``discount_codes``."""
        if not code:
            return []
        # Items sent in an exchange are priced on their own.
        eligible = [
            line for line in lines if not (line.gift_card or line.spec.get("exchange"))
        ]
        bases = [line.discounted for line in eligible]
        base_total = sum(bases, ZERO)
        if "percentage" in code:
            value = dec(code["percentage"])
            total = cents(base_total * value / 100)
            value_type, value_text = "percentage", str(value)
        else:
            total = min(cents(dec(code["amount"])), base_total)
            value_type, value_text = "fixed_amount", fmt(dec(code["amount"]))
        index = len(applications)
        applications.append(
            {
                "target_type": "line_item",
                "type": "discount_code",
                "value": value_text,
                "value_type": value_type,
                "allocation_method": "across",
                "target_selection": "all",
                "code": code["code"],
            }
        )
        for line, share in zip(eligible, allocate(total, bases), strict=True):
            line.allocations.append((index, share))
        return [{"code": code["code"], "amount": fmt(total), "type": value_type}]

    @staticmethod
    def _shipping_discount(shipping, applications):
        if not shipping or not shipping.get("discount"):
            return []
        amount = min(cents(dec(shipping["discount"])), cents(dec(shipping["price"])))
        applications.append(
            {
                "target_type": "shipping_line",
                "type": "manual",
                "value": fmt(amount),
                "value_type": "fixed_amount",
                "allocation_method": "one",
                "target_selection": "explicit",
                "title": "Shipping discount",
                "description": "Shipping discount",
            }
        )
        return [(len(applications) - 1, amount)]

    def _line_item(self, line, conv, previous):
        variant, product = line.variant, line.product
        sku = line.spec.get("sku")
        same = previous is not None and previous[0] == sku
        line_id = previous[1] if same else self._store.next_id()
        variant_title = variant["title"] if variant else None
        name = line.title
        if variant_title and variant_title != "Default Title":
            name = f"{line.title} - {variant_title}"
        gift_card = line.gift_card
        return {
            "id": line_id,
            "admin_graphql_api_id": gid("LineItem", line_id),
            "attributed_staffs": [],
            "current_quantity": line.quantity,
            "fulfillable_quantity": line.quantity,
            "fulfillment_service": "manual",
            "fulfillment_status": None,
            "gift_card": gift_card,
            "grams": variant["grams"] if variant else 0,
            "name": name,
            "price": fmt(line.price),
            "price_set": conv.bag(line.price),
            "product_exists": product is not None,
            "product_id": product["id"] if product else None,
            "properties": [],
            "quantity": line.quantity,
            "requires_shipping": line.spec.get("requires_shipping", not gift_card),
            "sku": sku,
            "taxable": bool(line.spec.get("taxable", True)) and not gift_card,
            "title": line.title,
            "total_discount": "0.00",
            "total_discount_set": conv.bag(ZERO),
            "variant_id": variant["id"] if variant else None,
            "variant_inventory_management": "shopify" if variant else None,
            "variant_title": variant_title,
            "vendor": product["vendor"] if product else None,
            "tax_lines": [_tax_line(*tax, conv) for tax in line.taxes],
            "duties": [],
            "discount_allocations": [
                _allocation(index, share, conv) for index, share in line.allocations
            ],
        }

    def _shipping_line(self, spec, price, discounted, allocations, taxes, conv):
        line_id = self._store.next_id()
        return {
            "id": line_id,
            "carrier_identifier": None,
            "code": spec.get("code", spec["title"]),
            "current_discounted_price_set": conv.bag(discounted),
            "discounted_price": fmt(discounted),
            "discounted_price_set": conv.bag(discounted),
            "is_removed": False,
            "phone": None,
            "price": fmt(price),
            "price_set": conv.bag(price),
            "requested_fulfillment_service_id": None,
            "source": spec.get("source", "shopify"),
            "title": spec["title"],
            "tax_lines": [_tax_line(*tax, conv) for tax in taxes],
            "discount_allocations": [
                _allocation(index, share, conv) for index, share in allocations
            ],
        }


def _tax_amounts(amount, taxes, included):
    """Return ``[(title, rate, tax)]`` for one taxable amount."""
    if included:
        divisor = 1 + sum((rate for _, rate in taxes), ZERO)
        return [(title, rate, cents(amount * rate / divisor)) for title, rate in taxes]
    return [(title, rate, cents(amount * rate)) for title, rate in taxes]


def _aggregate_taxes(tax_groups):
    """Sum line and shipping taxes per (title, rate), in first-seen order."""
    totals = {}
    for group in tax_groups:
        for title, rate, amount in group:
            totals[title, rate] = totals.get((title, rate), ZERO) + amount
    return [(title, rate, amount) for (title, rate), amount in totals.items()]


def _tax_line(title, rate, amount, conv):
    return {
        "title": title,
        "rate": float(rate),
        "price": fmt(amount),
        "price_set": conv.bag(amount),
        "channel_liable": False,
    }


def _allocation(index, amount, conv):
    return {
        "amount": fmt(amount),
        "amount_set": conv.bag(amount),
        "discount_application_index": index,
    }


def rest_tags(tags):
    """Return REST's comma-separated tags from a list or a string."""
    if not tags:
        return ""
    if isinstance(tags, str):
        return tags
    return ", ".join(tags)
