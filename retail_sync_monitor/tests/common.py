import json
from datetime import timedelta

from odoo import fields
from odoo.tests.common import TransactionCase, new_test_user


class MonitorCase(TransactionCase):
    """A backend of its own, operators of each group and an event factory."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        backends = cls.env["retail.backend"]
        connector_types = backends._fields["connector_type"].get_values(cls.env)
        if not connector_types:
            cls.skipTest(cls, "No channel addon installed: no connector type.")
        cls.backend = backends.create(
            {
                "name": "Monitor test shop",
                "connector_type": connector_types[0],
                "connector_model": "retail.backend",
            }
        )
        cls.now = fields.Datetime.now()
        cls.operator = new_test_user(
            cls.env,
            login="monitor_operator",
            groups="base.group_user,retail_connector_base.group_retail_connector_user",
        )
        cls.reviewer = new_test_user(
            cls.env,
            login="monitor_reviewer",
            groups="base.group_user,retail_connector_base.group_retail_finance_reviewer",
        )
        cls.manager = new_test_user(
            cls.env,
            login="monitor_manager",
            groups="base.group_user,retail_connector_base.group_retail_connector_manager",
        )
        cls._sequence = 0

    @classmethod
    def _event(cls, topic="orders/create", state="done", minutes_ago=30, **values):
        """Create one ledger row as the pipeline would have left it."""
        cls._sequence += 1
        received_at = cls.now - timedelta(minutes=minutes_ago)
        vals = {
            "backend_id": cls.backend.id,
            "topic": topic,
            "dedup_key": f"monitor-test-{cls._sequence}",
            "external_id": f"gid://test/Record/{cls._sequence}",
            "payload": json.dumps({"id": cls._sequence}),
            "received_at": received_at,
            "state": state,
        }
        if state not in ("received", "queued"):
            vals["processed_at"] = received_at + timedelta(seconds=5)
        vals.update(values)
        return cls.env["retail.event"].create(vals)

    def _kpi(self, flow):
        return self.env["retail.sync.monitor"].search(
            [("backend_id", "=", self.backend.id), ("flow", "=", flow)]
        )
