from odoo import fields, models


class RetailEventIgnoreWizard(models.TransientModel):
    """Ignore one or many events, saying why; the reason goes to the audit."""

    _name = "retail.event.ignore.wizard"
    _description = "Ignore Retail Events"

    event_ids = fields.Many2many("retail.event", string="Events", required=True)
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        self.event_ids._ignore(self.reason)
        return {"type": "ir.actions.act_window_close"}
