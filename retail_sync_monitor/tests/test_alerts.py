from datetime import timedelta

from .common import MonitorCase


class TestAlerts(MonitorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls.env["retail.sync.threshold"].create(
            {
                "backend_id": cls.backend.id,
                "user_id": cls.operator.id,
                "max_backlog": 3,
                "max_oldest_age": 0,
                "max_failure_rate": 20.0,
                "min_finished": 5,
                "credential_warning_days": 7,
            }
        )
        cls.alert_type = cls.env.ref(
            "retail_sync_monitor.mail_activity_type_sync_alert"
        )

    def _alerts(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "retail.backend"),
                ("res_id", "=", self.backend.id),
                ("activity_type_id", "=", self.alert_type.id),
            ]
        )

    def test_many_failures_raise_one_activity_and_recovery_closes_it(self):
        pending = self.env["retail.event"]
        for _index in range(5):
            pending |= self._event(state="queued", minutes_ago=5)
        self.rule._evaluate()
        alerts = self._alerts()
        self.assertEqual(len(alerts), 1)
        self.assertEqual(alerts.user_id, self.operator)
        self.assertIn("Backlog of 5 events, above 3.", alerts.note)
        self.assertEqual(self.rule.alert_state, "alert")

        for _index in range(6):
            pending |= self._event(state="queued", minutes_ago=5)
        self.env["retail.sync.threshold"]._cron_evaluate()
        self.assertEqual(self._alerts(), alerts)
        self.assertIn("Backlog of 11 events", alerts.note)

        pending.write({"state": "done", "processed_at": self.now, "latency": 1.0})
        self.rule._evaluate()
        self.assertFalse(self._alerts())
        self.assertEqual(self.rule.alert_state, "ok")
        self.assertFalse(self.rule.alert_message)
        done_message = self.backend.message_ids.filtered(
            lambda message: message.mail_activity_type_id == self.alert_type
        )
        self.assertEqual(len(done_message), 1)

    def test_failure_rate_waits_for_enough_events(self):
        self._event(state="needs_attention", error_class="business")
        self._event(state="done")
        self.rule._evaluate()
        self.assertFalse(self._alerts(), "1 failure in 2 events is no trend yet")

        for _index in range(3):
            self._event(state="failed", error_class="technical")
        self.rule._evaluate()
        self.assertIn("Failure rate 80.0% over 5 events", self._alerts().note)

    def test_expiring_credential_raises_the_alert(self):
        secret = self.env["retail.backend.secret"].create(
            {
                "backend_id": self.backend.id,
                "key": "access_token",
                "ciphertext": "not-a-real-ciphertext",
                "expires_at": self.now + timedelta(days=2),
            }
        )
        self.rule._evaluate()
        self.assertIn("A credential expires on", self._alerts().note)

        secret.expires_at = self.now + timedelta(days=60)
        self.rule._evaluate()
        self.assertFalse(self._alerts())

    def test_without_a_responsible_the_first_manager_gets_it(self):
        self.rule.user_id = False
        for _index in range(4):
            self._event(state="queued")
        self.rule._evaluate()
        self.assertEqual(self._alerts().user_id, self.backend._responsible_user())
