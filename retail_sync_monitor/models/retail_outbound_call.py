from odoo import models


class RetailOutboundCall(models.Model):
    _inherit = "retail.outbound.call"

    def action_open_trace(self):
        """Follow the trace of this call, or list those of several calls."""
        return self.env["retail.sync.trace"]._open_traces(self.mapped("trace_id"))
