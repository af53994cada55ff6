from .common import MonitorCase

DAY = 24 * 60


class TestRetention(MonitorCase):
    def test_old_finished_events_go_failed_ones_keep_their_payload(self):
        self.env["ir.config_parameter"].set_param(
            "retail_sync_monitor.retention_days", "30"
        )
        old_done = self._event(state="done", minutes_ago=40 * DAY)
        old_stale = self._event(state="ignored_stale", minutes_ago=40 * DAY)
        recent_done = self._event(state="done", minutes_ago=10 * DAY)
        old_failed = self._event(
            state="failed", minutes_ago=40 * DAY, error_class="technical"
        )
        old_blocked = self._event(
            state="needs_attention", minutes_ago=40 * DAY, error_class="business"
        )
        old_dead = self._event(state="dead", minutes_ago=40 * DAY)
        old_pending = self._event(state="queued", minutes_ago=40 * DAY)

        old_done.state = "received"
        old_done._enqueue()
        job = old_done.job_id
        job.write({"state": "done", "date_done": old_done.received_at})
        old_done.write({"state": "done", "processed_at": old_done.received_at})

        deleted = self.env["retail.event"]._cron_purge_finished()

        self.assertEqual(deleted, 2)
        self.assertFalse(old_done.exists())
        self.assertFalse(old_stale.exists())
        self.assertFalse(job.exists())
        kept = recent_done | old_failed | old_blocked | old_dead | old_pending
        self.assertEqual(kept.exists(), kept)
        self.assertTrue(all(event.payload for event in old_failed | old_blocked))
        self.assertTrue(old_dead.payload)

    def test_zero_days_keeps_everything(self):
        self.env["ir.config_parameter"].set_param(
            "retail_sync_monitor.retention_days", "0"
        )
        event = self._event(state="done", minutes_ago=400 * DAY)
        self.assertEqual(self.env["retail.event"]._cron_purge_finished(), 0)
        self.assertTrue(event.exists())

    def test_audit_trail_outlives_the_purged_event(self):
        self.env["ir.config_parameter"].set_param(
            "retail_sync_monitor.retention_days", "30"
        )
        event = self._event(state="dead", minutes_ago=40 * DAY)
        event._ignore("Duplicate of an order imported by hand")
        event.processed_at = event.received_at
        audit = event.audit_ids
        label = event.display_name
        self.env["retail.event"]._cron_purge_finished()
        self.assertFalse(event.exists())
        self.assertTrue(audit.exists())
        self.assertEqual(audit.event_label, label)
        self.assertEqual(audit.reason, "Duplicate of an order imported by hand")
