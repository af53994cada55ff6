from odoo import fields, models

from .shopify_product_template import SKIP_PUSH

# Odoo fields of a template and of a variant, and the catalogue fields they
# feed; a change of one queues a push when Odoo owns one of those fields.
# ``None`` stands for the SKU, which Odoo always owns.
TEMPLATE_FIELDS = {
    "name": ("title",),
    "description_sale": ("description",),
    "list_price": ("price", "compare_at_price"),
    "active": ("status",),
}
VARIANT_FIELDS = {
    "default_code": (None,),
    "barcode": ("barcode",),
    "active": ("status",),
}


class ProductTemplate(models.Model):
    _inherit = "product.template"

    shopify_template_bind_ids = fields.One2many(
        "shopify.product.template", "odoo_id", string="Shopify Products"
    )

    def write(self, vals):
        result = super().write(vals)
        touched = {f for name in vals for f in TEMPLATE_FIELDS.get(name, ())}
        if touched and not self.env.context.get(SKIP_PUSH):
            self.env["shopify.backend"]._catalog_changed(self, touched)
        return result


class ProductProduct(models.Model):
    _inherit = "product.product"

    def write(self, vals):
        result = super().write(vals)
        touched = {f for name in vals for f in VARIANT_FIELDS.get(name, ())}
        if touched and not self.env.context.get(SKIP_PUSH):
            self.env["shopify.backend"]._catalog_changed(self.product_tmpl_id, touched)
        return result
