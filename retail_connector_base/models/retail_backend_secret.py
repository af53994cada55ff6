from odoo import fields, models


class RetailBackendSecret(models.Model):
    """An encrypted credential of a backend (token, signing secret...).

    Only the ciphertext is stored; the key comes from the server
    configuration, so a copy of the database alone reveals nothing. Only
    connector managers may read these rows, and no view shows the value.
    """

    _name = "retail.backend.secret"
    _description = "Retail Connector Secret"
    _rec_name = "key"

    backend_id = fields.Many2one(
        "retail.backend", required=True, ondelete="cascade", index=True
    )
    key = fields.Char(required=True)
    ciphertext = fields.Text(required=True)
    expires_at = fields.Datetime(
        help="When the external system stops accepting this credential."
    )

    _sql_constraints = [
        (
            "backend_key_unique",
            "UNIQUE(backend_id, key)",
            "A backend stores each credential once.",
        ),
    ]
