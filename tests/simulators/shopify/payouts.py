"""Shopify Payments: balance transactions and the payouts that group them.

Each successful ``shopify_payments`` transaction of an order becomes one
balance transaction when the balance is next read: a sale or capture is a
``charge`` with a fee (2.9 % + 0.30 by default, rounded half-up), a refund a
``refund`` with a negative amount and no fee returned. Tests add adjustments
and disputes with ``add_balance_transaction``. ``create_payout`` groups the
transactions not paid out yet into a payout, whose summary adds up the gross
amounts and the fees per category and whose net is the sum of their nets; a
``transfer`` transaction of minus that net records the transfer itself.
Amounts are in the shop currency, exact to the cent. Until a transaction is
paid out its ``associatedPayout`` has no id and the status ``PENDING``.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from . import timestamps
from .money import ZERO, cents, dec, fmt
from .resolvers import by_id, global_id, page, searched, utc
from .store import gid

GATEWAY = "shopify_payments"
DEFAULT_FEE_RATE = Decimal("0.029")
DEFAULT_FEE_FIXED = Decimal("0.30")
TRANSACTION_TYPES = {
    "sale": "charge",
    "capture": "charge",
    "refund": "refund",
}
# The type of the balance transaction that pays a payout out.
TRANSFER_TYPE = "transfer"
PAYOUT_STATUSES = ("scheduled", "in_transit", "paid", "failed", "canceled")
# Summary category of each balance transaction type (others: adjustments).
# Shopify does not say where the return of a failed or cancelled transfer is
# counted; the simulator pays it out again as a retried payout.
SUMMARY_CATEGORIES = {
    "charge": "charges",
    "refund": "refunds",
    "refund_failure": "refunds",
    "reserved_funds": "reserved_funds",
    "reserved_funds_reversal": "reserved_funds",
    "transfer_failure": "retried_payouts",
    "transfer_cancel": "retried_payouts",
}
SUMMARY_FIELDS = {
    "charges": ("charges_gross", "charges_fee"),
    "refunds": ("refunds_fee_gross", "refunds_fee"),
    "adjustments": ("adjustments_gross", "adjustments_fee"),
    "reserved_funds": ("reserved_funds_gross", "reserved_funds_fee"),
    "retried_payouts": ("retried_payouts_gross", "retried_payouts_fee"),
    "advances": ("advance_gross", "advance_fees"),
}
# ShopifyPaymentsSourceType of each balance transaction type (others:
# adjustments).
SOURCE_TYPES = {
    "charge": "CHARGE",
    "refund": "REFUND",
    "refund_failure": "REFUND",
    "transfer": "TRANSFER",
    "transfer_failure": "TRANSFER",
    "transfer_cancel": "TRANSFER",
    "dispute_withdrawal": "DISPUTE",
    "dispute_reversal": "DISPUTE",
    "chargeback_fee": "DISPUTE",
    "chargeback_fee_refund": "DISPUTE",
}
PAYOUT_SEARCH = {
    "id": lambda payout: payout["id"],
    "issued_at": lambda payout: timestamps.parse(payout["issued_at"]),
    "status": lambda payout: payout["status"],
}
# The documented search fields of balanceTransactions used by tests; the
# payout's number is its payments_transfer_id.
BALANCE_SEARCH = {
    "id": lambda tx: tx["id"],
    "payments_transfer_id": lambda tx: tx["payout_id"],
    "transaction_type": lambda tx: tx["type"],
    "processed_at": lambda tx: timestamps.parse(tx["transaction_date"]),
}


def _fee_rule(store):
    meta = store.meta("ShopifyPaymentsAccount", 0)
    return meta.get("fee_rate", DEFAULT_FEE_RATE), meta.get(
        "fee_fixed", DEFAULT_FEE_FIXED
    )


def _balance_record(store, kind, amount, fee, when, **values):
    record_id = store.next_id()
    record = {
        "id": record_id,
        "admin_graphql_api_id": gid("ShopifyPaymentsBalanceTransaction", record_id),
        "type": kind,
        "test": False,
        "amount": fmt(amount),
        "fee": fmt(fee),
        "net": fmt(dec(amount) - dec(fee)),
        "transaction_date": when,
        "source_id": None,
        "source_order_transaction_id": None,
        "adjustment_reason": None,
        "order_id": None,
        "payout_id": None,
    }
    record.update(values)
    return store.insert("ShopifyPaymentsBalanceTransaction", record)


def sync_balance(store):
    """Add the balance transactions of order transactions not seen yet."""
    rate, fixed = _fee_rule(store)
    with store.lock:
        for transaction in store.all("OrderTransaction"):
            kind = TRANSACTION_TYPES.get(transaction["kind"])
            if (
                kind is None
                or transaction["gateway"] != GATEWAY
                or transaction["status"] != "success"
            ):
                continue
            meta = store.meta("OrderTransaction", transaction["id"])
            if meta.get("balance_transaction_id"):
                continue
            amount = dec(transaction["amount_set"]["shop_money"]["amount"])
            if kind == "charge":
                fee = cents(amount * rate) + fixed
            else:
                amount, fee = -amount, ZERO
            record = _balance_record(
                store,
                kind,
                amount,
                fee,
                transaction["processed_at"],
                test=bool(transaction["test"]),
                source_id=transaction["id"],
                source_order_transaction_id=transaction["id"],
                order_id=transaction["order_id"],
            )
            meta["balance_transaction_id"] = record["id"]


def _money(amount, currency):
    return {"amount": fmt(amount), "currency_code": currency}


# Resolvers -------------------------------------------------------------------


def resolve_account(_root, info):
    shop = info.context.shop
    return {
        "id": gid("ShopifyPaymentsAccount", shop.id),
        "activated": True,
        "country": "US",
        "default_currency": shop.currency,
    }


def account_payouts(_account, info, query=None, **arguments):
    payouts = searched(
        info.context.store, "ShopifyPaymentsPayout", query, PAYOUT_SEARCH
    )
    return page(payouts, by_id, arguments)


def account_balance(_account, info, query=None, hideTransfers=False, **arguments):
    store = info.context.store
    sync_balance(store)
    records = searched(
        store, "ShopifyPaymentsBalanceTransaction", query, BALANCE_SEARCH
    )
    if hideTransfers:
        records = [tx for tx in records if tx["type"] != TRANSFER_TYPE]
    return page(records, by_id, arguments)


def payout_summary(payout, _info):
    currency = payout["currency"]
    return {
        name: _money(payout["summary"][name], currency)
        for pair in SUMMARY_FIELDS.values()
        for name in pair
    }


def _shop_money(name):
    return lambda record, info: _money(record[name], info.context.shop.currency)


def associated_order(tx, info):
    order = info.context.store.get("Order", tx["order_id"])
    if order is None:
        return None
    return {"id": order["admin_graphql_api_id"], "name": order["name"]}


def associated_payout(tx, info):
    """The payout a transaction is paid out in, or no id and ``PENDING``."""
    payout = info.context.store.get("ShopifyPaymentsPayout", tx["payout_id"])
    if payout is None:
        return {"id": None, "status": "PENDING"}
    return {"id": payout["admin_graphql_api_id"], "status": payout["status"].upper()}


def _bigint(name):
    def resolve(record, _info):
        value = record.get(name)
        return None if value is None else str(value)

    return resolve


FIELD_RESOLVERS = {
    "QueryRoot": {"shopifyPaymentsAccount": resolve_account},
    "ShopifyPaymentsAccount": {
        "payouts": account_payouts,
        "balanceTransactions": account_balance,
    },
    "ShopifyPaymentsPayout": {
        "id": global_id,
        "legacyResourceId": lambda payout, _info: str(payout["id"]),
        "issuedAt": utc("issued_at"),
        "status": lambda payout, _info: payout["status"].upper(),
        "transactionType": lambda payout, _info: (
            "WITHDRAWAL" if dec(payout["net"]) < 0 else "DEPOSIT"
        ),
        "net": lambda payout, _info: _money(payout["net"], payout["currency"]),
        "summary": payout_summary,
    },
    "ShopifyPaymentsBalanceTransaction": {
        "id": global_id,
        "type": lambda tx, _info: tx["type"].upper(),
        "amount": _shop_money("amount"),
        "fee": _shop_money("fee"),
        "net": _shop_money("net"),
        "transactionDate": utc("transaction_date"),
        "sourceId": _bigint("source_id"),
        "sourceType": lambda tx, _info: SOURCE_TYPES.get(tx["type"], "ADJUSTMENT"),
        "sourceOrderTransactionId": _bigint("source_order_transaction_id"),
        "associatedOrder": associated_order,
        "associatedPayout": associated_payout,
    },
}

TYPE_RESOLVERS = {}


class PayoutControls:
    """Test hooks of ``ShopifySimulator`` for Shopify Payments (mixed into it)."""

    def set_payment_fees(self, rate=None, fixed=None):
        """Change the fee of a charge: ``rate`` × amount + ``fixed``."""
        meta = self.store.meta("ShopifyPaymentsAccount", 0)
        if rate is not None:
            meta["fee_rate"] = dec(rate)
        if fixed is not None:
            meta["fee_fixed"] = dec(fixed)

    def add_balance_transaction(
        self, type, amount, fee="0.00", order_id=None, reason=None, when=None
    ):
        """Add an adjustment, dispute or reserve to the balance (not paid out
        yet); ``amount`` and ``fee`` are decimal strings. Returns it."""
        moment = timestamps.parse(when) if when else self.store.now()
        order = self.get_order(order_id) if order_id else None
        return _balance_record(
            self.store,
            type.lower(),
            dec(amount),
            dec(fee),
            timestamps.rest(moment, self.shop.zone),
            adjustment_reason=reason,
            order_id=order["id"] if order else None,
        )

    def balance_transactions(self, payout_id=None):
        """The balance transactions, of one payout or not paid out yet."""
        sync_balance(self.store)
        return [
            dict(tx)
            for tx in self.store.all("ShopifyPaymentsBalanceTransaction")
            if tx["payout_id"] == payout_id
        ]

    def create_payout(self, when=None, status="paid"):
        """Pay out every (non-test) balance transaction not paid out yet.

        ``when`` is a date or datetime (ISO text accepted), now when None.
        Returns the payout; ValueError when nothing is waiting.
        """
        if status not in PAYOUT_STATUSES:
            raise ValueError(f"status must be one of {PAYOUT_STATUSES}")
        if isinstance(when, str):
            when = timestamps.parse(when)
        elif isinstance(when, date) and not isinstance(when, datetime):
            when = datetime(when.year, when.month, when.day, 12, tzinfo=UTC)
        moment = when or self.store.now()
        store = self.store
        sync_balance(store)
        with store.lock:
            waiting = [
                tx
                for tx in store.all("ShopifyPaymentsBalanceTransaction")
                if tx["payout_id"] is None and not tx["test"]
            ]
            if not waiting:
                raise ValueError("no balance transaction is waiting for a payout")
            summary = {name: ZERO for pair in SUMMARY_FIELDS.values() for name in pair}
            for tx in waiting:
                category = SUMMARY_CATEGORIES.get(tx["type"], "adjustments")
                gross_name, fee_name = SUMMARY_FIELDS[category]
                summary[gross_name] += dec(tx["amount"])
                summary[fee_name] += dec(tx["fee"])
            net = sum((dec(tx["net"]) for tx in waiting), ZERO)
            payout_id = store.next_id()
            issued = timestamps.rest(moment, self.shop.zone)
            payout = store.insert(
                "ShopifyPaymentsPayout",
                {
                    "id": payout_id,
                    "admin_graphql_api_id": gid("ShopifyPaymentsPayout", payout_id),
                    "issued_at": issued,
                    "status": status,
                    "currency": self.shop.currency,
                    "net": fmt(net),
                    "summary": {name: fmt(value) for name, value in summary.items()},
                },
            )
            for tx in waiting:
                store.replace(
                    "ShopifyPaymentsBalanceTransaction", {**tx, "payout_id": payout_id}
                )
            _balance_record(
                store,
                TRANSFER_TYPE,
                -net,
                ZERO,
                issued,
                source_id=payout_id,
                payout_id=payout_id,
            )
        return dict(payout)

    def payouts(self):
        """Every payout, oldest first."""
        return [dict(payout) for payout in self.store.all("ShopifyPaymentsPayout")]
