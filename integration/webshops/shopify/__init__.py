"""Shopify (GraphQL Admin API): the client (client.py), its cost budget (throttle.py), the
store-address rule (domain.py) and the connector implementing ``webshops.base.Webshop``
(connector.py: reader.py, writer.py, subscriptions.py, webhooks.py). Issue #18; nothing here is
offered in the portal yet."""

from .client import (
    API_VERSION,
    CostLimitExceeded,
    GraphQLFailed,
    MissingScope,
    ShopifyClient,
    ThrottledTooLong,
    UserError,
    UserErrors,
)
from .domain import NotAShopDomain, is_shop_domain, shop_domain
from .throttle import Cost, CostBudget, ThrottleStatus, budget_for

__all__ = [
    "API_VERSION",
    "Cost",
    "CostBudget",
    "CostLimitExceeded",
    "GraphQLFailed",
    "MissingScope",
    "NotAShopDomain",
    "ShopifyClient",
    "ThrottleStatus",
    "ThrottledTooLong",
    "UserError",
    "UserErrors",
    "budget_for",
    "is_shop_domain",
    "shop_domain",
]
