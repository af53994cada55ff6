from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.retail_connector_base.models.retail_event import OPEN_STATES

from ..flows import FLOWS
from .retail_event import FAILED_STATES

TRACE_STATUSES = [
    ("attention", "Needs Attention"),
    ("pending", "In Progress"),
    ("done", "Finished"),
]
SEARCH_OPERATORS = ("=", "like", "ilike", "=like", "=ilike")


def _sql_states(states):
    return ", ".join(f"'{state}'" for state in states)


class RetailSyncTraceSummary(models.Model):
    """One row per trace id: what started it, how far it got, when.

    Read live from the event ledger and the outbound calls, the two places a
    trace id is born (a received event, or a job that writes to a channel).
    The row id is stable while its first event or call exists: even for
    traces with events, odd for traces made of outbound calls only.
    """

    _name = "retail.sync.trace.summary"
    _description = "Retail Connector Trace Summary"
    _auto = False
    _order = "last_at desc, id desc"
    _rec_name = "trace_id"
    _depends = {
        "retail.event": [
            "trace_id",
            "backend_id",
            "topic",
            "external_id",
            "state",
            "flow",
            "received_at",
            "processed_at",
        ],
        "retail.outbound.call": [
            "trace_id",
            "backend_id",
            "operation",
            "reference",
            "state",
            "create_date",
            "done_at",
        ],
        "retail.backend": ["company_id"],
    }

    trace_id = fields.Char(readonly=True)
    backend_id = fields.Many2one("retail.backend", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    flow = fields.Selection(selection=FLOWS, readonly=True)
    origin = fields.Char(
        string="Started By",
        readonly=True,
        help="Topic and external id of the first event, else operation and "
        "reference of the first outbound call.",
    )
    started_at = fields.Datetime(string="Started", readonly=True)
    last_at = fields.Datetime(string="Last Step", readonly=True)
    event_count = fields.Integer(string="Events", readonly=True)
    call_count = fields.Integer(string="Outbound Calls", readonly=True)
    status = fields.Selection(selection=TRACE_STATUSES, readonly=True)
    reference = fields.Char(
        string="External Id or Reference",
        compute="_compute_reference",
        search="_search_reference",
        help="External id of any event, or reference of any outbound call, "
        "of the trace.",
    )

    @property
    def _table_query(self):
        failed = _sql_states(FAILED_STATES)
        pending = _sql_states(OPEN_STATES)
        return f"""
            WITH steps AS (
                SELECT e.trace_id, e.id AS res_id, TRUE AS is_event,
                       e.backend_id, e.flow,
                       concat_ws(' ', e.topic, e.external_id) AS origin,
                       e.received_at AS started_at,
                       COALESCE(e.processed_at, e.received_at) AS last_at,
                       CASE WHEN e.state IN ({failed}) THEN 3
                            WHEN e.state IN ({pending}) THEN 2
                            ELSE 1 END AS severity
                  FROM retail_event e
                UNION ALL
                SELECT c.trace_id, c.id, FALSE,
                       c.backend_id, NULL,
                       concat_ws(' ', c.operation, c.reference),
                       c.create_date,
                       COALESCE(c.done_at, c.write_date, c.create_date),
                       CASE c.state WHEN 'failed' THEN 3
                                    WHEN 'pending' THEN 2
                                    ELSE 1 END
                  FROM retail_outbound_call c
                 WHERE c.trace_id IS NOT NULL
            ),
            traces AS (
                SELECT trace_id,
                       COALESCE(
                           2 * min(res_id) FILTER (WHERE is_event),
                           2 * min(res_id) + 1
                       ) AS id,
                       (array_agg(backend_id
                                  ORDER BY is_event DESC, started_at, res_id))[1]
                           AS backend_id,
                       (array_agg(flow ORDER BY started_at, res_id)
                           FILTER (WHERE is_event))[1] AS flow,
                       (array_agg(origin
                                  ORDER BY is_event DESC, started_at, res_id))[1]
                           AS origin,
                       min(started_at) AS started_at,
                       max(last_at) AS last_at,
                       count(*) FILTER (WHERE is_event) AS event_count,
                       count(*) FILTER (WHERE NOT is_event) AS call_count,
                       CASE max(severity) WHEN 3 THEN 'attention'
                                          WHEN 2 THEN 'pending'
                                          ELSE 'done' END AS status
                  FROM steps
                 GROUP BY trace_id
            )
            SELECT t.id, t.trace_id, t.backend_id, b.company_id, t.flow,
                   t.origin, t.started_at, t.last_at, t.event_count,
                   t.call_count, t.status
              FROM traces t
              JOIN retail_backend b ON b.id = t.backend_id
        """

    def _compute_reference(self):
        self.reference = False

    def _search_reference(self, operator, value):
        if operator not in SEARCH_OPERATORS:
            raise UserError(_("Search traces by external id or reference with a text."))
        events = self.env["retail.event"]._search([("external_id", operator, value)])
        calls = self.env["retail.outbound.call"]._search(
            ["|", ("reference", operator, value), ("external_id", operator, value)]
        )
        return [
            "|",
            ("trace_id", "in", events.subselect("trace_id")),
            ("trace_id", "in", calls.subselect("trace_id")),
        ]

    def action_open_trace(self):
        """Show every step of the trace, oldest first."""
        return self.env["retail.sync.trace"]._open_traces(self.mapped("trace_id"))

    @api.model
    def _action_list(self, trace_ids):
        """The trace list, narrowed to ``trace_ids``."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_sync_monitor.action_retail_sync_trace"
        )
        action["domain"] = [("trace_id", "in", list(trace_ids))]
        return action
