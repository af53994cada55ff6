"""Shopify Payments payouts and balance transactions, read and checked exactly.

Amounts stay ``Decimal`` from the API's decimal strings to the checks, so a
payout is accepted only when, to the cent, its net equals its gross minus its
fees and the nets of its balance transactions (without the transfer itself)
add up to its net. A failed check raises a :class:`BusinessError` that names
the difference.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from odoo.addons.retail_connector_base.exceptions import BusinessError

from .. import const
from .order_data import PayloadError, parse_datetime, to_gid

MONEY_FIELDS = " ".join(
    f"{name} {{ amount }}"
    for pair in const.PAYOUT_SUMMARY_PARTS.values()
    for name in pair
)

PAYOUTS = f"""
query Payouts($first: Int!, $after: String, $query: String) {{
  shopifyPaymentsAccount {{
    payouts(first: $first, after: $after, query: $query) {{
      nodes {{
        id
        legacyResourceId
        issuedAt
        status
        net {{ amount currencyCode }}
        summary {{ {MONEY_FIELDS} }}
      }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}
"""

BALANCE_TRANSACTIONS = """
query BalanceTransactions($first: Int!, $after: String, $query: String) {
  shopifyPaymentsAccount {
    balanceTransactions(first: $first, after: $after, query: $query) {
      nodes {
        id
        type
        test
        amount { amount currencyCode }
        fee { amount }
        net { amount }
        transactionDate
        sourceOrderTransactionId
        associatedOrder { id name }
        associatedPayout { id }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

CENT = Decimal("0.01")


def money(value, what):
    """The Decimal of a MoneyV2 (or None as zero); PayloadError otherwise."""
    if value is None:
        return Decimal("0.00")
    try:
        return Decimal(str(value["amount"]))
    except (InvalidOperation, KeyError, TypeError) as error:
        raise PayloadError(f"{what} is not an amount: {value!r}") from error


@dataclass
class BalanceTransaction:
    gid: str
    type: str
    test: bool
    amount: Decimal
    fee: Decimal
    net: Decimal
    processed_at: object
    order_gid: str | None
    order_name: str | None
    transaction_gid: str | None
    payout_gid: str | None

    @property
    def is_transfer(self):
        """Whether this is the transfer of a payout to the bank itself."""
        return self.type == const.PAYOUT_TRANSFER_TYPE


@dataclass
class Payout:
    gid: str
    legacy_id: str
    issued_at: object
    status: str
    currency: str
    net: Decimal
    summary: dict
    transactions: list = field(default_factory=list)

    @property
    def gross(self):
        return sum((gross for gross, _fee in self.summary.values()), Decimal(0))

    @property
    def fees(self):
        return sum((fee for _gross, fee in self.summary.values()), Decimal(0))


def read_payout(node):
    """A ``ShopifyPaymentsPayout`` node as a :class:`Payout`."""
    summary_node = node.get("summary") or {}
    summary = {
        part: (
            money(summary_node.get(gross), f"{part} gross"),
            money(summary_node.get(fee), f"{part} fee"),
        )
        for part, (gross, fee) in const.PAYOUT_SUMMARY_PARTS.items()
    }
    return Payout(
        gid=node["id"],
        legacy_id=str(node.get("legacyResourceId") or node["id"].rsplit("/", 1)[-1]),
        issued_at=parse_datetime(node["issuedAt"]),
        status=(node.get("status") or "").lower(),
        currency=node["net"]["currencyCode"],
        net=money(node["net"], "payout net"),
        summary=summary,
    )


def read_balance_transaction(node):
    """A ``ShopifyPaymentsBalanceTransaction`` node as a :class:`BalanceTransaction`."""
    source = node.get("sourceOrderTransactionId")
    order = node.get("associatedOrder") or {}
    payout = node.get("associatedPayout") or {}
    return BalanceTransaction(
        gid=node["id"],
        type=(node.get("type") or "").upper(),
        test=bool(node.get("test")),
        amount=money(node.get("amount"), "transaction amount"),
        fee=money(node.get("fee"), "transaction fee"),
        net=money(node.get("net"), "transaction net"),
        processed_at=parse_datetime(node.get("transactionDate")),
        order_gid=order.get("id"),
        order_name=order.get("name"),
        transaction_gid=to_gid("OrderTransaction", source) if source else None,
        payout_gid=payout.get("id"),
    )


def check_payout(payout):
    """Raise BusinessError unless the payout adds up to the cent."""
    for tx in payout.transactions:
        if tx.amount - tx.fee != tx.net:
            raise BusinessError(
                f"Balance transaction {tx.gid} of payout {payout.gid} has net "
                f"{tx.net} but amount {tx.amount} minus fee {tx.fee} is "
                f"{tx.amount - tx.fee} (difference {tx.net - tx.amount + tx.fee:+}): "
                "report it to Shopify; the payout was not imported.",
                code="payout_mismatch",
            )
    computed = payout.gross - payout.fees
    if computed != payout.net:
        raise BusinessError(
            f"Payout {payout.gid} of {payout.net} {payout.currency} does not "
            f"equal its gross {payout.gross} minus its fees {payout.fees} "
            f"({computed}; difference {payout.net - computed:+}): the payout "
            "was not imported.",
            code="payout_mismatch",
        )
    paid = sum((tx.net for tx in payout.transactions if not tx.is_transfer), Decimal(0))
    if paid != payout.net:
        raise BusinessError(
            f"The balance transactions of payout {payout.gid} add up to {paid} "
            f"{payout.currency} but the payout is {payout.net} (difference "
            f"{payout.net - paid:+}): some transactions are missing or extra; "
            "the payout was not imported.",
            code="payout_mismatch",
        )
