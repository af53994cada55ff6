from odoo import api, fields, models


class ShopifyCatalogMatch(models.TransientModel):
    """What one match of the catalogue by SKU left unmatched on each side."""

    _name = "shopify.catalog.match"
    _description = "Shopify Catalogue Match Report"

    backend_id = fields.Many2one("shopify.backend", required=True, readonly=True)
    matched_count = fields.Integer(string="Matched Variants", readonly=True)
    line_ids = fields.One2many("shopify.catalog.match.line", "report_id")
    odoo_line_ids = fields.One2many(
        "shopify.catalog.match.line",
        "report_id",
        string="Odoo Products without a Shopify Variant",
        domain=[("side", "=", "odoo")],
    )
    shopify_line_ids = fields.One2many(
        "shopify.catalog.match.line",
        "report_id",
        string="Shopify Variants without an Odoo Product",
        domain=[("side", "=", "shopify")],
    )
    unmatched_odoo_count = fields.Integer(compute="_compute_counts")
    unmatched_shopify_count = fields.Integer(compute="_compute_counts")

    @api.depends("line_ids.side")
    def _compute_counts(self):
        for report in self:
            sides = report.line_ids.mapped("side")
            report.unmatched_odoo_count = sides.count("odoo")
            report.unmatched_shopify_count = sides.count("shopify")


class ShopifyCatalogMatchLine(models.TransientModel):
    """One unmatched Odoo product or Shopify variant."""

    _name = "shopify.catalog.match.line"
    _description = "Shopify Catalogue Match Line"
    _order = "side, name"

    report_id = fields.Many2one(
        "shopify.catalog.match", required=True, ondelete="cascade"
    )
    side = fields.Selection(
        [("odoo", "Odoo"), ("shopify", "Shopify")], required=True, readonly=True
    )
    name = fields.Char(readonly=True)
    sku = fields.Char(string="SKU", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    external_id = fields.Char(string="Shopify ID", readonly=True)
