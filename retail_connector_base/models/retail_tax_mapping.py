from odoo import _, api, fields, models
from odoo.tools import float_compare

from ..exceptions import BusinessError


class RetailTaxMapping(models.Model):
    """Which Odoo tax stands for an external tax line (title and rate)."""

    _name = "retail.tax.mapping"
    _description = "Retail Connector Tax Mapping"
    _order = "backend_id, external_name, external_rate"

    backend_id = fields.Many2one(
        "retail.backend", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="backend_id.company_id")
    external_name = fields.Char(
        string="External Tax", required=True, help="Tax title as the API sends it."
    )
    external_rate = fields.Float(
        string="Rate (%)", digits=(16, 4), required=True, help="For example 7.25."
    )
    tax_id = fields.Many2one(
        "account.tax",
        string="Odoo Tax",
        required=True,
        domain="[('type_tax_use', '=', 'sale'), ('company_id', '=', company_id)]",
    )

    _sql_constraints = [
        (
            "mapping_unique",
            "UNIQUE(backend_id, external_name, external_rate)",
            "This external tax is already mapped on the backend.",
        ),
    ]

    @api.model
    def _find_tax(self, backend, name, rate_percent, price_include):
        """Return the Odoo tax mapped to an external tax line.

        Raises a business error naming the mapping to add, or the tax to
        change when its price-included setting contradicts the order.
        """
        candidates = self.search(
            [("backend_id", "=", backend.id), ("external_name", "=", name)]
        )
        mapping = candidates.filtered(
            lambda m: float_compare(m.external_rate, rate_percent, 4) == 0
        )[:1]
        if not mapping:
            raise BusinessError(
                _(
                    "Add a tax mapping for '%(name)s %(rate)s%%' on backend "
                    "'%(backend)s'.",
                    name=name,
                    rate=f"{rate_percent:g}",
                    backend=backend.name,
                ),
                code="missing_mapping",
            )
        if mapping.tax_id.price_include != price_include:
            raise BusinessError(
                _(
                    "The order's prices %(mode)s tax, but tax '%(tax)s' mapped to "
                    "'%(name)s' on backend '%(backend)s' does not: map a tax whose "
                    "'Included in Price' setting matches the shop.",
                    mode=_("include") if price_include else _("exclude"),
                    tax=mapping.tax_id.display_name,
                    name=name,
                    backend=backend.name,
                ),
                code="missing_mapping",
            )
        return mapping.tax_id
