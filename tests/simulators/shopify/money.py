"""Decimal money arithmetic the way Shopify rounds it: half-up, to the cent."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def dec(value):
    """Return ``value`` (str, int or Decimal) as a Decimal; floats are refused."""
    if isinstance(value, float):
        raise TypeError(f"money must not be a float: {value!r}")
    return Decimal(str(value))


def cents(amount):
    """Round ``amount`` half-up to two decimals."""
    return dec(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(amount):
    """Format an amount as Shopify's decimal string, e.g. ``"19.90"``."""
    return str(cents(amount))


def allocate(total, weights):
    """Split ``total`` pro rata over ``weights``; the last share takes the remainder.

    Every share but the last is rounded to the cent on its own, so the shares
    always add up to ``total`` exactly.
    """
    if not weights:
        return []
    weight_sum = sum(weights, ZERO)
    if weight_sum == 0:
        return [ZERO] * (len(weights) - 1) + [cents(total)]
    shares = [cents(total * weight / weight_sum) for weight in weights[:-1]]
    return shares + [cents(total) - sum(shares, ZERO)]


@dataclass(frozen=True)
class Converter:
    """Builds REST MoneyBags: shop amount plus its presentment conversion.

    The presentment side of every amount is the shop amount times ``rate``,
    rounded on its own, as the simulator's contract states.
    """

    shop_currency: str
    presentment_currency: str
    rate: Decimal = Decimal(1)

    def presentment(self, amount):
        """Return ``amount`` (shop currency) converted and rounded."""
        return cents(dec(amount) * self.rate)

    def bag(self, amount):
        """Return ``{"shop_money", "presentment_money"}`` for a shop amount."""
        return {
            "shop_money": {"amount": fmt(amount), "currency_code": self.shop_currency},
            "presentment_money": {
                "amount": fmt(self.presentment(amount)),
                "currency_code": self.presentment_currency,
            },
        }
