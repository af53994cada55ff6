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
# fulfillmentCreate is sent without @idempotent: the mutations Shopify lists
# as taking the directive (optional in 2026-01, required from 2026-04) are
# refundCreate and inventory mutations only, and no later changelog adds a
# fulfilment mutation; its reference shows only the fulfillment and message
# arguments. A retry relies on remainingQuantity instead (a second creation
# of the same quantities is refused) and finds the fulfilment an earlier
# attempt created. The outbound ledger still records the call and its outcome.
# https://shopify.dev/changelog/adding-idempotency-for-inventory-adjustments-and-refund-mutations
# https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations
# https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCreate

# Shopify Payments payouts (shopifyPaymentsAccount.payouts/balanceTransactions).
# Checked against the 2025-10 to 2027-01 reference pages:
# - payouts are searched with "issued_at:>=YYYY-MM-DD" (issued_at is one of
#   the payout search fields), the balance transactions of one payout with
#   "payments_transfer_id:<payout legacyResourceId>" (there is no
#   "payout_id" search field).
#   https://shopify.dev/changelog/additions-to-the-graphql-api-for-shopify-payments-payouts-and-balance-transactions
#   https://shopify.dev/docs/api/admin-graphql/latest/objects/ShopifyPaymentsAccount
#   https://shopify.dev/docs/api/usage/search-syntax
# - a balance transaction links to its payout by associatedPayout { id status }
#   (always present; no id before the transaction is paid out), to its order
#   by associatedOrder { id name }, and to the order transaction by
#   sourceOrderTransactionId, a BigInt holding the numeric OrderTransaction id
#   (null for adjustments), the number of its global id.
#   https://shopify.dev/docs/api/admin-graphql/latest/objects/ShopifyPaymentsBalanceTransaction
#   https://shopify.dev/docs/api/usage/gids
#   https://shopify.dev/docs/api/admin-graphql/latest/objects/ShopifyPaymentsAssociatedOrder
# - fee is what Shopify deducts from a transaction's amount, so its net is its
#   amount minus its fee; a payout's net is the sum of its summary grosses
#   minus the sum of its summary fees, with refund grosses and the fees they
#   give back negative and charge fees positive.
#   https://shopify.dev/docs/api/admin-rest/2024-10/resources/transactions
#   https://shopify.dev/docs/admin-api/rest/reference/shopify_payments/payout
# - the summary's adjustments include disputes.
#   https://shopify.dev/docs/api/admin-graphql/latest/objects/ShopifyPaymentsPayoutSummary
PAYOUT_PAGE_SIZE = 20
BALANCE_TRANSACTION_PAGE_SIZE = 100
# Requested costs: a payout is 15 objects (itself, net, summary, 12 amounts),
# a balance transaction 6.
PAYOUT_QUERY_COST = PAYOUT_PAGE_SIZE * 15 + 4
BALANCE_TRANSACTION_QUERY_COST = BALANCE_TRANSACTION_PAGE_SIZE * 6 + 4
# The first import reads this many days back; later ones re-read this many
# days before their checkpoint, so payouts still in transit get their status.
PAYOUT_FIRST_IMPORT_DAYS = 30
PAYOUT_OVERLAP_DAYS = 7
# ShopifyPaymentsPayoutStatus, lower-cased; IN_TRANSIT is deprecated but may
# still be returned.
# https://shopify.dev/docs/api/admin-graphql/latest/enums/ShopifyPaymentsPayoutStatus
PAYOUT_STATUSES = ("scheduled", "in_transit", "paid", "failed", "canceled")
# Summary parts of a payout: (gross field, fee field) per category. The
# advance fields exist since 2024-10 (note the plural "advanceFees"). The
# summary's usdcRebateCreditAmount (2026-01) has no fee and is not read: how
# it counts in the net is not stated, so a payout carrying one does not add
# up and is refused.
# https://shopify.dev/changelog/shopify-payments-payout-summary-graphql-surfaces-advance-fees-and-advance-gross-fields
PAYOUT_SUMMARY_PARTS = {
    "charges": ("chargesGross", "chargesFee"),
    "refunds": ("refundsFeeGross", "refundsFee"),
    "adjustments": ("adjustmentsGross", "adjustmentsFee"),
    "reserved_funds": ("reservedFundsGross", "reservedFundsFee"),
    "retried_payouts": ("retriedPayoutsGross", "retriedPayoutsFee"),
    "advances": ("advanceGross", "advanceFees"),
}
# The balance transaction that moves a payout's money to the bank: it belongs
# to the payout it pays (associatedPayout, sourceId) and carries minus its net,
# so it does not count in what the payout pays. The enum names it TRANSFER
# (REST called it "payout"); balanceTransactions(hideTransfers:) drops it.
# https://shopify.dev/docs/api/admin-graphql/latest/queries/shopifyPaymentsAccount
PAYOUT_TRANSFER_TYPE = "TRANSFER"
# Category of each ShopifyPaymentsTransactionType shown to finance; any other
# type is "other". Whether a transfer failure or cancellation is paid out in
# the failed payout or in the next one (as a retried payout) is not stated:
# they count like any other movement.
# https://shopify.dev/docs/api/admin-graphql/latest/enums/ShopifyPaymentsTransactionType
BALANCE_TRANSACTION_CATEGORIES = {
    "CHARGE": "charge",
    "CHARGE_ADJUSTMENT": "adjustment",
    "REFUND": "refund",
    "REFUND_FAILURE": "refund",
    "REFUND_ADJUSTMENT": "refund",
    "ADJUSTMENT": "adjustment",
    "APPLICATION_FEE_REFUND": "adjustment",
    "CHARGEBACK_FEE": "dispute",
    "CHARGEBACK_FEE_REFUND": "dispute",
    "CHARGEBACK_HOLD": "dispute",
    "CHARGEBACK_HOLD_RELEASE": "dispute",
    "DISPUTE_REVERSAL": "dispute",
    "DISPUTE_WITHDRAWAL": "dispute",
    "RESERVED_FUNDS": "reserve",
    "RESERVED_FUNDS_REVERSAL": "reserve",
    "RESERVED_FUNDS_WITHDRAWAL": "reserve",
    "TRANSFER": "payout",
    "TRANSFER_FAILURE": "payout",
    "TRANSFER_CANCEL": "payout",
    "TRANSFER_REFUND": "payout",
}
