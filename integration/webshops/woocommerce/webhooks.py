"""WooCommerce webhook deliveries: signature check and parsing (pure).

A delivery is a POST of the resource's REST JSON with headers ``X-WC-Webhook-Topic``,
``-Resource``, ``-Event``, ``-ID``, ``-Delivery-ID`` and ``-Signature`` =
base64(HMAC-SHA256(raw body, secret)). The ping WooCommerce sends when a webhook is
created is a form-encoded ``webhook_id=<id>`` body without a signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping

from ..base import PayloadInvalid, SignatureInvalid, WebhookDelivery

PING = re.compile(rb"^webhook_id=(\d+)$")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup (Django's ``request.headers`` is; a plain dict is not)."""
    value = headers.get(name)
    if value is None:
        lname = name.lower()
        for k, v in headers.items():
            if k.lower() == lname:
                return v
    return value


def signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify(headers: Mapping[str, str], body: bytes, secret: str) -> WebhookDelivery:
    body = bytes(body or b"")
    given = header(headers, "X-WC-Webhook-Signature")
    if not given:
        m = PING.match(body.strip())
        if m:
            return WebhookDelivery(
                is_ping=True,
                webhook_id=int(m.group(1)),
                delivery_id=None,
                topic="ping",
                resource="",
                event="",
                payload=None,
            )
        raise SignatureInvalid("The delivery has no signature (X-WC-Webhook-Signature).", status=401)
    if not secret:
        raise SignatureInvalid("No webhook secret is configured for this shop.", status=401)
    expected = signature(body, secret)
    if not hmac.compare_digest(expected.encode(), given.strip().encode()):
        raise SignatureInvalid("The delivery's signature does not match the webhook secret.", status=401)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PayloadInvalid("The delivery's body is not JSON.", status=400) from None
    except RecursionError:
        raise PayloadInvalid("The delivery's JSON is nested too deeply.", status=400) from None
    if not isinstance(payload, dict):
        raise PayloadInvalid("The delivery's body is not a JSON object.", status=400)
    topic = header(headers, "X-WC-Webhook-Topic") or ""
    resource = header(headers, "X-WC-Webhook-Resource") or (topic.split(".", 1)[0] if topic else "")
    event = header(headers, "X-WC-Webhook-Event") or (topic.split(".", 1)[1] if "." in topic else "")
    wid = header(headers, "X-WC-Webhook-ID")
    return WebhookDelivery(
        is_ping=False,
        webhook_id=int(wid) if wid and wid.strip().isascii() and wid.strip().isdigit() else None,
        delivery_id=header(headers, "X-WC-Webhook-Delivery-ID"),
        topic=topic,
        resource=resource,
        event=event,
        payload=payload,
    )
