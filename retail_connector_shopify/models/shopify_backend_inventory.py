import logging
import math
import uuid

from odoo import _, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_base.exceptions import RetryableError

from .. import const
from ..lib import queries
from ..lib.inventory_push import OPERATION, InventoryPusher, LevelPush, read_all_levels

_logger = logging.getLogger(__name__)

# Product field giving each quantity basis, read per stock location.
BASIS_FIELDS = {
    "on_hand": "qty_available",
    "free": "free_qty",
    "forecast": "virtual_available",
}


class OutboundKeys:
    """Idempotency keys of stock pushes, kept in ``retail.outbound.call``."""

    def __init__(self, backend):
        self.backend = backend
        self.calls = backend.env["retail.outbound.call"]

    def reserve(self, reference, variables):
        return self.calls._reserve_key(
            self.backend.backend_id, OPERATION, reference, variables
        )

    def record(self, reference, ok, external_id=None, summary=None):
        self.calls._record_result(
            self.backend.backend_id,
            OPERATION,
            reference,
            ok,
            external_id=external_id,
            summary=summary,
        )


class ShopifyBackend(models.Model):
    """Pushing Odoo stock to the shop's locations."""

    _inherit = "shopify.backend"

    inventory_push_enabled = fields.Boolean(
        string="Push Stock",
        tracking=True,
        help="Set Shopify's available quantities from Odoo's stock at the "
        "mapped locations whenever stock changes, and repair drift daily.",
    )
    inventory_quantity_basis = fields.Selection(
        selection=[
            ("on_hand", "On hand"),
            ("free", "Free to use (on hand minus reserved)"),
            ("forecast", "Forecast (on hand plus incoming minus outgoing)"),
        ],
        string="Stock Quantity",
        default="free",
        required=True,
        tracking=True,
        help="Which Odoo quantity becomes Shopify's available quantity; a "
        "negative quantity is pushed as zero.",
    )
    inventory_level_ids = fields.One2many("shopify.inventory.level", "backend_id")

    # Which quantities ------------------------------------------------------

    def _inventory_mappings(self):
        self.ensure_one()
        return self.env["retail.location.mapping"].search(
            [("backend_id", "=", self.backend_id.id)]
        )

    @api.model
    def _mapping_location(self, mapping):
        return mapping.location_id or mapping.warehouse_id.lot_stock_id

    def _inventory_quantities(self, products, mapping):
        """``{product id: quantity}`` to show at a mapped location: the basis
        quantity of its stock location and children, rounded down, never
        below zero."""
        self.ensure_one()
        location = self._mapping_location(mapping)
        field = BASIS_FIELDS[self.inventory_quantity_basis]
        records = products.with_context(location=location.id)
        # Quants moved within this transaction are not dependencies of these
        # computed fields: compute them afresh.
        records.invalidate_recordset([field])
        return {
            product.id: max(
                const.INVENTORY_MINIMUM_QUANTITY, math.floor(product[field] + 1e-9)
            )
            for product in records
        }

    # Enqueueing ------------------------------------------------------------

    @api.model
    def _inventory_changed(self, products, locations, forecast_only=False):
        """Queue a delayed push of each (product, mapped location) whose
        quantity may have moved; a push still waiting absorbs the next ones."""
        if self.env.context.get("shopify_skip_inventory_push"):
            return
        backends = self.sudo().search([("inventory_push_enabled", "=", True)])
        for backend in backends:
            if forecast_only and backend.inventory_quantity_basis != "forecast":
                continue
            if not backend.backend_id._is_accepting_jobs():
                continue
            candidates = products.filtered(
                lambda p, b=backend: (
                    p.is_storable
                    and (
                        p.default_code
                        or p.shopify_bind_ids.filtered(
                            lambda bind, b=b: bind.backend_id == b
                        )
                    )
                )
            )
            if not candidates:
                continue
            for mapping in backend._inventory_mappings():
                root = backend._mapping_location(mapping)
                if not any(
                    (loc.parent_path or "").startswith(root.parent_path or "/")
                    for loc in locations
                ):
                    continue
                for product in candidates:
                    backend._enqueue_inventory_push(product, mapping)

    def _enqueue_inventory_push(self, product, mapping):
        self.ensure_one()
        return self.with_delay(
            channel=self.job_channel_id.complete_name,
            max_retries=self.job_max_retries,
            eta=const.INVENTORY_PUSH_DELAY_SECONDS,
            identity_key=f"shopify.inventory:{self.id}:{product.id}:{mapping.id}",
            description=_(
                "%(backend)s: push stock of %(product)s to %(location)s",
                backend=self.name,
                product=product.display_name,
                location=mapping.external_name or mapping.external_location_id,
            ),
        )._push_inventory(product.ids, mapping.ids)

    # Pushing ---------------------------------------------------------------

    def _push_inventory(self, product_ids, mapping_ids=None):
        """Job: set Shopify's available quantity of these products at these
        mapped locations (all mappings when None) to Odoo's current stock.

        Quantities Shopify already has are not sent again. Returns a summary.
        """
        self.ensure_one()
        products = self.env["product.product"].browse(product_ids).exists()
        mappings = (
            self.env["retail.location.mapping"].browse(mapping_ids).exists()
            if mapping_ids
            else self._inventory_mappings()
        )
        try:
            report = self._push_inventory_levels(
                self._inventory_levels(products, mappings)
            )
        except RetryableError as error:
            raise RetryableJobError(
                str(error), seconds=int(error.retry_after or 10)
            ) from error
        return _(
            "%(pushed)s quantities set in %(calls)s calls, %(failed)s refused.",
            pushed=len(report.pushed),
            calls=report.calls,
            failed=len(report.failed),
        )

    def _inventory_levels(self, products, mappings):
        """The level bindings of products × mappings, created when missing."""
        self.ensure_one()
        levels = self.env["shopify.inventory.level"]
        existing = levels.search(
            [
                ("backend_id", "=", self.id),
                ("product_id", "in", products.ids),
                ("location_mapping_id", "in", mappings.ids),
            ]
        )
        have = {
            (level.product_id.id, level.location_mapping_id.id) for level in existing
        }
        missing = [
            {
                "backend_id": self.id,
                "product_id": product.id,
                "location_mapping_id": mapping.id,
            }
            for product in products
            for mapping in mappings
            if (product.id, mapping.id) not in have
        ]
        return existing | levels.create(missing)

    def _all_inventory_levels(self):
        """Level bindings of every bound storable variant at every mapping."""
        self.ensure_one()
        products = (
            self.env["shopify.product.variant"]
            .search([("backend_id", "=", self.id)])
            .odoo_id.filtered("is_storable")
        )
        return self.inventory_level_ids | self._inventory_levels(
            products, self._inventory_mappings()
        )

    def _push_inventory_levels(self, levels, force=False, client=None):
        """Push the Odoo quantity of each level binding; return the report.

        Levels whose quantity Shopify is known to have already are skipped
        unless ``force``.
        """
        self.ensure_one()
        client = client or self._client()
        self._resolve_inventory_items(levels, client)
        pushes = []
        for mapping in levels.location_mapping_id:
            of_mapping = levels.filtered(
                lambda lv, m=mapping: (
                    lv.location_mapping_id == m and lv.inventory_item_id
                )
            )
            targets = self._inventory_quantities(of_mapping.product_id, mapping)
            for level in of_mapping:
                quantity = targets[level.product_id.id]
                if not force and level._known_quantity() == quantity:
                    continue
                pushes.append(
                    LevelPush(
                        handle=level.id,
                        inventory_item_id=level.inventory_item_id,
                        location_id=mapping.external_location_id,
                        quantity=quantity,
                        known_quantity=level._known_quantity(),
                    )
                )
        run = self.env.context.get("job_uuid") or str(uuid.uuid4())
        pusher = InventoryPusher(client, OutboundKeys(self), f"inventory:{run}")
        report = pusher.push(pushes)
        self._store_push_report(report)
        return report

    def _store_push_report(self, report):
        levels = self.env["shopify.inventory.level"]
        now = fields.Datetime.now()
        for push in report.pushed:
            levels.browse(push.handle).write(
                {
                    "pushed_quantity": push.quantity,
                    "shopify_quantity": push.quantity,
                    "shopify_quantity_known": True,
                    "pushed_at": now,
                    "last_error": False,
                }
            )
        for handle, message in report.failed.items():
            levels.browse(handle).last_error = message
        if report.failed:
            _logger.warning(
                "Backend %s: Shopify refused %s stock quantities",
                self.name,
                len(report.failed),
            )

    def _resolve_inventory_items(self, levels, client):
        """Fill the inventory item of levels that lack it: from the variant
        binding, else by reading the variant by SKU (remembered on both)."""
        variants = self.env["shopify.product.variant"]
        for product in levels.filtered(lambda lv: not lv.inventory_item_id).product_id:
            of_product = levels.filtered(lambda lv, p=product: lv.product_id == p)
            binding = product.shopify_bind_ids.filtered(lambda b: b.backend_id == self)[
                :1
            ]
            item = binding.inventory_item_id
            if not item and product.default_code:
                nodes = client.execute(
                    queries.VARIANT_INVENTORY_ITEM_BY_SKU,
                    {"query": f'sku:"{product.default_code}"'},
                    expected_cost=6,
                )["productVariants"]["nodes"]
                if len(nodes) == 1:
                    item = nodes[0]["inventoryItem"]["id"]
                    if not binding:
                        variants._bind(
                            self, nodes[0]["id"], product, product.default_code
                        )
                        binding = product.shopify_bind_ids.filtered(
                            lambda b: b.backend_id == self
                        )[:1]
                    binding.inventory_item_id = item
            if item:
                of_product.write({"inventory_item_id": item, "last_error": False})
            else:
                of_product.write(
                    {
                        "last_error": _(
                            "No single Shopify variant has SKU '%(sku)s': give the "
                            "product the SKU of its Shopify variant.",
                            sku=product.default_code or "",
                        )
                    }
                )

    # Drift repair ----------------------------------------------------------

    @api.model
    def _cron_repair_inventory_drift(self):
        for backend in self.search([("inventory_push_enabled", "=", True)]):
            if not backend.backend_id._is_accepting_jobs():
                continue
            try:
                backend._repair_inventory_drift()
            except Exception as error:  # noqa: BLE001 - one shop must not stop the others
                _logger.warning(
                    "Backend %s: stock drift repair failed: %s", backend.name, error
                )

    def _repair_inventory_drift(self, client=None, sleep=None):
        """Read every level of the shop in one bulk operation, set back each
        bound level that differs from Odoo, and return how many were fixed
        (also logged and posted on the backend)."""
        self.ensure_one()
        client = client or self._client()
        kwargs = {"sleep": sleep} if sleep else {}
        shopify = read_all_levels(client, **kwargs)
        levels = self._all_inventory_levels()
        self._resolve_inventory_items(levels, client)
        levels = levels.filtered("inventory_item_id")
        for level in levels:
            actual = shopify.get((level.inventory_item_id, level.external_location_id))
            level.write(
                {
                    "shopify_quantity": actual or 0,
                    "shopify_quantity_known": actual is not None,
                }
            )
        report = self._push_inventory_levels(levels, client=client)
        fixed = len(report.pushed)
        message = _(
            "Stock drift repair: %(fixed)s of %(total)s Shopify quantities "
            "differed from Odoo and were set again; %(failed)s were refused.",
            fixed=fixed,
            total=len(levels),
            failed=len(report.failed),
        )
        _logger.info("Backend %s: %s", self.name, message)
        self.message_post(body=message)
        return fixed

    def action_push_inventory(self):
        """Push the stock of every bound level now (button)."""
        self.backend_id._check_manager()
        self.ensure_one()
        report = self._push_inventory_levels(self._all_inventory_levels())
        return self._inventory_notification(_("%s quantities set.", len(report.pushed)))

    def action_repair_inventory_drift(self):
        self.backend_id._check_manager()
        self.ensure_one()
        fixed = self._repair_inventory_drift()
        return self._inventory_notification(_("%s quantities fixed.", fixed))

    def _inventory_notification(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "info", "title": _("Stock"), "message": message},
        }
