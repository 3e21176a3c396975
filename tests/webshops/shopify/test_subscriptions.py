"""Webhook subscriptions through the API and the sandbox's deliveries when its store changes:
signed as Shopify signs (verified by the connector on the raw body), a repeat id kept."""

import json
from decimal import Decimal

import pytest

from integration.webshops.base import AuthenticationFailed, ProductWrite, SignatureInvalid
from integration.webshops.shopify.connector import ShopifyWebshop
from integration.webshops.shopify.subscriptions import DEFAULT_TOPICS

from .conftest import make_client

SECRET = "silta-sandbox-secret"  # the sandbox app's client secret: Shopify signs with it


@pytest.fixture
def shop(sb, token):
    sb.reset(seed=None)
    return ShopifyWebshop(make_client(sb, sb.token()))


def _topics(infos):
    return sorted(i.topic for i in infos)


def test_register_is_one_subscription_per_topic_and_safe_to_repeat(shop, receiver):
    first = shop.register_webhooks(receiver.url, SECRET, ["order.updated", "product.updated"])
    again = shop.register_webhooks(receiver.url, SECRET, ["order.updated", "product.updated"])
    assert len(first) == len(again) == 6
    # an order's whole life (paid, updated, cancelled, refunded), products, and always the uninstall
    assert _topics(first) == sorted(DEFAULT_TOPICS)
    assert [i.id for i in again] == [i.id for i in first]
    assert all(i.delivery_url == receiver.url for i in first)


def test_without_topics_every_topic_silta_needs_is_subscribed(shop, receiver):
    infos = shop.register_webhooks(receiver.url, SECRET, [])
    assert _topics(infos) == sorted(DEFAULT_TOPICS)
    assert "APP_UNINSTALLED" in _topics(infos)


def test_check_recreates_a_missing_subscription_and_remove_removes_ours(shop, sb, receiver):
    infos = shop.register_webhooks(receiver.url, SECRET, ["order.paid", "refund.created"])
    sb.graphql(
        "mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId } }",
        {"id": f"gid://shopify/WebhookSubscription/{infos[0].id}"},
        token=sb.token(),
    )
    said = shop.check_webhooks(receiver.url, SECRET, ["order.paid", "refund.created"])
    assert len(said) == 1 and "ORDERS_PAID" in said[0]
    assert shop.check_webhooks(receiver.url, SECRET, ["order.paid", "refund.created"]) == []
    assert shop.remove_webhooks(receiver.url) == 3  # with the uninstall, always subscribed
    assert shop.remove_webhooks(receiver.url) == 0


def test_a_paid_order_and_a_price_change_are_delivered_signed(shop, sb, receiver):
    shop.register_webhooks(receiver.url, SECRET, ["order.paid", "product.updated"])
    made = sb.control(
        "POST", "/products", {"title": "T", "variants": [{"sku": "W-1", "price": "9.90", "quantity": 3}]}
    )
    order = sb.control("POST", "/orders", {"lines": [{"sku": "W-1", "quantity": 1}]})
    variant = shop.products_by_sku(["W-1"])["W-1"]
    [ok] = shop.save_products([ProductWrite(sku="W-1", id=variant.id, regular_price=Decimal("10.90"))])
    assert ok.ok
    sent = sb.control("GET", "/deliveries", params={"wait": 5})
    assert sorted(d["topic"] for d in sent) == ["orders/paid", "products/update"]
    assert all(d["status"] == 200 for d in sent)
    by_topic = {h["X-Shopify-Topic"]: (h, body) for h, body in receiver.received}
    headers, body = by_topic["orders/paid"]
    delivery = shop.verify_delivery(headers, body, SECRET)
    assert delivery.payload["admin_graphql_api_id"] == order["id"]
    assert delivery.delivery_id == headers["X-Shopify-Webhook-Id"]
    headers, body = by_topic["products/update"]
    payload = shop.verify_delivery(headers, body, SECRET).payload
    assert payload["admin_graphql_api_id"] == made["id"]
    assert Decimal(payload["variants"][0]["price"]) == Decimal("10.90")
    with pytest.raises(SignatureInvalid):
        shop.verify_delivery(headers, body + b" ", SECRET)  # one byte more: the HMAC no longer matches
    assert json.loads(body)["id"] == int(made["id"].rsplit("/", 1)[-1])


def test_an_uninstall_is_delivered_and_the_token_stops_working(shop, sb, receiver):
    shop.register_webhooks(receiver.url, SECRET, ["app.uninstalled"])
    sb.control("POST", "/uninstall")
    sent = sb.control("GET", "/deliveries", params={"wait": 5})
    assert [d["topic"] for d in sent] == ["app/uninstalled"]
    headers, body = receiver.received[0]
    assert shop.verify_delivery(headers, body, SECRET).topic == "app.uninstalled"  # the intake's words
    with pytest.raises(AuthenticationFailed):
        shop.settings()
