from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_line_key = fields.Char(
        index="btree_not_null",
        copy=False,
        help="Which Shopify line (or discount, or shipping line) this line "
        "stands for, so that a newer version of the order updates it.",
    )
    shopify_exchange_return = fields.Char(
        string="Shopify Exchange",
        copy=False,
        readonly=True,
        help="The Shopify return this line was sent in exchange for.",
    )
