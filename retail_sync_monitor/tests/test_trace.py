from datetime import timedelta

from odoo.exceptions import UserError

from .common import MonitorCase


class TestTrace(MonitorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Summary = cls.env["retail.sync.trace.summary"]
        cls._call_sequence = 0

    @classmethod
    def _call(cls, trace_id, state="pending", **values):
        cls._call_sequence += 1
        vals = {
            "backend_id": cls.backend.id,
            "operation": "fulfillmentCreate",
            "reference": f"test:{cls._call_sequence}",
            "idempotency_key": f"trace-test-key-{cls._call_sequence}",
            "trace_id": trace_id,
            "state": state,
        }
        vals.update(values)
        return cls.env["retail.outbound.call"].create(vals)

    def _summary(self, trace_id):
        return self.Summary.search([("trace_id", "=", trace_id)])

    def test_trace_menu_lists_every_trace_with_its_outcome(self):
        menu = self.env.ref("retail_sync_monitor.menu_retail_sync_trace")
        self.assertEqual(menu.action.res_model, "retail.sync.trace.summary")
        self.assertEqual(menu.action.view_mode, "list")

        done = self._event(minutes_ago=50)
        done_call = self._call(
            done.trace_id,
            state="done",
            done_at=done.processed_at + timedelta(minutes=1),
        )
        blocked = self._event(state="needs_attention", minutes_ago=20)
        pushed = self._call("job-uuid-of-a-fulfilment-push")

        rows = self.Summary.search(
            [("trace_id", "in", [done.trace_id, blocked.trace_id, pushed.trace_id])]
        )
        self.assertEqual(
            rows.mapped("trace_id"),
            [pushed.trace_id, blocked.trace_id, done.trace_id],
            "The most recent trace comes first.",
        )
        row = self._summary(done.trace_id)
        self.assertEqual(
            (row.backend_id, row.flow, row.event_count, row.call_count, row.status),
            (self.backend, "orders", 1, 1, "done"),
        )
        self.assertEqual(row.origin, f"orders/create {done.external_id}")
        self.assertEqual(row.started_at, done.received_at)
        self.assertEqual(row.last_at, done_call.done_at)
        self.assertEqual(row.id, 2 * done.id)

        self.assertEqual(self._summary(blocked.trace_id).status, "attention")

        row = self._summary(pushed.trace_id)
        self.assertEqual(
            (row.event_count, row.call_count, row.status, row.flow),
            (0, 1, "pending", False),
        )
        self.assertEqual(row.origin, f"fulfillmentCreate {pushed.reference}")
        self.assertEqual(row.id, 2 * pushed.id + 1)

        self.assertEqual(
            self.Summary.search(
                [("status", "=", "attention"), ("backend_id", "=", self.backend.id)]
            ).mapped("trace_id"),
            [blocked.trace_id],
        )

    def test_traces_are_found_by_external_id_or_call_reference(self):
        event = self._event()
        call = self._call(event.trace_id, external_id="gid://test/Fulfillment/77")
        self._event()  # another trace of the same backend, not to be found

        for value in (event.external_id, call.reference, "Fulfillment/77"):
            found = self.Summary.search(
                [("reference", "ilike", value), ("backend_id", "=", self.backend.id)]
            )
            self.assertEqual(found.mapped("trace_id"), [event.trace_id], value)
        self.assertFalse(
            self.Summary.search([("reference", "=", "gid://test/Record/none")])
        )

    def test_a_trace_opened_from_the_list_shows_its_steps_in_order(self):
        event = self._event(
            state="needs_attention", error_class="business", minutes_ago=10
        )
        event.action_replay()
        self._call(event.trace_id)

        action = self._summary(event.trace_id).action_open_trace()
        self.assertEqual(action["res_model"], "retail.sync.trace")
        trace = self.env["retail.sync.trace"].browse(action["res_id"])
        self.assertEqual(trace.trace_id, event.trace_id)
        lines = trace.line_ids
        self.assertEqual(
            sorted(lines.mapped("kind")), ["audit", "event", "job", "outbound"]
        )
        self.assertEqual(lines[0].kind, "event")
        dates = lines.mapped("date")
        self.assertEqual(dates, sorted(dates))

        steps = {line.kind: line for line in lines}
        self.assertEqual(
            steps["event"].label, f"Webhook orders/create {event.external_id}"
        )
        self.assertEqual(steps["event"].state, "Queued")
        self.assertEqual(steps["job"].state, "Pending")
        self.assertEqual(
            steps["audit"].label, f"{self.env.user.name}: Replay stored payload"
        )
        self.assertEqual(steps["audit"].state, "Queued")
        self.assertEqual(steps["outbound"].state, "Pending")

    def test_operator_actions_stay_in_the_trace_after_the_event_is_purged(self):
        event = self._event(state="dead")
        event._ignore("Duplicate order placed by the shop")
        trace_id = event.trace_id
        self._call(trace_id, state="failed")
        event.unlink()

        trace = self.env["retail.sync.trace"].browse(
            self.env["retail.sync.trace"]._open_for(trace_id)["res_id"]
        )
        self.assertEqual(sorted(trace.line_ids.mapped("kind")), ["audit", "outbound"])
        audit_line = trace.line_ids.filtered(lambda line: line.kind == "audit")
        self.assertEqual(audit_line.state, "Ignored (by operator)")
        self.assertEqual(self._summary(trace_id).status, "attention")

    def test_trace_opens_from_events_calls_audits_and_bindings(self):
        event = self._event(state="dead")
        event.action_retry()
        call = self._call(event.trace_id)
        Trace = self.env["retail.sync.trace"]

        for record in (event, call, event.audit_ids):
            action = record.action_open_trace()
            self.assertEqual(action["res_model"], "retail.sync.trace", record)
            self.assertEqual(
                Trace.browse(action["res_id"]).trace_id, event.trace_id, record
            )

        binding_models = Trace._binding_models()
        for model_name in binding_models:
            binding = self.env[model_name].new({"trace_id": event.trace_id})
            action = binding.action_open_trace()
            self.assertEqual(Trace.browse(action["res_id"]).trace_id, event.trace_id)
            menu_action = self.env.ref(
                f"retail_sync_monitor.action_trace_{self.env[model_name]._table}"
            )
            self.assertEqual(menu_action.binding_model_id.model, model_name)
            self.assertEqual(menu_action.code, "action = records.action_open_trace()")

        with self.assertRaisesRegex(UserError, "carry no trace id"):
            self._call(False).action_open_trace()

    def test_several_records_open_the_list_of_their_traces(self):
        events = self._event() | self._event()
        events |= self._event(trace_id=events[0].trace_id)

        server_action = self.env.ref(
            "retail_sync_monitor.action_server_retail_event_trace"
        )
        action = server_action.with_context(
            active_model="retail.event", active_ids=events.ids
        ).run()

        self.assertEqual(action["res_model"], "retail.sync.trace.summary")
        self.assertEqual(
            action["domain"],
            [("trace_id", "in", [events[0].trace_id, events[1].trace_id])],
        )
        self.assertEqual(
            self.Summary.search(action["domain"]).mapped("event_count"), [1, 2]
        )

    def test_operators_see_the_traces_of_their_companies_only(self):
        other_company = self.env["res.company"].create({"name": "Other retail co"})
        other_backend = self.env["retail.backend"].create(
            {
                "name": "Other shop",
                "connector_type": self.backend.connector_type,
                "connector_model": "retail.backend",
                "company_id": other_company.id,
            }
        )
        own = self._event()
        foreign = self._event(backend_id=other_backend.id)

        visible = (
            self.Summary.with_user(self.operator)
            .search([("trace_id", "in", [own.trace_id, foreign.trace_id])])
            .mapped("trace_id")
        )
        self.assertEqual(visible, [own.trace_id])
