import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.retail_connector_base.models.retail_event import (
    OPEN_STATES,
    RETRYABLE_STATES,
)

from ..flows import FLOWS, flow_of

_logger = logging.getLogger(__name__)

FINISHED_STATES = ("done", "ignored_duplicate", "ignored_stale", "ignored_manual")
FAILED_STATES = ("needs_attention", "failed", "dead")
# Name of the method a concrete (channel) backend may offer to read the
# current state of an event's external record again.
REFETCH_HOOK = "_refetch_event_payload"

EXCEPTION_REASONS = [
    ("retrying", "Retrying"),
    ("retries_exhausted", "Retries exhausted"),
    ("job_failed", "Job failed"),
    ("backend_error", "Backend error"),
    ("missing_mapping", "Missing mapping"),
    ("unknown_sku", "Unknown SKU"),
    ("amount_mismatch", "Amount mismatch"),
    ("closed_period", "Closed period"),
    ("business_other", "Other business rule"),
]
TECHNICAL_REASONS = ("retrying", "retries_exhausted", "job_failed", "backend_error")
# Error codes raised by the channels, grouped into the queues operations know.
BUSINESS_CODES = {
    "missing_mapping": "missing_mapping",
    "unknown_sku": "unknown_sku",
    "ambiguous_sku": "unknown_sku",
    "amount_mismatch": "amount_mismatch",
    "closed_period": "closed_period",
}


class RetailEvent(models.Model):
    _inherit = "retail.event"

    state = fields.Selection(
        selection_add=[("ignored_manual", "Ignored (by operator)")],
        ondelete={"ignored_manual": "set ignored_stale"},
    )
    flow = fields.Selection(
        selection=FLOWS,
        compute="_compute_flow",
        store=True,
        index=True,
        help="Business flow of the topic: orders, refunds, inventory...",
    )
    exception_reason = fields.Selection(
        selection=EXCEPTION_REASONS,
        compute="_compute_exception",
        store=True,
        index=True,
    )
    exception_kind = fields.Selection(
        selection=[("technical", "Technical"), ("business", "Business")],
        compute="_compute_exception",
        store=True,
        index=True,
    )
    fix_hint = fields.Char(
        string="How to Fix",
        compute="_compute_fix_hint",
        help="The action that resolves this exception.",
    )
    can_refetch = fields.Boolean(
        string="Re-fetch Available",
        compute="_compute_can_refetch",
        help="The channel of this backend can read the current state of the "
        "external record again.",
    )
    # Looked up on every job state change to keep exception_reason current.
    job_id = fields.Many2one(index=True)
    ignore_reason = fields.Text(readonly=True)
    audit_ids = fields.One2many("retail.event.audit", "event_id", string="Audit")

    @api.depends("topic")
    def _compute_flow(self):
        for event in self:
            event.flow = flow_of(event.topic)

    @api.depends("state", "error_class", "error_code", "job_id.retry")
    def _compute_exception(self):
        for event in self:
            reason = event._exception_reason()
            event.exception_reason = reason
            if not reason:
                event.exception_kind = False
            elif reason in TECHNICAL_REASONS:
                event.exception_kind = "technical"
            else:
                event.exception_kind = "business"

    def _exception_reason(self):
        self.ensure_one()
        if self.state in OPEN_STATES:
            return "retrying" if self.job_id.retry else False
        if self.state == "dead":
            return "retries_exhausted"
        if self.state == "failed":
            return "backend_error" if self.error_class == "fatal" else "job_failed"
        if self.state == "needs_attention":
            return BUSINESS_CODES.get(self.error_code, "business_other")
        return False

    @api.depends("exception_reason")
    def _compute_fix_hint(self):
        hints = {
            "retrying": _("Retries by itself; Retry runs it now."),
            "retries_exhausted": _("Preview the replay, then replay it."),
            "job_failed": _("Retry once the cause is fixed."),
            "backend_error": _("Fix the backend's credentials, resume it, retry."),
            "missing_mapping": _("Add the mapping the message names, then replay."),
            "unknown_sku": _("Create or link the product, then replay."),
            "amount_mismatch": _("Re-fetch and replay, or ignore with a reason."),
            "closed_period": _("Reopen the period and replay, or ignore."),
            "business_other": _("Fix what the message says, then replay."),
        }
        for event in self:
            event.fix_hint = hints.get(event.exception_reason, False)

    def _compute_can_refetch(self):
        for event in self:
            event.can_refetch = bool(event._refetch_channel_backend())

    def _refetch_channel_backend(self):
        """Return the channel backend offering the re-fetch hook, or nothing."""
        self.ensure_one()
        backend = self.backend_id.sudo()
        model_name = backend.connector_model
        if (
            not model_name
            or model_name not in self.env
            or "backend_id" not in self.env[model_name]._fields
        ):
            return None
        channel = backend._get_channel_backend()
        if channel and hasattr(channel, REFETCH_HOOK):
            return channel
        return None

    # Audit -------------------------------------------------------------------

    def _audit(self, action, reason=None, changes=None, before=None):
        """Write one audit row per event for ``action``.

        ``before`` maps event ids to their state before the action, so the
        row keeps both states; ``changes`` describes anything else changed.
        """
        audits = self.env["retail.event.audit"].sudo()
        for event in self:
            audits.create(
                {
                    "event_id": event.id,
                    "user_id": self.env.user.id,
                    "action": action,
                    "reason": reason,
                    "old_state": (before or {}).get(event.id, event.state),
                    "new_state": event.state,
                    "changes": changes or False,
                }
            )

    # Actions -----------------------------------------------------------------

    def action_retry(self):
        """Process the stored payload again, and write it to the audit trail."""
        return self._reprocess("retry")

    def action_replay(self):
        """Replay the stored payload after a business fix; audited."""
        return self._reprocess("replay")

    def _reprocess(self, action, reason=None, changes=None):
        to_run = self.filtered(lambda event: event.state in RETRYABLE_STATES)
        retrying = self.filtered(lambda event: event.exception_reason == "retrying")
        if not (to_run or retrying):
            raise UserError(
                _(
                    "Only events that failed, need attention, are dead or are "
                    "waiting for a retry can be retried or replayed."
                )
            )
        before = {event.id: event.state for event in self}
        if to_run:
            # Operators may not read job channels; the job runs as the intake
            # does, once their right to change these events is checked.
            to_run.check_access("write")
            super(RetailEvent, to_run.sudo()).action_retry()
        if retrying:
            # Bring the pending retry forward instead of queueing a second job.
            retrying.job_id.sudo().write({"eta": fields.Datetime.now()})
        (to_run | retrying)._audit(
            action, reason=reason, changes=changes, before=before
        )
        return True

    def action_refetch_replay(self):
        """Read the external record again through the channel, then replay."""
        for event in self:
            channel = event._refetch_channel_backend()
            if not channel:
                raise UserError(
                    _(
                        "Re-fetching is not available for the %(connector)s "
                        "channel of backend '%(backend)s': replay the stored "
                        "payload or ignore the event.",
                        connector=event.connector_type or "",
                        backend=event.backend_id.name,
                    )
                )
            old_digest = event._stored_payload_digest()
            payload = getattr(channel, REFETCH_HOOK)(event)
            if payload is None:
                raise UserError(
                    _(
                        "%(external_id)s no longer exists in the external "
                        "system: ignore the event with a reason.",
                        external_id=event.external_id or event.display_name,
                    )
                )
            if not isinstance(payload, str):
                payload = json.dumps(payload)
            event.check_access("write")
            event.sudo().write({"payload": payload})
            changes = (
                f"payload digest: {old_digest} -> {event._stored_payload_digest()}"
            )
            event._reprocess("refetch_replay", changes=changes)
        return True

    def action_ignore_wizard(self):
        """Open the wizard that ignores the selected events with a reason."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Ignore Events"),
            "res_model": "retail.event.ignore.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_event_ids": [(6, 0, self.ids)]},
        }

    def _ignore(self, reason):
        """Close failed or blocked events without processing them."""
        if not (reason or "").strip():
            raise UserError(_("Say why these events are ignored."))
        to_ignore = self.filtered(
            lambda event: event.state in RETRYABLE_STATES + OPEN_STATES
        )
        if not to_ignore:
            raise UserError(_("Only pending, failed or blocked events can be ignored."))
        before = {event.id: event.state for event in to_ignore}
        to_ignore.job_id.filtered(
            lambda job: job.state not in ("done", "cancelled")
        ).sudo().button_cancelled()
        to_ignore.check_access("write")
        to_ignore.sudo().write(
            {
                "state": "ignored_manual",
                "ignore_reason": reason,
                "processed_at": fields.Datetime.now(),
            }
        )
        to_ignore._audit("ignore", reason=reason, before=before)
        return to_ignore

    def action_preview_replay(self):
        """Open the replay preview of one event."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Replay Preview"),
            "res_model": "retail.event.replay.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_event_id": self.id},
        }

    def action_open_trace(self):
        """Follow the trace of this event, or list those of several events."""
        return self.env["retail.sync.trace"]._open_traces(self.mapped("trace_id"))

    # Helpers -----------------------------------------------------------------

    def _stored_payload_digest(self):
        """Digest of the stored payload, comparable with a binding's digest."""
        self.ensure_one()
        try:
            decoded = json.loads(self.payload or "null")
        except ValueError:
            return False
        return self.env["retail.binding"]._payload_digest(decoded)

    def _find_bindings(self):
        """Bindings of any channel for this event's external record."""
        self.ensure_one()
        if not self.external_id:
            return []
        found = []
        for model_name in self.env["retail.sync.trace"]._binding_models():
            model = self.env[model_name].sudo()
            domain = [("external_id", "=", self.external_id)]
            domain += _binding_backend_domain(model, self.backend_id)
            found.extend(model.search(domain))
        return found

    # Retention ---------------------------------------------------------------

    @api.model
    def _cron_purge_finished(self):
        """Delete finished events and jobs older than the retention age.

        Failed, dead and blocked events are kept whole, payload included,
        until someone replays or ignores them.
        """
        params = self.env["ir.config_parameter"].sudo()
        days = int(params.get_param("retail_sync_monitor.retention_days") or 0)
        if days <= 0:
            return 0
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        events = self.sudo().search(
            [
                ("state", "in", FINISHED_STATES),
                ("processed_at", "<", limit),
            ]
        )
        jobs = events.job_id.filtered(lambda job: job.state in ("done", "cancelled"))
        jobs |= (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("model_name", "=", self._name),
                    ("state", "in", ("done", "cancelled")),
                    ("date_done", "<", limit),
                ]
            )
        )
        # A job stays while an event that is kept still points to it.
        jobs -= (
            self.sudo()
            .search([("job_id", "in", jobs.ids), ("id", "not in", events.ids)])
            .job_id
        )
        count = len(events)
        events.unlink()
        jobs.exists().unlink()
        _logger.info(
            "Retention: %s finished events and %s jobs older than %s days deleted",
            count,
            len(jobs),
            days,
        )
        return count


def _binding_backend_domain(model, backend):
    """Domain matching a binding's backend, direct or through a channel model."""
    field = model._fields.get("backend_id")
    if not field:
        return []
    if field.comodel_name == "retail.backend":
        return [("backend_id", "=", backend.id)]
    parent_field = model.env[field.comodel_name]._inherits.get("retail.backend")
    if parent_field:
        return [(f"backend_id.{parent_field}", "=", backend.id)]
    return []
