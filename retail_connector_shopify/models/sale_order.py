from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    shopify_bind_ids = fields.One2many(
        "shopify.sale.order", "odoo_id", string="Shopify Bindings"
    )
    shopify_refund_ids = fields.One2many(
        "shopify.refund", "sale_order_id", string="Shopify Refunds"
    )
