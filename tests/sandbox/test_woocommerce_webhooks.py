"""Webhooks: creation ping, signed deliveries, disabling after 5 failures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs

import pytest

from sandbox.woocommerce.testing import Receiver

SECRET = "salaisuus"


SANDBOX = "woocommerce"


@pytest.fixture
def key(sb):
    sb.reset(seed={"products": 20, "orders": 0, "seed": 2})
    return sb.key("read_write")


def _hook(sb, key, url, topic, **kw):
    r = sb.post(
        "/webhooks", key, json={"name": topic, "topic": topic, "delivery_url": url, "secret": SECRET, **kw}
    )
    assert r.status_code == 201, r.text
    return r.json()


def _verify(req) -> None:
    expected = base64.b64encode(hmac.new(SECRET.encode(), req.body, hashlib.sha256).digest()).decode()
    assert req.headers["X-WC-Webhook-Signature"] == expected


def test_ping_on_create(sb, key):
    with Receiver() as rx:
        hook = _hook(sb, key, rx.url + "/hook", "product.updated")
        assert hook["status"] == "active" and hook["resource"] == "product" and hook["event"] == "updated"
        assert "woocommerce_update_product" in hook["hooks"]
        ping = rx.wait_for(1)[0]
        assert ping.method == "POST" and ping.path == "/hook"
        assert ping.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert parse_qs(ping.body.decode()) == {"webhook_id": [str(hook["id"])]}
        assert "X-WC-Webhook-Signature" not in ping.headers


def test_product_updated_delivery_is_signed(sb, key):
    product = sb.get("/products", key, params={"type": "simple"}).json()[0]
    with Receiver() as rx:
        hook = _hook(sb, key, rx.url, "product.updated")
        rx.wait_for(1)  # ping
        sb.put(f"/products/{product['id']}", key, json={"name": "Uusi nimi"})
        sb.control("POST", f"/products/{product['id']}", {"regular_price": "99.00"})  # by hand in wp-admin
        got = rx.wait_for(3)[1:]
        for req in got:
            _verify(req)
            assert req.headers["Content-Type"] == "application/json"
            assert req.headers["X-WC-Webhook-Topic"] == "product.updated"
            assert req.headers["X-WC-Webhook-Resource"] == "product"
            assert req.headers["X-WC-Webhook-Event"] == "updated"
            assert req.headers["X-WC-Webhook-ID"] == str(hook["id"])
            assert req.headers["X-WC-Webhook-Source"] == sb.url + "/"
            assert req.headers["X-WC-Webhook-Delivery-ID"].isdigit()
        first, second = (r.json() for r in got)
        assert first["id"] == product["id"] and first["name"] == "Uusi nimi"
        assert second["regular_price"] == "99.00"
        assert second == sb.get(f"/products/{product['id']}", key).json()  # the REST representation
        assert b"\\/" in got[0].body  # encoded like PHP: sign the raw bytes, not a re-serialisation
        assert got[0].headers["X-WC-Webhook-Delivery-ID"] != got[1].headers["X-WC-Webhook-Delivery-ID"]


def test_order_created_and_updated(sb, key):
    product = sb.get("/products", key, params={"type": "simple", "stock_status": "instock"}).json()[0]
    with Receiver() as rx:
        _hook(sb, key, rx.url + "/created", "order.created")
        _hook(sb, key, rx.url + "/updated", "order.updated")
        rx.wait_for(2)
        order = sb.control(
            "POST",
            "/orders",
            {
                "line_items": [{"product_id": product["id"], "quantity": 1}],
                "payment_method": "bacs",
                "status": "on-hold",
            },
        )
        sb.put(f"/orders/{order['id']}", key, json={"status": "completed"})
        got = rx.wait_for(4)[2:]
        by_path = {r.path: r for r in got}
        created, updated = by_path["/created"], by_path["/updated"]
        _verify(created)
        _verify(updated)
        assert created.json()["id"] == order["id"] and created.json()["status"] == "on-hold"
        assert updated.json()["status"] == "completed" and updated.headers["X-WC-Webhook-Event"] == "updated"


def test_disabled_after_five_consecutive_failures(sb, key):
    product = sb.get("/products", key).json()[0]
    with Receiver(statuses=[200, 500]) as rx:  # ping ok, then every delivery fails
        hook = _hook(sb, key, rx.url, "product.updated")
        rx.wait_for(1)
        for i in range(7):
            sb.put(f"/products/{product['id']}", key, json={"name": f"Nimi {i}"})
        sb.wait_webhooks()
        assert len(rx.received) == 1 + 5  # no deliveries once disabled
        assert sb.get(f"/webhooks/{hook['id']}", key).json()["status"] == "disabled"
        internal = {w["id"]: w for w in sb.control("GET", "/webhooks")}
        assert internal[hook["id"]]["failure_count"] == 5
        # re-enabling via the API resets the count
        assert sb.put(f"/webhooks/{hook['id']}", key, json={"status": "active"}).json()["status"] == "active"
        rx.statuses = [200]
        sb.put(f"/products/{product['id']}", key, json={"name": "Taas"})
        sb.wait_webhooks()
        assert rx.received[-1].json()["name"] == "Taas"


def test_connection_errors_count_and_success_resets(sb, key):
    product = sb.get("/products", key).json()[0]
    hook = _hook(sb, key, "http://127.0.0.1:9/unreachable", "product.updated")
    for i in range(3):
        sb.put(f"/products/{product['id']}", key, json={"name": f"N{i}"})
    sb.wait_webhooks()
    internal = {w["id"]: w for w in sb.control("GET", "/webhooks")}
    assert internal[hook["id"]]["failure_count"] == 3
    assert sb.get(f"/webhooks/{hook['id']}", key).json()["status"] == "active"
    deliveries = [d for d in sb.control("GET", "/webhooks/deliveries") if d["webhook_id"] == hook["id"]]
    assert any(d.get("error") for d in deliveries)


def test_retries_when_configured(sb, key):
    sb.control("POST", "/settings", {"webhook_retries": 2, "webhook_retry_delay": 0.01})
    try:
        product = sb.get("/products", key).json()[0]
        with Receiver(statuses=[200, 503, 200]) as rx:
            _hook(sb, key, rx.url, "product.updated")
            rx.wait_for(1)
            sb.put(f"/products/{product['id']}", key, json={"name": "Retry"})
            got = rx.wait_for(3)
            assert got[1].body == got[2].body
            assert got[1].headers["X-WC-Webhook-Delivery-ID"] != got[2].headers["X-WC-Webhook-Delivery-ID"]
    finally:
        sb.control("POST", "/settings", {"webhook_retries": 0})


def test_webhook_validation_and_crud(sb, key):
    r = sb.post("/webhooks", key, json={"topic": "nope.nope", "delivery_url": "http://127.0.0.1:9/"})
    assert r.status_code == 400 and r.json()["code"] == "woocommerce_rest_webhook_invalid_topic"
    r = sb.post("/webhooks", key, json={"topic": "order.created", "delivery_url": "ftp://x"})
    assert r.status_code == 400
    hook = _hook(sb, key, "http://127.0.0.1:9/x", "order.created", status="paused")
    assert sb.get("/webhooks", key, params={"status": "paused"}).json()[0]["id"] == hook["id"]
    assert sb.delete(f"/webhooks/{hook['id']}", key).status_code == 501
    assert sb.delete(f"/webhooks/{hook['id']}", key, params={"force": "true"}).status_code == 200
    assert sb.get(f"/webhooks/{hook['id']}", key).status_code == 404
    _ = json  # (payloads are compared as parsed JSON above)


def test_variation_stock_change_delivers_product_shaped_variation(sb, key):
    parent = sb.get("/products", key, params={"type": "variable"}).json()[0]
    variation = sb.get(f"/products/{parent['id']}/variations", key).json()[0]
    sb.put(f"/products/{parent['id']}/variations/{variation['id']}", key, json={"stock_quantity": 10})
    with Receiver() as rx:
        _hook(sb, key, rx.url, "product.updated")
        rx.wait_for(1)
        sb.control(
            "POST",
            "/orders",
            {"line_items": [{"variation_id": variation["id"], "quantity": 2}], "payment_method": "paytrail"},
        )
        payload = rx.wait_for(2)[1].json()
        assert payload["id"] == variation["id"] and payload["type"] == "variation"
        assert payload["parent_id"] == parent["id"] and payload["stock_quantity"] == 8
        assert payload == sb.get(f"/products/{variation['id']}", key).json()
