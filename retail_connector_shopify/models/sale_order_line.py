from odoo import api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    shopify_line_key = fields.Char(
        index="btree_not_null",
        copy=False,
        help="Which Shopify line (or discount, or shipping line) this line "
        "stands for, so that a newer version of the order updates it.",
    )
    shopify_exchange_return = fields.Char(
        string="Shopify Exchange",
        copy=False,
        readonly=True,
        help="The Shopify return this line was sent in exchange for.",
    )

    @api.model
    def _shopify_total(self, quantities, currency):
        """Odoo's total, taxes included, of ``{sale line: quantity}``,
        computed the way a sale order computes its own total."""
        taxes = self.env["account.tax"]
        company = self.env.company
        base_lines = [
            line._prepare_base_line_for_taxes_computation(quantity=quantity)
            for line, quantity in quantities.items()
            if not line.display_type
        ]
        taxes._add_tax_details_in_base_lines(base_lines, company)
        taxes._round_base_lines_tax_details(base_lines, company)
        totals = taxes._get_tax_totals_summary(
            base_lines=base_lines, currency=currency, company=company
        )
        return totals["total_amount_currency"]
