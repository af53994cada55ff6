from odoo import fields, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    shopify_bind_ids = fields.One2many(
        "shopify.product.variant", "odoo_id", string="Shopify Bindings"
    )
