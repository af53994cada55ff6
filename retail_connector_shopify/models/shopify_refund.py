import copy
import logging
from collections import defaultdict

from odoo import Command, _, api, fields, models
from odoo.tools import float_compare, float_is_zero

from odoo.addons.retail_connector_base.exceptions import BusinessError, RetryableError

from ..lib.order_data import PayloadError
from ..lib.refund_data import (
    refund_from_rest,
    refund_money,
    refund_total,
    refund_value,
)

_logger = logging.getLogger(__name__)


class ShopifyRefund(models.Model):
    """A Shopify refund booked in Odoo: credit note, returned goods, payments.

    The binding is what makes a refund idempotent: a refund already bound is
    never booked again, whether it comes back by webhook, in an order
    payload or through the catch-up poll.
    """

    _name = "shopify.refund"
    _inherit = "retail.binding"
    _description = "Shopify Refund Binding"
    _order = "id desc"

    backend_id = fields.Many2one(
        "shopify.backend", required=True, index=True, ondelete="restrict"
    )
    odoo_id = fields.Many2one(
        "account.move",
        string="Credit Note",
        index="btree_not_null",
        ondelete="restrict",
        help="Empty when the refund returned goods without any money.",
    )
    order_binding_id = fields.Many2one(
        "shopify.sale.order", required=True, index=True, ondelete="cascade"
    )
    sale_order_id = fields.Many2one(
        related="order_binding_id.odoo_id", string="Sale Order", store=True
    )
    return_picking_id = fields.Many2one("stock.picking", string="Return", index=True)
    payment_binding_ids = fields.Many2many(
        "shopify.account.payment",
        "shopify_refund_payment_rel",
        "refund_id",
        "payment_binding_id",
        string="Refund Payments",
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_total = fields.Monetary(
        string="Refunded", readonly=True, help="Shopify's total of the refund."
    )
    note = fields.Char(readonly=True)
    exchange_return = fields.Char(
        string="Exchange",
        readonly=True,
        help="The Shopify return whose goods were exchanged for other items.",
    )
    exchange_return_id = fields.Char(
        string="Exchange Return ID", readonly=True, index="btree_not_null"
    )
    exchange_amount = fields.Monetary(
        string="Applied to Exchange",
        readonly=True,
        help="Part of the returned goods' value that paid for the items sent "
        "in exchange instead of going back to the customer.",
    )

    _sql_constraints = [
        (
            "external_unique",
            "UNIQUE(backend_id, external_id)",
            "This Shopify refund is already booked.",
        ),
    ]

    # Entry points ------------------------------------------------------------

    @api.model
    def _import_event(self, backend, event):
        """Book the refund a ``refunds/create`` event carries.

        Returns ``(state, record)`` for the event ledger. The refund's order
        must be imported first: until it is, the event is retried.
        """
        try:
            refund = refund_from_rest(event._payload_json())
        except PayloadError as error:
            raise BusinessError(
                _("Refund payload rejected: %s", error), code="invalid_payload"
            ) from error
        order_binding = self.env["shopify.sale.order"].search(
            [
                ("backend_id", "=", backend.id),
                ("external_id", "=", refund.order_gid),
            ],
            limit=1,
        )
        if not order_binding:
            raise RetryableError(
                _(
                    "Refund %(refund)s belongs to order %(order)s, which is not "
                    "imported yet.",
                    refund=refund.gid,
                    order=refund.order_gid,
                )
            )
        return self._import_refund(backend, refund, order_binding, event)

    @api.model
    def _import_refund(
        self, backend, refund_data, order_binding, event, adjust_quantities=True
    ):
        """Book one refund of an imported order, once.

        ``adjust_quantities`` is False when the caller has already brought
        the order's quantities to the version that includes this refund (an
        order payload carrying its refunds).
        """
        binding = self.search(
            [("backend_id", "=", backend.id), ("external_id", "=", refund_data.gid)],
            limit=1,
        )
        if binding:
            return "ignored_duplicate", binding.odoo_id or binding.sale_order_id
        # Serialise with the jobs that import the refund's order.
        if not backend.backend_id._try_lock_external(order_binding.external_id):
            raise RetryableError(
                _("Another job holds order %s.", order_binding.external_id)
            )

        booking = _RefundBooking(backend, refund_data, order_binding, event)
        sale_order = order_binding.odoo_id
        credit_note = picking = self.env["account.move"]
        if sale_order.state != "cancel":
            booking.recognise_exchange()
            credit_note = booking.credit_note()
            picking = booking.restock(adjust_quantities)
        binding = self.create(
            {
                "backend_id": backend.id,
                "external_id": refund_data.gid,
                "odoo_id": credit_note.id,
                "order_binding_id": order_binding.id,
                "return_picking_id": picking.id,
                "currency_id": booking.currency.id,
                "amount_total": booking.expected_total,
                "note": refund_data.note or False,
                "exchange_return_id": booking.exchange and booking.exchange.return_gid,
                "exchange_return": booking.exchange and booking.exchange.label,
                "exchange_amount": booking.exchange_amount,
                "sync_date": fields.Datetime.now(),
                "trace_id": event.trace_id,
            }
        )
        # A cancelled order has no invoice to credit, but money it took
        # through Odoo must go back through Odoo too.
        if sale_order.state != "cancel" or order_binding.payment_binding_ids:
            booking.register_payments(binding)
        _logger.info(
            "Order %s: refund %s booked, credit note %s, return %s (trace %s)",
            order_binding.name,
            refund_data.gid,
            credit_note.name or "-",
            picking.name or "-",
            event.trace_id,
        )
        return "done", credit_note or sale_order


class _RefundBooking:
    """Turns one Shopify refund into Odoo documents for its sale order."""

    def __init__(self, backend, refund, order_binding, event):
        self.backend = backend
        self.env = backend.env
        self.refund = refund
        self.order_binding = order_binding
        self.sale_order = order_binding.odoo_id
        self.event = event
        self.side = backend.currency_source
        self.currency = self.sale_order.currency_id
        # Shopify states whether the order's prices include tax; Odoo knows
        # it from the taxes mapped onto the order's lines.
        self.taxes_included = any(
            self.sale_order.order_line.tax_id.mapped("price_include")
        )
        self.expected_total = self._amount(refund_total(refund, self.taxes_included))
        # What the credit note must come to: the money refunded, or for an
        # exchange the whole value of the returned goods.
        self.credit_total = self.expected_total
        self.exchange = None
        self.exchange_amount = 0.0
        self.sale_lines = {
            line.shopify_line_key: line
            for line in self.sale_order.order_line
            if line.shopify_line_key
        }

    def _amount(self, money):
        return float(money.pick(self.side))

    def _label(self):
        return self.order_binding.name or self.sale_order.name

    def _sale_line(self, line_gid):
        sale_line = self.sale_lines.get(line_gid)
        if not sale_line:
            raise BusinessError(
                _(
                    "Refund %(refund)s refunds line %(line)s, which order %(order)s "
                    "does not have in Odoo: re-import the order, then retry.",
                    refund=self.refund.gid,
                    line=line_gid,
                    order=self._label(),
                ),
                code="unknown_line",
            )
        return sale_line

    # Exchange ----------------------------------------------------------------

    def recognise_exchange(self):
        """Account for goods the customer took in exchange for returned ones.

        Shopify adds the exchange items to the order and applies the value
        of the returned goods to them: the refund then returns only what is
        left over, or nothing when the new items cost as much or more (the
        customer pays the difference on the order). The credit note still
        covers every returned item; the exchange items are invoiced from the
        order, so the customer's balance comes out even.
        """
        refund = self.refund
        if not (refund.returned_goods or refund.return_gid) or any(
            line.subtotal is None for line in refund.lines
        ):
            return
        value = self._amount(refund_value(refund, self.taxes_included))
        money = self._amount(refund_money(refund))
        if self.currency.compare_amounts(money, value) >= 0:
            # All the returned goods' value went back: nothing paid for
            # other items.
            return
        exchange = self.backend._refund_exchange(refund.gid)
        if not exchange:
            return
        if exchange.line_gids - set(self.sale_lines):
            raise RetryableError(
                _(
                    "Refund %(refund)s is for exchange %(exchange)s, whose new "
                    "items order %(order)s does not have in Odoo yet: it is "
                    "booked once the order's version with them is imported. If "
                    "that order event needs attention, fix it first.",
                    refund=refund.gid,
                    exchange=exchange.label,
                    order=self._label(),
                )
            )
        exchanged = self._exchange_value(exchange)
        applied = min(exchanged, value)
        if self.currency.compare_amounts(money, value - applied):
            raise BusinessError(
                _(
                    "Refund %(refund)s of order %(order)s returned goods worth "
                    "%(value)s %(currency)s for exchange %(exchange)s, whose new "
                    "items still to pay come to %(exchanged)s %(currency)s, so "
                    "Shopify should have refunded %(expected)s %(currency)s, not "
                    "%(money)s: compare the exchange items on %(sale)s with the "
                    "return in Shopify, then retry.",
                    refund=refund.gid,
                    order=self._label(),
                    value=f"{value:.2f}",
                    exchange=exchange.label,
                    exchanged=f"{exchanged:.2f}",
                    expected=f"{value - applied:.2f}",
                    money=f"{money:.2f}",
                    currency=self.currency.name,
                    sale=self.sale_order.name,
                ),
                code="amount_mismatch",
            )
        self.credit_total = value
        self.expected_total = money
        self.exchange = exchange
        self.exchange_amount = applied

    def _exchange_value(self, exchange):
        """What the exchange items cost, as the order prices them, less what
        earlier refunds of the same return already applied to them."""
        quantities = {}
        for line_gid, quantity in exchange.quantities.items():
            sale_line = self.sale_lines[line_gid]
            # The quantity exchanged, even if part of it was cancelled since.
            quantities[sale_line] = quantity or sale_line.product_uom_qty
        total = (
            self.env["sale.order.line"]
            .with_company(self.sale_order.company_id)
            ._shopify_total(quantities, self.currency)
        )
        earlier = self.env["shopify.refund"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("exchange_return_id", "=", exchange.return_gid),
            ]
        )
        return max(total - sum(earlier.mapped("exchange_amount")), 0.0)

    # Credit note -------------------------------------------------------------

    def credit_note(self):
        """The posted credit note of the refund, or nothing for a refund that
        returned no money."""
        values = self._line_values()
        if not values and self.currency.is_zero(self.credit_total):
            return self.env["account.move"]
        if not values:
            values.append(
                self._adjustment_values(
                    self.credit_total, _("Refund %s", self._label())
                )
            )
        sale_order = self.sale_order
        credit_note = (
            self.env["account.move"]
            .with_company(self.backend.company_id)
            .with_context(default_move_type="out_refund")
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": sale_order.partner_invoice_id.id,
                    "currency_id": self.currency.id,
                    "company_id": self.backend.company_id.id,
                    "fiscal_position_id": False,
                    "invoice_date": (
                        self.refund.created_at or fields.Datetime.now()
                    ).date(),
                    "invoice_origin": sale_order.name,
                    "ref": (
                        _(
                            "Shopify return %(exchange)s of %(order)s, exchanged",
                            exchange=self.exchange.label,
                            order=self._label(),
                        )
                        if self.exchange
                        else _("Shopify refund of %s", self._label())
                    ),
                    "narration": self.refund.note or False,
                    "team_id": sale_order.team_id.id,
                    "invoice_user_id": False,
                    "invoice_line_ids": [Command.create(vals) for vals in values],
                }
            )
        )
        self._match_shopify_tax(credit_note)
        self._check_total(credit_note)
        credit_note.action_post()
        return credit_note

    def _line_values(self):
        values = []
        for line in self.refund.lines:
            if line.quantity <= 0:
                continue
            sale_line = self._sale_line(line.line_gid)
            values.append(self._product_values(sale_line, line))

        for shipping in self.refund.shipping:
            subtotal = self._amount(shipping.subtotal)
            tax = self._amount(shipping.tax)
            if self.currency.is_zero(subtotal) and self.currency.is_zero(tax):
                continue
            values.append(self._shipping_values(shipping.shipping_gid, subtotal, tax))

        for adjustment in self.refund.adjustments:
            refunded = self._amount(adjustment.refunded)
            if self.currency.is_zero(refunded):
                continue
            if adjustment.kind == "shipping_refund":
                values.append(
                    self._shipping_values(
                        None,
                        -self._amount(adjustment.amount),
                        -self._amount(adjustment.tax),
                    )
                )
            else:
                label = adjustment.reason or adjustment.kind or _("adjustment")
                values.append(
                    self._adjustment_values(
                        refunded, _("Refund adjustment (%s)", label.replace("_", " "))
                    )
                )
        return values

    @staticmethod
    def _lowers_invoicing(sale_line, line):
        """Whether refunding ``line`` lowers what its order line invoices.

        Only then may the credit note count against the order line's
        invoiced quantity: goods cancelled before delivery leave the ordered
        quantity, and restocked goods of a product invoiced on delivery leave
        the delivered quantity through their return. Goods that stay on the
        order (kept, or returned under an ordered-quantity policy) would
        otherwise be invoiced again and billed twice.
        """
        if line.restock_type == "cancel":
            return True
        product = sale_line.product_id
        return (
            line.restocked
            and product.type == "consu"
            and product.invoice_policy == "delivery"
        )

    def _product_values(self, sale_line, line):
        """A refunded line priced like its order line; Shopify's subtotal, when
        given, becomes an exact discount so both round to the same cent."""
        price = sale_line.price_unit
        discount = sale_line.discount
        if line.subtotal is not None:
            gross = price * line.quantity
            subtotal = self._amount(line.subtotal)
            discount = round((1 - subtotal / gross) * 100, 6) if gross else 0.0
        return {
            "product_id": sale_line.product_id.id,
            "name": sale_line.name,
            "quantity": line.quantity,
            "product_uom_id": sale_line.product_uom.id,
            "price_unit": price,
            "discount": discount,
            "tax_ids": [Command.set(sale_line.tax_id.ids)],
            "shopify_sale_line_id": sale_line.id,
            "sale_line_ids": [
                Command.set(
                    sale_line.ids if self._lowers_invoicing(sale_line, line) else []
                )
            ],
        }

    def _shipping_values(self, shipping_gid, subtotal, tax):
        sale_line = self.sale_lines.get(f"shipping:{shipping_gid}")
        if not sale_line:
            shipping_lines = [
                line
                for key, line in self.sale_lines.items()
                if key.startswith("shipping:")
            ]
            sale_line = shipping_lines[0] if len(shipping_lines) == 1 else None
        taxes = sale_line.tax_id if sale_line else self.env["account.tax"]
        price = subtotal
        if not taxes:
            # Without the order's shipping taxes the tax refunded stays in
            # the amount, so that the total still matches Shopify's.
            price = subtotal + tax
        product = self.backend.shipping_product_id
        return {
            "product_id": product.id,
            "name": sale_line.name if sale_line else product.name,
            "quantity": 1,
            "price_unit": price,
            "tax_ids": [Command.set(taxes.ids)],
            # The order still invoices its shipping in full.
            "shopify_sale_line_id": sale_line.id if sale_line else False,
        }

    def _adjustment_values(self, amount, label):
        account = self.backend.refund_adjustment_account_id
        if not account:
            raise BusinessError(
                _(
                    "Refund %(refund)s of order %(order)s has an adjustment of "
                    "%(amount)s %(currency)s: set a refund adjustment account on "
                    "backend '%(backend)s', then retry.",
                    refund=self.refund.gid,
                    order=self._label(),
                    amount=f"{amount:.2f}",
                    currency=self.currency.name,
                    backend=self.backend.name,
                ),
                code="missing_mapping",
            )
        return {
            "name": label,
            "account_id": account.id,
            "quantity": 1,
            "price_unit": amount,
            "tax_ids": [Command.clear()],
        }

    def _match_shopify_tax(self, credit_note):
        """Give the draft credit note Shopify's tax when the two differ by
        rounding only, as a user corrects the tax of a draft invoice.

        Shopify states the tax of each refunded line; Odoo computes it again
        from the refunded amount, and for part of a line's quantity the two
        may round to different cents. The rule:

        * each refunded line's difference (Shopify's tax of the line minus
          Odoo's) goes to the tax group of its taxes, or, when they span
          several groups, to the group carrying most of its tax;
        * a tax group is corrected only when its difference is at most one
          unit of the currency's rounding per partly refunded line in it; a
          group of fully refunded lines must agree exactly;
        * lines without Shopify's tax, without Odoo taxes, or with a tax
          included in the price (a cent moved into its tax would change the
          total) are left as Odoo computes them, as are shipping and
          adjustments.

        When any group differs by more, nothing is changed and the total
        check reports the whole difference.
        """
        differences = self._tax_differences(credit_note)
        if not differences:
            return
        totals = copy.deepcopy(credit_note.tax_totals)
        for subtotal in totals["subtotals"]:
            for tax_group in subtotal["tax_groups"]:
                tax_group["tax_amount_currency"] += differences.get(
                    tax_group["id"], 0.0
                )
        credit_note.tax_totals = totals
        _logger.info(
            "Order %s: tax of refund %s set to Shopify's, %+.2f %s (trace %s)",
            self._label(),
            self.refund.gid,
            sum(differences.values()),
            self.currency.name,
            self.event.trace_id,
        )

    def _tax_differences(self, credit_note):
        """``{tax group id: amount}`` that brings the credit note's tax to
        Shopify's, following the rule of ``_match_shopify_tax``; empty when
        there is nothing to correct or the difference is not rounding."""
        refunded = defaultdict(list)
        for line in self.refund.lines:
            if line.quantity > 0:
                refunded[self._sale_line(line.line_gid)].append(line)
        odoo_tax = self._odoo_tax_by_line(credit_note)

        differences = defaultdict(float)
        allowed = defaultdict(float)
        for sale_line, lines in refunded.items():
            taxes = sale_line.tax_id.flatten_taxes_hierarchy()
            if (
                not taxes
                or any(tax.price_include for tax in taxes)
                or any(line.tax is None for line in lines)
            ):
                continue
            credit_lines = credit_note.invoice_line_ids.filtered(
                lambda credit_line, sale_line=sale_line: (
                    credit_line.shopify_sale_line_id == sale_line
                )
            )
            by_group = defaultdict(float)
            for credit_line in credit_lines:
                for group, amount in odoo_tax.get(credit_line, {}).items():
                    by_group[group] += amount
            group = max(
                taxes.tax_group_id,
                key=lambda tax_group: (abs(by_group[tax_group]), -tax_group.sequence),
            )
            shopify = sum(self._amount(line.tax) for line in lines)
            differences[group.id] += shopify - sum(by_group.values())
            ordered = lines[0].line_quantity or sale_line.product_uom_qty
            partial = sum(1 for line in lines if line.quantity < ordered)
            allowed[group.id] += partial * self.currency.rounding

        if any(
            self.currency.compare_amounts(abs(difference), allowed[group_id]) > 0
            for group_id, difference in differences.items()
        ):
            return {}
        return {
            group_id: self.currency.round(difference)
            for group_id, difference in differences.items()
            if not self.currency.is_zero(difference)
        }

    @staticmethod
    def _odoo_tax_by_line(credit_note):
        """``{credit note line: {tax group: amount}}``, from the same rounded
        figures Odoo sums into the credit note's tax groups."""
        base_lines, _tax_lines = credit_note._get_rounded_base_and_tax_lines()
        tax_by_line = {}
        for base_line in base_lines:
            by_group = tax_by_line.setdefault(base_line["record"], defaultdict(float))
            for tax_data in base_line["tax_details"]["taxes_data"]:
                by_group[tax_data["tax"].tax_group_id] += tax_data[
                    "tax_amount_currency"
                ]
        return tax_by_line

    def _check_total(self, credit_note):
        expected = self.credit_total
        actual = credit_note.amount_total
        if self.currency.compare_amounts(actual, expected):
            raise BusinessError(
                _(
                    "The Odoo credit note of refund %(refund)s (order %(order)s) "
                    "is %(actual)s %(currency)s but Shopify's refund is worth "
                    "%(expected)s %(currency)s (difference %(difference)s): check "
                    "the refund's lines, taxes and adjustments, then retry.",
                    refund=self.refund.gid,
                    order=self._label(),
                    actual=f"{actual:.2f}",
                    expected=f"{expected:.2f}",
                    difference=f"{actual - expected:+.2f}",
                    currency=self.currency.name,
                ),
                code="amount_mismatch",
            )

    # Goods -------------------------------------------------------------------

    def restock(self, adjust_quantities):
        """Bring back the restocked goods; return the first return picking.

        Delivered goods come back through a validated return of their
        delivery; goods not delivered yet (Shopify's ``cancel``) leave the
        order instead, unless the caller already applied that.
        """
        returns = {}
        for line in self.refund.lines:
            if not line.restocked or line.quantity <= 0:
                continue
            sale_line = self._sale_line(line.line_gid)
            if sale_line.product_id.type != "consu":
                continue
            if line.restock_type == "cancel":
                if adjust_quantities:
                    sale_line.product_uom_qty = max(
                        sale_line.product_uom_qty - line.quantity, 0.0
                    )
                continue
            destination = self._destination(line.location_gid)
            key = (sale_line, destination)
            returns[key] = returns.get(key, 0) + line.quantity

        pickings = self.env["stock.picking"]
        by_destination = {}
        for (sale_line, destination), quantity in returns.items():
            by_destination.setdefault(destination, []).append((sale_line, quantity))
        for destination, wanted in by_destination.items():
            pickings |= self._return_goods(destination, wanted)
        return pickings[:1]

    def _destination(self, location_gid):
        """Where restocked goods go: the mapped location, else the stock of
        the order's warehouse."""
        if location_gid:
            numeric = location_gid.rsplit("/", 1)[-1]
            mapping = self.env["retail.location.mapping"].search(
                [
                    ("backend_id", "=", self.backend.backend_id.id),
                    ("external_location_id", "in", [location_gid, numeric]),
                ],
                limit=1,
            )
            if mapping:
                return mapping.location_id or mapping.warehouse_id.lot_stock_id
        warehouse = self.sale_order.warehouse_id or self.backend.warehouse_id
        return warehouse.lot_stock_id

    def _returnable(self, move):
        returned = sum(
            returned.product_qty
            for returned in move.returned_move_ids
            if returned.state != "cancel"
        )
        return move.product_qty - returned

    def _return_goods(self, destination, wanted):
        """Return ``wanted`` ``[(sale line, quantity)]`` from the done
        deliveries, into ``destination``, and validate the returns."""
        remaining = dict(wanted)
        deliveries = self.sale_order.picking_ids.filtered(
            lambda picking: (
                picking.state == "done" and picking.picking_type_code == "outgoing"
            )
        ).sorted("date_done", reverse=True)
        returns = self.env["stock.picking"]
        for delivery in deliveries:
            quantities = {}
            for move in delivery.move_ids:
                sale_line = move.sale_line_id
                left = remaining.get(sale_line, 0)
                if move.state != "done" or left <= 0:
                    continue
                quantity = min(left, self._returnable(move))
                if quantity > 0:
                    quantities[move] = quantity
                    remaining[sale_line] = left - quantity
            if quantities:
                returns |= self._return_picking(delivery, quantities, destination)

        missing = {
            sale_line: quantity
            for sale_line, quantity in remaining.items()
            if float_compare(quantity, 0, precision_digits=3) > 0
        }
        if missing:
            raise BusinessError(
                _(
                    "Refund %(refund)s of order %(order)s restocks %(goods)s that "
                    "Odoo has not delivered: validate the delivery of %(sale)s "
                    "first, then retry.",
                    refund=self.refund.gid,
                    order=self._label(),
                    goods=", ".join(
                        f"{quantity:g} × {line.product_id.display_name}"
                        for line, quantity in missing.items()
                    ),
                    sale=self.sale_order.name,
                ),
                code="not_delivered",
            )
        return returns

    def _return_picking(self, delivery, quantities, destination):
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        for return_line in wizard.product_return_moves:
            return_line.quantity = quantities.get(return_line.move_id, 0.0)
        picking = wizard._create_return()
        picking.write(
            {
                "location_dest_id": destination.id,
                "origin": _(
                    "Shopify refund of %(order)s (return of %(delivery)s)",
                    order=self._label(),
                    delivery=delivery.name,
                ),
            }
        )
        picking.move_ids.write({"location_dest_id": destination.id})
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.move_line_ids.write({"location_dest_id": destination.id})
            move.picked = True
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        if picking.state != "done":
            raise BusinessError(
                _(
                    "The return %(picking)s of refund %(refund)s could not be "
                    "validated: validate it by hand, then mark this event as "
                    "handled.",
                    picking=picking.name,
                    refund=self.refund.gid,
                ),
                code="return_not_validated",
            )
        return picking

    # Payments ----------------------------------------------------------------

    def register_payments(self, binding):
        """Register each successful refund transaction once, as a posted
        outbound payment on its gateway's journal."""
        if not self.backend.register_payments:
            return
        bindings = self.env["shopify.account.payment"]
        known = set(
            bindings.search(
                [
                    ("backend_id", "=", self.backend.id),
                    (
                        "external_id",
                        "in",
                        [tx.gid for tx in self.refund.refund_transactions],
                    ),
                ]
            ).mapped("external_id")
        )
        for transaction in self.refund.refund_transactions:
            if transaction.gid in known:
                continue
            amount = self._amount(transaction.amount)
            if float_is_zero(amount, precision_rounding=self.currency.rounding):
                continue
            binding.payment_binding_ids |= self._create_payment(transaction, amount)

    def _create_payment(self, transaction, amount):
        mapping = self.env["retail.payment.mapping"]._find(
            self.backend.backend_id, transaction.gateway
        )
        journal = mapping.journal_id
        method_line = mapping.payment_method_line_id
        if method_line.payment_type != "outbound":
            method_line = journal.outbound_payment_method_line_ids[:1]
        sale_order = self.sale_order
        payment = self.env["account.payment"].create(
            {
                "payment_type": "outbound",
                "partner_type": "customer",
                "partner_id": sale_order.partner_invoice_id.commercial_partner_id.id,
                "amount": amount,
                "currency_id": self.currency.id,
                "journal_id": journal.id,
                "payment_method_line_id": method_line.id,
                "date": (
                    transaction.processed_at
                    or self.refund.created_at
                    or fields.Datetime.now()
                ).date(),
                "memo": _(
                    "Refund %(sale)s %(order)s",
                    sale=sale_order.name,
                    order=self._label(),
                ),
                "payment_reference": transaction.gid,
                "company_id": self.backend.company_id.id,
            }
        )
        payment.action_post()
        _logger.info(
            "Order %s: refund payment %s of %s %s registered (trace %s)",
            self._label(),
            payment.name,
            payment.amount,
            self.currency.name,
            self.event.trace_id,
        )
        return self.env["shopify.account.payment"].create(
            {
                "backend_id": self.backend.id,
                "external_id": transaction.gid,
                "odoo_id": payment.id,
                "order_binding_id": self.order_binding.id,
                "gateway": transaction.gateway,
                "kind": transaction.kind,
                "sync_date": fields.Datetime.now(),
                "trace_id": self.event.trace_id,
            }
        )
