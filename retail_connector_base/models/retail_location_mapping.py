from odoo import fields, models


class RetailLocationMapping(models.Model):
    """Which Odoo warehouse and stock location stand for an external location."""

    _name = "retail.location.mapping"
    _description = "Retail Connector Location Mapping"
    _order = "backend_id, external_name"

    backend_id = fields.Many2one(
        "retail.backend", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="backend_id.company_id")
    external_location_id = fields.Char(string="External Location ID", required=True)
    external_name = fields.Char(string="External Location")
    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, domain="[('company_id', '=', company_id)]"
    )
    location_id = fields.Many2one(
        "stock.location",
        help="Stock location whose quantities represent this external "
        "location; the warehouse's stock location when empty.",
        domain="[('usage', '=', 'internal'), ('company_id', '=', company_id)]",
    )

    _sql_constraints = [
        (
            "location_unique",
            "UNIQUE(backend_id, external_location_id)",
            "This external location is already mapped on the backend.",
        ),
    ]
