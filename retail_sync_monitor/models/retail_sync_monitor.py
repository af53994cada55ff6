from datetime import UTC, timedelta

from prometheus_client import CollectorRegistry, Gauge, generate_latest

from odoo import api, fields, models

from ..flows import FLOWS, flow_index, flow_sql_case

WINDOW_PARAM = "retail_sync_monitor.window_hours"
DEFAULT_WINDOW_HOURS = 24
DEFAULT_CREDENTIAL_WARNING_DAYS = 7


class RetailSyncMonitor(models.Model):
    """Key figures of one backend and one business flow, read live.

    A database view over the event ledger: throughput, failure rate and
    latency count the events finished in the last window (system parameter
    ``retail_sync_monitor.window_hours``, 24 by default); backlog, oldest
    pending item, last success and credential expiry are read as of now.
    """

    _name = "retail.sync.monitor"
    _description = "Retail Connector Sync Monitor"
    _auto = False
    _order = "backend_id, flow"
    _rec_name = "flow"
    _depends = {
        "retail.event": [
            "backend_id",
            "topic",
            "state",
            "received_at",
            "processed_at",
            "latency",
        ],
        "retail.backend": ["active", "company_id", "connector_type"],
        "retail.backend.secret": ["backend_id", "expires_at"],
        "ir.config_parameter": ["key", "value"],
    }

    backend_id = fields.Many2one("retail.backend", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    connector_type = fields.Char(readonly=True)
    flow = fields.Selection(selection=FLOWS, readonly=True)
    window_hours = fields.Float(readonly=True, aggregator="max")
    finished_count = fields.Integer(
        string="Finished", readonly=True, help="Events finished in the window."
    )
    throughput = fields.Integer(
        string="Done", readonly=True, help="Events applied in the window."
    )
    failure_count = fields.Integer(
        string="Failures", readonly=True, help="Events that failed in the window."
    )
    failure_rate = fields.Float(
        string="Failure Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Failures per hundred finished events in the window.",
    )
    avg_latency = fields.Float(
        string="Avg Latency (s)",
        readonly=True,
        aggregator="avg",
        help="Seconds from receipt to the committed Odoo record, on average.",
    )
    max_latency = fields.Float(
        string="Max Latency (s)", readonly=True, aggregator="max"
    )
    backlog = fields.Integer(readonly=True, help="Events received, not yet applied.")
    oldest_pending_at = fields.Datetime(readonly=True, aggregator="min")
    oldest_pending_age = fields.Float(
        string="Oldest Pending (min)",
        readonly=True,
        aggregator="max",
        help="Minutes the oldest pending event has been waiting.",
    )
    attention_count = fields.Integer(string="Needs Attention", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    dead_count = fields.Integer(string="Dead", readonly=True)
    last_success_at = fields.Datetime(readonly=True, aggregator="max")
    credential_expires_at = fields.Datetime(
        readonly=True,
        aggregator="min",
        help="First expiry among the backend's stored credentials.",
    )
    credential_state = fields.Selection(
        selection=[
            ("none", "No expiry"),
            ("ok", "Valid"),
            ("expiring", "Expiring soon"),
            ("expired", "Expired"),
        ],
        compute="_compute_health",
    )
    health = fields.Selection(
        selection=[("ok", "Healthy"), ("warning", "Warning"), ("critical", "Critical")],
        compute="_compute_health",
    )

    @property
    def _table_query(self):
        flow = flow_sql_case("e.topic")
        flow_ids = " ".join(
            f"WHEN '{key}' THEN {flow_index(key)}" for key, _label in FLOWS
        )
        return f"""
            WITH params AS (
                SELECT
                    (now() AT TIME ZONE 'UTC') AS now_utc,
                    COALESCE(
                        (SELECT CASE WHEN value ~ '^[0-9]+(\\.[0-9]+)?$'
                                THEN value::numeric END
                           FROM ir_config_parameter
                          WHERE key = '{WINDOW_PARAM}'),
                        {DEFAULT_WINDOW_HOURS}
                    ) AS window_hours
            ),
            events AS (
                SELECT b.id AS backend_id,
                       b.company_id,
                       b.connector_type,
                       CASE WHEN e.id IS NULL THEN 'other' ELSE {flow} END AS flow,
                       e.id AS event_id, e.state, e.received_at, e.processed_at,
                       e.latency,
                       e.processed_at >= p.now_utc - make_interval(
                           secs => (p.window_hours * 3600)::double precision
                       ) AS in_window
                  FROM retail_backend b
                  CROSS JOIN params p
                  LEFT JOIN retail_event e ON e.backend_id = b.id
                 WHERE b.active
            ),
            credentials AS (
                SELECT backend_id, min(expires_at) AS expires_at
                  FROM retail_backend_secret
                 WHERE expires_at IS NOT NULL
                 GROUP BY backend_id
            )
            SELECT
                ev.backend_id * 10 + (CASE ev.flow {flow_ids} END) AS id,
                ev.backend_id,
                ev.company_id,
                ev.connector_type,
                ev.flow,
                p.window_hours,
                count(ev.event_id) FILTER (
                    WHERE ev.in_window AND ev.state NOT IN ('received', 'queued')
                ) AS finished_count,
                count(ev.event_id) FILTER (
                    WHERE ev.in_window AND ev.state = 'done'
                ) AS throughput,
                count(ev.event_id) FILTER (
                    WHERE ev.in_window
                      AND ev.state IN ('needs_attention', 'failed', 'dead')
                ) AS failure_count,
                COALESCE(
                    round(100.0 * count(ev.event_id) FILTER (
                        WHERE ev.in_window
                          AND ev.state IN ('needs_attention', 'failed', 'dead')
                    ) / NULLIF(count(ev.event_id) FILTER (
                        WHERE ev.in_window
                          AND ev.state NOT IN ('received', 'queued')
                    ), 0), 2),
                    0
                ) AS failure_rate,
                COALESCE(avg(ev.latency) FILTER (
                    WHERE ev.in_window AND ev.state = 'done'
                ), 0) AS avg_latency,
                COALESCE(max(ev.latency) FILTER (
                    WHERE ev.in_window AND ev.state = 'done'
                ), 0) AS max_latency,
                count(ev.event_id) FILTER (
                    WHERE ev.state IN ('received', 'queued')
                ) AS backlog,
                min(ev.received_at) FILTER (
                    WHERE ev.state IN ('received', 'queued')
                ) AS oldest_pending_at,
                COALESCE(EXTRACT(EPOCH FROM p.now_utc - min(ev.received_at) FILTER (
                    WHERE ev.state IN ('received', 'queued')
                )) / 60.0, 0) AS oldest_pending_age,
                count(ev.event_id) FILTER (
                    WHERE ev.state = 'needs_attention'
                ) AS attention_count,
                count(ev.event_id) FILTER (WHERE ev.state = 'failed') AS failed_count,
                count(ev.event_id) FILTER (WHERE ev.state = 'dead') AS dead_count,
                max(ev.processed_at) FILTER (
                    WHERE ev.state = 'done'
                ) AS last_success_at,
                c.expires_at AS credential_expires_at
              FROM events ev
              CROSS JOIN params p
              LEFT JOIN credentials c ON c.backend_id = ev.backend_id
             GROUP BY ev.backend_id, ev.company_id, ev.connector_type, ev.flow,
                      p.window_hours, p.now_utc, c.expires_at
        """

    @api.depends("credential_expires_at", "attention_count", "failed_count")
    def _compute_health(self):
        now = fields.Datetime.now()
        thresholds = self.env["retail.sync.threshold"].sudo()._by_backend()
        for row in self:
            days = DEFAULT_CREDENTIAL_WARNING_DAYS
            rule = thresholds.get(row.backend_id.id)
            if rule:
                days = rule.credential_warning_days
            expiry = row.credential_expires_at
            if not expiry:
                row.credential_state = "none"
            elif expiry <= now:
                row.credential_state = "expired"
            elif expiry <= now + timedelta(days=days):
                row.credential_state = "expiring"
            else:
                row.credential_state = "ok"
            if row.dead_count or row.failed_count or row.credential_state == "expired":
                row.health = "critical"
            elif row.attention_count or row.credential_state == "expiring":
                row.health = "warning"
            else:
                row.health = "ok"

    # Per backend ---------------------------------------------------------------

    @api.model
    def _backend_kpis(self, backends):
        """Figures of each backend summed over its flows, as a dict by id."""
        self.invalidate_model()
        rows = self.sudo().search([("backend_id", "in", backends.ids)])
        kpis = {}
        for row in rows:
            kpi = kpis.setdefault(
                row.backend_id.id,
                {
                    "finished": 0,
                    "failures": 0,
                    "backlog": 0,
                    "oldest_pending_age": 0.0,
                    "credential_expires_at": row.credential_expires_at,
                },
            )
            kpi["finished"] += row.finished_count
            kpi["failures"] += row.failure_count
            kpi["backlog"] += row.backlog
            kpi["oldest_pending_age"] = max(
                kpi["oldest_pending_age"], row.oldest_pending_age
            )
        for kpi in kpis.values():
            kpi["failure_rate"] = (
                100.0 * kpi["failures"] / kpi["finished"] if kpi["finished"] else 0.0
            )
        return kpis

    # Prometheus ----------------------------------------------------------------

    @api.model
    def _prometheus_text(self):
        """Return every figure in the Prometheus text exposition format."""
        registry = CollectorRegistry()
        labels = ["backend", "connector", "flow"]
        gauges = {
            name: Gauge(f"retail_sync_{name}", doc, labels, registry=registry)
            for name, doc in [
                ("events_done", "Events applied in the monitor window."),
                ("events_failed", "Events that failed in the monitor window."),
                ("failure_ratio", "Failed over finished events in the window."),
                ("latency_avg_seconds", "Mean receipt-to-commit latency."),
                ("latency_max_seconds", "Longest receipt-to-commit latency."),
                ("backlog", "Events received and not yet applied."),
                ("oldest_pending_age_seconds", "Age of the oldest pending event."),
                ("needs_attention", "Events blocked by a business rule."),
                ("dead", "Events whose retries are exhausted."),
                ("last_success_timestamp_seconds", "Time of the last applied event."),
            ]
        }
        expiry = Gauge(
            "retail_sync_credential_expiry_timestamp_seconds",
            "First expiry among the backend's credentials.",
            ["backend", "connector"],
            registry=registry,
        )
        window = Gauge(
            "retail_sync_window_seconds",
            "Length of the window the windowed figures count.",
            registry=registry,
        )
        self.invalidate_model()
        rows = self.sudo().search([])
        window_hours = DEFAULT_WINDOW_HOURS
        for row in rows:
            window_hours = row.window_hours
            values = (row.backend_id.name, row.connector_type or "", row.flow)
            gauges["events_done"].labels(*values).set(row.throughput)
            gauges["events_failed"].labels(*values).set(row.failure_count)
            gauges["failure_ratio"].labels(*values).set(row.failure_rate / 100.0)
            gauges["latency_avg_seconds"].labels(*values).set(row.avg_latency)
            gauges["latency_max_seconds"].labels(*values).set(row.max_latency)
            gauges["backlog"].labels(*values).set(row.backlog)
            gauges["oldest_pending_age_seconds"].labels(*values).set(
                row.oldest_pending_age * 60.0
            )
            gauges["needs_attention"].labels(*values).set(row.attention_count)
            gauges["dead"].labels(*values).set(row.dead_count)
            if row.last_success_at:
                gauges["last_success_timestamp_seconds"].labels(*values).set(
                    _timestamp(row.last_success_at)
                )
            if row.credential_expires_at:
                expiry.labels(row.backend_id.name, row.connector_type or "").set(
                    _timestamp(row.credential_expires_at)
                )
        window.set(window_hours * 3600)
        return generate_latest(registry).decode()


def _timestamp(value):
    """Seconds since the epoch of a naive UTC datetime."""
    return value.replace(tzinfo=UTC).timestamp()
