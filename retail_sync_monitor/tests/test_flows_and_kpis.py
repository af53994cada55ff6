from datetime import timedelta

from ..flows import flow_of
from .common import MonitorCase


class TestFlowsAndKpis(MonitorCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for latency in (10.0, 20.0, 30.0):
            cls._event(minutes_ago=60, latency=latency)
        # Applied two days ago: outside the 24-hour window.
        cls._event(minutes_ago=48 * 60, latency=1000.0)
        cls._event(
            state="needs_attention",
            minutes_ago=20,
            error_class="business",
            error_code="amount_mismatch",
        )
        cls._event(state="queued", minutes_ago=90)
        cls._event(state="received", minutes_ago=10)
        cls._event(
            topic="refunds/create",
            state="dead",
            minutes_ago=15,
            error_class="retryable",
            error_code="retries_exhausted",
        )
        cls.env["retail.backend.secret"].create(
            {
                "backend_id": cls.backend.id,
                "key": "access_token",
                "ciphertext": "not-a-real-ciphertext",
                "expires_at": cls.now + timedelta(days=3),
            }
        )

    def test_topics_map_to_flows(self):
        self.assertEqual(flow_of("orders/paid"), "orders")
        self.assertEqual(flow_of("refunds/create"), "refunds")
        self.assertEqual(flow_of("inventory_levels/update"), "inventory")
        self.assertEqual(flow_of("products/update"), "catalog")
        self.assertEqual(flow_of("fulfillments/create"), "fulfilment")
        self.assertEqual(flow_of("fulfillment_orders/moved"), "fulfilment")
        self.assertEqual(flow_of("payouts/paid"), "payouts")
        self.assertEqual(flow_of("balance_transactions/create"), "payouts")
        self.assertEqual(flow_of("app/uninstalled"), "other")
        self.assertEqual(flow_of(False), "other")
        event = self._event(topic="inventory_levels/update")
        self.assertEqual(event.flow, "inventory")

    def test_order_flow_figures_count_the_window_only(self):
        orders = self._kpi("orders")
        self.assertEqual(len(orders), 1)
        self.assertEqual(orders.throughput, 3)
        self.assertEqual(orders.finished_count, 4)
        self.assertEqual(orders.failure_count, 1)
        self.assertAlmostEqual(orders.failure_rate, 25.0)
        self.assertAlmostEqual(orders.avg_latency, 20.0)
        self.assertAlmostEqual(orders.max_latency, 30.0)
        self.assertEqual(orders.attention_count, 1)
        self.assertEqual(orders.dead_count, 0)

    def test_backlog_oldest_pending_and_last_success(self):
        orders = self._kpi("orders")
        self.assertEqual(orders.backlog, 2)
        self.assertEqual(orders.oldest_pending_at, self.now - timedelta(minutes=90))
        # The view measures age at the start of the test transaction.
        self.assertAlmostEqual(orders.oldest_pending_age, 90.0, delta=3.0)
        self.assertEqual(
            orders.last_success_at,
            self.now - timedelta(minutes=60) + timedelta(seconds=5),
        )

    def test_refund_flow_is_its_own_row(self):
        refunds = self._kpi("refunds")
        self.assertEqual(refunds.dead_count, 1)
        self.assertEqual(refunds.failure_count, 1)
        self.assertAlmostEqual(refunds.failure_rate, 100.0)
        self.assertEqual(refunds.backlog, 0)
        self.assertEqual(refunds.health, "critical")

    def test_credential_expiring_within_warning_days(self):
        orders = self._kpi("orders")
        self.assertEqual(orders.credential_expires_at, self.now + timedelta(days=3))
        self.assertEqual(orders.credential_state, "expiring")
        self.assertEqual(orders.health, "warning")

    def test_backend_figures_sum_every_flow(self):
        kpi = self.env["retail.sync.monitor"]._backend_kpis(self.backend)[
            self.backend.id
        ]
        self.assertEqual(kpi["finished"], 5)
        self.assertEqual(kpi["failures"], 2)
        self.assertAlmostEqual(kpi["failure_rate"], 40.0)
        self.assertEqual(kpi["backlog"], 2)

    def test_window_is_a_system_parameter(self):
        self.env["ir.config_parameter"].set_param(
            "retail_sync_monitor.window_hours", "72"
        )
        orders = self._kpi("orders")
        self.assertEqual(orders.window_hours, 72)
        self.assertEqual(orders.throughput, 4)
        self.assertAlmostEqual(orders.max_latency, 1000.0)

    def test_backend_without_events_shows_one_row(self):
        quiet = self.backend.copy({"name": "Quiet shop"})
        rows = self.env["retail.sync.monitor"].search([("backend_id", "=", quiet.id)])
        self.assertEqual(rows.mapped("flow"), ["other"])
        self.assertEqual(rows.backlog, 0)
        self.assertEqual(rows.credential_state, "none")
