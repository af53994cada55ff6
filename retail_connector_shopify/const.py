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
    "products/update": "PRODUCTS_UPDATE",
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

# Catalogue push and matching (API-FACTS 1.6, 1.9; 2024-04+ product model).
PRODUCT_TOPICS = ("products/update",)
# productSet creates a product, or updates the one whose id the input gives;
# a given variants list replaces the product's variants (unlisted ones are
# deleted), omitted product and variant fields keep their value.
PRODUCT_SET_OPERATION = "productSet"
# Requested cost of one productSet call and of one variant lookup by SKU.
PRODUCT_SET_COST = 10
VARIANT_LOOKUP_COST = 10
# Requested cost of reading the variants (up to 250) of one product.
PRODUCT_VARIANTS_COST = 260
# Product status enum (ProductStatus) for an active and an archived product.
PRODUCT_STATUS_ACTIVE = "ACTIVE"
PRODUCT_STATUS_ARCHIVED = "ARCHIVED"
# REST status names in products/update webhooks, and the Odoo ``active`` they
# mean; a draft product says nothing about it.
REST_PRODUCT_ACTIVE = {"active": True, "archived": False}
# The option a product without options has, and its only value.
DEFAULT_OPTION_NAME = "Title"
DEFAULT_OPTION_VALUE = "Default Title"
# Fields whose owner (Odoo or Shopify) each backend chooses; the SKU is the
# matching key and always Odoo's.
CATALOG_OWNED_FIELDS = (
    "title",
    "description",
    "price",
    "compare_at_price",
    "barcode",
    "status",
)
# Where each field sits in a productSet input: on the product or a variant.
CATALOG_PRODUCT_INPUT = {
    "title": "title",
    "description": "descriptionHtml",
    "status": "status",
}
CATALOG_VARIANT_INPUT = {
    "price": "price",
    "compare_at_price": "compareAtPrice",
    "barcode": "barcode",
}
# A burst of product writes within this many seconds becomes one push.
CATALOG_PUSH_DELAY_SECONDS = 10

# Fulfilment of delivered pickings (order.fulfillmentOrders, fulfillmentCreate).
# Fulfilment orders read per order, and line items per fulfilment order.
FULFILLMENT_ORDER_PAGE_SIZE = 5
FULFILLMENT_ORDER_LINE_PAGE_SIZE = 50
# Requested cost of that read: the order, then 5 fulfilment orders of up to
# 50 lines, each line with its order line (1 + 2 + 5 x (1 + 2 + 50 x 2)).
FULFILLMENT_ORDERS_QUERY_COST = 520
# Fulfilment orders whose remaining quantities may still be fulfilled.
FULFILLMENT_ORDER_OPEN_STATUSES = ("OPEN", "IN_PROGRESS")
FULFILLMENT_CREATE_OPERATION = "fulfillmentCreate"
# Fulfilments of an order read back when a retry must find the one an earlier
# attempt created (the answer was lost).
FULFILLMENT_RECOVERY_PAGE_SIZE = 20
# UNCONFIRMED: whether fulfillmentCreate honours @idempotent; the connector
# does not send the directive and relies on remainingQuantity instead (a
# second creation of the same quantities is refused by Shopify).

# Shopify Payments payouts (shopifyPaymentsAccount.payouts/balanceTransactions).
# UNCONFIRMED details, from Shopify's GraphQL reference but not verified on a
# live shop: the search syntax "issued_at:>=YYYY-MM-DD" of payouts and
# "payout_id:<numeric id>" of balance transactions; sourceOrderTransactionId
# is the numeric id of the OrderTransaction (BigInt as a string); the signs:
# refund gross and returned fees are negative, a charge fee is positive, and
# a transaction's net is its amount minus its fee; disputes count in the
# adjustments of a payout summary.
PAYOUT_PAGE_SIZE = 20
BALANCE_TRANSACTION_PAGE_SIZE = 100
# Requested costs: a payout is 13 objects (itself, net, summary, 10 amounts),
# a balance transaction 6.
PAYOUT_QUERY_COST = PAYOUT_PAGE_SIZE * 13 + 4
BALANCE_TRANSACTION_QUERY_COST = BALANCE_TRANSACTION_PAGE_SIZE * 6 + 4
# The first import reads this many days back; later ones re-read this many
# days before their checkpoint, so payouts still in transit get their status.
PAYOUT_FIRST_IMPORT_DAYS = 30
PAYOUT_OVERLAP_DAYS = 7
PAYOUT_STATUSES = ("scheduled", "in_transit", "paid", "failed", "canceled")
# Summary parts of a payout: (gross field, fee field) per category.
PAYOUT_SUMMARY_PARTS = {
    "charges": ("chargesGross", "chargesFee"),
    "refunds": ("refundsFeeGross", "refundsFee"),
    "adjustments": ("adjustmentsGross", "adjustmentsFee"),
    "reserved_funds": ("reservedFundsGross", "reservedFundsFee"),
    "retried_payouts": ("retriedPayoutsGross", "retriedPayoutsFee"),
}
# Balance transaction types that move the money of the payout itself: they
# do not count in what the payout pays.
PAYOUT_TRANSFER_TYPES = ("PAYOUT", "PAYOUT_FAILURE", "PAYOUT_CANCELLATION")
# Category of each ShopifyPaymentsTransactionType shown to finance; any other
# type is "other".
BALANCE_TRANSACTION_CATEGORIES = {
    "CHARGE": "charge",
    "REFUND": "refund",
    "REFUND_FAILURE": "refund",
    "ADJUSTMENT": "adjustment",
    "APPLICATION_FEE_REFUND": "adjustment",
    "CHARGEBACK_FEE": "dispute",
    "CHARGEBACK_FEE_REFUND": "dispute",
    "DISPUTE": "dispute",
    "DISPUTE_REVERSAL": "dispute",
    "DISPUTE_WITHDRAWAL": "dispute",
    "DISPUTE_WON": "dispute",
    "RESERVED_FUNDS": "reserve",
    "RESERVED_FUNDS_REVERSAL": "reserve",
    "PAYOUT": "payout",
    "PAYOUT_FAILURE": "payout",
    "PAYOUT_CANCELLATION": "payout",
}
