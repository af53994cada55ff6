import logging

_logger = logging.getLogger(__name__)

# Digits of the "Discount" precision that represent any Shopify line discount
# exactly: the discounted amount of a line below one million then rounds to
# the same cent as Shopify's.
DISCOUNT_DIGITS = 6


def post_init_hook(env):
    """Let order lines carry Shopify's discounts as exact percentages."""
    precision = env.ref("product.decimal_discount")
    if precision.digits < DISCOUNT_DIGITS:
        _logger.info(
            "Raising the 'Discount' precision from %s to %s digits",
            precision.digits,
            DISCOUNT_DIGITS,
        )
        precision.digits = DISCOUNT_DIGITS
