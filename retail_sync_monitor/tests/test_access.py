from odoo.exceptions import AccessError

from .common import MonitorCase


class TestAccess(MonitorCase):
    def test_operators_read_the_dashboard_and_act_on_events(self):
        self._event(state="queued")
        rows = (
            self.env["retail.sync.monitor"]
            .with_user(self.operator)
            .search([("backend_id", "=", self.backend.id)])
        )
        self.assertEqual(rows.backlog, 1)

        event = self._event(state="needs_attention", error_class="business")
        event.with_user(self.operator)._ignore("Customer cancelled by phone")
        self.assertEqual(event.state, "ignored_manual")

    def test_nobody_writes_the_audit_trail_by_hand(self):
        event = self._event(state="dead")
        event.with_user(self.operator)._ignore("Test")
        audit = event.audit_ids
        for user in (self.operator, self.reviewer, self.manager):
            self.assertEqual(
                audit.with_user(user).read(["reason"])[0]["reason"], "Test"
            )
            with self.assertRaises(AccessError):
                audit.with_user(user).write({"reason": "Rewritten"})
            with self.assertRaises(AccessError):
                self.env["retail.event.audit"].with_user(user).create(
                    {"event_id": event.id, "action": "ignore"}
                )
            with self.assertRaises(AccessError):
                audit.with_user(user).unlink()

    def test_only_managers_configure_thresholds(self):
        values = {"backend_id": self.backend.id, "max_backlog": 10}
        for user in (self.operator, self.reviewer):
            with self.assertRaises(AccessError):
                self.env["retail.sync.threshold"].with_user(user).create(values)
        rule = self.env["retail.sync.threshold"].with_user(self.manager).create(values)
        self.assertEqual(
            rule.with_user(self.reviewer).read(["max_backlog"])[0]["max_backlog"], 10
        )
        with self.assertRaises(AccessError):
            rule.with_user(self.operator).write({"max_backlog": 1})
