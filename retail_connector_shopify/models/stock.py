from odoo import api, models

# Quant fields whose change moves the on-hand or the free quantity.
QUANT_QUANTITY_FIELDS = {"quantity", "reserved_quantity"}
# Move fields whose change moves the forecast.
MOVE_FORECAST_FIELDS = {"state", "product_uom_qty", "location_id", "location_dest_id"}


class StockQuant(models.Model):
    """Every change of an on-hand or reserved quantity goes through a quant:
    receipts, deliveries, reservations and inventory adjustments alike."""

    _inherit = "stock.quant"

    @api.model_create_multi
    def create(self, vals_list):
        quants = super().create(vals_list)
        quants._shopify_stock_changed()
        return quants

    def write(self, vals):
        result = super().write(vals)
        if QUANT_QUANTITY_FIELDS & set(vals):
            self._shopify_stock_changed()
        return result

    def _shopify_stock_changed(self):
        if not self:
            return
        self.env["shopify.backend"]._inventory_changed(
            self.product_id, self.location_id
        )


class StockMove(models.Model):
    """Planned moves change the forecast before any quant moves."""

    _inherit = "stock.move"

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        moves._shopify_forecast_changed()
        return moves

    def write(self, vals):
        result = super().write(vals)
        if MOVE_FORECAST_FIELDS & set(vals):
            self._shopify_forecast_changed()
        return result

    def _shopify_forecast_changed(self):
        if not self:
            return
        self.env["shopify.backend"]._inventory_changed(
            self.product_id,
            self.location_id | self.location_dest_id,
            forecast_only=True,
        )
