import re

from odoo import api, fields, models, tools

# Phones are compared on their last digits, so "+1 555-010-0001" and
# "(555) 010 0001" are the same customer.
PHONE_DIGITS_COMPARED = 9


def phone_key(phone):
    digits = re.sub(r"\D", "", phone or "")
    return digits[-PHONE_DIGITS_COMPARED:] if len(digits) >= 7 else ""


class ShopifyResPartner(models.Model):
    """A Shopify customer bound to an Odoo contact."""

    _name = "shopify.res.partner"
    _inherit = "retail.binding"
    _description = "Shopify Customer Binding"

    backend_id = fields.Many2one(
        "shopify.backend", required=True, index=True, ondelete="cascade"
    )
    odoo_id = fields.Many2one(
        "res.partner", string="Contact", required=True, index=True, ondelete="cascade"
    )

    _sql_constraints = [
        (
            "external_unique",
            "UNIQUE(backend_id, external_id)",
            "This Shopify customer is already bound.",
        ),
    ]

    @api.model
    def _match_partner(self, backend, customer_gid, email, phone):
        """Existing contact of a customer: binding, then e-mail, then phone."""
        if customer_gid:
            binding = self.search(
                [("backend_id", "=", backend.id), ("external_id", "=", customer_gid)],
                limit=1,
            )
            if binding:
                return binding.odoo_id
        partners = self.env["res.partner"].with_context(active_test=False)
        normalized = tools.email_normalize(email) if email else False
        if normalized:
            partner = partners.search(
                [("email_normalized", "=", normalized), ("parent_id", "=", False)],
                limit=1,
                order="active desc, id",
            )
            if partner:
                return partner
        key = phone_key(phone)
        if key:
            self.env.cr.execute(
                """
                SELECT id FROM res_partner
                 WHERE parent_id IS NULL
                   AND right(regexp_replace(coalesce(phone, ''), '\\D', '', 'g'), %s)
                       = %s
                 ORDER BY active DESC, id
                 LIMIT 1
                """,
                (PHONE_DIGITS_COMPARED, key),
            )
            row = self.env.cr.fetchone()
            if row:
                return partners.browse(row[0])
        return partners

    @api.model
    def _bind(self, backend, customer_gid, partner):
        if customer_gid and not self.search_count(
            [("backend_id", "=", backend.id), ("external_id", "=", customer_gid)]
        ):
            self.create(
                {
                    "backend_id": backend.id,
                    "external_id": customer_gid,
                    "odoo_id": partner.id,
                    "sync_date": fields.Datetime.now(),
                }
            )
