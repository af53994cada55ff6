import json
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.retail_connector_base.exceptions import (
    ConnectorError,
    FatalBackendError,
)

from .. import const
from ..lib import queries
from ..lib.client import ShopifyClient
from ..lib.order_data import PayloadError, parse_datetime, to_gid
from ..lib.refund_data import exchange_of_return

_logger = logging.getLogger(__name__)

ACCESS_TOKEN = "access_token"
WEBHOOK_SECRET = "webhook_secret"


class ShopifyBackend(models.Model):
    """A Shopify shop connected to Odoo."""

    _name = "shopify.backend"
    _description = "Shopify Backend"
    _inherits = {"retail.backend": "backend_id"}
    _inherit = ["mail.thread"]
    _order = "name"

    backend_id = fields.Many2one(
        "retail.backend", required=True, ondelete="cascade", auto_join=True
    )
    shop_domain = fields.Char(
        required=True,
        tracking=True,
        help="The shop's permanent domain, for instance 'my-shop.myshopify.com'.",
    )
    api_url = fields.Char(
        string="API Address",
        help="Where the Admin API answers; 'https://<shop domain>' when empty.",
    )
    access_token = fields.Char(
        compute="_compute_secret_inputs",
        inverse="_inverse_access_token",
        groups="retail_connector_base.group_retail_connector_manager",
        help="Admin API access token of the shop's custom app. Stored "
        "encrypted; never shown again once saved.",
    )
    webhook_secret = fields.Char(
        string="Webhook Signing Secret",
        compute="_compute_secret_inputs",
        inverse="_inverse_webhook_secret",
        groups="retail_connector_base.group_retail_connector_manager",
        help="The app's client secret, which signs the webhooks. Stored "
        "encrypted; never shown again once saved.",
    )
    has_access_token = fields.Boolean(compute="_compute_has_secrets")
    has_webhook_secret = fields.Boolean(compute="_compute_has_secrets")
    webhook_base_url = fields.Char(
        help="Public address of this Odoo for Shopify's webhooks; the "
        "'web.base.url' parameter when empty.",
    )
    webhook_url = fields.Char(compute="_compute_webhook_url")

    currency_source = fields.Selection(
        selection=[
            ("shop", "Shop currency"),
            ("presentment", "Customer (presentment) currency"),
        ],
        default="shop",
        required=True,
        help="Which of the two amounts Shopify gives for every price the "
        "Odoo order uses.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        help="Pricelist of imported orders in its currency; orders in another "
        "currency use an active pricelist of that currency.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        required=True,
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
    )
    team_id = fields.Many2one("crm.team", string="Sales Team")
    guest_partner_id = fields.Many2one(
        "res.partner",
        string="Guest Customer",
        help="Customer of orders placed without any customer or e-mail.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        required=True,
        default=lambda self: self.env.ref(
            "retail_connector_shopify.product_shopify_shipping",
            raise_if_not_found=False,
        ),
    )
    refund_adjustment_account_id = fields.Many2one(
        "account.account",
        string="Refund Adjustment Account",
        help="Account of the credit note lines for refunded amounts that are "
        "neither goods nor shipping (refund discrepancies, amount-only refunds).",
    )
    custom_item_product_id = fields.Many2one(
        "product.product",
        string="Custom Item Product",
        help="Product of order lines that have neither a variant nor a SKU "
        "(custom items); such lines are refused when empty.",
    )
    register_payments = fields.Boolean(
        default=True,
        help="Register the captured transactions of paid orders as payments, "
        "on the journal mapped to their gateway.",
    )
    skip_test_orders = fields.Boolean(
        help="Ignore orders Shopify marks as test orders.",
    )
    poll_enabled = fields.Boolean(string="Catch-up Poll", default=True)
    poll_checkpoint = fields.Datetime(
        readonly=True,
        help="Orders updated after this moment (minus an overlap) are read by "
        "the next catch-up poll.",
    )
    order_binding_ids = fields.One2many("shopify.sale.order", "backend_id")
    order_count = fields.Integer(compute="_compute_order_count")

    _sql_constraints = [
        (
            "shop_domain_unique",
            "UNIQUE(shop_domain)",
            "A shop can be connected to one backend only.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.setdefault("connector_type", "shopify")
            vals.setdefault("connector_model", self._name)
            vals.setdefault("api_version", const.DEFAULT_API_VERSION)
        return super().create(vals_list)

    def unlink(self):
        parents = self.backend_id
        result = super().unlink()
        parents.unlink()
        return result

    # Credentials -------------------------------------------------------------

    def _compute_secret_inputs(self):
        for backend in self:
            backend.access_token = False
            backend.webhook_secret = False

    def _inverse_access_token(self):
        for backend in self.filtered("access_token"):
            backend.backend_id._set_secret(ACCESS_TOKEN, backend.access_token.strip())

    def _inverse_webhook_secret(self):
        for backend in self.filtered("webhook_secret"):
            backend.backend_id._set_secret(
                WEBHOOK_SECRET, backend.webhook_secret.strip()
            )

    def _compute_has_secrets(self):
        for backend in self:
            backend.has_access_token = backend.backend_id._has_secret(ACCESS_TOKEN)
            backend.has_webhook_secret = backend.backend_id._has_secret(WEBHOOK_SECRET)

    def _webhook_signing_secret(self):
        self.ensure_one()
        return self.backend_id._get_secret(WEBHOOK_SECRET)

    # Display -----------------------------------------------------------------

    @api.depends("webhook_base_url")
    def _compute_webhook_url(self):
        default_base = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        for backend in self:
            base = (backend.webhook_base_url or default_base or "").rstrip("/")
            backend.webhook_url = (
                f"{base}/retail/shopify/webhook/{backend.id}" if backend.id else False
            )

    def _compute_order_count(self):
        counts = dict(
            self.env["shopify.sale.order"]._read_group(
                [("backend_id", "in", self.ids)], ["backend_id"], ["__count"]
            )
        )
        for backend in self:
            backend.order_count = counts.get(backend, 0)

    # API ---------------------------------------------------------------------

    def _client(self):
        self.ensure_one()
        token = self.backend_id._get_secret(ACCESS_TOKEN)
        if not token:
            raise FatalBackendError(
                _("Enter the access token of backend '%s'.", self.name)
            )
        base_url = self.api_url or f"https://{self.shop_domain}"
        return ShopifyClient(base_url, self.api_version, token)

    def action_test_connection(self):
        self.backend_id._check_manager()
        self.ensure_one()
        try:
            shop = self._client().execute(queries.SHOP, expected_cost=1)["shop"]
        except ConnectorError as error:
            self.write({"state": "error", "state_message": str(error)})
            raise UserError(
                _(
                    "Connection to %(shop)s failed: %(error)s",
                    shop=self.shop_domain,
                    error=error,
                )
            ) from error
        if self.state in ("draft", "error"):
            # A paused backend stays paused: testing is not resuming.
            self.write({"state": "connected", "state_message": False})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Connected"),
                "message": _(
                    "Connected to %(name)s (%(currency)s).",
                    name=shop["name"],
                    currency=shop["currencyCode"],
                ),
            },
        }

    def action_register_webhooks(self):
        """Subscribe this Odoo to the topics the connector handles."""
        self.backend_id._check_manager()
        self.ensure_one()
        if not self.has_webhook_secret:
            raise UserError(
                _("Enter the webhook signing secret before registering webhooks.")
            )
        client = self._client()
        try:
            existing = {
                (node["topic"], node.get("uri"))
                for node in client.paginate(
                    queries.WEBHOOK_SUBSCRIPTIONS, {}, "webhookSubscriptions"
                )
            }
            created = []
            for topic, enum in const.WEBHOOK_TOPICS.items():
                if (enum, self.webhook_url) in existing:
                    continue
                answer = client.execute(
                    queries.WEBHOOK_SUBSCRIPTION_CREATE,
                    {
                        "topic": enum,
                        "subscription": {
                            "uri": self.webhook_url,
                            "format": "JSON",
                        },
                    },
                )["webhookSubscriptionCreate"]
                if answer["userErrors"]:
                    raise UserError(
                        _(
                            "Shopify refused the %(topic)s webhook: %(errors)s",
                            topic=topic,
                            errors="; ".join(
                                e["message"] for e in answer["userErrors"]
                            ),
                        )
                    )
                created.append(topic)
        except ConnectorError as error:
            raise UserError(_("Registering webhooks failed: %s", error)) from error
        _logger.info("Backend %s: webhooks registered for %s", self.name, created)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": _("Webhooks"),
                "message": _(
                    "%(count)s subscriptions created; the others existed already.",
                    count=len(created),
                ),
            },
        }

    # Inbound -----------------------------------------------------------------

    def _process_event(self, event):
        """Apply one event; return ``(state, record)`` for the ledger."""
        self.ensure_one()
        if event.topic in const.ORDER_TOPICS:
            return self.env["shopify.sale.order"]._import_event(self, event)
        if event.topic in const.REFUND_TOPICS:
            return self.env["shopify.refund"]._import_event(self, event)
        if event.topic in const.PRODUCT_TOPICS:
            return self.env["shopify.product.template"]._import_event(self, event)
        if event.topic == "app/uninstalled":
            raise FatalBackendError(
                _(
                    "The app was uninstalled from %s: reinstall it and enter its "
                    "new access token.",
                    self.shop_domain,
                )
            )
        return "done", None

    def _register_webhook_event(self, topic, body, headers):
        """Store a verified delivery; return ``(event, created)``."""
        self.ensure_one()
        payload = json.loads(body)
        external_id = None
        updated_at = None
        if isinstance(payload, dict):
            payload = payload.get("order", payload)
        if isinstance(payload, dict):
            external_id = payload.get("admin_graphql_api_id") or to_gid(
                const.TOPIC_RESOURCES.get(topic.split("/")[0], "Resource"),
                payload.get("id"),
            )
            updated_at = payload.get("updated_at")
        delivery_id = headers.get("event_id") or headers.get("webhook_id")
        dedup_key = (
            f"{topic}:{delivery_id}"
            if delivery_id
            else f"{topic}:sha256:{self.env['retail.binding']._payload_digest(payload)}"
        )
        return (
            self.env["retail.event"]
            .sudo()
            ._receive(
                {
                    "backend_id": self.backend_id.id,
                    "topic": topic,
                    "source": "webhook",
                    "dedup_key": dedup_key,
                    "external_id": external_id,
                    "external_updated_at": self._parse_updated_at(updated_at),
                    "payload": body.decode(),
                    "payload_format": "rest",
                    "headers": json.dumps(headers, sort_keys=True),
                }
            )
        )

    @api.model
    def _parse_updated_at(self, value):
        try:
            return parse_datetime(value)
        except PayloadError:
            return None

    # Catch-up poll -----------------------------------------------------------

    @api.model
    def _cron_poll_orders(self):
        for backend in self.search([("poll_enabled", "=", True)]):
            if not backend.backend_id._is_accepting_jobs():
                continue
            try:
                backend._poll_orders()
            except ConnectorError as error:
                _logger.warning("Backend %s: poll failed: %s", backend.name, error)
                if isinstance(error, FatalBackendError):
                    backend.backend_id._set_error(str(error))

    def _poll_orders(self):
        """Read the orders updated since the checkpoint into the event ledger.

        Returns the number of new events; a version already received (by
        webhook or by an earlier poll) adds nothing.
        """
        self.ensure_one()
        started = fields.Datetime.now()
        since = (self.poll_checkpoint or started - timedelta(days=1)) - timedelta(
            minutes=const.POLL_OVERLAP_MINUTES
        )
        search = f"updated_at:>='{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
        created = 0
        for node in self._client().paginate(
            queries.ORDERS_UPDATED_SINCE,
            {"first": const.POLL_PAGE_SIZE, "query": search},
            "orders",
            expected_cost=const.POLL_PAGE_SIZE + 2,
        ):
            version = self._parse_updated_at(node["updatedAt"])
            if self._order_version_received(node["id"], version):
                continue
            _event, is_new = self.env["retail.event"]._receive(
                {
                    "backend_id": self.backend_id.id,
                    "topic": "orders/updated",
                    "source": "poll",
                    "dedup_key": f"poll:{node['id']}@{node['updatedAt']}",
                    "external_id": node["id"],
                    "external_updated_at": version,
                    "payload": json.dumps(node),
                    "payload_format": "graphql-ref",
                }
            )
            created += is_new
        self.poll_checkpoint = started
        _logger.info(
            "Backend %s: poll since %s found %s new events", self.name, since, created
        )
        return created

    def _order_version_received(self, gid, version):
        """Whether an event already carries this version of the order.

        The poll then adds nothing, even when that event waits for a person:
        one blocked order is one line in the exception queue.
        """
        binding = self.env["shopify.sale.order"].search(
            [("backend_id", "=", self.id), ("external_id", "=", gid)], limit=1
        )
        if binding.external_updated_at and version <= binding.external_updated_at:
            return True
        return bool(
            self.env["retail.event"].search_count(
                [
                    ("backend_id", "=", self.backend_id.id),
                    ("external_id", "=", gid),
                    ("external_updated_at", "=", version),
                    ("topic", "in", const.ORDER_TOPICS),
                ],
                limit=1,
            )
        )

    def _fetch_order(self, gid):
        """The current state of one order, as a GraphQL node."""
        self.ensure_one()
        data = self._client().execute(
            queries.ORDER, {"id": gid}, expected_cost=const.ORDER_QUERY_COST
        )
        return data.get("order")

    def _order_exchanges(self, gid):
        """The exchanges of one order: ``[Exchange]`` of its returns that
        added line items."""
        self.ensure_one()
        data = self._client().execute(
            queries.ORDER_EXCHANGE_LINES, {"id": gid}, expected_cost=120
        )
        returns = ((data.get("order") or {}).get("returns") or {}).get("nodes") or ()
        return [
            exchange
            for exchange in map(exchange_of_return, returns)
            if exchange is not None
        ]

    def _refund_exchange(self, gid):
        """The ``Exchange`` a refund was made for, or None."""
        self.ensure_one()
        data = self._client().execute(
            queries.REFUND_EXCHANGE_LINES, {"id": gid}, expected_cost=25
        )
        return exchange_of_return((data.get("refund") or {}).get("return"))

    def action_poll_now(self):
        self.backend_id._check_manager()
        self.ensure_one()
        created = self._poll_orders()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": _("Catch-up poll"),
                "message": _("%s new events.", created),
            },
        }

    # Shared actions, run on the delegated backend ----------------------------

    def action_pause(self):
        return self.backend_id.action_pause()

    def action_resume(self):
        return self.backend_id.action_resume()

    def action_open_events(self):
        return self.backend_id.action_open_events()

    def action_open_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [("shopify_bind_ids.backend_id", "=", self.id)]
        action["context"] = {}
        return action
