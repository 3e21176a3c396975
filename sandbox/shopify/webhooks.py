"""Webhook deliveries as Shopify sends them: a POST of the JSON body with its headers, the HMAC a
base64 HMAC-SHA256 of the raw body keyed with the app's client secret (verify-deliveries page).
``POST /_sandbox/deliver`` sends one (the subscription mutation comes with the next step)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
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
