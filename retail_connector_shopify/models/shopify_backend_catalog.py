import hashlib
import json
import logging

from odoo import _, api, fields, models
from odoo.tools import plaintext2html

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_base.exceptions import BusinessError, RetryableError

from .. import const
from ..lib import catalog

_logger = logging.getLogger(__name__)

OWNERS = [("odoo", "Odoo"), ("shopify", "Shopify")]
FIELD_LABELS = {
    "title": "title",
    "descriptionHtml": "description",
    "status": "status",
    "price": "price",
    "compareAtPrice": "compare-at price",
    "barcode": "barcode",
    "sku": "SKU",
    "id": "id",
}


def _owner_field(label):
    return fields.Selection(
        OWNERS,
        string=f"{label} Owner",
        default="odoo",
        required=True,
        tracking=True,
        help=f"Odoo: pushes send the {label.lower()} and Shopify's is never "
        f"read. Shopify: pushes leave it out and products/update webhooks "
        f"bring Shopify's {label.lower()} into Odoo.",
    )


class ShopifyBackend(models.Model):
    """Odoo's products and prices pushed to the shop's catalogue."""

    _inherit = "shopify.backend"

    catalog_push_enabled = fields.Boolean(
        string="Push Catalogue",
        tracking=True,
        help="Create and update Shopify products from the Odoo products that "
        "can be sold and have an internal reference (SKU), a few seconds "
        "after they change.",
    )
    catalog_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Catalogue Pricelist",
        tracking=True,
        help="Pricelist giving the Shopify price of each variant (for one "
        "unit); the variant's sales price when empty.",
    )
    catalog_compare_at_source = fields.Selection(
        [
            ("none", "None"),
            ("list_price", "Sales price, when the pricelist gives less"),
        ],
        string="Compare-at Price",
        default="list_price",
        required=True,
        tracking=True,
        help="What Shopify shows struck through next to the price.",
    )
    catalog_owner_title = _owner_field("Title")
    catalog_owner_description = _owner_field("Description")
    catalog_owner_price = _owner_field("Price")
    catalog_owner_compare_at_price = _owner_field("Compare-at Price")
    catalog_owner_barcode = _owner_field("Barcode")
    catalog_owner_status = _owner_field("Status")
    catalog_binding_ids = fields.One2many("shopify.product.template", "backend_id")
    catalog_binding_count = fields.Integer(compute="_compute_catalog_binding_count")

    def _compute_catalog_binding_count(self):
        counts = dict(
            self.env["shopify.product.template"]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
        )
        for backend in self:
            backend.catalog_binding_count = counts.get(backend, 0)

    # Ownership -------------------------------------------------------------

    def _catalog_shopify_owned(self):
        """Names (``const.CATALOG_OWNED_FIELDS``) of the fields Shopify owns."""
        self.ensure_one()
        return {
            name
            for name in const.CATALOG_OWNED_FIELDS
            if self[f"catalog_owner_{name}"] == "shopify"
        }

    def _catalog_odoo_owned(self):
        self.ensure_one()
        return set(const.CATALOG_OWNED_FIELDS) - self._catalog_shopify_owned()

    # Enqueueing ------------------------------------------------------------

    @api.model
    def _catalog_changed(self, templates, touched):
        """Queue a delayed push of each template of the catalogue when one of
        the ``touched`` fields is Odoo's (``None``: the SKU); a push still
        waiting absorbs the next ones."""
        backends = self.sudo().search([("catalog_push_enabled", "=", True)])
        for backend in backends:
            if not backend.backend_id._is_accepting_jobs():
                continue
            if None not in touched and not touched & backend._catalog_odoo_owned():
                continue
            for template in templates.with_context(active_test=False):
                if backend._catalog_in_scope(template):
                    backend._enqueue_catalog_push(template)

    def _catalog_in_scope(self, template):
        """Whether the template belongs to this shop's catalogue: bound
        already, or active, sellable and with a SKU."""
        self.ensure_one()
        if self.env["shopify.product.template"]._for(self, template):
            return True
        return bool(
            template.active
            and template.sale_ok
            and template.product_variant_ids.filtered("default_code")
        )

    def _enqueue_catalog_push(self, template):
        self.ensure_one()
        return self.with_delay(
            channel=self.job_channel_id.complete_name,
            max_retries=self.job_max_retries,
            eta=const.CATALOG_PUSH_DELAY_SECONDS,
            identity_key=f"shopify.catalog:{self.id}:{template.id}",
            description=_(
                "%(backend)s: push product %(product)s",
                backend=self.name,
                product=template.display_name,
            ),
        )._push_product_template(template.id)

    def action_push_catalog(self):
        """Queue a push of every product of the catalogue (button)."""
        self.backend_id._check_manager()
        self.ensure_one()
        templates = (
            self.env["product.template"]
            .with_context(active_test=False)
            .search(
                [
                    "|",
                    ("shopify_template_bind_ids.backend_id", "=", self.id),
                    "&",
                    ("active", "=", True),
                    "&",
                    ("sale_ok", "=", True),
                    ("product_variant_ids.default_code", "!=", False),
                ]
            )
        )
        for template in templates:
            self._enqueue_catalog_push(template)
        return self._catalog_notification(
            _("%s products queued for pushing.", len(templates))
        )

    # Pushing ---------------------------------------------------------------

    def _push_product_template(self, template_id):
        """Job: create or update the Shopify product of one template with
        the Odoo-owned fields; return a summary."""
        self.ensure_one()
        template = (
            self.env["product.template"]
            .with_context(active_test=False)
            .browse(template_id)
            .exists()
        )
        if not template:
            return _("The product no longer exists.")
        try:
            binding = self._push_template(template)
        except RetryableError as error:
            raise RetryableJobError(
                str(error), seconds=int(error.retry_after or 10)
            ) from error
        return _(
            "%(product)s pushed as %(gid)s.",
            product=template.display_name,
            gid=binding.external_id,
        )

    def _catalog_variants(self, template):
        """The variants to publish: the active ones, or all of an archived
        product (which Shopify then shows as archived)."""
        if template.active:
            variants = template.product_variant_ids
        else:
            variants = template.with_context(active_test=False).product_variant_ids
        missing = variants.filtered(lambda product: not product.default_code)
        if missing:
            raise BusinessError(
                _(
                    "Product '%(product)s' cannot go to Shopify: give its variant "
                    "'%(variant)s' an internal reference (the SKU).",
                    product=template.display_name,
                    variant=missing[0].display_name,
                ),
                code="missing_sku",
            )
        return variants

    def _catalog_prices(self, product):
        """``(price, compare-at price or None)`` of one variant, as decimal
        strings in the pricelist's currency."""
        self.ensure_one()
        pricelist = self.catalog_pricelist_id
        list_price = product.lst_price
        if pricelist:
            currency = pricelist.currency_id
            price = pricelist._get_product_price(product, 1.0, currency=currency)
            if product.currency_id != currency:
                list_price = product.currency_id._convert(
                    list_price,
                    currency,
                    self.env.company,
                    fields.Date.context_today(self),
                )
        else:
            currency = product.currency_id
            price = list_price
        compare_at = None
        if (
            self.catalog_compare_at_source == "list_price"
            and currency.compare_amounts(list_price, price) > 0
        ):
            compare_at = _amount(list_price, currency)
        return _amount(price, currency), compare_at

    def _catalog_input(self, template, variants, binding, variant_bindings):
        """The productSet input of a template: every field on create, only
        the Odoo-owned ones on update."""
        self.ensure_one()
        sent = (
            self._catalog_odoo_owned() if binding else set(const.CATALOG_OWNED_FIELDS)
        )
        product_values = {
            "title": template.name,
            "description": str(plaintext2html(template.description_sale))
            if template.description_sale
            else "",
            "status": const.PRODUCT_STATUS_ACTIVE
            if template.active
            else const.PRODUCT_STATUS_ARCHIVED,
        }
        data = {
            key: product_values[name]
            for name, key in const.CATALOG_PRODUCT_INPUT.items()
            if name in sent
        }
        if binding:
            data["id"] = binding.external_id
        options = {}
        variant_inputs = []
        for product in variants:
            values = [
                {"optionName": value.attribute_id.name, "name": value.name}
                for value in product.product_template_attribute_value_ids
            ] or [
                {
                    "optionName": const.DEFAULT_OPTION_NAME,
                    "name": const.DEFAULT_OPTION_VALUE,
                }
            ]
            for value in values:
                names = options.setdefault(value["optionName"], [])
                if value["name"] not in names:
                    names.append(value["name"])
            price, compare_at = self._catalog_prices(product)
            own = {
                "price": price,
                "compare_at_price": compare_at,
                "barcode": product.barcode or None,
            }
            variant = {"sku": product.default_code, "optionValues": values}
            variant.update(
                {
                    key: own[name]
                    for name, key in const.CATALOG_VARIANT_INPUT.items()
                    if name in sent
                }
            )
            if product in variant_bindings:
                variant["id"] = variant_bindings[product].external_id
            variant_inputs.append(variant)
        data["productOptions"] = [
            {"name": name, "values": [{"name": value} for value in values]}
            for name, values in options.items()
        ]
        data["variants"] = variant_inputs
        return data

    def _push_template(self, template, client=None):
        """Create or update the template's Shopify product; return its binding.

        A product is created once: before a create, Shopify is searched for
        the first SKU, so a retry after a lost answer updates the product
        the first attempt made.
        """
        self.ensure_one()
        client = client or self._client()
        variants = self._catalog_variants(template)
        bindings = self.env["shopify.product.template"]
        binding = bindings._for(self, template)
        if not binding:
            binding = self._adopt_shopify_product(template, variants, client)
        variant_bindings = {
            product: product.shopify_bind_ids.filtered(
                lambda b: b.backend_id == self and b.product_binding_id == binding
            )[:1]
            for product in variants
        }
        variant_bindings = {p: b for p, b in variant_bindings.items() if b}
        data = self._catalog_input(template, variants, binding, variant_bindings)
        variables = {"input": data, "synchronous": True}

        digest = hashlib.sha256(
            json.dumps(variables, sort_keys=True).encode()
        ).hexdigest()
        reference = f"product.template:{template.id}:{digest[:24]}"
        calls = self.env["retail.outbound.call"]
        operation = const.PRODUCT_SET_OPERATION
        calls._reserve_key(self.backend_id, operation, reference, variables)
        answer = client.execute(
            catalog.PRODUCT_SET, variables, expected_cost=const.PRODUCT_SET_COST
        )[operation]
        errors = answer.get("userErrors") or []
        if errors:
            message = self._product_set_error(template, variants, errors)
            calls._record_result(
                self.backend_id, operation, reference, False, summary=message
            )
            raise BusinessError(message, code="product_refused")
        product = answer["product"]
        calls._record_result(
            self.backend_id,
            operation,
            reference,
            True,
            external_id=product["id"],
            summary=_("%s variants", len(variants)),
        )
        return self._store_push(template, variants, binding, product)

    def _adopt_shopify_product(self, template, variants, client):
        """Bind the Shopify product that has the template's first SKU, if
        any (an earlier create whose answer was lost, or a product made in
        Shopify); return the binding or an empty recordset."""
        sku = variants[:1].default_code
        nodes = client.execute(
            catalog.VARIANT_BY_SKU,
            {"query": catalog.sku_query(sku)},
            expected_cost=const.VARIANT_LOOKUP_COST,
        )["productVariants"]["nodes"]
        nodes = [node for node in nodes if node.get("sku") == sku]
        if not nodes:
            return self.env["shopify.product.template"]
        if len(nodes) > 1:
            raise BusinessError(
                _(
                    "Several Shopify variants have SKU '%(sku)s' of product "
                    "'%(product)s': give each Shopify variant its own SKU, then "
                    "retry.",
                    sku=sku,
                    product=template.display_name,
                ),
                code="ambiguous_sku",
            )
        _logger.info(
            "Backend %s: %s found in Shopify as %s by SKU %s",
            self.name,
            template.display_name,
            nodes[0]["product"]["id"],
            sku,
        )
        binding = self._bind_template(template, nodes[0]["product"]["id"])
        # Bind its variants too, so that the update keeps them (and their
        # stock) instead of replacing them.
        product = client.execute(
            catalog.PRODUCT_VARIANTS,
            {"id": binding.external_id},
            expected_cost=const.PRODUCT_VARIANTS_COST,
        )["product"]
        self._bind_variants(variants, binding, product)
        return binding

    def _bind_template(self, template, product_gid):
        bindings = self.env["shopify.product.template"].with_context(active_test=False)
        binding = bindings.search(
            [("backend_id", "=", self.id), ("external_id", "=", product_gid)],
            limit=1,
        ) or bindings._for(self, template)
        if binding:
            binding.write({"odoo_id": template.id, "external_id": product_gid})
            return binding
        return bindings.create(
            {"backend_id": self.id, "odoo_id": template.id, "external_id": product_gid}
        )

    def _bind_variant(self, product, variant_gid, product_binding, item_gid=None):
        """Create or move the variant binding of ``product`` to ``variant_gid``."""
        variants = self.env["shopify.product.variant"]
        binding = (
            variants.search(
                [("backend_id", "=", self.id), ("external_id", "=", variant_gid)],
                limit=1,
            )
            or product.shopify_bind_ids.filtered(lambda b: b.backend_id == self)[:1]
        )
        values = {
            "odoo_id": product.id,
            "external_id": variant_gid,
            "sku": product.default_code,
            "product_binding_id": product_binding.id,
            "sync_date": fields.Datetime.now(),
        }
        if item_gid:
            values["inventory_item_id"] = item_gid
        if binding:
            binding.write(values)
            return binding
        return variants.create({"backend_id": self.id, **values})

    def _store_push(self, template, variants, binding, product):
        binding = binding or self._bind_template(template, product["id"])
        binding.write(
            {
                "external_id": product["id"],
                "pushed_at": fields.Datetime.now(),
                "sync_date": fields.Datetime.now(),
                "last_error": False,
            }
        )
        self._bind_variants(variants, binding, product)
        _logger.info(
            "Backend %s: %s pushed to %s", self.name, template.display_name, binding
        )
        return binding

    def _bind_variants(self, variants, binding, product):
        """Bind the Odoo variants to the nodes of a Shopify product, by SKU."""
        by_sku = {variant.default_code: variant for variant in variants}
        for node in ((product or {}).get("variants") or {}).get("nodes") or ():
            odoo_variant = by_sku.get(node.get("sku"))
            if odoo_variant:
                self._bind_variant(
                    odoo_variant,
                    node["id"],
                    binding,
                    (node.get("inventoryItem") or {}).get("id"),
                )

    def _product_set_error(self, template, variants, errors):
        """A message naming the product, the variant and the field Shopify
        refused, for each user error."""
        parts = []
        for error in errors:
            index, field = catalog.error_field(error)
            label = FIELD_LABELS.get(field, field or _("product"))
            if index is not None and index < len(variants):
                where = _(
                    "%(field)s of variant %(sku)s",
                    field=label,
                    sku=variants[index].default_code,
                )
            else:
                where = label
            parts.append(f"{where}: {error.get('message')}")
        return _(
            "Shopify refused product '%(product)s': %(errors)s. Correct the "
            "product in Odoo, then push it again.",
            product=template.display_name,
            errors="; ".join(parts),
        )

    # Matching --------------------------------------------------------------

    def action_match_catalog(self):
        """Match the shop's products to Odoo's by SKU and show the report."""
        self.backend_id._check_manager()
        self.ensure_one()
        report = self._match_catalog()
        return {
            "type": "ir.actions.act_window",
            "name": _("Catalogue Match"),
            "res_model": report._name,
            "res_id": report.id,
            "view_mode": "form",
            "target": "new",
        }

    def _match_catalog(self, client=None, sleep=None):
        """Read every Shopify product and variant in one bulk operation,
        bind those whose SKU an Odoo product has, and return a
        ``shopify.catalog.match`` report of what is left on each side (the
        counts are also posted on the backend)."""
        self.ensure_one()
        client = client or self._client()
        kwargs = {"sleep": sleep} if sleep else {}
        records = catalog.read_catalog(client, **kwargs)
        shop_products, shop_variants = catalog.split_catalog(records)

        candidates = self.env["product.product"].search(
            [("default_code", "!=", False), ("sale_ok", "=", True)]
        )
        by_sku = {}
        for product in candidates:
            by_sku.setdefault(product.default_code, self.env["product.product"])
            by_sku[product.default_code] |= product

        matched = self.env["product.product"]
        unmatched_shopify = []
        for variant in shop_variants:
            shop_product = shop_products.get(variant["__parentId"]) or {}
            name = shop_product.get("title") or variant["__parentId"]
            if variant.get("title") and variant["title"] != const.DEFAULT_OPTION_VALUE:
                name = f"{name} - {variant['title']}"
            products = by_sku.get(variant.get("sku") or "")
            if not products or len(products) > 1 or products & matched:
                unmatched_shopify.append(
                    {
                        "side": "shopify",
                        "name": name,
                        "sku": variant.get("sku") or False,
                        "external_id": variant["id"],
                    }
                )
                continue
            template_binding = self._bind_template(
                products.product_tmpl_id, variant["__parentId"]
            )
            self._bind_variant(
                products,
                variant["id"],
                template_binding,
                (variant.get("inventoryItem") or {}).get("id"),
            )
            matched |= products

        unmatched_odoo = [
            {
                "side": "odoo",
                "name": product.display_name,
                "sku": product.default_code,
                "product_id": product.id,
            }
            for product in candidates - matched
        ]
        report = self.env["shopify.catalog.match"].create(
            {
                "backend_id": self.id,
                "matched_count": len(matched),
                "line_ids": [
                    fields.Command.create(values)
                    for values in unmatched_odoo + unmatched_shopify
                ],
            }
        )
        message = _(
            "Catalogue match by SKU: %(matched)s variants matched, "
            "%(odoo)s Odoo products without a Shopify variant, %(shopify)s "
            "Shopify variants without an Odoo product.",
            matched=len(matched),
            odoo=len(unmatched_odoo),
            shopify=len(unmatched_shopify),
        )
        _logger.info("Backend %s: %s", self.name, message)
        self.message_post(body=message)
        return report

    def _catalog_notification(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "info", "title": _("Catalogue"), "message": message},
        }


def _amount(value, currency):
    """A decimal string of ``value`` rounded to the currency."""
    return f"{currency.round(value):.{currency.decimal_places}f}"
