from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    shopify_sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Shopify Refunded Line",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="The order line a Shopify refund credits. Unlike the invoicing "
        "link, it does not change the quantity left to invoice on the order.",
    )
