"""Configure an Odoo database to sell through a (simulated) Shopify shop.

Used by the demo and by the end-to-end tests: it does what an administrator
does in the UI, through the same models, and reads the shop's catalogue
through the real Admin API to create the matching Odoo products.
"""

from odoo import Command

PRODUCTS_QUERY = """
query Catalogue($after: String) {
  products(first: 10, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { title variants(first: 20) { nodes { sku price barcode title } } }
  }
}
"""

# Tax titles and rates the simulated shop charges, as Odoo taxes.
SHOP_TAXES = (("State Tax", 6.0), ("State Tax", 7.25), ("City Tax", 4.5))
GATEWAYS = ("shopify_payments", "paypal", "manual", "gift_card", "bogus")


def ensure_accounting(env):
    """Give the company a chart of accounts when it has none."""
    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading(
            "generic_coa", company, install_demo=False
        )
    return company


def configure_shopify_backend(
    env,
    *,
    name,
    shop_domain,
    api_url,
    access_token,
    webhook_secret,
    webhook_base_url,
    register_webhooks=True,
):
    """Create (or update) a backend with its mappings and the shop's products."""
    company = ensure_accounting(env)
    backends = env["shopify.backend"]
    backend = backends.search([("shop_domain", "=", shop_domain)], limit=1)
    values = {
        "refund_adjustment_account_id": _refund_adjustment_account(env, company).id,
        "name": name,
        "shop_domain": shop_domain,
        "api_url": api_url,
        "access_token": access_token,
        "webhook_secret": webhook_secret,
        "webhook_base_url": webhook_base_url,
        "guest_partner_id": _guest(env).id,
    }
    if backend:
        backend.write(values)
    else:
        backend = backends.create(values)

    retail_backend = backend.backend_id
    for title, rate in SHOP_TAXES:
        if retail_backend.tax_mapping_ids.filtered(
            lambda m, title=title, rate=rate: (
                m.external_name == title and abs(m.external_rate - rate) < 1e-6
            )
        ):
            continue
        tax = env["account.tax"].search(
            [
                ("name", "=", f"{title} {rate:g}%"),
                ("company_id", "=", company.id),
            ],
            limit=1,
        ) or env["account.tax"].create(
            {
                "name": f"{title} {rate:g}%",
                "amount": rate,
                "type_tax_use": "sale",
                "company_id": company.id,
            }
        )
        retail_backend.tax_mapping_ids = [
            Command.create(
                {"external_name": title, "external_rate": rate, "tax_id": tax.id}
            )
        ]

    journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    mapped = set(retail_backend.payment_mapping_ids.mapped("gateway"))
    retail_backend.payment_mapping_ids = [
        Command.create({"gateway": gateway, "journal_id": journal.id})
        for gateway in GATEWAYS
        if gateway not in mapped
    ]

    backend.action_test_connection()
    create_catalogue_products(env, backend)
    if register_webhooks:
        backend.action_register_webhooks()
    return backend


def create_catalogue_products(env, backend):
    """Create an Odoo product for every shop variant whose SKU is unknown."""
    client = backend._client()
    products = env["product.product"]
    created = 0
    for product in client.paginate(PRODUCTS_QUERY, {}, "products"):
        for variant in product["variants"]["nodes"]:
            sku = variant.get("sku")
            if not sku or products.search_count([("default_code", "=", sku)]):
                continue
            title = product["title"]
            if variant.get("title") and variant["title"] != "Default Title":
                title = f"{title} ({variant['title']})"
            products.create(
                {
                    "name": title,
                    "default_code": sku,
                    "barcode": variant.get("barcode") or False,
                    "list_price": float(variant.get("price") or 0),
                    "type": "consu",
                    "is_storable": True,
                }
            )
            created += 1
    return created


def _refund_adjustment_account(env, company):
    """An income account for refunds of amounts rather than goods."""
    accounts = env["account.account"]
    return accounts.search(
        [("code", "=", "400900"), ("company_ids", "in", company.ids)], limit=1
    ) or accounts.create(
        {
            "name": "Refund adjustments",
            "code": "400900",
            "account_type": "income",
            "company_ids": [Command.link(company.id)],
        }
    )


def _guest(env):
    partners = env["res.partner"]
    return partners.search([("name", "=", "Web shop guest")], limit=1) or (
        partners.create({"name": "Web shop guest"})
    )
