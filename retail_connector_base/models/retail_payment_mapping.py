from odoo import _, api, fields, models

from ..exceptions import BusinessError


class RetailPaymentMapping(models.Model):
    """Which journal and payment method receive an external gateway's money."""

    _name = "retail.payment.mapping"
    _description = "Retail Connector Payment Mapping"
    _order = "backend_id, gateway"

    backend_id = fields.Many2one(
        "retail.backend", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="backend_id.company_id")
    gateway = fields.Char(
        required=True,
        help="Gateway or tender name as the API sends it "
        "(for instance 'shopify_payments', 'manual', 'gift_card').",
    )
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
    )
    payment_method_line_id = fields.Many2one(
        "account.payment.method.line",
        domain="[('journal_id', '=', journal_id), ('payment_type', '=', 'inbound')]",
        help="Leave empty to use the journal's first incoming method.",
    )

    _sql_constraints = [
        (
            "gateway_unique",
            "UNIQUE(backend_id, gateway)",
            "This gateway is already mapped on the backend.",
        ),
    ]

    @api.model
    def _find(self, backend, gateway):
        mapping = self.search(
            [("backend_id", "=", backend.id), ("gateway", "=", gateway)], limit=1
        )
        if not mapping:
            raise BusinessError(
                _(
                    "Add a payment mapping for gateway '%(gateway)s' on backend "
                    "'%(backend)s'.",
                    gateway=gateway,
                    backend=backend.name,
                ),
                code="missing_mapping",
            )
        return mapping
