"""Webhooks against the sandbox: register (and the ping), check/repair, remove, signed deliveries, echoes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from integration.webshops.base import PayloadInvalid, ProductWrite, SignatureInvalid
from sandbox.woocommerce.testing import Receiver

from .conftest import make_shop

TOPICS = ["order.created", "order.updated", "product.updated"]
SECRET = "whsec-test-0123456789"


@pytest.fixture
def rx():
    with Receiver() as r:
        yield r


@pytest.fixture
def shop(sb, fresh):
    return make_shop(sb, fresh)


def sandbox_hooks(sb, url):
    return sorted(
        (w for w in sb.control("GET", "/webhooks") if w["delivery_url"] == url), key=lambda w: w["topic"]
    )


def test_register_creates_active_signed_webhooks_and_the_shop_pings(sb, shop, rx):
    infos = shop.register_webhooks(rx.url, SECRET, TOPICS)
    assert sorted(i.topic for i in infos) == TOPICS and all(i.status == "active" for i in infos)
    hooks = sandbox_hooks(sb, rx.url)
    assert [(w["topic"], w["status"], w["secret"]) for w in hooks] == [(t, "active", SECRET) for t in TOPICS]
    pings = rx.wait_for(3)
    assert sorted(p.body.decode() for p in pings) == sorted(f"webhook_id={i.id}" for i in infos)
    delivery = shop.verify_delivery(pings[0].headers, pings[0].body, SECRET)
    assert delivery.is_ping and delivery.webhook_id in {i.id for i in infos} and delivery.payload is None
    # registering again changes nothing but the secret: no duplicates
    again = shop.register_webhooks(rx.url, "new-secret", TOPICS)
    assert {i.id for i in again} == {i.id for i in infos}
    assert {w["secret"] for w in sandbox_hooks(sb, rx.url)} == {"new-secret"}


def test_check_reenables_recreates_and_reports(sb, shop, rx, fresh):
    shop.register_webhooks(rx.url, SECRET, TOPICS)
    assert shop.check_webhooks(rx.url, SECRET, TOPICS) == []
    hooks = {w["topic"]: w for w in sandbox_hooks(sb, rx.url)}
    # the shop owner (or WooCommerce after failures) disables one, and deletes another
    assert (
        sb.put(f"/webhooks/{hooks['order.created']['id']}", fresh, json={"status": "disabled"}).status_code
        == 200
    )
    assert (
        sb.delete(f"/webhooks/{hooks['product.updated']['id']}", fresh, params={"force": "true"}).status_code
        == 200
    )
    done = shop.check_webhooks(rx.url, SECRET, TOPICS)
    assert len(done) == 2
    assert any("Re-enabled" in d and "order.created" in d and "disabled" in d for d in done)
    assert any("Recreated" in d and "product.updated" in d for d in done)
    now = sandbox_hooks(sb, rx.url)
    assert [(w["topic"], w["status"], w["secret"]) for w in now] == [(t, "active", SECRET) for t in TOPICS]
    assert shop.check_webhooks(rx.url, SECRET, TOPICS) == []


def test_check_reenables_a_webhook_disabled_by_failed_deliveries(sb, shop):
    with Receiver(statuses=500) as failing:
        shop.register_webhooks(failing.url, SECRET, ["product.updated"])
        product = next(p for p in shop.products() if p.type == "simple")
        for n in range(5):
            sb.control("PATCH", f"/products/{product.id}", {"name": f"Käsin {n}"})
            sb.wait_webhooks()
        assert sandbox_hooks(sb, failing.url)[0]["status"] == "disabled"
        done = shop.check_webhooks(failing.url, SECRET, ["product.updated"])
        assert len(done) == 1 and "Re-enabled" in done[0]
        assert sandbox_hooks(sb, failing.url)[0]["status"] == "active"


def test_remove_deletes_only_ours(sb, shop, rx):
    shop.register_webhooks(rx.url, SECRET, TOPICS)
    with Receiver() as other:
        shop.register_webhooks(other.url, SECRET, ["order.created"])
        assert shop.remove_webhooks(rx.url) == 3
        assert sandbox_hooks(sb, rx.url) == []
        assert len(sandbox_hooks(sb, other.url)) == 1
    assert shop.remove_webhooks(rx.url) == 0


def _product_deliveries(rx, n):
    received = rx.wait_for(n)
    return [r for r in received if r.headers.get("X-WC-Webhook-Topic") == "product.updated"]


def test_signed_delivery_and_echo(sb, shop, rx):
    shop.register_webhooks(rx.url, SECRET, ["product.updated"])
    rx.wait_for(1)  # the ping
    product = next(p for p in shop.products() if p.type == "simple")
    write = ProductWrite(
        sku=product.sku,
        name=product.name,
        regular_price=Decimal("19.90"),
        tax_class=product.tax_class,
        tax_status=product.tax_status,
        manage_stock=True,
        stock_quantity=8,
        id=product.id,
    )
    assert shop.save_products([write])[0].ok
    sb.wait_webhooks()
    ours = _product_deliveries(rx, 2)[-1]
    delivery = shop.verify_delivery(ours.headers, ours.body, SECRET)
    assert not delivery.is_ping and delivery.topic == "product.updated"
    assert (delivery.resource, delivery.event) == ("product", "updated")
    assert delivery.payload["id"] == product.id and delivery.delivery_id
    assert shop.is_echo(delivery.payload) is True

    # a hand edit of a field the shop owns (description) is still nothing for us
    sb.control("PATCH", f"/products/{product.id}", {"description": "<p>Uusi kuvaus</p>"})
    sb.wait_webhooks()
    text_edit = shop.verify_delivery(*_last(rx, 3), SECRET)
    assert shop.is_echo(text_edit.payload) is True

    # a hand edit of the price is not our echo
    sb.control("PATCH", f"/products/{product.id}", {"regular_price": "25.00"})
    sb.wait_webhooks()
    hand = shop.verify_delivery(*_last(rx, 4), SECRET)
    assert hand.payload["regular_price"] == "25.00"
    assert shop.is_echo(hand.payload) is False

    # a sale (checkout) changes the stock: not our echo either
    sb.control(
        "POST", "/orders", {"line_items": [{"product_id": product.id, "quantity": 1}], "set_paid": True}
    )
    sb.wait_webhooks()
    sold = shop.verify_delivery(*_last(rx, 5), SECRET)
    assert sold.payload["stock_quantity"] == 7 and shop.is_echo(sold.payload) is False

    # writing again makes the next delivery an echo again
    assert shop.save_products([write])[0].ok
    sb.wait_webhooks()
    assert shop.is_echo(shop.verify_delivery(*_last(rx, 6), SECRET).payload) is True


def test_variation_echo(sb, shop, rx):
    shop.register_webhooks(rx.url, SECRET, ["product.updated"])
    rx.wait_for(1)
    v = next(p for p in shop.products() if p.parent_id)
    assert shop.save_products(
        [ProductWrite(sku=v.sku, regular_price=Decimal("33.00"), id=v.id, parent_id=v.parent_id)]
    )[0].ok
    sb.wait_webhooks()
    delivery = shop.verify_delivery(*_last(rx, 2), SECRET)
    assert delivery.payload["id"] == v.id and shop.is_echo(delivery.payload) is True


def _last(rx, n):
    r = rx.wait_for(n)[n - 1]
    return r.headers, r.body


def test_verify_rejects_bad_deliveries(sb, shop, rx):
    shop.register_webhooks(rx.url, SECRET, ["product.updated"])
    rx.wait_for(1)
    product = next(p for p in shop.products() if p.type == "simple")
    sb.control("PATCH", f"/products/{product.id}", {"regular_price": "12.00"})
    sb.wait_webhooks()
    headers, body = _last(rx, 2)
    assert shop.verify_delivery(headers, body, SECRET).payload["id"] == product.id

    tampered = body.replace(b'"12.00"', b'"1.00"')
    assert tampered != body
    with pytest.raises(SignatureInvalid):
        shop.verify_delivery(headers, tampered, SECRET)
    unsigned = {k: v for k, v in headers.items() if k.lower() != "x-wc-webhook-signature"}
    with pytest.raises(SignatureInvalid):
        shop.verify_delivery(unsigned, body, SECRET)
    with pytest.raises(SignatureInvalid):
        shop.verify_delivery(headers, body, "wrong-secret")
    with pytest.raises(SignatureInvalid):
        shop.verify_delivery({"X-WC-Webhook-Signature": ""}, b"webhook_id=abc", SECRET)
    # lower-case header names (as some frameworks hand them over) work too
    lowered = {k.lower(): v for k, v in headers.items()}
    assert shop.verify_delivery(lowered, body, SECRET).topic == "product.updated"

    from integration.webshops.woocommerce.webhooks import signature

    not_json = b"<html>oops</html>"
    with pytest.raises(PayloadInvalid):
        shop.verify_delivery(
            {**headers, "X-WC-Webhook-Signature": signature(not_json, SECRET)}, not_json, SECRET
        )
    a_list = json.dumps([1, 2]).encode()
    with pytest.raises(PayloadInvalid):
        shop.verify_delivery({**headers, "X-WC-Webhook-Signature": signature(a_list, SECRET)}, a_list, SECRET)


def test_is_echo_without_our_hash(shop):
    assert shop.is_echo({"id": 1, "regular_price": "1.00", "meta_data": []}) is False
    assert (
        shop.is_echo({"id": 1, "meta_data": [{"id": 1, "key": "_silta_sync_hash", "value": "garbage"}]})
        is False
    )
    assert (
        shop.is_echo({"id": 1, "meta_data": [{"id": 1, "key": "_silta_sync_hash", "value": "v1:bogus:abc"}]})
        is False
    )
