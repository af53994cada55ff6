"""Shopify facts used by the connector, each stated once."""

# Newest stable Admin API version when this module was released; each backend
# pins its own.
DEFAULT_API_VERSION = "2026-10"

# Webhook topics the connector subscribes to, with their GraphQL enum names.
WEBHOOK_TOPICS = {
    "orders/create": "ORDERS_CREATE",
    "orders/updated": "ORDERS_UPDATED",
    "orders/cancelled": "ORDERS_CANCELLED",
    "refunds/create": "REFUNDS_CREATE",
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
REFUND_TOPICS = ("refunds/create",)

# Shopify gives up on a delivery not answered within 5 s; orders with many
# lines stay well under this size.
MAX_WEBHOOK_BYTES = 2 * 1024 * 1024

# The catch-up poll reads again this many minutes before its checkpoint, so
# an order updated while the previous poll ran is not missed.
POLL_OVERLAP_MINUTES = 10
POLL_PAGE_SIZE = 50
# Requested cost of reading one order with up to 50 lines and its refunds
# (10 refunds of up to 10 lines each), just below the 1000-point limit.
ORDER_QUERY_COST = 960

# Orders whose money has been taken: their transactions become payments.
PAID_FINANCIAL_STATUSES = {"paid", "partially_paid", "partially_refunded", "refunded"}
PAYMENT_TRANSACTION_KINDS = {"sale", "capture"}

# GraphQL cost budget: keep this many points in reserve before a call.
COST_SAFETY_MARGIN = 50

# Inventory push (API-FACTS 1.4, 1.6, 1.7, 1.9).
# Quantities one inventorySetQuantities call may carry (input arrays max 250).
INVENTORY_SET_BATCH_SIZE = 250
# Requested cost of one mutation, whatever it carries.
MUTATION_COST = 10
# The quantity name the connector sets (and reads back).
INVENTORY_SET_NAME = "available"
# Reason recorded by Shopify on each change, and the document it points to.
INVENTORY_SET_REASON = "correction"
INVENTORY_REFERENCE_URI = "gid://retail-connector/InventoryPush/{reference}"
# User error codes of inventorySetQuantities the connector acts on.
CHANGE_FROM_QUANTITY_STALE = "CHANGE_FROM_QUANTITY_STALE"
IDEMPOTENCY_CONCURRENT_REQUEST = "IDEMPOTENCY_CONCURRENT_REQUEST"
# Attempts of one batch after stale quantities were read again.
INVENTORY_STALE_RETRIES = 3
# A burst of stock moves within this many seconds becomes one push.
INVENTORY_PUSH_DELAY_SECONDS = 5
# Items read per query when levels are read again (3 points each).
INVENTORY_REREAD_BATCH_SIZE = 100
# Bulk operations: statuses, and how often and how long to poll one.
BULK_DONE_STATUSES = ("COMPLETED", "FAILED", "CANCELED", "EXPIRED")
BULK_POLL_SECONDS = 2.0
BULK_POLL_TIMEOUT_SECONDS = 1800
# Inventory quantities are never pushed below this.
INVENTORY_MINIMUM_QUANTITY = 0
