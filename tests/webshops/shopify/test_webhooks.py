"""Shopify webhook deliveries: the HMAC on the raw body, the delivery id (the sandbox signs as Shopify)."""

import json

import pytest

from integration.webshops.base import PayloadInvalid, SignatureInvalid
from integration.webshops.shopify.webhooks import shop_of, verify_delivery
from sandbox.shopify.webhooks import delivery
from sandbox.woocommerce.testing import Receiver

SECRET = "silta-sandbox-secret"


def test_a_signed_delivery_is_read():
    headers, body = delivery("orders/paid", "kahvila.myshopify.com", {"id": 820982911946154500}, SECRET)
    d = verify_delivery(headers, body, SECRET)
    assert (d.topic, d.resource, d.event) == ("orders/paid", "orders", "paid")
    assert d.payload == {"id": 820982911946154500} and d.delivery_id == headers["X-Shopify-Webhook-Id"]
    assert shop_of({k.lower(): v for k, v in headers.items()}) == "kahvila.myshopify.com"


def test_a_repeat_carries_the_same_delivery_id():
    first = delivery("orders/paid", "k.myshopify.com", {"id": 1}, SECRET)
    again = delivery(
        "orders/paid", "k.myshopify.com", {"id": 1}, SECRET, webhook_id=first[0]["X-Shopify-Webhook-Id"]
    )
    assert verify_delivery(*again, SECRET).delivery_id == verify_delivery(*first, SECRET).delivery_id


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: (h, b.replace(b"1", b"2")),  # the body changed after signing
        lambda h, b: ({**h, "X-Shopify-Hmac-SHA256": "bm90IGl0"}, b),
        lambda h, b: ({k: v for k, v in h.items() if k != "X-Shopify-Hmac-SHA256"}, b),
        lambda h, b: ({**h, "X-Shopify-Hmac-SHA256": "***"}, b),
    ],
)
def test_a_forged_delivery_is_refused(tamper):
    headers, body = tamper(*delivery("orders/paid", "k.myshopify.com", {"id": 1}, SECRET))
    with pytest.raises(SignatureInvalid):
        verify_delivery(headers, body, SECRET)
    with pytest.raises(SignatureInvalid):  # and with another app's secret
        verify_delivery(*delivery("orders/paid", "k.myshopify.com", {"id": 1}, "other"), SECRET)


def test_a_signed_body_that_is_not_an_object_is_invalid():
    headers, body = delivery("orders/paid", "k.myshopify.com", [1, 2], SECRET)
    with pytest.raises(PayloadInvalid):
        verify_delivery(headers, body, SECRET)


def test_the_sandbox_delivers_over_http(sb, token):
    with Receiver() as rx:
        sent = sb.control(
            "POST",
            "/deliver",
            {
                "url": rx.url + "/hook",
                "topic": "app/uninstalled",
                "payload": {"id": 1, "domain": "silta-sandbox.myshopify.com"},
            },
        )
        got = rx.wait_for(1)[0]
    assert sent["status"] == 200
    d = verify_delivery(got.headers, got.body, SECRET)
    assert d.topic == "app/uninstalled" and json.loads(got.body)["domain"] == "silta-sandbox.myshopify.com"
    assert d.delivery_id == sent["webhook_id"]
