from odoo import _, api, fields, models

AUDIT_ACTIONS = [
    ("retry", "Retry"),
    ("replay", "Replay stored payload"),
    ("refetch_replay", "Re-fetch and replay"),
    ("ignore", "Ignore"),
]


class RetailEventAudit(models.Model):
    """One operator action on an event: who, when, why and what changed.

    Rows are written by the actions themselves and never edited, so the
    trail stays true after the event is replayed, ignored or purged.
    """

    _name = "retail.event.audit"
    _description = "Retail Connector Event Audit"
    _order = "create_date desc, id desc"
    _rec_name = "action"

    event_id = fields.Many2one(
        "retail.event", index=True, ondelete="set null", readonly=True
    )
    event_label = fields.Char(
        string="Event Reference",
        readonly=True,
        help="Topic and external id, kept after the event is purged.",
    )
    backend_id = fields.Many2one(
        "retail.backend", index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, readonly=True
    )
    trace_id = fields.Char(index=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Who",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    create_date = fields.Datetime(string="When", readonly=True)
    action = fields.Selection(selection=AUDIT_ACTIONS, required=True, readonly=True)
    reason = fields.Text(string="Why", readonly=True)
    # The event state keys are stored, so the trail filters and groups by
    # state; the selection shows their labels in the reader's language.
    old_state = fields.Selection(
        selection="_selection_event_state", string="State Before", readonly=True
    )
    new_state = fields.Selection(
        selection="_selection_event_state", string="State After", readonly=True
    )
    changes = fields.Text(
        string="Details",
        readonly=True,
        help="What the action changed besides the state: payload digest, "
        "replay preview...",
    )
    change_summary = fields.Text(
        string="What Changed", compute="_compute_change_summary"
    )

    @api.model
    def _selection_event_state(self):
        return (
            self.env["retail.event"]._fields["state"]._description_selection(self.env)
        )

    @api.depends("old_state", "new_state", "changes")
    @api.depends_context("lang")
    def _compute_change_summary(self):
        labels = dict(self._selection_event_state())
        for audit in self:
            lines = []
            if audit.old_state != audit.new_state:
                lines.append(
                    _(
                        "State: %(before)s → %(after)s",
                        before=labels.get(audit.old_state, audit.old_state or ""),
                        after=labels.get(audit.new_state, audit.new_state or ""),
                    )
                )
            if audit.changes:
                lines.append(audit.changes)
            audit.change_summary = "\n".join(lines) or False

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            event = self.env["retail.event"].browse(vals.get("event_id")).sudo()
            if event:
                vals.setdefault("event_label", event.display_name)
                vals.setdefault("backend_id", event.backend_id.id)
                vals.setdefault("trace_id", event.trace_id)
        return super().create(vals_list)

    def action_open_trace(self):
        """Follow the trace of the audited event across the suite."""
        return self.env["retail.sync.trace"]._open_traces(self.mapped("trace_id"))
