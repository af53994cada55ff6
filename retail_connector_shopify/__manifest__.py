{
    "name": "Retail Connector: Shopify",
    "summary": "Import Shopify orders into Odoo in real time, with webhooks, "
    "a catch-up poll and exact totals",
    "version": "18.0.1.0.0",
    "category": "Connector",
    "author": "Retail Connector Contributors",
    "maintainers": ["retail-connector"],
    "license": "AGPL-3",
    "installable": True,
    "depends": ["retail_connector_base", "sale_management", "sale_stock"],
    "external_dependencies": {"python": ["requests"]},
    "post_init_hook": "post_init_hook",
    "data": [
        "security/ir.model.access.csv",
        "data/product_data.xml",
        "data/ir_cron_data.xml",
        "views/shopify_backend_views.xml",
        "views/shopify_binding_views.xml",
        "views/sale_order_views.xml",
        "views/shopify_menus.xml",
    ],
}
