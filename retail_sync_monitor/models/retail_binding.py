from odoo import models

TRACE_ACTION_XMLID = "retail_sync_monitor.action_trace_{table}"


class RetailBinding(models.AbstractModel):
    _inherit = "retail.binding"

    def _register_hook(self):
        super()._register_hook()
        # Once every module is loaded, so channels loaded after this addon
        # count; and only when modules were installed or updated.
        if not self._abstract and self.pool.updated_modules:
            self._bind_trace_action()

    def _bind_trace_action(self):
        """Offer *Trace* in the Action menu of this binding model.

        Every channel defines its own binding models, so the action is
        added for each of them after an install or update rather than by a
        data file; it belongs to this addon and goes away with it.
        """
        xml_id = TRACE_ACTION_XMLID.format(table=self._table)
        if self.env.ref(xml_id, raise_if_not_found=False):
            return
        model = self.env["ir.model"]._get(self._name)
        self.env["ir.actions.server"]._load_records(
            [
                {
                    "xml_id": xml_id,
                    "noupdate": True,
                    "values": {
                        "name": "Trace",
                        "model_id": model.id,
                        "binding_model_id": model.id,
                        "binding_view_types": "list,form",
                        "state": "code",
                        "code": "action = records.action_open_trace()",
                    },
                }
            ]
        )

    def action_open_trace(self):
        """Follow the trace of this binding, or list those of several."""
        return self.env["retail.sync.trace"]._open_traces(self.mapped("trace_id"))
