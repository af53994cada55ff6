from odoo import fields, models


class RetailBackend(models.Model):
    _inherit = "retail.backend"

    connector_type = fields.Selection(
        selection_add=[("shopify", "Shopify")], ondelete={"shopify": "cascade"}
    )
