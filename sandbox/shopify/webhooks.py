"""Webhook deliveries as Shopify sends them: a POST of the JSON body with its headers, the HMAC a
base64 HMAC-SHA256 of the raw body keyed with the app's client secret (verify-deliveries page).
``POST /_sandbox/deliver`` sends one by hand; ``Dispatcher`` sends them when the store changes, to
every subscription (``webhookSubscriptionCreate``) of the topic, from a background thread.

Payloads are the REST-shaped JSON Shopify sends, reduced to the fields Silta reads (``id``,
``admin_graphql_api_id`` and a few more: ``payload_of``); docs/shopify-unknowns.md W2."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import threading
import time
import uuid
from typing import Any

import requests


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def delivery(
    topic: str,
    shop: str,
    payload: Any,
    secret: str,
    *,
    webhook_id: str | None = None,
    api_version: str = "2026-01",
) -> tuple[dict[str, str], bytes]:
    """(headers, body) of one delivery; ``webhook_id`` repeats a delivery (a retry) when given."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": api_version,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Hmac-SHA256": sign(body, secret),
    }
    return headers, body


def send(
    url: str, topic: str, shop: str, payload: Any, secret: str, *, webhook_id: str | None = None
) -> dict:
    headers, body = delivery(topic, shop, payload, secret, webhook_id=webhook_id)
    try:
        r = requests.post(url, data=body, headers=headers, timeout=10)
        status: int | None = r.status_code
    except requests.RequestException:
        status = None
    return {"status": status, "webhook_id": headers["X-Shopify-Webhook-Id"]}


def topic_header(topic: str) -> str:
    """``ORDERS_PAID`` -> ``orders/paid`` (the X-Shopify-Topic form)."""
    resource, _, event = topic.lower().partition("_")
    return f"{resource}/{event}"


def _number(gid_: str) -> int:
    return int(str(gid_).rsplit("/", 1)[-1])


def payload_of(kind: str, record: dict) -> dict:
    """The fields of a REST-shaped payload the sandbox sends (a subset; see the module doc)."""
    base = {"id": _number(record["id"]), "admin_graphql_api_id": record["id"]}
    if kind == "order":
        return {
            **base,
            "name": record.get("name"),
            "updated_at": record.get("updatedAt"),
            "cancelled_at": record.get("cancelledAt"),
            "email": record.get("email"),
        }
    if kind == "refund":
        return {**base, "order_id": _number(record["_order_id"]), "created_at": record.get("createdAt")}
    if kind == "shop":
        return {**base, "name": record.get("name"), "myshopify_domain": record.get("myshopifyDomain")}
    return base


class Dispatcher:
    """Queues a delivery per subscription of a topic (call with the store's lock held) and posts
    them from one background thread; ``sent`` records every attempt (tests, the control API)."""

    def __init__(self, store: Any):
        self.store = store
        self.queue: queue.Queue = queue.Queue()
        self.sent: list[dict] = []
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def emit(self, topic: str, payload: dict) -> None:
        subs = [s for s in self.store.subscriptions.values() if s["topic"] == topic]
        if not subs:
            return
        secret = self.store.settings["apps"][0]["client_secret"]
        shop = self.store.settings["shop_domain"]
        for sub in subs:
            self.queue.put((sub["uri"], topic_header(topic), shop, payload, secret))
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="shopify-sandbox-webhooks", daemon=True
                )
                self._thread.start()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.queue.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def _run(self) -> None:
        while True:
            uri, topic, shop, payload, secret = self.queue.get()
            try:
                result = send(uri, topic, shop, payload, secret)
                self.sent.append({"uri": uri, "topic": topic, **result})
            except Exception:  # noqa: BLE001 - a delivery bug must not stop the thread
                pass
            finally:
                self.queue.task_done()
