"""Shopify facts used by the connector, each stated once."""

# Newest stable Admin API version when this module was released; each backend
# pins its own.
DEFAULT_API_VERSION = "2026-10"

# Webhook topics the connector subscribes to, with their GraphQL enum names.
WEBHOOK_TOPICS = {
    "orders/create": "ORDERS_CREATE",
    "orders/updated": "ORDERS_UPDATED",
    "orders/cancelled": "ORDERS_CANCELLED",
    "app/uninstalled": "APP_UNINSTALLED",
}
# GraphQL type of the resource each webhook topic family carries.
TOPIC_RESOURCES = {
    "orders": "Order",
    "refunds": "Refund",
    "products": "Product",
    "customers": "Customer",
    "app": "Shop",
}
ORDER_TOPICS = ("orders/create", "orders/updated", "orders/cancelled", "orders/paid")

# Shopify gives up on a delivery not answered within 5 s; orders with many
# lines stay well under this size.
MAX_WEBHOOK_BYTES = 2 * 1024 * 1024

# The catch-up poll reads again this many minutes before its checkpoint, so
# an order updated while the previous poll ran is not missed.
POLL_OVERLAP_MINUTES = 10
POLL_PAGE_SIZE = 50
# Requested cost of reading one order with up to 50 lines.
ORDER_QUERY_COST = 800

# Orders whose money has been taken: their transactions become payments.
PAID_FINANCIAL_STATUSES = {"paid", "partially_paid", "partially_refunded", "refunded"}
PAYMENT_TRANSACTION_KINDS = {"sale", "capture"}

# GraphQL cost budget: keep this many points in reserve before a call.
COST_SAFETY_MARGIN = 50
