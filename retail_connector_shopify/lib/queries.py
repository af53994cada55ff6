"""GraphQL documents the connector sends to the Shopify Admin API."""

_MONEY_BAG = (
    "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }"
)
_TAX_LINES = f"taxLines {{ title rate priceSet {{ {_MONEY_BAG} }} }}"
_DISCOUNT_ALLOCATIONS = (
    "discountAllocations { allocatedAmountSet { "
    + _MONEY_BAG
    + " } discountApplication { index } }"
)
_ADDRESS = (
    "name firstName lastName company address1 address2 city zip "
    "provinceCode countryCodeV2 phone"
)
TRANSACTION_FIELDS = (
    f"id kind status gateway processedAt test amountSet {{ {_MONEY_BAG} }}"
)

# Page sizes keep the order query with its refunds under the single-query
# cost limit; a refund with more lines does not add up and waits for a person.
REFUND_FIELDS = f"""
  id createdAt note return {{ id }}
  refundLineItems(first: 10) {{
    nodes {{
      quantity restockType location {{ id }}
      lineItem {{ id quantity }}
      subtotalSet {{ {_MONEY_BAG} }}
      totalTaxSet {{ {_MONEY_BAG} }}
    }}
  }}
  refundShippingLines(first: 2) {{
    nodes {{
      shippingLine {{ id }}
      subtotalAmountSet {{ {_MONEY_BAG} }}
      taxAmountSet {{ {_MONEY_BAG} }}
    }}
  }}
  orderAdjustments(first: 3) {{
    nodes {{ id reason amountSet {{ {_MONEY_BAG} }} taxAmountSet {{ {_MONEY_BAG} }} }}
  }}
  transactions(first: 5) {{ nodes {{ {TRANSACTION_FIELDS} }} }}
"""

SHOP = """
query Shop {
  shop { id name myshopifyDomain currencyCode }
}
"""

ORDER_FIELDS = f"""
  id name createdAt updatedAt processedAt cancelledAt test
  email phone taxesIncluded currencyCode presentmentCurrencyCode
  displayFinancialStatus
  totalPriceSet {{ {_MONEY_BAG} }}
  totalTaxSet {{ {_MONEY_BAG} }}
  customer {{ id email phone firstName lastName }}
  billingAddress {{ {_ADDRESS} }}
  shippingAddress {{ {_ADDRESS} }}
  {_TAX_LINES}
  discountApplications(first: 10) {{
    nodes {{
      index
      ... on DiscountCodeApplication {{ code }}
      ... on ManualDiscountApplication {{ title }}
      ... on AutomaticDiscountApplication {{ title }}
      ... on ScriptDiscountApplication {{ title }}
    }}
  }}
  lineItems(first: 50) {{
    nodes {{
      id name sku quantity isGiftCard
      variant {{ id sku }}
      originalUnitPriceSet {{ {_MONEY_BAG} }}
      {_TAX_LINES}
      {_DISCOUNT_ALLOCATIONS}
    }}
  }}
  shippingLines(first: 5) {{
    nodes {{
      id title
      originalPriceSet {{ {_MONEY_BAG} }}
      {_TAX_LINES}
      {_DISCOUNT_ALLOCATIONS}
    }}
  }}
  transactions(first: 20) {{ {TRANSACTION_FIELDS} }}
  refunds(first: 10) {{ {REFUND_FIELDS} }}
"""

# The poll lists versions only; each changed order is then read on its own,
# which keeps every query far below the single-query cost limit.
ORDERS_UPDATED_SINCE = """
query OrdersUpdatedSince($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id updatedAt }
  }
}
"""

ORDER = f"""
query Order($id: ID!) {{
  order(id: $id) {{ {ORDER_FIELDS} }}
}}
"""

ORDER_TRANSACTIONS = f"""
query OrderTransactions($id: ID!) {{
  order(id: $id) {{ id transactions(first: 50) {{ {TRANSACTION_FIELDS} }} }}
}}
"""

# Exchanges: a return may add new line items to its order (Shopify's native
# exchanges); these two queries tell which lines of an order came that way.
# An order rarely has more than a few returns of a few exchanged items; the
# newest returns come first.
_EXCHANGE_LINES = (
    "exchangeLineItems(first: 10) { nodes { id quantity lineItems { id } } }"
)

ORDER_EXCHANGE_LINES = f"""
query OrderExchangeLines($id: ID!) {{
  order(id: $id) {{
    id
    returns(first: 5, reverse: true) {{ nodes {{ id name {_EXCHANGE_LINES} }} }}
  }}
}}
"""

REFUND_EXCHANGE_LINES = f"""
query RefundExchangeLines($id: ID!) {{
  refund(id: $id) {{
    id
    return {{ id name {_EXCHANGE_LINES} }}
  }}
}}
"""

WEBHOOK_SUBSCRIPTIONS = """
query WebhookSubscriptions($after: String) {
  webhookSubscriptions(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id topic uri }
  }
}
"""

WEBHOOK_SUBSCRIPTION_CREATE = """
mutation WebhookSubscriptionCreate(
  $topic: WebhookSubscriptionTopic!
  $subscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}
"""

# Inventory ---------------------------------------------------------------------

INVENTORY_SET_QUANTITIES = """
mutation InventorySetQuantities(
  $input: InventorySetQuantitiesInput!
  $idempotencyKey: String!
) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { id }
    userErrors { code field message }
  }
}
"""

VARIANT_INVENTORY_ITEM_BY_SKU = """
query VariantInventoryItem($query: String!) {
  productVariants(first: 2, query: $query) {
    nodes { id sku inventoryItem { id } }
  }
}
"""

# One aliased field per level read: ``l0: inventoryItem(id: ...) {...}``.
INVENTORY_LEVEL_FIELD = """
  {alias}: inventoryItem(id: "{item}") {{
    id
    inventoryLevel(locationId: "{location}") {{
      quantities(names: ["available"]) {{ name quantity }}
    }}
  }}
"""

INVENTORY_LEVELS_BULK_QUERY = """
{
  inventoryItems {
    edges {
      node {
        id
        inventoryLevels {
          edges {
            node {
              id
              location { id }
              quantities(names: ["available"]) { name quantity }
            }
          }
        }
      }
    }
  }
}
"""

BULK_OPERATION_RUN_QUERY = """
mutation BulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message }
  }
}
"""

BULK_OPERATION = """
query BulkOperation($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount url }
  }
}
"""
