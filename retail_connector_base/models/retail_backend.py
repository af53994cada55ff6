import logging

from cryptography.fernet import Fernet, InvalidToken

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)

SECRET_KEY_OPTION = "retail_connector_secret_key"


class RetailBackend(models.Model):
    """One configured connection to one external system.

    Each channel addon adds a concrete model (``shopify.backend``...) that
    extends this one by delegation, so the event ledger, the mappings, the
    monitor and the security rules work on every backend alike.
    """

    _name = "retail.backend"
    _description = "Retail Connector Backend"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    connector_type = fields.Selection(
        selection=[],
        required=True,
        readonly=True,
        help="Set by the channel addon that owns the backend.",
    )
    connector_model = fields.Char(
        required=True,
        readonly=True,
        help="Technical name of the channel model that extends this backend.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        tracking=True,
    )
    state = fields.Selection(
        selection=[
            ("draft", "Draft"),
            ("connected", "Connected"),
            ("paused", "Paused"),
            ("error", "Error"),
        ],
        default="draft",
        required=True,
        tracking=True,
        help="Jobs of a paused backend or of a backend in error wait without "
        "using up their retries.",
    )
    state_message = fields.Text(readonly=True)
    api_version = fields.Char(string="API Version", tracking=True)
    job_channel_id = fields.Many2one(
        "queue.job.channel",
        string="Job Channel",
        readonly=True,
        ondelete="restrict",
        help="Every job of this backend runs in this channel; give it a "
        "capacity in the [queue_job] section of the server configuration.",
    )
    job_max_retries = fields.Integer(
        string="Job Retries",
        default=8,
        help="How many times a job is tried again after a temporary failure "
        "(network, throttling, server error) before its event is dead.",
    )
    rate_limit_per_second = fields.Float(
        help="Calls per second this backend may make to the external API; "
        "0 means the connector follows the limits the API announces.",
    )
    secret_ids = fields.One2many(
        "retail.backend.secret",
        "backend_id",
        groups="retail_connector_base.group_retail_connector_manager",
    )
    event_ids = fields.One2many("retail.event", "backend_id")
    tax_mapping_ids = fields.One2many("retail.tax.mapping", "backend_id")
    payment_mapping_ids = fields.One2many("retail.payment.mapping", "backend_id")
    location_mapping_ids = fields.One2many("retail.location.mapping", "backend_id")
    event_count = fields.Integer(compute="_compute_event_counts")
    attention_count = fields.Integer(compute="_compute_event_counts")

    _sql_constraints = [
        (
            "job_max_retries_positive",
            "CHECK(job_max_retries > 0)",
            "A backend needs at least one job retry.",
        ),
    ]

    def _compute_event_counts(self):
        groups = self.env["retail.event"]._read_group(
            [("backend_id", "in", self.ids)],
            groupby=["backend_id", "state"],
            aggregates=["__count"],
        )
        totals, attention = {}, {}
        for backend, state, count in groups:
            totals[backend.id] = totals.get(backend.id, 0) + count
            if state in ("needs_attention", "failed", "dead"):
                attention[backend.id] = attention.get(backend.id, 0) + count
        for backend in self:
            backend.event_count = totals.get(backend.id, 0)
            backend.attention_count = attention.get(backend.id, 0)

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        for backend in backends:
            backend.job_channel_id = (
                self.env["queue.job.channel"]
                .sudo()
                .create(
                    {
                        "name": f"{backend.connector_type}_{backend.id}",
                        "parent_id": self.env.ref("queue_job.channel_root").id,
                    }
                )
            )
        return backends

    # Secrets -----------------------------------------------------------------

    @api.model
    def _secret_cipher(self):
        key = tools.config.get(SECRET_KEY_OPTION)
        if not key:
            raise UserError(
                _(
                    "Set '%(option)s' in the Odoo server configuration file to "
                    "a Fernet key before storing connector credentials.",
                    option=SECRET_KEY_OPTION,
                )
            )
        try:
            return Fernet(key.encode() if isinstance(key, str) else key)
        except ValueError as error:
            raise UserError(
                _(
                    "'%(option)s' in the server configuration is not a valid "
                    "Fernet key (32 url-safe base64-encoded bytes).",
                    option=SECRET_KEY_OPTION,
                )
            ) from error

    def _set_secret(self, key, value, expires_at=False):
        """Store ``value`` encrypted under ``key``; an empty value removes it."""
        self.ensure_one()
        secrets = self.env["retail.backend.secret"].sudo()
        existing = secrets.search([("backend_id", "=", self.id), ("key", "=", key)])
        if not value:
            existing.unlink()
            return
        ciphertext = self._secret_cipher().encrypt(value.encode()).decode()
        vals = {"ciphertext": ciphertext, "expires_at": expires_at}
        if existing:
            existing.write(vals)
        else:
            secrets.create(dict(vals, backend_id=self.id, key=key))
        _logger.info("Backend %s: secret '%s' updated", self.name, key)

    def _get_secret(self, key):
        """Return the clear value stored under ``key``, or ``None``."""
        self.ensure_one()
        secret = (
            self.env["retail.backend.secret"]
            .sudo()
            .search([("backend_id", "=", self.id), ("key", "=", key)], limit=1)
        )
        if not secret:
            return None
        try:
            return self._secret_cipher().decrypt(secret.ciphertext.encode()).decode()
        except InvalidToken as error:
            raise UserError(
                _(
                    "The '%(key)s' credential of backend '%(backend)s' cannot be "
                    "decrypted with the configured key; enter it again.",
                    key=key,
                    backend=self.name,
                )
            ) from error

    def _has_secret(self, key):
        self.ensure_one()
        return bool(
            self.env["retail.backend.secret"]
            .sudo()
            .search_count([("backend_id", "=", self.id), ("key", "=", key)])
        )

    # Channel dispatch --------------------------------------------------------

    def _get_channel_backend(self):
        """Return the channel record (``shopify.backend``...) of this backend."""
        self.ensure_one()
        return (
            self.env[self.connector_model]
            .with_context(active_test=False)
            .search([("backend_id", "=", self.id)], limit=1)
        )

    def _process_event(self, event):
        """Apply one inbound event; channel backends implement it."""
        return self._get_channel_backend()._process_event(event)

    # State -------------------------------------------------------------------

    def _is_accepting_jobs(self):
        self.ensure_one()
        return self.active and self.state in ("draft", "connected")

    def _set_error(self, message):
        """Put the backend in error and ask a manager to look at it."""
        for backend in self:
            backend.write({"state": "error", "state_message": message})
            backend.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Connector backend in error"),
                note=message,
                user_id=backend._responsible_user().id,
            )
            _logger.warning("Backend %s set in error: %s", backend.name, message)

    def _responsible_user(self):
        group = self.env.ref("retail_connector_base.group_retail_connector_manager")
        return group.users[:1] or self.env.ref("base.user_admin")

    def _check_manager(self):
        """Refuse a configuration action to anyone but a connector manager.

        Buttons are hidden from other users; this also holds for calls made
        through the API.
        """
        if not self.env.su and not self.env.user.has_group(
            "retail_connector_base.group_retail_connector_manager"
        ):
            raise AccessError(_("Only connector managers may do this."))

    def action_pause(self):
        self._check_manager()
        self.write({"state": "paused"})

    def action_resume(self):
        self._check_manager()
        self.write({"state": "connected", "state_message": False})
        self.activity_ids.action_done()

    def action_open_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_connector_base.action_retail_event"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        action["context"] = {"default_backend_id": self.id}
        return action

    # Concurrency -------------------------------------------------------------

    def _try_lock_external(self, external_id):
        """Take the transaction-scoped advisory lock of one external record.

        Two jobs touching the same order (a webhook and a poll, or two
        versions) must not interleave; the second one is retried.
        """
        self.ensure_one()
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))",
            (self.id, external_id or ""),
        )
        return self.env.cr.fetchone()[0]
