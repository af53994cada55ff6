import json
import logging

from odoo import Command, _, api, fields, models

from odoo.addons.retail_connector_base.exceptions import BusinessError

from .. import const
from ..lib import queries
from ..lib.order_data import PayloadError, read_order, transactions_from_graphql
from ..lib.refund_data import refunds_of_order

_logger = logging.getLogger(__name__)


class ShopifySaleOrder(models.Model):
    """A Shopify order bound to an Odoo sale order.

    The binding remembers which version of the order was applied last, so a
    repeated or older delivery changes nothing and a newer one updates.
    """

    _name = "shopify.sale.order"
    _inherit = "retail.binding"
    _description = "Shopify Order Binding"
    _order = "id desc"

    backend_id = fields.Many2one(
        "shopify.backend", required=True, index=True, ondelete="restrict"
    )
    odoo_id = fields.Many2one(
        "sale.order", string="Sale Order", required=True, index=True, ondelete="cascade"
    )
    name = fields.Char(string="Shopify Order", readonly=True)
    financial_status = fields.Char(readonly=True)
    cancelled_at = fields.Datetime(readonly=True)
    payment_binding_ids = fields.One2many(
        "shopify.account.payment", "order_binding_id", string="Payments"
    )
    refund_binding_ids = fields.One2many(
        "shopify.refund", "order_binding_id", string="Refunds"
    )

    _sql_constraints = [
        (
            "external_unique",
            "UNIQUE(backend_id, external_id)",
            "This Shopify order is already bound.",
        ),
    ]

    # Entry point -------------------------------------------------------------

    @api.model
    def _import_event(self, backend, event):
        """Create or update the sale order an order event describes.

        Returns ``(state, sale_order)`` for the event ledger. Business errors
        propagate; the caller rolls back whatever was written.
        """
        if event.payload_format == "graphql-ref":
            # A poll found this version: skip it when already applied, else
            # read the whole order now.
            gid = event._payload_json()["id"]
            known = self._known_version_outcome(backend, gid, event.external_updated_at)
            if known:
                return known
            node = backend._fetch_order(gid)
            if not node:
                raise BusinessError(
                    _("Order %s no longer exists in Shopify.", gid), code="not_found"
                )
            event.write({"payload": json.dumps(node), "payload_format": "graphql"})
        try:
            order = read_order(event._payload_json(), event.payload_format)
            refunds = refunds_of_order(event._payload_json(), event.payload_format)
        except PayloadError as error:
            raise BusinessError(
                _("Order payload rejected: %s", error), code="invalid_payload"
            ) from error
        if backend.skip_test_orders and order.test:
            return "done", None
        known = self._known_version_outcome(backend, order.gid, order.updated_at)
        if known:
            return known

        binding = self.search(
            [("backend_id", "=", backend.id), ("external_id", "=", order.gid)], limit=1
        )
        importer = _OrderImport(backend, order, event, refunds)
        sale_order = importer.apply(binding.odoo_id)
        values = {
            "name": order.name,
            "financial_status": order.financial_status,
            "cancelled_at": order.cancelled_at,
            "external_updated_at": order.updated_at,
            "payload_digest": self._payload_digest(event._payload_json()),
            "sync_date": fields.Datetime.now(),
            "trace_id": event.trace_id,
        }
        # Payments already registered for this financial status need no new
        # read of the order's transactions, unless goods were added (the
        # customer may have paid for them, as for a dearer exchange).
        settled_status = (
            binding.financial_status
            if binding.payment_binding_ids and not importer.lines_added
            else None
        )
        if binding:
            binding.write(values)
        else:
            binding = self.create(
                dict(
                    values,
                    backend_id=backend.id,
                    external_id=order.gid,
                    odoo_id=sale_order.id,
                )
            )
        importer.register_payments(binding, settled_status)
        # The order's lines already reflect these refunds: book the money and
        # the returns of those not booked yet.
        for refund in refunds:
            self.env["shopify.refund"]._import_refund(
                backend, refund, binding, event, adjust_quantities=False
            )
        return "done", sale_order

    @api.model
    def _known_version_outcome(self, backend, gid, version):
        """``(state, sale_order)`` when ``version`` is not newer than the
        applied one, else ``None``."""
        binding = self.search(
            [("backend_id", "=", backend.id), ("external_id", "=", gid)], limit=1
        )
        if not (binding.external_updated_at and version):
            return None
        if version < binding.external_updated_at:
            return "ignored_stale", binding.odoo_id
        if version == binding.external_updated_at:
            return "ignored_duplicate", binding.odoo_id
        return None


class _OrderImport:
    """Maps one Shopify order onto one Odoo sale order.

    Every amount comes from the side (shop or presentment currency) chosen
    on the backend. The result must add up to Shopify's total to the cent.
    Goods that refunds removed before delivery (Shopify's ``cancel``
    restock) are left out of the lines.
    """

    def __init__(self, backend, order, event, refunds=()):
        self.backend = backend
        self.env = backend.env
        self.order = order
        self.event = event
        # Whether this version added lines, and which of them are the goods
        # of a Shopify exchange.
        self.lines_added = False
        self.exchanged = []
        self.cancelled = {}
        for refund in refunds:
            for line_gid, quantity in refund.cancelled_quantities().items():
                self.cancelled[line_gid] = self.cancelled.get(line_gid, 0) + quantity
        self.side = backend.currency_source
        self.currency = self._currency()
        self.pricelist = self._pricelist()

    # Main flow ---------------------------------------------------------------

    def apply(self, sale_order):
        line_values = self._line_values()
        if sale_order:
            self._sync_lines(sale_order, line_values)
        else:
            sale_order = self._create(line_values)
        self._check_total(sale_order)
        if self.order.cancelled_at and sale_order.state != "cancel":
            self._cancel(sale_order)
        return sale_order

    def _create(self, line_values):
        partner = self._partner()
        sale_order = (
            self.env["sale.order"]
            .with_company(self.backend.company_id)
            .create(
                {
                    "partner_id": partner.id,
                    "partner_invoice_id": self._address_partner(
                        partner, self.order.billing_address, "invoice"
                    ).id,
                    "partner_shipping_id": self._address_partner(
                        partner, self.order.shipping_address, "delivery"
                    ).id,
                    "company_id": self.backend.company_id.id,
                    "pricelist_id": self.pricelist.id,
                    "currency_id": self.currency.id,
                    "fiscal_position_id": False,
                    "warehouse_id": self.backend.warehouse_id.id,
                    "team_id": self.backend.team_id.id,
                    "user_id": False,
                    "client_order_ref": self.order.name,
                    "origin": _("Shopify %s", self.order.name),
                    "order_line": [Command.create(vals) for vals in line_values],
                }
            )
        )
        if not self.order.cancelled_at:
            sale_order.action_confirm()
        # Confirmation stamps the current time; keep the shop's order date.
        sale_order.date_order = self.order.processed_at or self.order.created_at
        return sale_order

    # Currency ----------------------------------------------------------------

    def _currency(self):
        code = self.order.currency_for(self.side)
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        if not currency.active:
            raise BusinessError(
                _(
                    "Order %(order)s is in %(currency)s: activate this currency in "
                    "Accounting settings, then retry.",
                    order=self.order.name,
                    currency=code or "?",
                ),
                code="missing_mapping",
            )
        return currency

    def _pricelist(self):
        pricelist = self.backend.pricelist_id
        if pricelist and pricelist.currency_id == self.currency:
            return pricelist
        pricelist = self.env["product.pricelist"].search(
            [
                ("currency_id", "=", self.currency.id),
                ("company_id", "in", (False, self.backend.company_id.id)),
            ],
            limit=1,
        )
        if not pricelist and self.currency != self.backend.company_id.currency_id:
            raise BusinessError(
                _(
                    "Order %(order)s is in %(currency)s: create a pricelist in "
                    "%(currency)s for backend '%(backend)s', then retry.",
                    order=self.order.name,
                    currency=self.currency.name,
                    backend=self.backend.name,
                ),
                code="missing_mapping",
            )
        return pricelist

    def _amount(self, money):
        return float(money.pick(self.side))

    # Customer ----------------------------------------------------------------

    def _partner(self):
        order = self.order
        customer = order.customer
        email = (customer and customer.email) or order.email
        phone = (customer and customer.phone) or order.phone
        customer_gid = customer.gid if customer else None
        if not (customer_gid or email or phone):
            if not self.backend.guest_partner_id:
                raise BusinessError(
                    _(
                        "Order %(order)s has no customer: set a guest customer on "
                        "backend '%(backend)s', then retry.",
                        order=order.name,
                        backend=self.backend.name,
                    ),
                    code="missing_mapping",
                )
            return self.backend.guest_partner_id

        bindings = self.env["shopify.res.partner"]
        partner = bindings._match_partner(self.backend, customer_gid, email, phone)
        if not partner:
            address = order.billing_address or order.shipping_address
            name = (
                (customer and customer.name)
                or (address and address.name)
                or email
                or order.name
            )
            partner = self.env["res.partner"].create(
                dict(
                    self._address_values(address),
                    name=name,
                    email=email or False,
                    phone=phone or (address and address.phone) or False,
                    company_id=False,
                )
            )
        bindings._bind(self.backend, customer_gid, partner)
        return partner

    def _address_values(self, address):
        if not address:
            return {}
        country = self.env["res.country"].search(
            [("code", "=", address.country_code.upper())], limit=1
        )
        state = self.env["res.country.state"]
        if country and address.province_code:
            state = state.search(
                [("country_id", "=", country.id), ("code", "=", address.province_code)],
                limit=1,
            )
        return {
            "street": address.street or False,
            "street2": address.street2 or False,
            "city": address.city or False,
            "zip": address.zip or False,
            "country_id": country.id,
            "state_id": state.id,
        }

    def _address_partner(self, partner, address, address_type):
        """The contact to invoice or deliver to: the customer or a child."""
        if not address or not address.street:
            return partner
        values = self._address_values(address)
        if (partner.street or False, partner.zip or False) == (
            values["street"],
            values["zip"],
        ):
            return partner
        name = address.name or partner.name
        existing = partner.child_ids.filtered(
            lambda child: (
                child.type == address_type
                and child.name == name
                and (child.street or False) == values["street"]
                and (child.zip or False) == values["zip"]
            )
        )[:1]
        if existing:
            return existing
        return self.env["res.partner"].create(
            dict(
                values,
                parent_id=partner.id,
                type=address_type,
                name=name,
                phone=address.phone or False,
            )
        )

    # Lines -------------------------------------------------------------------

    def _taxes(self, tax_lines):
        taxes = self.env["account.tax"]
        for tax_line in tax_lines:
            taxes |= self.env["retail.tax.mapping"]._find_tax(
                self.backend.backend_id,
                tax_line.title,
                tax_line.rate_percent,
                self.order.taxes_included,
            )
        return taxes

    def _line_values(self):
        """Values of every Odoo line, each with its stable Shopify key.

        A line's discounts become its discount percentage, exact to six
        digits, so that Odoo taxes the discounted amount of each line as
        Shopify does and both totals round to the same cent.
        """
        order = self.order
        # Older REST payloads carry taxes on the order only: they then apply to
        # every taxable line.
        order_level_taxes = not any(line.tax_lines for line in order.lines)
        values = []

        for line in order.lines:
            product = self.env["shopify.product.variant"]._product_for_line(
                self.backend, line, order.name
            )
            if order_level_taxes:
                taxes = self._taxes(order.tax_lines if line.taxable else [])
            else:
                taxes = self._taxes(line.tax_lines)
            price = self._amount(line.unit_price)
            amount = price * line.quantity
            allocated = sum(self._amount(a.amount) for a in line.discounts)
            codes = sorted(
                {order.discount_title(a.application_index) for a in line.discounts}
                - {""}
            )
            name = line.name or product.display_name
            values.append(
                {
                    "shopify_line_key": line.gid,
                    "product_id": product.id,
                    "name": f"{name} ({', '.join(codes)})" if codes else name,
                    "product_uom_qty": line.quantity - self.cancelled.get(line.gid, 0),
                    "price_unit": price,
                    "tax_id": [Command.set(taxes.ids)],
                    "discount": round(allocated / amount * 100, 6) if amount else 0.0,
                }
            )

        for shipping in order.shipping_lines:
            taxes = self._taxes(shipping.tax_lines)
            price = self._amount(shipping.price) - sum(
                self._amount(allocation.amount) for allocation in shipping.discounts
            )
            values.append(
                {
                    "shopify_line_key": f"shipping:{shipping.gid}",
                    "product_id": self.backend.shipping_product_id.id,
                    "name": shipping.title or self.backend.shipping_product_id.name,
                    "product_uom_qty": 1,
                    "price_unit": price,
                    "tax_id": [Command.set(taxes.ids)],
                    "discount": 0.0,
                }
            )
        return values

    @staticmethod
    def _delivered(sale_order):
        return any(
            line.qty_delivered for line in sale_order.order_line if line.product_id
        )

    def _check_editable(self, sale_order):
        if self._delivered(sale_order):
            raise BusinessError(
                _(
                    "Shopify changed order %(order)s after Odoo delivered goods for "
                    "it: review %(sale)s and adjust it by hand, then mark this "
                    "event as handled.",
                    order=self.order.name,
                    sale=sale_order.name,
                ),
                code="edited_after_delivery",
            )

    def _sync_lines(self, sale_order, line_values):
        """Bring the lines of an existing order to the newer version."""
        existing = {
            line.shopify_line_key: line
            for line in sale_order.order_line
            if line.shopify_line_key
        }
        commands = []
        added = []
        for vals in line_values:
            line = existing.pop(vals["shopify_line_key"], None)
            if line:
                changes = {
                    key: value
                    for key, value in vals.items()
                    if key not in ("tax_id", "shopify_line_key")
                    and (line[key].id if key == "product_id" else line[key]) != value
                }
                if set(line.tax_id.ids) != set(vals["tax_id"][0][2]):
                    changes["tax_id"] = vals["tax_id"]
                if changes:
                    # Always write the price with the quantity, or Odoo would
                    # price the new quantity from the pricelist.
                    changes["price_unit"] = vals["price_unit"]
                    commands.append(Command.update(line.id, changes))
            else:
                added.append(vals)
        for line in existing.values():
            if sale_order.state == "sale":
                commands.append(Command.update(line.id, {"product_uom_qty": 0}))
            else:
                commands.append(Command.delete(line.id))
        if added:
            self._mark_exchange_items(sale_order, added)
            self.lines_added = True
        if commands or any(not vals.get("shopify_exchange_return") for vals in added):
            # A version that changes nothing may follow a delivery (a refund
            # touches the order too); only a real change, other than the
            # goods of an exchange, needs a person.
            self._check_editable(sale_order)
        commands += [Command.create(vals) for vals in added]
        if commands:
            sale_order.write({"order_line": commands})
        if self.exchanged:
            self._log_exchange(sale_order)

    def _mark_exchange_items(self, sale_order, added):
        """Mark the new lines that are the goods of a Shopify exchange.

        After a delivery, new lines are welcome only as such goods: a return
        that sends the customer other items adds them to the same order, to
        be delivered and invoiced from it.
        """
        if not self._delivered(sale_order):
            return
        exchanges = {}
        for exchange in self.backend._order_exchanges(self.order.gid):
            exchanges.update(dict.fromkeys(exchange.line_gids, exchange))
        for vals in added:
            exchange = exchanges.get(vals["shopify_line_key"])
            if exchange:
                vals["shopify_exchange_return"] = exchange.label
                self.exchanged.append(vals)

    def _log_exchange(self, sale_order):
        sale_order.message_post(
            body=_(
                "Shopify order %(order)s: %(goods)s added by exchange "
                "%(exchange)s, to be delivered and invoiced from this order.",
                order=self.order.name,
                goods=", ".join(
                    f"{vals['product_uom_qty']:g} × {vals['name']}"
                    for vals in self.exchanged
                ),
                exchange=", ".join(
                    sorted({vals["shopify_exchange_return"] for vals in self.exchanged})
                ),
            )
        )

    # Checks and outcome ------------------------------------------------------

    def _check_total(self, sale_order):
        """Odoo's total of the order must be Shopify's ``total_price``.

        Shopify's total still counts the goods that refunds cancelled, so an
        order with cancelled goods is checked at its ordered quantities. Its
        total without them cannot be checked to the cent: Shopify's share of
        a line's tax, stated on the refund, may round differently from the
        tax Odoo computes on the quantity left, and the tax of a sale order
        cannot be set. The money of the cancelled goods is checked on the
        refund's credit note.
        """
        expected = self._amount(self.order.total_price)
        actual = (
            self._ordered_total(sale_order)
            if self.cancelled
            else sale_order.amount_total
        )
        if not self.currency.compare_amounts(actual, expected):
            return
        amounts = {
            "order": self.order.name,
            "actual": f"{actual:.2f}",
            "expected": f"{expected:.2f}",
            "difference": f"{actual - expected:+.2f}",
            "currency": self.currency.name,
        }
        if self.cancelled:
            message = _(
                "The Odoo total of order %(order)s, goods cancelled by refunds "
                "included, is %(actual)s %(currency)s but Shopify's is "
                "%(expected)s %(currency)s (difference %(difference)s): check "
                "the tax mappings and the order's discounts, then retry.",
                **amounts,
            )
        else:
            message = _(
                "The Odoo total of order %(order)s is %(actual)s %(currency)s "
                "but Shopify's is %(expected)s %(currency)s (difference "
                "%(difference)s): check the tax mappings and the order's "
                "discounts, then retry.",
                **amounts,
            )
        raise BusinessError(message, code="amount_mismatch")

    def _ordered_total(self, sale_order):
        """Odoo's total of the order with its cancelled goods counted again."""
        return (
            self.env["sale.order.line"]
            .with_company(sale_order.company_id)
            ._shopify_total(
                {
                    line: line.product_uom_qty
                    + self.cancelled.get(line.shopify_line_key, 0)
                    for line in sale_order.order_line
                },
                self.currency,
            )
        )

    def _cancel(self, sale_order):
        if any(picking.state == "done" for picking in sale_order.picking_ids):
            raise BusinessError(
                _(
                    "Order %(order)s was cancelled in Shopify but %(sale)s is "
                    "already delivered: decide on a return, then mark this event "
                    "as handled.",
                    order=self.order.name,
                    sale=sale_order.name,
                ),
                code="cancelled_after_delivery",
            )
        sale_order.with_context(disable_cancel_warning=True)._action_cancel()
        self._reverse_refund_credit_notes(sale_order)

    def _reverse_refund_credit_notes(self, sale_order):
        """A cancelled order is never invoiced: the credit notes of refunds
        booked before the cancellation reached Odoo would leave the customer
        in credit, so they are reversed. Refund payments stay, as they return
        the order's payments."""
        credit_notes = (
            self.env["shopify.refund"]
            .search([("sale_order_id", "=", sale_order.id)])
            .odoo_id.filtered(lambda move: move.state == "posted")
        )
        if not credit_notes:
            return
        credit_notes._reverse_moves(
            [
                {
                    "ref": _("Cancellation of Shopify order %s", self.order.name),
                    "date": fields.Date.context_today(sale_order),
                }
                for _move in credit_notes
            ],
            cancel=True,
        )

    # Payments ----------------------------------------------------------------

    def register_payments(self, binding, settled_status=None):
        """Register each captured transaction once, as a posted payment.

        ``settled_status`` is the financial status whose payments are already
        registered: a version in the same status reads no transactions.
        """
        order = self.order
        if not self.backend.register_payments or order.cancelled_at:
            return
        transactions = order.transactions
        if transactions is None:
            if (
                order.financial_status not in const.PAID_FINANCIAL_STATUSES
                or order.financial_status == settled_status
            ):
                return
            data = self.backend._client().execute(
                queries.ORDER_TRANSACTIONS, {"id": order.gid}, expected_cost=5
            )
            transactions = transactions_from_graphql(
                (data.get("order") or {}).get("transactions"), order.name
            )
        known = set(binding.payment_binding_ids.mapped("external_id"))
        for transaction in transactions:
            if (
                transaction.kind not in const.PAYMENT_TRANSACTION_KINDS
                or transaction.status != "success"
                or transaction.gid in known
                or (transaction.test and not order.test)
            ):
                continue
            self._create_payment(binding, transaction)

    def _create_payment(self, binding, transaction):
        mapping = self.env["retail.payment.mapping"]._find(
            self.backend.backend_id, transaction.gateway
        )
        journal = mapping.journal_id
        method_line = (
            mapping.payment_method_line_id
            or journal.inbound_payment_method_line_ids[:1]
        )
        sale_order = binding.odoo_id
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": sale_order.partner_invoice_id.commercial_partner_id.id,
                "amount": self._amount(transaction.amount),
                "currency_id": self.currency.id,
                "journal_id": journal.id,
                "payment_method_line_id": method_line.id,
                "date": (transaction.processed_at or fields.Datetime.now()).date(),
                "memo": f"{sale_order.name} {self.order.name}",
                "payment_reference": transaction.gid,
                "company_id": self.backend.company_id.id,
            }
        )
        payment.action_post()
        self.env["shopify.account.payment"].create(
            {
                "backend_id": self.backend.id,
                "external_id": transaction.gid,
                "odoo_id": payment.id,
                "order_binding_id": binding.id,
                "gateway": transaction.gateway,
                "kind": transaction.kind,
                "sync_date": fields.Datetime.now(),
                "trace_id": self.event.trace_id,
            }
        )
        _logger.info(
            "Order %s: payment %s of %s %s registered (trace %s)",
            self.order.name,
            payment.name,
            payment.amount,
            self.currency.name,
            self.event.trace_id,
        )
