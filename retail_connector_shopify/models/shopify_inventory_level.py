from odoo import fields, models


class ShopifyInventoryLevel(models.Model):
    """The stock of one Odoo product at one mapped Shopify location.

    It remembers what Shopify was last known to have, which the next push
    sends as ``changeFromQuantity`` so that a change made in Shopify in the
    meantime is noticed instead of overwritten blindly.
    """

    _name = "shopify.inventory.level"
    _description = "Shopify Inventory Level Binding"
    _order = "backend_id, product_id, location_mapping_id"

    backend_id = fields.Many2one(
        "shopify.backend", required=True, index=True, ondelete="cascade"
    )
    product_id = fields.Many2one(
        "product.product", required=True, index=True, ondelete="cascade"
    )
    location_mapping_id = fields.Many2one(
        "retail.location.mapping", required=True, index=True, ondelete="cascade"
    )
    external_location_id = fields.Char(
        related="location_mapping_id.external_location_id", string="Shopify Location"
    )
    inventory_item_id = fields.Char(
        string="Inventory Item ID", help="Global id of the Shopify inventory item."
    )
    pushed_quantity = fields.Integer(
        readonly=True, help="Quantity this connector last set in Shopify."
    )
    shopify_quantity = fields.Integer(
        readonly=True, help="Available quantity Shopify was last known to have."
    )
    shopify_quantity_known = fields.Boolean(readonly=True)
    pushed_at = fields.Datetime(readonly=True)
    last_error = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "level_unique",
            "UNIQUE(backend_id, product_id, location_mapping_id)",
            "This product already has a level at this location on the backend.",
        ),
    ]

    def _known_quantity(self):
        """``changeFromQuantity`` of the next push: None when unknown."""
        self.ensure_one()
        return self.shopify_quantity if self.shopify_quantity_known else None
