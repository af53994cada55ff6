from odoo import fields, models


class ShopifyAccountPayment(models.Model):
    """A Shopify order transaction registered as an Odoo payment."""

    _name = "shopify.account.payment"
    _inherit = "retail.binding"
    _description = "Shopify Transaction Binding"

    backend_id = fields.Many2one(
        "shopify.backend", required=True, index=True, ondelete="cascade"
    )
    odoo_id = fields.Many2one(
        "account.payment",
        string="Payment",
        required=True,
        index=True,
        ondelete="cascade",
    )
    order_binding_id = fields.Many2one(
        "shopify.sale.order", required=True, index=True, ondelete="cascade"
    )
    gateway = fields.Char()
    kind = fields.Char()

    _sql_constraints = [
        (
            "external_unique",
            "UNIQUE(backend_id, external_id)",
            "This Shopify transaction is already registered.",
        ),
    ]
