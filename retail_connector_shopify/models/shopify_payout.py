import logging
from datetime import timedelta

from odoo import _, api, fields, models

from odoo.addons.retail_connector_base.exceptions import BusinessError, ConnectorError

from .. import const
from ..lib.order_data import PayloadError
from ..lib.payout_data import (
    BALANCE_TRANSACTIONS,
    PAYOUTS,
    check_payout,
    read_balance_transaction,
    read_payout,
)

_logger = logging.getLogger(__name__)

FINAL_STATUSES = ("paid", "failed", "canceled")
CATEGORIES = [
    ("charge", "Charge"),
    ("refund", "Refund"),
    ("adjustment", "Adjustment"),
    ("dispute", "Dispute"),
    ("reserve", "Reserve"),
    ("payout", "Payout transfer"),
    ("other", "Other"),
]


class ShopifyPayout(models.Model):
    """A Shopify Payments payout: what Shopify sends to the bank account,
    with its gross amounts and fees per category."""

    _name = "shopify.payout"
    _inherit = "retail.binding"
    _description = "Shopify Payout"
    _order = "issued_at desc, id desc"

    backend_id = fields.Many2one(
        "shopify.backend", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="backend_id.company_id", store=True)
    name = fields.Char(readonly=True)
    issued_at = fields.Datetime(readonly=True)
    date = fields.Date(readonly=True, index=True)
    status = fields.Selection(
        selection=[
            ("scheduled", "Scheduled"),
            ("in_transit", "In transit"),
            ("paid", "Paid"),
            ("failed", "Failed"),
            ("canceled", "Canceled"),
        ],
        readonly=True,
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount = fields.Monetary(
        string="Net Amount", readonly=True, help="What reaches the bank account."
    )
    gross_amount = fields.Monetary(readonly=True)
    fee_amount = fields.Monetary(string="Fees", readonly=True)
    charges_gross = fields.Monetary(readonly=True)
    charges_fee = fields.Monetary(readonly=True)
    refunds_gross = fields.Monetary(readonly=True)
    refunds_fee = fields.Monetary(readonly=True)
    adjustments_gross = fields.Monetary(readonly=True)
    adjustments_fee = fields.Monetary(readonly=True)
    reserved_funds_gross = fields.Monetary(readonly=True)
    reserved_funds_fee = fields.Monetary(readonly=True)
    retried_payouts_gross = fields.Monetary(readonly=True)
    retried_payouts_fee = fields.Monetary(readonly=True)
    advances_gross = fields.Monetary(readonly=True)
    advances_fee = fields.Monetary(readonly=True)
    transaction_ids = fields.One2many(
        "shopify.balance.transaction", "payout_id", string="Transactions"
    )
    transaction_count = fields.Integer(compute="_compute_transaction_count")
    unlinked_count = fields.Integer(
        string="Without Payment",
        compute="_compute_transaction_count",
        help="Charges and refunds not linked to an Odoo payment yet.",
    )

    _sql_constraints = [
        (
            "external_unique",
            "UNIQUE(backend_id, external_id)",
            "This Shopify payout is already imported.",
        ),
    ]

    @api.depends("transaction_ids.payment_id", "transaction_ids.category")
    def _compute_transaction_count(self):
        for payout in self:
            moving = payout.transaction_ids.filtered(
                lambda tx: tx.category in ("charge", "refund")
            )
            payout.transaction_count = len(payout.transaction_ids)
            payout.unlinked_count = len(moving.filtered(lambda tx: not tx.payment_id))

    @api.model
    def _store(self, backend, payout):
        """Create or update the payout and its transactions from a checked
        :class:`~..lib.payout_data.Payout`; return the record."""
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", payout.currency)], limit=1)
        )
        values = {
            "name": _(
                "Payout %(number)s of %(date)s",
                number=payout.legacy_id,
                date=payout.issued_at.date().isoformat(),
            ),
            "issued_at": payout.issued_at,
            "date": payout.issued_at.date(),
            "status": payout.status
            if payout.status in const.PAYOUT_STATUSES
            else False,
            "currency_id": currency.id,
            "amount": float(payout.net),
            "gross_amount": float(payout.gross),
            "fee_amount": float(payout.fees),
            "sync_date": fields.Datetime.now(),
        }
        for part, (gross, fee) in payout.summary.items():
            values[f"{part}_gross"] = float(gross)
            values[f"{part}_fee"] = float(fee)
        record = self.search(
            [("backend_id", "=", backend.id), ("external_id", "=", payout.gid)], limit=1
        )
        if record:
            record.write(values)
        else:
            record = self.create(
                dict(values, backend_id=backend.id, external_id=payout.gid)
            )
        transactions = self.env["shopify.balance.transaction"]
        known = {tx.external_id: tx for tx in record.transaction_ids}
        for data in payout.transactions:
            tx_values = {
                "transaction_type": data.type,
                "test": data.test,
                "amount": float(data.amount),
                "fee": float(data.fee),
                "net": float(data.net),
                "processed_at": data.processed_at,
                "order_gid": data.order_gid,
                "order_name": data.order_name,
                "source_transaction_gid": data.transaction_gid,
            }
            existing = known.pop(data.gid, None) or transactions.search(
                [("backend_id", "=", backend.id), ("external_id", "=", data.gid)],
                limit=1,
            )
            if existing:
                existing.write(dict(tx_values, payout_id=record.id))
            else:
                transactions.create(
                    dict(
                        tx_values,
                        backend_id=backend.id,
                        payout_id=record.id,
                        external_id=data.gid,
                    )
                )
        # Transactions Shopify no longer lists in this payout.
        for stale in known.values():
            stale.unlink()
        record.transaction_ids._link_payments()
        return record


class ShopifyBalanceTransaction(models.Model):
    """One movement of the Shopify Payments balance that a payout pays out:
    a charge, refund, adjustment, dispute or reserve, with its fee."""

    _name = "shopify.balance.transaction"
    _description = "Shopify Payments Balance Transaction"
    _order = "processed_at, id"
    _rec_name = "external_id"

    backend_id = fields.Many2one(
        "shopify.backend", required=True, index=True, ondelete="cascade"
    )
    payout_id = fields.Many2one(
        "shopify.payout", required=True, index=True, ondelete="cascade"
    )
    external_id = fields.Char(required=True, index=True, readonly=True)
    transaction_type = fields.Char(
        string="Shopify Type",
        readonly=True,
        help="Shopify's ShopifyPaymentsTransactionType value.",
    )
    category = fields.Selection(
        selection=CATEGORIES, compute="_compute_category", store=True
    )
    test = fields.Boolean(readonly=True)
    currency_id = fields.Many2one(related="payout_id.currency_id", store=True)
    amount = fields.Monetary(string="Gross Amount", readonly=True)
    fee = fields.Monetary(readonly=True)
    net = fields.Monetary(string="Net Amount", readonly=True)
    processed_at = fields.Datetime(readonly=True)
    order_gid = fields.Char(string="Shopify Order ID", readonly=True)
    order_name = fields.Char(string="Shopify Order", readonly=True)
    source_transaction_gid = fields.Char(
        string="Order Transaction ID",
        readonly=True,
        index="btree_not_null",
        help="The Shopify order transaction this balance movement comes from.",
    )
    order_binding_id = fields.Many2one(
        "shopify.sale.order", readonly=True, ondelete="set null"
    )
    sale_order_id = fields.Many2one(
        related="order_binding_id.odoo_id", string="Sale Order"
    )
    payment_binding_id = fields.Many2one(
        "shopify.account.payment", readonly=True, ondelete="set null"
    )
    payment_id = fields.Many2one(
        "account.payment",
        string="Payment",
        readonly=True,
        ondelete="set null",
        help="The Odoo payment this transaction settles.",
    )

    _sql_constraints = [
        (
            "external_unique",
            "UNIQUE(backend_id, external_id)",
            "This balance transaction is already imported.",
        ),
    ]

    @api.depends("transaction_type")
    def _compute_category(self):
        for tx in self:
            tx.category = const.BALANCE_TRANSACTION_CATEGORIES.get(
                (tx.transaction_type or "").upper(), "other"
            )

    def _link_payments(self):
        """Link each transaction without a payment to the Odoo payment of its
        order transaction, and to its order, once those are imported."""
        payments = self.env["shopify.account.payment"]
        orders = self.env["shopify.sale.order"]
        for tx in self:
            values = {}
            if tx.source_transaction_gid and not tx.payment_id:
                binding = payments.search(
                    [
                        ("backend_id", "=", tx.backend_id.id),
                        ("external_id", "=", tx.source_transaction_gid),
                    ],
                    limit=1,
                )
                if binding:
                    values["payment_binding_id"] = binding.id
                    values["payment_id"] = binding.odoo_id.id
                    values["order_binding_id"] = binding.order_binding_id.id
            if tx.order_gid and not (
                tx.order_binding_id or "order_binding_id" in values
            ):
                order = orders.search(
                    [
                        ("backend_id", "=", tx.backend_id.id),
                        ("external_id", "=", tx.order_gid),
                    ],
                    limit=1,
                )
                if order:
                    values["order_binding_id"] = order.id
            if values:
                tx.write(values)


class ShopifyBackend(models.Model):
    _inherit = "shopify.backend"

    payout_import_enabled = fields.Boolean(
        string="Import Payouts",
        tracking=True,
        help="Read the Shopify Payments payouts and their balance transactions "
        "daily (needs the read_shopify_payments_payouts access scope).",
    )
    payout_checkpoint = fields.Datetime(
        readonly=True,
        help="Payouts issued after this moment (minus an overlap) are read by "
        "the next import.",
    )
    payout_ids = fields.One2many("shopify.payout", "backend_id")

    @api.model
    def _cron_import_payouts(self):
        for backend in self.search([("payout_import_enabled", "=", True)]):
            if not backend.backend_id._is_accepting_jobs():
                continue
            try:
                backend._import_payouts()
            except ConnectorError as error:
                _logger.warning(
                    "Backend %s: payout import failed: %s", backend.name, error
                )
                backend.message_post(body=_("Payout import failed: %s", error))

    def _import_payouts(self, since=None):
        """Import the payouts issued since ``since`` (by default the
        checkpoint minus an overlap) with their balance transactions.

        A payout that does not add up is left out, reported on the backend
        and read again by the next import. Returns how many were stored.
        """
        self.ensure_one()
        started = fields.Datetime.now()
        if since is None:
            since = (
                self.payout_checkpoint - timedelta(days=const.PAYOUT_OVERLAP_DAYS)
                if self.payout_checkpoint
                else started - timedelta(days=const.PAYOUT_FIRST_IMPORT_DAYS)
            )
        client = self._client()
        payouts = self.env["shopify.payout"]
        stored = 0
        refused = []
        for node in self._payments_pages(
            client,
            PAYOUTS,
            {
                "first": const.PAYOUT_PAGE_SIZE,
                "query": f"issued_at:>={since.date().isoformat()}",
            },
            "payouts",
            const.PAYOUT_QUERY_COST,
        ):
            try:
                payout = read_payout(node)
                existing = payouts.search(
                    [("backend_id", "=", self.id), ("external_id", "=", payout.gid)],
                    limit=1,
                )
                if existing.status in FINAL_STATUSES and existing.status == (
                    payout.status
                ):
                    existing.transaction_ids._link_payments()
                    continue
                nodes = self._payments_pages(
                    client,
                    BALANCE_TRANSACTIONS,
                    {
                        "first": const.BALANCE_TRANSACTION_PAGE_SIZE,
                        "query": f"payments_transfer_id:{payout.legacy_id}",
                    },
                    "balanceTransactions",
                    const.BALANCE_TRANSACTION_QUERY_COST,
                )
                payout.transactions = [
                    tx
                    for tx in map(read_balance_transaction, nodes)
                    # The search is not trusted to filter: keep this payout's.
                    if tx.payout_gid == payout.gid
                ]
                check_payout(payout)
                with self.env.cr.savepoint():
                    payouts._store(self, payout)
                stored += 1
            except (BusinessError, PayloadError) as error:
                refused.append(str(error))
                _logger.warning("Backend %s: payout refused: %s", self.name, error)
        if refused:
            self.message_post(
                body=_(
                    "%(count)s payouts were not imported: %(errors)s",
                    count=len(refused),
                    errors=" | ".join(refused),
                )
            )
        else:
            self.payout_checkpoint = started
        # Orders imported since an earlier payout import give it its links.
        self.env["shopify.balance.transaction"].search(
            [
                ("backend_id", "=", self.id),
                ("payment_id", "=", False),
                ("source_transaction_gid", "!=", False),
            ]
        )._link_payments()
        _logger.info(
            "Backend %s: %s payouts imported since %s, %s refused",
            self.name,
            stored,
            since,
            len(refused),
        )
        return stored

    @api.model
    def _payments_pages(self, client, query, variables, connection, cost):
        """Nodes of a connection of ``shopifyPaymentsAccount``, page after
        page; nothing when the shop has no Shopify Payments account."""
        after = None
        while True:
            data = client.execute(query, dict(variables, after=after), cost)
            account = data.get("shopifyPaymentsAccount")
            if not account:
                return
            page = account[connection]
            yield from page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                return
            after = page["pageInfo"]["endCursor"]

    def action_import_payouts(self):
        self.backend_id._check_manager()
        self.ensure_one()
        stored = self._import_payouts()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": _("Payouts"),
                "message": _("%s payouts imported or updated.", stored),
            },
        }

    def action_open_payouts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_connector_shopify.action_shopify_payout"
        )
        action["domain"] = [("backend_id", "=", self.id)]
        return action
