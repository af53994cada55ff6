import logging

from odoo import _, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_base.exceptions import BusinessError, RetryableError

from .. import const
from ..lib.fulfillment import (
    FULFILLMENT_CREATE,
    FULFILLMENT_ORDERS,
    ORDER_FULFILLMENTS,
    check_user_errors,
    matching_fulfillment,
    plan_fulfillment,
    user_errors_message,
)

_logger = logging.getLogger(__name__)

LINE_ITEM_PREFIX = "gid://shopify/LineItem/"


class ShopifyFulfillment(models.Model):
    """A done Odoo delivery and the Shopify fulfilment created for it.

    One per picking and backend: a job that runs again finds it and does
    not fulfil a second time.
    """

    _name = "shopify.fulfillment"
    _inherit = "retail.binding"
    _description = "Shopify Fulfilment Binding"
    _order = "id desc"

    backend_id = fields.Many2one(
        "shopify.backend", required=True, index=True, ondelete="cascade"
    )
    odoo_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        required=True,
        index=True,
        ondelete="cascade",
    )
    order_binding_id = fields.Many2one(
        "shopify.sale.order", string="Shopify Order", index=True, ondelete="cascade"
    )
    name = fields.Char(string="Shopify Fulfilment", readonly=True)
    tracking_company = fields.Char(readonly=True)
    tracking_number = fields.Char(readonly=True)
    quantity = fields.Integer(readonly=True, help="Units the fulfilment ships.")
    recovered = fields.Boolean(
        readonly=True,
        help="Found in Shopify after an attempt whose answer was lost, "
        "instead of being created again.",
    )

    _sql_constraints = [
        (
            "external_unique",
            "UNIQUE(backend_id, external_id)",
            "This Shopify fulfilment is already bound.",
        ),
        (
            "picking_unique",
            "UNIQUE(backend_id, odoo_id)",
            "This delivery is already fulfilled in Shopify.",
        ),
    ]

    # Enqueueing --------------------------------------------------------------

    @api.model
    def _enqueue_for_pickings(self, pickings):
        """Queue one fulfilment job per done delivery of a Shopify order."""
        for picking in pickings.sudo():
            if picking.state != "done" or picking.picking_type_code != "outgoing":
                continue
            for binding in picking.sale_id.shopify_bind_ids:
                backend = binding.backend_id
                if not backend.fulfillment_export_enabled:
                    continue
                if not backend.backend_id._is_accepting_jobs():
                    continue
                self.sudo().with_delay(
                    channel=backend.job_channel_id.complete_name,
                    max_retries=backend.job_max_retries,
                    identity_key=f"shopify.fulfillment:{backend.id}:{picking.id}",
                    description=_(
                        "%(backend)s: fulfil %(order)s with %(picking)s",
                        backend=backend.name,
                        order=binding.name or binding.external_id,
                        picking=picking.name,
                    ),
                )._export_picking(binding.id, picking.id)

    # Job ---------------------------------------------------------------------

    @api.model
    def _export_picking(self, order_binding_id, picking_id):
        """Job: create the Shopify fulfilment of a done delivery.

        Ships, per Shopify line item, the quantities the picking's done moves
        delivered for it, with the picking's carrier and tracking number.
        Returns a summary; a delivery already bound is not sent again.
        """
        self = self.sudo()
        order_binding = self.env["shopify.sale.order"].browse(order_binding_id).exists()
        picking = self.env["stock.picking"].browse(picking_id).exists()
        if not order_binding or not picking:
            return _("The delivery or its Shopify order no longer exists.")
        backend = order_binding.backend_id
        existing = self.search(
            [("backend_id", "=", backend.id), ("odoo_id", "=", picking.id)], limit=1
        )
        if existing:
            return _("Already fulfilled as %s.", existing.external_id)
        shipped = self._shipped_quantities(picking)
        if not shipped:
            return _("%s ships no Shopify line.", picking.name)
        try:
            binding = self._create_fulfillment(order_binding, picking, shipped)
        except RetryableError as error:
            raise RetryableJobError(
                str(error), seconds=int(error.retry_after or 10)
            ) from error
        return _(
            "%(picking)s fulfilled %(units)s units as %(fulfillment)s.",
            picking=picking.name,
            units=binding.quantity,
            fulfillment=binding.external_id,
        )

    @api.model
    def _shipped_quantities(self, picking):
        """``{Shopify line item gid: units}`` delivered by the picking's done
        moves, in the unit of measure of the sale line."""
        quantities = {}
        for move in picking.move_ids.filtered(lambda m: m.state == "done"):
            line = move.sale_line_id
            key = line.shopify_line_key or ""
            if not key.startswith(LINE_ITEM_PREFIX):
                continue
            units = move.product_uom._compute_quantity(
                move.quantity, line.product_uom, round=False
            )
            quantities[key] = quantities.get(key, 0.0) + units
        result = {}
        for key, units in quantities.items():
            if abs(units - round(units)) > 1e-6:
                raise BusinessError(
                    _(
                        "%(picking)s delivers %(units)s units of Shopify line "
                        "%(line)s: Shopify fulfils whole units only; correct the "
                        "delivered quantity, then retry the job.",
                        picking=picking.name,
                        units=units,
                        line=key,
                    ),
                    code="fractional_quantity",
                )
            if round(units):
                result[key] = int(round(units))
        return result

    def _create_fulfillment(self, order_binding, picking, shipped):
        backend = order_binding.backend_id
        client = backend._client()
        order_gid = order_binding.external_id
        order = client.execute(
            FULFILLMENT_ORDERS,
            {
                "id": order_gid,
                "first": const.FULFILLMENT_ORDER_PAGE_SIZE,
                "lines": const.FULFILLMENT_ORDER_LINE_PAGE_SIZE,
            },
            expected_cost=const.FULFILLMENT_ORDERS_QUERY_COST,
        ).get("order")
        if not order:
            raise BusinessError(
                _("Order %s no longer exists in Shopify.", order_gid), code="not_found"
            )
        tracking = picking._shopify_tracking_info(backend)
        plan = plan_fulfillment(shipped, order["fulfillmentOrders"]["nodes"])
        if plan.missing:
            # An earlier attempt may have created it and lost the answer.
            found = self._find_created(client, order_binding, shipped, tracking)
            if found:
                return self._bind(order_binding, picking, found, shipped, True)
            raise BusinessError(
                _(
                    "Shopify has no open quantity left for %(lines)s of order "
                    "%(order)s, which %(picking)s delivers: it was fulfilled or "
                    "cancelled in Shopify. Check the order there, then retry "
                    "or cancel this job.",
                    lines=", ".join(
                        f"{quantity} x {self._line_label(picking, gid)}"
                        for gid, quantity in plan.missing.items()
                    ),
                    order=order["name"],
                    picking=picking.name,
                ),
                code="nothing_to_fulfil",
            )
        variables = {
            "fulfillment": plan.input(tracking, backend.fulfillment_notify_customer)
        }
        calls = self.env["retail.outbound.call"]
        reference = f"stock.picking:{picking.id}"
        operation = const.FULFILLMENT_CREATE_OPERATION
        calls._reserve_key(
            backend.backend_id,
            operation,
            reference,
            variables,
            trace_id=self.env.context.get("job_uuid"),
        )
        answer = client.execute(
            FULFILLMENT_CREATE, variables, expected_cost=const.MUTATION_COST
        )["fulfillmentCreate"]
        if answer["userErrors"]:
            calls._record_result(
                backend.backend_id,
                operation,
                reference,
                False,
                summary=user_errors_message(answer["userErrors"]),
            )
            check_user_errors(answer["userErrors"], order["name"])
        fulfillment = answer["fulfillment"]
        binding = self._bind(order_binding, picking, fulfillment, shipped, False)
        calls._record_result(
            backend.backend_id,
            operation,
            reference,
            True,
            external_id=fulfillment["id"],
            summary=f"{fulfillment.get('name')}: {binding.quantity} units",
        )
        return binding

    def _find_created(self, client, order_binding, shipped, tracking):
        nodes = (
            client.execute(
                ORDER_FULFILLMENTS,
                {
                    "id": order_binding.external_id,
                    "first": const.FULFILLMENT_RECOVERY_PAGE_SIZE,
                    "lines": const.FULFILLMENT_ORDER_LINE_PAGE_SIZE,
                },
                expected_cost=const.FULFILLMENT_ORDERS_QUERY_COST,
            ).get("order")
            or {}
        ).get("fulfillments")
        taken = set(
            self.search([("backend_id", "=", order_binding.backend_id.id)]).mapped(
                "external_id"
            )
        )
        return matching_fulfillment(
            nodes, shipped, (tracking or {}).get("number"), taken
        )

    def _bind(self, order_binding, picking, fulfillment, shipped, recovered):
        info = (fulfillment.get("trackingInfo") or [{}])[:1] or [{}]
        binding = self.create(
            {
                "backend_id": order_binding.backend_id.id,
                "external_id": fulfillment["id"],
                "odoo_id": picking.id,
                "order_binding_id": order_binding.id,
                "name": fulfillment.get("name"),
                "tracking_company": info[0].get("company"),
                "tracking_number": info[0].get("number"),
                "quantity": sum(shipped.values()),
                "recovered": recovered,
                "sync_date": fields.Datetime.now(),
                "trace_id": self.env.context.get("job_uuid"),
            }
        )
        _logger.info(
            "Picking %s fulfilled in Shopify as %s%s",
            picking.name,
            fulfillment["id"],
            " (found after a lost answer)" if recovered else "",
        )
        return binding

    @api.model
    def _line_label(self, picking, gid):
        line = picking.move_ids.sale_line_id.filtered(
            lambda sale_line: sale_line.shopify_line_key == gid
        )[:1]
        return line.product_id.display_name or gid


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # Also defined by stock_delivery; declared here for databases without it.
    carrier_tracking_ref = fields.Char(string="Tracking Reference", copy=False)
    shopify_tracking_company = fields.Char(
        string="Shipping Company",
        copy=False,
        help="Carrier named on the Shopify fulfilment when the delivery has no "
        "carrier; the backend's default when empty.",
    )
    shopify_fulfillment_ids = fields.One2many(
        "shopify.fulfillment", "odoo_id", string="Shopify Fulfilments"
    )

    def _action_done(self):
        result = super()._action_done()
        self.env["shopify.fulfillment"]._enqueue_for_pickings(self)
        return result

    def _shopify_tracking_info(self, backend):
        """``{company, number, url}`` of the fulfilment (empty values left out
        by the caller)."""
        self.ensure_one()
        company = False
        url = False
        carrier = self["carrier_id"] if "carrier_id" in self._fields else False
        if carrier:
            company = carrier.name
            if self.carrier_tracking_ref and hasattr(carrier, "get_tracking_link"):
                try:
                    url = carrier.get_tracking_link(self) or False
                except Exception:  # noqa: BLE001 - a link is optional
                    url = False
        company = (
            company
            or self.shopify_tracking_company
            or backend.fulfillment_tracking_company
        )
        return {
            "company": company or None,
            "number": self.carrier_tracking_ref or None,
            "url": url or None,
        }


class ShopifyBackend(models.Model):
    _inherit = "shopify.backend"

    fulfillment_export_enabled = fields.Boolean(
        string="Fulfil Deliveries",
        default=True,
        tracking=True,
        help="Create the Shopify fulfilment of each done delivery of a Shopify "
        "order, with its carrier and tracking number.",
    )
    fulfillment_notify_customer = fields.Boolean(
        string="Notify Customers",
        help="Let Shopify send its shipping confirmation e-mail.",
    )
    fulfillment_tracking_company = fields.Char(
        string="Default Shipping Company",
        help="Carrier of deliveries that name none (for instance 'UPS'); use "
        "Shopify's carrier names to get tracking links.",
    )
