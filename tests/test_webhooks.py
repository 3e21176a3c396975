"""Webhooks end to end: the shop sandbox delivers to the portal's live server."""

import base64
import hashlib
import hmac
import json
import uuid

import pytest
import requests
from django.urls import reverse
from django_q.models import OrmQ

from integration import tasks, webshops
from integration.models import Tenant, WebhookDelivery
from integration.webshops import setup as webshop_setup
from integration.webshops.base import ProductWrite

pytestmark = pytest.mark.django_db(transaction=True)


def queued_tasks():
    return [q.func() for q in OrmQ.objects.all()]


def endpoint(live_server, tenant):
    return live_server.url + reverse("webshop_webhook", args=[tenant.public_id])


def signed(body: bytes, secret: str, delivery_id="900", topic="order.created"):
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    resource, event = topic.split(".")
    return {
        "Content-Type": "application/json",
        "X-WC-Webhook-Signature": signature,
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-ID": "1",
        "X-WC-Webhook-Delivery-ID": delivery_id,
        "X-WC-Webhook-Source": "http://shop/",
    }


@pytest.fixture
def hooked(shop_tenant, wc):
    """Webhooks registered in the shop, pointing at the live server."""
    assert webshop_setup.register_webhooks(shop_tenant) == len(webshop_setup.WEBHOOK_TOPICS)
    wc.wait_webhooks()
    shop_tenant.webshop_connection.refresh_from_db()
    return shop_tenant


def test_registration_is_answered_ping_and_webhooks_are_active(hooked, wc, live_server):
    deliveries = wc.control("GET", "/webhooks/deliveries")
    pings = [d for d in deliveries if d["topic"] == "ping"]
    assert len(pings) == 3 and all(d["status_code"] == 200 for d in pings)
    mine = [w for w in wc.control("GET", "/webhooks") if w["delivery_url"] == endpoint(live_server, hooked)]
    assert sorted(w["topic"] for w in mine) == sorted(webshop_setup.WEBHOOK_TOPICS)
    assert all(w["status"] == "active" for w in mine)


def test_an_order_placed_in_the_shop_enqueues_one_task(hooked, wc):
    product = wc.get("/products", wc.key()).json()[0]
    wc.control("POST", "/orders", {"line_items": [{"product_id": product["id"], "quantity": 1}]})
    wc.wait_webhooks()
    (delivery,) = WebhookDelivery.objects.filter(tenant=hooked, topic="order.created")
    assert delivery.outcome == WebhookDelivery.Outcome.ENQUEUED
    # the checkout also lowered the product's stock, which the shop announces as product.updated:
    # recorded for the next article sync, no task of its own
    products = WebhookDelivery.objects.filter(tenant=hooked, topic="product.updated")
    assert products and {d.outcome for d in products} == {WebhookDelivery.Outcome.RECORDED}
    assert queued_tasks() == [tasks.handle_webhook.path]


def test_a_delivery_repeated_by_the_shop_enqueues_once(hooked, live_server):
    secret = hooked.webshop_connection.webhook_secret
    body = json.dumps({"id": 4242, "status": "processing"}).encode()
    first = requests.post(endpoint(live_server, hooked), data=body, headers=signed(body, secret))
    again = requests.post(endpoint(live_server, hooked), data=body, headers=signed(body, secret))
    assert (first.status_code, again.status_code) == (202, 200)
    assert WebhookDelivery.objects.filter(tenant=hooked, delivery_id="900").count() == 1
    assert len(queued_tasks()) == 1


@pytest.mark.parametrize(
    "case", ["bad signature", "no signature", "wrong tenant", "unknown address", "oversized", "invalid json"]
)
def test_bad_deliveries_are_rejected_and_nothing_is_enqueued(hooked, live_server, settings, case, tenant_b):
    secret = hooked.webshop_connection.webhook_secret
    body = json.dumps({"id": 1}).encode()
    url, headers = endpoint(live_server, hooked), signed(body, secret)
    expected = 401
    if case == "bad signature":
        headers = signed(body, "not-the-secret")
    elif case == "no signature":
        del headers["X-WC-Webhook-Signature"]
    elif case == "wrong tenant":  # a real tenant's address, signed with another tenant's secret
        url = endpoint(live_server, tenant_b)
        tenant_b.webshop_connection.webhook_secret = "secret-of-b"
        tenant_b.webshop_connection.save()
    elif case == "unknown address":
        url, expected = live_server.url + reverse("webshop_webhook", args=[uuid.uuid4()]), 404
    elif case == "oversized":
        body = b"x" * (settings.WEBHOOK_MAX_BYTES + 1)
        headers, expected = signed(body, secret), 413
    elif case == "invalid json":
        body = b"{not json"
        headers, expected = signed(body, secret), 400
    response = requests.post(url, data=body, headers=headers)
    assert response.status_code == expected
    assert not WebhookDelivery.objects.filter(tenant=hooked).exists() and not queued_tasks()


def test_product_deliveries_enqueue_nothing_and_an_echo_is_told_apart(hooked, wc):
    shop = webshops.for_connection(hooked.webshop_connection)
    product = next(p for p in shop.products() if p.sku and p.parent_id is None)
    (outcome,) = shop.save_products(
        [ProductWrite(id=product.id, sku=product.sku, regular_price=product.regular_price + 1)]
    )
    assert outcome.ok, outcome.error
    wc.wait_webhooks()
    assert list(WebhookDelivery.objects.values_list("topic", "outcome")) == [("product.updated", "echo")]
    assert not queued_tasks()

    wc.control(
        "PATCH", f"/products/{product.id}", {"regular_price": "1.00"}
    )  # the owner edits a locked field
    wc.wait_webhooks()
    # not an echo: recorded for the next article sync, which reads the changed product and puts
    # the price back; no task of its own
    assert WebhookDelivery.objects.filter(outcome=WebhookDelivery.Outcome.RECORDED).count() == 1
    assert not queued_tasks()


def test_the_check_re_enables_a_disabled_webhook_and_recreates_a_missing_one(hooked, wc, live_server):
    key = (hooked.webshop_connection.api_key, hooked.webshop_connection.api_secret)
    mine = [w for w in wc.control("GET", "/webhooks") if w["delivery_url"] == endpoint(live_server, hooked)]
    wc.put(f"/webhooks/{mine[0]['id']}", key, json={"status": "disabled"})
    wc.delete(f"/webhooks/{mine[1]['id']}", key, params={"force": "true"})
    assert (
        tasks.check_webhooks(hooked.pk) == []
    )  # not active: a check queued before deactivation does nothing
    assert (
        len([w for w in wc.control("GET", "/webhooks") if w["delivery_url"] == endpoint(live_server, hooked)])
        == 2
    )
    Tenant.objects.filter(pk=hooked.pk).update(is_active=True)
    done = tasks.check_webhooks(hooked.pk)
    assert len(done) == 2, done
    after = [w for w in wc.control("GET", "/webhooks") if w["delivery_url"] == endpoint(live_server, hooked)]
    assert sorted(w["topic"] for w in after) == sorted(webshop_setup.WEBHOOK_TOPICS)
    assert all(w["status"] == "active" for w in after)
