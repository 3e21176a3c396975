"""Webhook subscriptions through the API (``webhookSubscriptionCreate`` with the unified ``uri``).

Silta's topics are the platform-neutral words the sync uses (``order.updated``, …) mapped to
Shopify's ``WebhookSubscriptionTopic`` values; a Shopify topic is also accepted as it is. The
mandatory privacy topics (customers/data_request, customers/redact, shop/redact) are not here:
Shopify takes them from the app's configuration, not per shop.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..base import WebhookInfo
from . import parse
from .client import ShopifyClient, UserErrors

ORDER_TOPICS = ("ORDERS_PAID", "ORDERS_UPDATED", "ORDERS_CANCELLED", "REFUNDS_CREATE")
TOPICS: dict[str, tuple[str, ...]] = {
    # An order's whole life is one word for the sync: paid, changed, cancelled, refunded.
    "order.created": ORDER_TOPICS,
    "order.updated": ORDER_TOPICS,
    "order.paid": ("ORDERS_PAID",),
    "order.cancelled": ("ORDERS_CANCELLED",),
    "refund.created": ("REFUNDS_CREATE",),
    "product.updated": ("PRODUCTS_UPDATE",),
    "app.uninstalled": ("APP_UNINSTALLED",),
}
# What a Shopify connection subscribes to: orders' life, refunds, products (echo), the uninstall.
DEFAULT_TOPICS = (*ORDER_TOPICS, "PRODUCTS_UPDATE", "APP_UNINSTALLED")

CREATE = """mutation subscribe($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { id topic uri } userErrors { field message } } }"""

DELETE = """mutation unsubscribe($id: ID!) {
  webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }"""

LIST = """query subscriptions($first: Int, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    nodes { id topic uri } pageInfo { hasNextPage endCursor } } }"""


def shopify_topics(topics: Iterable[str]) -> list[str]:
    """Shopify's topics for the sync's words (a Shopify topic is taken as it is); the uninstall
    always, since it is what pauses the connection."""
    out = [s for t in topics for s in TOPICS.get(t, (t,))]
    if not out:
        return list(DEFAULT_TOPICS)
    return list(dict.fromkeys([*out, "APP_UNINSTALLED"]))


def _info(node: dict) -> WebhookInfo:
    return WebhookInfo(
        id=parse.number_of(node["id"]),
        topic=str(node["topic"]),
        delivery_url=str(node["uri"]),
        status="active",
    )


def current(client: ShopifyClient, delivery_url: str) -> list[dict]:
    return [n for n in client.nodes(LIST, ("webhookSubscriptions",)) if n.get("uri") == delivery_url]


def register(client: ShopifyClient, delivery_url: str, topics: Iterable[str]) -> list[WebhookInfo]:
    """One subscription per topic to ``delivery_url``; existing ones are kept (safe to repeat)."""
    have = {n["topic"]: n for n in current(client, delivery_url)}
    out = []
    for topic in shopify_topics(topics):
        if topic in have:
            out.append(_info(have[topic]))
            continue
        payload = client.mutate(
            CREATE, {"topic": topic, "sub": {"uri": delivery_url}}, payload="webhookSubscriptionCreate"
        )
        out.append(_info(payload["webhookSubscription"]))
    return out


def check(client: ShopifyClient, delivery_url: str, topics: Iterable[str]) -> list[str]:
    """Recreate what is missing; say what was done ([] = all there)."""
    have = {n["topic"] for n in current(client, delivery_url)}
    done = []
    for topic in shopify_topics(topics):
        if topic not in have:
            try:
                client.mutate(
                    CREATE,
                    {"topic": topic, "sub": {"uri": delivery_url}},
                    payload="webhookSubscriptionCreate",
                )
            except UserErrors as exc:
                done.append(
                    f"The Shopify webhook for {topic} could not be recreated: {exc.errors[0].message}"
                )
                continue
            done.append(f"The Shopify webhook for {topic} was missing and has been recreated.")
    return done


def remove(client: ShopifyClient, delivery_url: str) -> int:
    removed = 0
    for node in current(client, delivery_url):
        client.mutate(DELETE, {"id": node["id"]}, payload="webhookSubscriptionDelete")
        removed += 1
    return removed
