import json
import logging
import uuid

import psycopg2

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.queue_job.exception import RetryableJobError

from ..exceptions import BusinessError, FatalBackendError, RetryableError

_logger = logging.getLogger(__name__)

EVENT_STATES = [
    ("received", "Received"),
    ("queued", "Queued"),
    ("done", "Done"),
    ("ignored_duplicate", "Ignored (duplicate)"),
    ("ignored_stale", "Ignored (stale)"),
    ("needs_attention", "Needs Attention"),
    ("failed", "Failed"),
    ("dead", "Dead"),
]
OPEN_STATES = ("received", "queued")
RETRYABLE_STATES = ("needs_attention", "failed", "dead")
# Seconds a job waits when its backend is paused or its record is locked.
PAUSED_BACKEND_DELAY = 60
LOCKED_RECORD_DELAY = 5


class RetailEvent(models.Model):
    """One message received from, or found in, an external system.

    Every webhook delivery and every record a poll finds becomes one row
    before anything else happens. The unique key on (backend, dedup key)
    makes a repeated delivery a no-op, and the stored payload lets an
    operator replay the event after fixing what it needed.
    """

    _name = "retail.event"
    _description = "Retail Connector Inbound Event"
    _order = "received_at desc, id desc"
    _rec_name = "display_name"

    backend_id = fields.Many2one(
        "retail.backend", required=True, index=True, ondelete="restrict"
    )
    connector_type = fields.Selection(
        related="backend_id.connector_type", store=True, string="Connector"
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    topic = fields.Char(required=True, index=True)
    source = fields.Selection(
        selection=[
            ("webhook", "Webhook"),
            ("poll", "Catch-up poll"),
            ("bulk", "Bulk read"),
            ("manual", "Manual"),
        ],
        required=True,
        default="webhook",
    )
    dedup_key = fields.Char(
        required=True,
        help="The external event or delivery id, else a digest of the payload.",
    )
    external_id = fields.Char(index=True)
    external_updated_at = fields.Datetime(
        help="Update time of the external record carried by this event."
    )
    payload = fields.Text(help="The message exactly as received.")
    payload_format = fields.Char(
        help="Shape of the payload (for instance 'rest' or 'graphql')."
    )
    headers = fields.Text(help="Delivery headers, without any signature.")
    received_at = fields.Datetime(
        required=True, default=fields.Datetime.now, index=True
    )
    processed_at = fields.Datetime(readonly=True)
    latency = fields.Float(
        string="Latency (s)",
        readonly=True,
        aggregator="avg",
        help="Seconds from receipt to the committed Odoo record.",
    )
    state = fields.Selection(
        selection=EVENT_STATES, default="received", required=True, index=True
    )
    attempts = fields.Integer(readonly=True)
    error_class = fields.Selection(
        selection=[
            ("retryable", "Temporary"),
            ("business", "Business"),
            ("fatal", "Backend"),
            ("technical", "Technical"),
        ],
        readonly=True,
    )
    error_code = fields.Char(readonly=True, index=True)
    error_message = fields.Text(readonly=True)
    trace_id = fields.Char(
        required=True,
        index=True,
        readonly=True,
        default=lambda self: uuid.uuid4().hex,
    )
    job_id = fields.Many2one("queue.job", readonly=True, ondelete="set null")
    job_state = fields.Selection(related="job_id.state", string="Job State")
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Document", model_field="res_model", readonly=True
    )
    display_name = fields.Char(compute="_compute_display_name")

    _sql_constraints = [
        (
            "backend_dedup_key_unique",
            "UNIQUE(backend_id, dedup_key)",
            "This event was already received.",
        ),
    ]

    def write(self, vals):
        """Events change through their actions, which record who did what;
        only connector managers may edit one directly."""
        if not self.env.su and not self.env.user.has_group(
            "retail_connector_base.group_retail_connector_manager"
        ):
            raise AccessError(
                _(
                    "Events are changed by their actions (Retry, Ignore...), "
                    "not by editing them."
                )
            )
        return super().write(vals)

    @api.depends("topic", "external_id")
    def _compute_display_name(self):
        for event in self:
            event.display_name = f"{event.topic} {event.external_id or ''}".strip()

    # Reception ---------------------------------------------------------------

    @api.model
    def _receive(self, vals):
        """Store one event unless its dedup key is known; enqueue it.

        Returns ``(event, created)``. A duplicate returns the first event and
        changes nothing, so the caller can answer the sender with success.
        """
        existing = self._find_duplicate(vals["backend_id"], vals["dedup_key"])
        if existing:
            return existing, False
        try:
            with self.env.cr.savepoint(flush=False):
                event = self.create(vals)
        except psycopg2.errors.UniqueViolation:
            # A concurrent delivery of the same event won the race.
            return self._find_duplicate(vals["backend_id"], vals["dedup_key"]), False
        event._enqueue()
        return event, True

    @api.model
    def _find_duplicate(self, backend_id, dedup_key):
        return self.search(
            [("backend_id", "=", backend_id), ("dedup_key", "=", dedup_key)],
            limit=1,
        )

    def _enqueue(self):
        for event in self:
            backend = event.backend_id
            # Whoever triggers it, an event is applied by the same identity.
            job = (
                event.with_user(SUPERUSER_ID)
                .with_delay(
                    channel=backend.job_channel_id.complete_name,
                    max_retries=backend.job_max_retries,
                    identity_key=f"retail.event:{event.id}",
                    description=_(
                        "%(backend)s: %(topic)s %(external_id)s",
                        backend=backend.name,
                        topic=event.topic,
                        external_id=event.external_id or "",
                    ),
                )
                ._run()
            )
            # A job still pending for this event is returned as is.
            job_record = job if isinstance(job, models.BaseModel) else job.db_record()
            event.write({"state": "queued", "job_id": job_record.id})

    # Processing --------------------------------------------------------------

    def _run(self):
        """Job: apply the event to Odoo, at most once.

        Temporary failures raise :class:`RetryableJobError` so queue_job
        tries again; business failures end the job with the event in
        *needs attention* and nothing half-done kept.
        """
        self.ensure_one()
        if self.state not in OPEN_STATES:
            return _("Nothing to do: event already %s.", self.state)
        backend = self.backend_id.with_company(self.backend_id.company_id)
        if not backend._is_accepting_jobs():
            raise RetryableJobError(
                _("Backend %s is paused or in error.", backend.name),
                seconds=PAUSED_BACKEND_DELAY,
                ignore_retry=True,
            )
        if not backend._try_lock_external(self.external_id):
            raise RetryableJobError(
                _("Another job holds %s.", self.external_id),
                seconds=LOCKED_RECORD_DELAY,
                ignore_retry=True,
            )

        event = self.with_company(backend.company_id)
        try:
            with self.env.cr.savepoint():
                state, record = backend._process_event(event)
        except RetryableError as error:
            raise RetryableJobError(str(error), seconds=error.retry_after) from error
        except psycopg2.errors.UniqueViolation as error:
            # A job for the same record committed after this transaction
            # began: try again with a snapshot that sees its work.
            raise RetryableJobError(
                _("%s was written concurrently.", self.external_id),
                seconds=LOCKED_RECORD_DELAY,
            ) from error
        except (BusinessError, UserError, ValidationError) as error:
            return event._mark_failure("business", error)
        except FatalBackendError as error:
            backend._set_error(str(error))
            return event._mark_failure("fatal", error)

        event._mark_processed(state, record)
        _logger.info(
            "Event %s (%s %s, trace %s): %s",
            event.id,
            event.topic,
            event.external_id,
            event.trace_id,
            state,
        )
        return state

    def _mark_processed(self, state, record=None):
        now = fields.Datetime.now()
        self.write(
            {
                "state": state,
                "processed_at": now,
                "latency": (now - self.received_at).total_seconds(),
                "attempts": self.attempts + 1,
                "error_class": False,
                "error_code": False,
                "error_message": False,
                "res_model": record._name if record else self.res_model,
                "res_id": record.id if record else self.res_id,
            }
        )

    def _mark_failure(self, error_class, error):
        code = getattr(error, "code", None) or error_class
        message = str(error.args[0] if error.args else error)
        self.write(
            {
                "state": "needs_attention" if error_class == "business" else "failed",
                "processed_at": fields.Datetime.now(),
                "attempts": self.attempts + 1,
                "error_class": error_class,
                "error_code": code,
                "error_message": message,
            }
        )
        _logger.warning(
            "Event %s (%s %s, trace %s) %s: %s",
            self.id,
            self.topic,
            self.external_id,
            self.trace_id,
            self.state.replace("_", " "),
            message,
        )
        return message

    def _on_job_failed(self, exc_info=None, exc_name=None, exc_message=None):
        """Record that the job of these events gave up (see ``queue.job``)."""
        exhausted = (exc_name or "").endswith("FailedJobError")
        self.write(
            {
                "state": "dead" if exhausted else "failed",
                "processed_at": fields.Datetime.now(),
                "error_class": "retryable" if exhausted else "technical",
                "error_code": "retries_exhausted" if exhausted else "job_failed",
                "error_message": exc_message,
            }
        )

    # Payload -----------------------------------------------------------------

    def _payload_json(self):
        self.ensure_one()
        try:
            return json.loads(self.payload or "null")
        except ValueError as error:
            raise BusinessError(
                _("The stored payload is not valid JSON: %s", error),
                code="invalid_payload",
            ) from error

    # Actions -----------------------------------------------------------------

    def action_retry(self):
        """Process the stored payload again, after a fix."""
        to_retry = self.filtered(lambda event: event.state in RETRYABLE_STATES)
        if not to_retry:
            raise UserError(_("Only failed or blocked events can be retried."))
        to_retry.check_access("write")
        # Operators may retry events, not edit them or configure job channels.
        to_retry = to_retry.sudo()
        to_retry.write({"state": "received", "error_class": False, "error_code": False})
        to_retry._enqueue()
        return True

    def action_open_document(self):
        self.ensure_one()
        if not (self.res_model and self.res_id):
            raise UserError(_("This event did not produce a document."))
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
