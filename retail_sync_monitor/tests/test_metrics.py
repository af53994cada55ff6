from prometheus_client.parser import text_string_to_metric_families

from ..controllers.metrics import TOKEN_PARAM, check_bearer, render_metrics
from .common import MonitorCase


class TestMetrics(MonitorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._event(state="queued", minutes_ago=10)
        cls._event(state="queued", minutes_ago=120)
        cls._event(state="done", minutes_ago=30, latency=4.0)
        cls._event(topic="refunds/create", state="dead", minutes_ago=30)

    def _samples(self, text):
        samples = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.labels.get("backend") == self.backend.name:
                    key = (sample.name, sample.labels.get("flow"))
                    samples[key] = sample.value
        return samples

    def test_text_is_prometheus_exposition_format(self):
        text = render_metrics(self.env)
        self.assertIn("# TYPE retail_sync_backlog gauge", text)
        self.assertIn("# HELP retail_sync_backlog ", text)
        connector = self.backend.connector_type
        self.assertIn(
            f'retail_sync_backlog{{backend="{self.backend.name}",'
            f'connector="{connector}",flow="orders"}} 2.0',
            text,
        )
        samples = self._samples(text)
        self.assertEqual(samples[("retail_sync_backlog", "orders")], 2.0)
        self.assertEqual(samples[("retail_sync_events_done", "orders")], 1.0)
        self.assertEqual(samples[("retail_sync_latency_avg_seconds", "orders")], 4.0)
        self.assertEqual(samples[("retail_sync_dead", "refunds")], 1.0)
        self.assertEqual(samples[("retail_sync_failure_ratio", "refunds")], 1.0)
        self.assertAlmostEqual(
            samples[("retail_sync_oldest_pending_age_seconds", "orders")],
            120 * 60,
            delta=180,
        )
        self.assertIn("retail_sync_window_seconds 86400.0", text)

    def test_bearer_token_is_required(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(TOKEN_PARAM, "")
        self.assertFalse(check_bearer(self.env, "Bearer anything"))

        params.set_param(TOKEN_PARAM, "s3cret-token")
        self.assertTrue(check_bearer(self.env, "Bearer s3cret-token"))
        self.assertTrue(check_bearer(self.env, "bearer s3cret-token"))
        self.assertFalse(check_bearer(self.env, "Bearer wrong-token"))
        self.assertFalse(check_bearer(self.env, "Basic s3cret-token"))
        self.assertFalse(check_bearer(self.env, "Bearer "))
        self.assertFalse(check_bearer(self.env, None))
