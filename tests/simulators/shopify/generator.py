"""Random but realistic order specs drawn from the shop's catalog."""

FIRST_NAMES = ("Alex", "Sam", "Jordan", "Robin", "Casey", "Morgan", "Jamie", "Avery")
LAST_NAMES = ("Fakelast01", "Fakelast02", "Fakelast03", "Fakelast04", "Fakelast05")
CITIES = (
    ("Springfield", "Illinois", "IL", "62701"),
    ("Portland", "Oregon", "OR", "97201"),
    ("Austin", "Texas", "TX", "73301"),
    ("Albany", "New York", "NY", "12207"),
)
DISCOUNT_CODES = (
    {"code": "WELCOME10", "percentage": 10},
    {"code": "SPRING15", "percentage": 15},
    {"code": "FIVEOFF", "amount": "5.00"},
)
SHIPPING_RATES = (
    {"title": "Standard", "code": "STANDARD", "price": "5.90"},
    {"title": "Express", "code": "EXPRESS", "price": "12.50"},
)


def random_order_spec(rng, variants, tax_rates, currency):
    """Return an order spec for ``ShopifySimulator.create_order``.

    ``variants`` are catalog variants to pick 1 to 4 lines from; ``tax_rates``
    are ``(title, rate)`` pairs, one of which applies. About a quarter of the
    orders use a discount code, most ship, a fifth are guest checkouts and
    about nine in ten are paid.
    """
    if not variants:
        raise ValueError("the catalog is empty: add products before random orders")
    chosen = rng.sample(variants, k=min(len(variants), rng.randint(1, 4)))
    title, rate = rng.choice(tax_rates)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{first.lower()}.{last.lower()}@example.com"
    city, province, province_code, zip_code = rng.choice(CITIES)
    address = {
        "first_name": first,
        "last_name": last,
        "address1": f"{rng.randint(1, 999)} Fake Street",
        "city": city,
        "province": province,
        "province_code": province_code,
        "zip": zip_code,
        "country": "United States",
        "country_code": "US",
    }
    spec = {
        "lines": [
            {"sku": variant["sku"], "quantity": rng.choice((1, 1, 1, 2, 3))}
            for variant in chosen
        ],
        "taxes": [{"title": title, "rate": str(rate)}],
        "currency": currency,
        "gateway": rng.choice(("shopify_payments", "shopify_payments", "paypal")),
        "financial_status": "paid" if rng.random() < 0.9 else "pending",
        "shipping_address": address,
        "billing_address": address,
    }
    if rng.random() < 0.8:
        spec["customer"] = {"email": email, "first_name": first, "last_name": last}
    else:
        spec["email"] = email
    if rng.random() < 0.25:
        spec["order_discount"] = dict(rng.choice(DISCOUNT_CODES))
    if rng.random() < 0.85:
        spec["shipping"] = dict(rng.choice(SHIPPING_RATES))
        spec["shipping_taxable"] = rng.random() < 0.5
    return spec
