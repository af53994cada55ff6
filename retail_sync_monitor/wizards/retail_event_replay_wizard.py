from odoo import _, api, fields, models


class RetailEventReplayWizard(models.TransientModel):
    """What replaying one event would change, shown before it is replayed.

    Compares the stored payload with what the binding of the same external
    record last applied: digest, version, and the Odoo document touched.
    """

    _name = "retail.event.replay.wizard"
    _description = "Retail Event Replay Preview"

    event_id = fields.Many2one("retail.event", required=True, readonly=True)
    event_state = fields.Selection(related="event_id.state")
    payload_digest = fields.Char(compute="_compute_preview")
    binding_model = fields.Char(compute="_compute_preview")
    binding_res_id = fields.Integer(compute="_compute_preview")
    binding_digest = fields.Char(
        string="Last Applied Digest", compute="_compute_preview"
    )
    event_version = fields.Datetime(
        related="event_id.external_updated_at", string="Event Version"
    )
    binding_version = fields.Datetime(
        string="Applied Version", compute="_compute_preview"
    )
    document_model = fields.Char(compute="_compute_preview")
    document_id = fields.Integer(compute="_compute_preview")
    document_name = fields.Char(compute="_compute_preview")
    outcome = fields.Selection(
        selection=[
            ("create", "Creates a new document"),
            ("update", "Updates the document"),
            ("unchanged", "Changes nothing (already applied)"),
            ("stale", "Ignored: older than the applied version"),
            ("unknown", "Cannot tell: no external id"),
        ],
        compute="_compute_preview",
    )
    summary = fields.Text(compute="_compute_preview")

    @api.depends("event_id")
    def _compute_preview(self):
        for wizard in self:
            wizard.update(wizard._preview(wizard.event_id))

    @api.model
    def _preview(self, event):
        """Return the preview values of ``event`` as a dict of field values."""
        values = {
            "payload_digest": event._stored_payload_digest() if event else False,
            "binding_model": False,
            "binding_res_id": 0,
            "binding_digest": False,
            "binding_version": False,
            "document_model": event.res_model or False,
            "document_id": event.res_id or 0,
            "document_name": False,
        }
        bindings = event._find_bindings() if event else []
        binding = bindings[0] if bindings else None
        if binding:
            values.update(
                binding_model=binding._name,
                binding_res_id=binding.id,
                binding_digest=binding.payload_digest,
                binding_version=binding.external_updated_at,
            )
            if "odoo_id" in binding._fields and binding.odoo_id:
                values.update(
                    document_model=binding.odoo_id._name,
                    document_id=binding.odoo_id.id,
                )
        if values["document_model"] and values["document_id"]:
            document = self.env[values["document_model"]].browse(values["document_id"])
            values["document_name"] = document.exists().display_name or False

        if not event or not event.external_id:
            outcome = "unknown"
        elif not binding:
            outcome = "create"
        elif (
            binding.payload_digest
            and binding.payload_digest == values["payload_digest"]
        ):
            outcome = "unchanged"
        elif (
            binding.external_updated_at
            and event.external_updated_at
            and event.external_updated_at < binding.external_updated_at
        ):
            outcome = "stale"
        else:
            outcome = "update"
        values["outcome"] = outcome
        values["summary"] = self._summary(values)
        return values

    @api.model
    def _summary(self, values):
        outcome = values["outcome"]
        document = values["document_name"] or values["document_model"] or ""
        if outcome == "create":
            return _("No binding exists yet: replay creates a new document.")
        if outcome == "unchanged":
            return _(
                "This payload was already applied to %(document)s: replay "
                "changes nothing.",
                document=document,
            )
        if outcome == "stale":
            return _(
                "A newer version is already applied to %(document)s: replay "
                "will be ignored as stale.",
                document=document,
            )
        if outcome == "update":
            return _("Replay applies this payload to %(document)s.", document=document)
        return _("The event names no external record: replay runs it as is.")

    def action_replay(self):
        self.ensure_one()
        self.event_id._reprocess(
            "replay", changes=_("preview: %(summary)s", summary=self.summary)
        )
        return {"type": "ir.actions.act_window_close"}

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.document_model,
            "res_id": self.document_id,
            "view_mode": "form",
        }
