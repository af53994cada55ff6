import json
from unittest.mock import patch

from odoo.exceptions import UserError

from .common import MonitorCase


class _ChannelWithRefetch:
    """Stands for a channel backend that can read an external record again."""

    def __init__(self, payload):
        self.payload = payload
        self.asked = []

    def __bool__(self):
        return True

    def _refetch_event_payload(self, event):
        self.asked.append(event.id)
        return self.payload


class _Binding:
    """Stands for a channel binding of the event's external record."""

    _name = "test.binding"
    _fields = {}
    id = 7

    def __init__(self, digest, version):
        self.payload_digest = digest
        self.external_updated_at = version


class TestExceptionActions(MonitorCase):
    def _business(self, code="missing_mapping", **values):
        return self._event(
            state="needs_attention",
            error_class="business",
            error_code=code,
            error_message="Add a tax mapping",
            **values,
        )

    def test_queues_tell_technical_from_business_failures(self):
        cases = {
            self._business("missing_mapping"): ("business", "missing_mapping"),
            self._business("ambiguous_sku"): ("business", "unknown_sku"),
            self._business("amount_mismatch"): ("business", "amount_mismatch"),
            self._business("closed_period"): ("business", "closed_period"),
            self._business("edited_after_delivery"): ("business", "business_other"),
            self._event(state="dead"): ("technical", "retries_exhausted"),
            self._event(state="failed", error_class="technical"): (
                "technical",
                "job_failed",
            ),
            self._event(state="failed", error_class="fatal"): (
                "technical",
                "backend_error",
            ),
            self._event(state="done"): (False, False),
        }
        for event, (kind, reason) in cases.items():
            self.assertEqual(
                (event.exception_kind, event.exception_reason), (kind, reason)
            )
        self.assertTrue(self._business().fix_hint.startswith("Add the mapping"))

    def test_replay_requeues_and_writes_who_why_what(self):
        event = self._business()
        event.with_user(self.operator).action_replay()

        self.assertEqual(event.state, "queued")
        self.assertTrue(event.job_id)
        self.assertFalse(event.exception_kind)
        audit = event.audit_ids
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit.action, "replay")
        self.assertEqual(audit.user_id, self.operator)
        self.assertEqual(audit.old_state, "needs_attention")
        self.assertEqual(audit.new_state, "queued")
        self.assertFalse(audit.changes)
        self.assertEqual(audit.change_summary, "State: Needs Attention → Queued")
        self.assertEqual(audit.backend_id, self.backend)
        self.assertEqual(audit.trace_id, event.trace_id)

    def test_base_retry_button_and_bulk_retry_are_audited(self):
        events = self._event(state="failed", error_class="technical") | self._event(
            state="dead"
        )
        events.with_user(self.operator).action_retry()

        self.assertEqual(set(events.mapped("state")), {"queued"})
        audits = events.audit_ids
        self.assertEqual(len(audits), 2)
        self.assertEqual(set(audits.mapped("action")), {"retry"})
        self.assertEqual(set(audits.mapped("old_state")), {"failed", "dead"})

    def test_retry_of_a_retrying_event_brings_its_job_forward(self):
        event = self._event(state="received", minutes_ago=5)
        event._enqueue()
        event.job_id.write({"retry": 2, "eta": "2999-01-01 00:00:00"})
        self.assertEqual(event.exception_reason, "retrying")

        event.action_retry()

        self.assertLess(event.job_id.eta.year, 2999)
        self.assertEqual(event.audit_ids.action, "retry")
        self.assertEqual(event.audit_ids.new_state, "queued")
        self.assertFalse(event.audit_ids.change_summary, "The state did not change.")

    def test_nothing_to_retry_is_refused(self):
        with self.assertRaises(UserError):
            self._event(state="done").action_retry()

    def test_ignore_in_bulk_needs_a_reason_and_is_audited(self):
        events = self._business() | self._event(state="dead")
        wizard = (
            self.env["retail.event.ignore.wizard"]
            .with_user(self.operator)
            .create({"event_ids": [(6, 0, events.ids)], "reason": "Test orders"})
        )
        wizard.action_confirm()

        self.assertEqual(set(events.mapped("state")), {"ignored_manual"})
        self.assertEqual(set(events.mapped("ignore_reason")), {"Test orders"})
        self.assertTrue(all(event.payload for event in events))
        audits = events.audit_ids
        self.assertEqual(len(audits), 2)
        self.assertEqual(set(audits.mapped("reason")), {"Test orders"})
        self.assertEqual(set(audits.mapped("new_state")), {"ignored_manual"})
        self.assertEqual(audits.user_id, self.operator)

        with self.assertRaisesRegex(UserError, "why"):
            self._business()._ignore("  ")

    def test_refetch_is_refused_when_the_channel_has_no_hook(self):
        event = self._business("amount_mismatch")
        self.assertFalse(event.can_refetch)
        with self.assertRaisesRegex(UserError, "not available"):
            event.action_refetch_replay()
        self.assertFalse(event.audit_ids)

    def test_refetch_stores_the_current_payload_then_replays(self):
        event = self._business("amount_mismatch")
        old_digest = event._stored_payload_digest()
        channel = _ChannelWithRefetch({"id": 1, "total": "10.00"})
        with patch.object(
            type(self.env["retail.event"]),
            "_refetch_channel_backend",
            lambda self: channel,
        ):
            self.assertTrue(event.can_refetch)
            event.action_refetch_replay()

        self.assertEqual(channel.asked, [event.id])
        self.assertEqual(json.loads(event.payload), {"id": 1, "total": "10.00"})
        self.assertEqual(event.state, "queued")
        audit = event.audit_ids
        self.assertEqual(audit.action, "refetch_replay")
        self.assertEqual(
            audit.changes,
            f"payload digest: {old_digest} -> {event._stored_payload_digest()}",
        )
        self.assertEqual(
            audit.change_summary,
            f"State: Needs Attention → Queued\n{audit.changes}",
        )

    def test_job_that_gave_up_makes_its_event_dead(self):
        event = self._event(state="received")
        event._enqueue()
        event.job_id.write(
            {
                "state": "failed",
                "exc_name": "odoo.addons.queue_job.exception.FailedJobError",
                "exc_message": "Max. retries (8) reached",
            }
        )
        self.assertEqual(event.state, "dead")
        self.assertEqual(event.exception_reason, "retries_exhausted")
        self.assertEqual(event.error_message, "Max. retries (8) reached")

    def test_replay_preview_compares_with_the_applied_binding(self):
        event = self._event(state="dead", external_updated_at="2026-01-02 10:00:00")
        wizard = self.env["retail.event.replay.wizard"]
        self.assertEqual(wizard._preview(event)["outcome"], "create")

        digest = event._stored_payload_digest()
        event_class = type(self.env["retail.event"])
        same = _Binding(digest, event.external_updated_at)
        with patch.object(event_class, "_find_bindings", lambda self: [same]):
            preview = wizard._preview(event)
        self.assertEqual(preview["outcome"], "unchanged")
        self.assertEqual(preview["binding_digest"], digest)
        self.assertEqual(preview["payload_digest"], digest)

        newer = _Binding("other", event.external_updated_at.replace(year=2027))
        with patch.object(event_class, "_find_bindings", lambda self: [newer]):
            self.assertEqual(wizard._preview(event)["outcome"], "stale")

        older = _Binding("other", event.external_updated_at.replace(year=2025))
        with patch.object(event_class, "_find_bindings", lambda self: [older]):
            self.assertEqual(wizard._preview(event)["outcome"], "update")

        confirm = wizard.create({"event_id": event.id})
        self.assertEqual(confirm.outcome, "create")
        confirm.action_replay()
        self.assertEqual(event.state, "queued")
        self.assertEqual(event.audit_ids.action, "replay")
        self.assertIn("preview: No binding exists yet", event.audit_ids.changes)

    def test_trace_follows_event_job_audit_and_outbound_call(self):
        event = self._business()
        event.action_replay()
        self.env["retail.outbound.call"].create(
            {
                "backend_id": self.backend.id,
                "operation": "fulfillmentCreate",
                "reference": "test:1",
                "idempotency_key": "key-1",
                "trace_id": event.trace_id,
            }
        )
        action = event.action_open_trace()
        trace = self.env["retail.sync.trace"].browse(action["res_id"])
        kinds = trace.line_ids.mapped("kind")
        self.assertEqual(kinds.count("event"), 1)
        self.assertEqual(kinds.count("job"), 1)
        self.assertEqual(kinds.count("audit"), 1)
        self.assertEqual(kinds.count("outbound"), 1)
        event_line = trace.line_ids.filtered(lambda line: line.kind == "event")
        self.assertEqual(
            (event_line.res_model, event_line.res_id), ("retail.event", event.id)
        )
        with self.assertRaisesRegex(UserError, "Nothing carries"):
            self.env["retail.sync.trace"]._open_for("no-such-trace")
