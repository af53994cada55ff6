from odoo import _, api, fields, models
from odoo.exceptions import UserError

STEP_KINDS = [
    ("event", "Event"),
    ("job", "Job"),
    ("binding", "Binding"),
    ("document", "Odoo Document"),
    ("outbound", "Outbound Call"),
    ("audit", "Operator Action"),
]


def _selection_label(record, field_name):
    """Label of a selection value of ``record``, in the user's language."""
    value = record[field_name]
    if not value:
        return False
    selection = record._fields[field_name]._description_selection(record.env)
    return dict(selection).get(value, value)


class RetailSyncTrace(models.TransientModel):
    """Everything one trace id touched, from the webhook or poll onwards."""

    _name = "retail.sync.trace"
    _description = "Retail Connector Trace"

    trace_id = fields.Char(required=True)
    line_ids = fields.One2many("retail.sync.trace.line", "trace_wizard_id")

    @api.model
    def _binding_models(self):
        """Names of the concrete binding models of every installed channel."""
        children = self.env.registry["retail.binding"]._inherit_children
        return [
            name
            for name in children
            if name in self.env and not self.env[name]._abstract
        ]

    @api.model
    def _open_traces(self, trace_ids):
        """Open the steps of one trace, or the list of several traces."""
        trace_ids = list(dict.fromkeys(trace_id for trace_id in trace_ids if trace_id))
        if not trace_ids:
            raise UserError(_("The selected records carry no trace id."))
        if len(trace_ids) > 1:
            return self.env["retail.sync.trace.summary"]._action_list(trace_ids)
        return self._open_for(trace_ids[0])

    @api.model
    def _open_for(self, trace_id):
        trace = self.create({"trace_id": trace_id})
        trace.action_follow()
        return {
            "type": "ir.actions.act_window",
            "name": _("Trace %(trace)s", trace=trace_id),
            "res_model": self._name,
            "res_id": trace.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_follow(self):
        """Fill the steps of the trace, oldest first."""
        self.ensure_one()
        trace_id = (self.trace_id or "").strip()
        if not trace_id:
            raise UserError(_("Enter the trace id to follow."))
        steps = self._collect_steps(trace_id)
        if not steps:
            raise UserError(
                _("Nothing carries the trace id %(trace)s.", trace=trace_id)
            )
        steps.sort(
            key=lambda step: (step["date"] or fields.Datetime.now(), step["sequence"])
        )
        self.line_ids = [(5, 0, 0)] + [(0, 0, step) for step in steps]
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def _collect_steps(self, trace_id):
        steps = []
        seen_documents = set()

        def add(kind, record, label, state, date, sequence):
            steps.append(
                {
                    "kind": kind,
                    "res_model": record._name,
                    "res_id": record.id,
                    "label": label,
                    "state": state or False,
                    "date": date or False,
                    "sequence": sequence,
                }
            )

        def add_document(model, res_id, date):
            if not (model and res_id) or (model, res_id) in seen_documents:
                return
            seen_documents.add((model, res_id))
            document = self.env[model].sudo().browse(res_id).exists()
            if document:
                add("document", document, document.display_name, False, date, 40)

        events = self.env["retail.event"].search([("trace_id", "=", trace_id)])
        for event in events:
            add(
                "event",
                event,
                _(
                    "%(origin)s %(topic)s %(external_id)s",
                    origin=_selection_label(event, "source"),
                    topic=event.topic,
                    external_id=event.external_id or "",
                ),
                _selection_label(event, "state"),
                event.received_at,
                10,
            )
            job = event.job_id.sudo()
            if job:
                add(
                    "job",
                    job,
                    job.name,
                    _selection_label(job, "state"),
                    job.date_created,
                    20,
                )
            add_document(event.res_model, event.res_id, event.processed_at)

        # Searched by trace id, so the actions on a purged event still show.
        audits = self.env["retail.event.audit"].search([("trace_id", "=", trace_id)])
        for audit in audits:
            add(
                "audit",
                audit,
                f"{audit.user_id.name}: {_selection_label(audit, 'action')}",
                _selection_label(audit, "new_state"),
                audit.create_date,
                60,
            )

        for model_name in self._binding_models():
            bindings = self.env[model_name].sudo().search([("trace_id", "=", trace_id)])
            for binding in bindings:
                add(
                    "binding",
                    binding,
                    f"{binding._description} {binding.external_id}",
                    False,
                    binding.sync_date,
                    30,
                )
                if "odoo_id" in binding._fields and binding.odoo_id:
                    add_document(
                        binding.odoo_id._name, binding.odoo_id.id, binding.sync_date
                    )

        calls = (
            self.env["retail.outbound.call"]
            .sudo()
            .search([("trace_id", "=", trace_id)])
        )
        for call in calls:
            add(
                "outbound",
                call,
                f"{call.operation} {call.reference}",
                _selection_label(call, "state"),
                call.create_date,
                50,
            )
        return steps


class RetailSyncTraceLine(models.TransientModel):
    _name = "retail.sync.trace.line"
    _description = "Retail Connector Trace Step"
    _order = "date, sequence, id"

    trace_wizard_id = fields.Many2one(
        "retail.sync.trace", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    kind = fields.Selection(selection=STEP_KINDS, required=True)
    label = fields.Char()
    state = fields.Char()
    date = fields.Datetime()
    res_model = fields.Char(string="Model")
    res_id = fields.Integer(string="Record")

    def action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }
