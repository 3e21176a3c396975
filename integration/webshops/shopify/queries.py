"""The GraphQL documents the Shopify connector sends (every field is in the committed contract,
sandbox/contracts/shopify/; tests/webshops/shopify/test_queries.py validates them against it)."""

MONEY = "shopMoney { amount currencyCode }"
TAX_LINES = f"rate title priceSet {{ {MONEY} }}"

# Requested cost counts every page in full (a connection: 2 + first × its node's cost), so an order
# is read alone with at most LINES_PAGE lines, the rest page by page (ORDER_LINES); an order line
# costs 11 points, an order with 50 lines about 650 requested, far less actually charged.
LINES_PAGE = 50
LINE_FIELDS = f"""
    id name title sku quantity
    originalTotalSet {{ {MONEY} }} discountedTotalSet {{ {MONEY} }}
    discountAllocations {{ allocatedAmountSet {{ {MONEY} }} }}
    taxLines {{ {TAX_LINES} }}
    variant {{ id sku }}
"""

# The buyer: what the customer plan reads of a WooCommerce order's billing address (a MailingAddress,
# an object: 1 point).
BILLING_FIELDS = "firstName lastName company address1 address2 zip city countryCodeV2 phone"

ORDER_FIELDS = f"""
  id name createdAt updatedAt processedAt cancelledAt currencyCode taxesIncluded displayFinancialStatus
  displayFulfillmentStatus
  email paymentGatewayNames billingAddress {{ {BILLING_FIELDS} }}
  totalPriceSet {{ {MONEY} }} subtotalPriceSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }}
  totalShippingPriceSet {{ {MONEY} }} totalDiscountsSet {{ {MONEY} }}
  taxLines {{ {TAX_LINES} }}
  lineItems(first: {LINES_PAGE}) {{ nodes {{ {LINE_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }}
  shippingLines(first: 5) {{ nodes {{
    id title code discountedPriceSet {{ {MONEY} }} taxLines {{ {TAX_LINES} }}
  }} }}
  transactions(first: 10) {{ kind status gateway processedAt amountSet {{ {MONEY} }} }}
  refunds(first: 10) {{ id totalRefundedSet {{ {MONEY} }} }}
"""

# Orders changed since a time, oldest change first: ids only (cheap), each then read with ORDER.
ORDERS = """query orders($first: Int, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id updatedAt } pageInfo { hasNextPage endCursor } } }"""

ORDER = f"""query order($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"""

ORDER_LINES = f"""query orderLines($id: ID!, $first: Int, $after: String) {{ order(id: $id) {{
  lineItems(first: $first, after: $after) {{ nodes {{ {LINE_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }} }}"""

SHOP = "query shop { shop { name myshopifyDomain currencyCode taxesIncluded taxShipping shopAddress { countryCodeV2 } } }"

LOCATIONS = """query locations($first: Int, $after: String) { locations(first: $first, after: $after) {
  nodes { id name isActive } pageInfo { hasNextPage endCursor } } }"""

VARIANTS = """query variants($first: Int, $after: String, $query: String, $locationId: ID!) {
  productVariants(first: $first, after: $after, query: $query) {
    nodes { id sku price taxable updatedAt product { id title status }
      inventoryItem { id tracked inventoryLevel(locationId: $locationId) { quantities(names: ["available"]) { name quantity } } } }
    pageInfo { hasNextPage endCursor } } }"""

# The whole catalogue as one bulk query (bulk.py): no variables in a bulk query, so the location is
# written in (a global id: letters, digits, ':' and '/', quoted as a GraphQL string).
VARIANTS_BULK = """{{ productVariants {{ edges {{ node {{ id sku price taxable updatedAt product {{ id title status }}
  inventoryItem {{ id tracked inventoryLevel(locationId: "{location}") {{ quantities(names: ["available"]) {{ name quantity }} }} }} }} }} }} }}"""

# An order's refunds with what each paid back (lines, shipping): requested cost counts every page in
# full, so five refunds of ten lines each fit under the single-query limit (S3).
REFUNDS = f"""query refunds($id: ID!) {{ order(id: $id) {{ id taxesIncluded refunds(first: 5) {{
  id createdAt note totalRefundedSet {{ {MONEY} }}
  refundLineItems(first: 10) {{ nodes {{ id quantity subtotalSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }}
    lineItem {{ id name sku taxLines {{ rate }} variant {{ id sku }} }} }} }}
  refundShippingLines(first: 2) {{ nodes {{ id subtotalAmountSet {{ {MONEY} }} taxAmountSet {{ {MONEY} }}
    shippingLine {{ id title taxLines {{ rate }} }} }} }} }} }} }}"""
