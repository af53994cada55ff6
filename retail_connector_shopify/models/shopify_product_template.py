import logging

from odoo import _, api, fields, models
from odoo.tools import html2plaintext

from odoo.addons.retail_connector_base.exceptions import BusinessError

from .. import const

_logger = logging.getLogger(__name__)

# Context key of writes that come from Shopify: they never start a push.
SKIP_PUSH = "shopify_skip_catalog_push"


class ShopifyProductTemplate(models.Model):
    """A Shopify product bound to an Odoo product template."""

    _name = "shopify.product.template"
    _inherit = "retail.binding"
    _description = "Shopify Product Binding"

    backend_id = fields.Many2one(
        "shopify.backend", required=True, index=True, ondelete="cascade"
    )
    odoo_id = fields.Many2one(
        "product.template",
        string="Product",
        required=True,
        index=True,
        ondelete="cascade",
    )
    variant_binding_ids = fields.One2many(
        "shopify.product.variant", "product_binding_id", string="Variants"
    )
    pushed_at = fields.Datetime(readonly=True)
    last_error = fields.Text(readonly=True)

    _sql_constraints = [
        (
            "external_unique",
            "UNIQUE(backend_id, external_id)",
            "This Shopify product is already bound.",
        ),
        (
            "odoo_unique",
            "UNIQUE(backend_id, odoo_id)",
            "This product is already bound to a Shopify product of this shop.",
        ),
    ]

    @api.model
    def _for(self, backend, template):
        return self.with_context(active_test=False).search(
            [("backend_id", "=", backend.id), ("odoo_id", "=", template.id)], limit=1
        )

    # Inbound: products/update ---------------------------------------------

    @api.model
    def _import_event(self, backend, event):
        """Apply the Shopify-owned fields of a ``products/update`` event to
        the bound Odoo product; return ``(state, record)`` for the ledger.

        Odoo-owned fields are never read from the payload, and a value Odoo
        already has is not written again, so no push follows.
        """
        payload = event._payload_json()
        if not isinstance(payload, dict):
            raise BusinessError(
                _("The products/update payload is not a product."),
                code="invalid_payload",
            )
        binding = self.with_context(active_test=False).search(
            [
                ("backend_id", "=", backend.id),
                ("external_id", "=", payload.get("admin_graphql_api_id")),
            ],
            limit=1,
        )
        if not binding:
            return "done", None
        if (
            binding.external_updated_at
            and event.external_updated_at
            and event.external_updated_at < binding.external_updated_at
        ):
            return "ignored_stale", binding
        binding._apply_shopify_fields(backend, payload)
        binding.write(
            {
                "external_updated_at": event.external_updated_at
                or binding.external_updated_at,
                "payload_digest": self._payload_digest(payload),
                "sync_date": fields.Datetime.now(),
            }
        )
        return "done", binding

    def _apply_shopify_fields(self, backend, payload):
        self.ensure_one()
        owned = backend._catalog_shopify_owned()
        template = self.odoo_id.with_context(**{SKIP_PUSH: True})
        values = {}
        if "title" in owned and payload.get("title"):
            if payload["title"] != template.name:
                values["name"] = payload["title"]
        if "description" in owned and "body_html" in payload:
            text = html2plaintext(payload["body_html"] or "").strip()
            if text != (template.description_sale or "").strip():
                values["description_sale"] = text or False
        if "status" in owned:
            active = const.REST_PRODUCT_ACTIVE.get(payload.get("status"))
            if active is not None and active != template.active:
                values["active"] = active
        variants = self._variant_payloads(payload)
        if "price" in owned:
            prices = {variant.get("price") for _product, variant in variants}
            if len(prices) == 1 and None not in prices:
                price = float(prices.pop())
                currency = template.currency_id
                if currency.compare_amounts(price, template.list_price):
                    values["list_price"] = price
        if values:
            template.write(values)
            _logger.info(
                "Backend %s: %s took %s from Shopify",
                backend.name,
                template.display_name,
                sorted(values),
            )
        if "barcode" in owned:
            for product, variant in variants:
                barcode = variant.get("barcode") or False
                if product and barcode != (product.barcode or False):
                    product.with_context(**{SKIP_PUSH: True}).barcode = barcode

    def _variant_payloads(self, payload):
        """``[(Odoo variant or empty, REST variant)]`` of a product payload,
        matched by variant binding, then by SKU within the template."""
        self.ensure_one()
        by_gid = {
            binding.external_id: binding.odoo_id for binding in self.variant_binding_ids
        }
        by_sku = {
            product.default_code: product
            for product in self.odoo_id.with_context(
                active_test=False
            ).product_variant_ids
            if product.default_code
        }
        empty = self.env["product.product"]
        return [
            (
                by_gid.get(variant.get("admin_graphql_api_id"))
                or by_sku.get(variant.get("sku"))
                or empty,
                variant,
            )
            for variant in payload.get("variants") or ()
        ]


class ShopifyProductVariant(models.Model):
    """Variant bindings belong to the binding of their product."""

    _inherit = "shopify.product.variant"

    product_binding_id = fields.Many2one(
        "shopify.product.template",
        string="Shopify Product",
        index=True,
        ondelete="set null",
    )
