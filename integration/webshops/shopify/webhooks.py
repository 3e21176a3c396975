"""A Shopify webhook delivery, checked on its raw body before anything is read from it (pure).

The ``X-Shopify-Hmac-SHA256`` header is the base64 HMAC-SHA256 of the raw body keyed with the
app's client secret; a delivery without it or with another value is refused (the caller answers
401, as Shopify asks of the privacy webhooks). ``X-Shopify-Webhook-Id`` identifies the delivery:
the same id again is a repeat, to be dropped by the caller's record of ids seen (W1 in
docs/shopify-unknowns.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping

from ..base import PayloadInvalid, SignatureInvalid, WebhookDelivery


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), "")


def verify_delivery(headers: Mapping[str, str], body: bytes, secret: str) -> WebhookDelivery:
    given = _header(headers, "X-Shopify-Hmac-SHA256")
    try:
        given_digest = base64.b64decode(given, validate=True)
    except (binascii.Error, ValueError):
        given_digest = b""
    expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    if not given_digest or not secret or not hmac.compare_digest(given_digest, expected):
        raise SignatureInvalid("The delivery's signature (X-Shopify-Hmac-SHA256) does not match.", status=401)
    try:
        payload = json.loads(body)
    except ValueError:
        raise PayloadInvalid("The delivery is signed but its body is not JSON.") from None
    if not isinstance(payload, dict):
        raise PayloadInvalid("The delivery is signed but its body is not a JSON object.")
    topic = _header(headers, "X-Shopify-Topic")
    resource, _, event = topic.partition("/")
    return WebhookDelivery(
        is_ping=False,
        webhook_id=None,
        delivery_id=_header(headers, "X-Shopify-Webhook-Id") or None,
        topic=topic,
        resource=resource,
        event=event,
        payload=payload,
    )


def shop_of(headers: Mapping[str, str]) -> str:
    """The store the delivery says it comes from (trust it only after ``verify_delivery``)."""
    return _header(headers, "X-Shopify-Shop-Domain").lower()
