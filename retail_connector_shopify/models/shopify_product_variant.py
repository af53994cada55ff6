from odoo import _, api, fields, models

from odoo.addons.retail_connector_base.exceptions import BusinessError


class ShopifyProductVariant(models.Model):
    """A Shopify product variant bound to an Odoo product variant."""

    _name = "shopify.product.variant"
    _inherit = "retail.binding"
    _description = "Shopify Variant Binding"

    backend_id = fields.Many2one(
        "shopify.backend", required=True, index=True, ondelete="cascade"
    )
    odoo_id = fields.Many2one(
        "product.product",
        string="Product",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sku = fields.Char(string="SKU", index=True)
    inventory_item_id = fields.Char(
        string="Inventory Item ID",
        help="Global id of the variant's Shopify inventory item, learned on the "
        "first stock push.",
    )

    _sql_constraints = [
        (
            "external_unique",
            "UNIQUE(backend_id, external_id)",
            "This Shopify variant is already bound.",
        ),
    ]

    @api.model
    def _bind(self, backend, variant_gid, product, sku):
        """Remember a variant-to-product match; a concurrent job may have
        remembered it first, which is just as good."""
        self.flush_model()
        self.env.cr.execute(
            """
            INSERT INTO shopify_product_variant
                   (backend_id, external_id, odoo_id, sku, sync_date,
                    create_uid, create_date, write_uid, write_date)
            VALUES (%s, %s, %s, %s, now() at time zone 'UTC',
                    %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')
            ON CONFLICT (backend_id, external_id) DO NOTHING
            """,
            (backend.id, variant_gid, product.id, sku, self.env.uid, self.env.uid),
        )
        self.invalidate_model()

    @api.model
    def _product_for_line(self, backend, line, order_name):
        """The Odoo product of an order line: by variant binding, then SKU.

        A first match by SKU is remembered as a binding, so a later change
        of the SKU in Odoo does not break the link.
        """
        if line.variant_gid:
            binding = self.search(
                [
                    ("backend_id", "=", backend.id),
                    ("external_id", "=", line.variant_gid),
                ],
                limit=1,
            )
            if binding:
                return binding.odoo_id
        if line.sku:
            products = self.env["product.product"].search(
                [("default_code", "=", line.sku)], limit=2
            )
            if len(products) > 1:
                raise BusinessError(
                    _(
                        "SKU '%(sku)s' of order %(order)s matches several Odoo "
                        "products: give each product its own internal reference.",
                        sku=line.sku,
                        order=order_name,
                    ),
                    code="ambiguous_sku",
                )
            if products:
                if line.variant_gid:
                    self._bind(backend, line.variant_gid, products, line.sku)
                return products
            raise BusinessError(
                _(
                    "Unknown SKU '%(sku)s' on line '%(line)s' of order %(order)s: "
                    "create a product with this internal reference, then retry.",
                    sku=line.sku,
                    line=line.name,
                    order=order_name,
                ),
                code="unknown_sku",
            )
        if backend.custom_item_product_id:
            return backend.custom_item_product_id
        raise BusinessError(
            _(
                "Line '%(line)s' of order %(order)s has no SKU and no variant: set "
                "a custom item product on backend '%(backend)s', then retry.",
                line=line.name,
                order=order_name,
                backend=backend.name,
            ),
            code="unknown_sku",
        )
