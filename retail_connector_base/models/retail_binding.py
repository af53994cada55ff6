import hashlib
import json

from odoo import api, fields, models


class RetailBinding(models.AbstractModel):
    """Link between one Odoo record and one external record of one backend.

    Concrete bindings declare ``backend_id`` (to their channel backend) and
    ``odoo_id`` (to the Odoo model they bind); the unique key on
    (backend, external id) is what makes an import idempotent.
    """

    _name = "retail.binding"
    _description = "Retail Connector Binding"

    external_id = fields.Char(required=True, index=True, readonly=True)
    sync_date = fields.Datetime(
        readonly=True, help="When this binding last changed the Odoo record."
    )
    external_updated_at = fields.Datetime(
        readonly=True, help="Version (update time) of the last applied payload."
    )
    payload_digest = fields.Char(
        readonly=True, help="SHA-256 of the last applied payload."
    )
    trace_id = fields.Char(readonly=True, index=True)

    @api.model
    def _payload_digest(self, payload):
        """Stable digest of a decoded payload, independent of key order."""
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()
