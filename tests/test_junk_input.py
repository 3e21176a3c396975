"""Junk at the two doors the shop's servers use — the webhook endpoint and the key-approval
callback: every input is answered 4xx, nothing is queued or changed, nothing is logged at ERROR.
And a delivery is the same delivery again by its signed content, not by its unsigned ID header."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from integration.models import AuditEntry, JobLease, KeyApproval, WebhookDelivery, WebshopConnection
from integration.webshops import setup as webshop_setup

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "whsec_of_a"  # tenant_a's webhook secret (tests/conftest.py)
NONCE = "a-pending-approval-nonce"


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def delivery(
    body: bytes | dict | list | str,
    topic: str = "order.updated",
    delivery_id: str | None = "77",
    signed: bool = True,
    **extra: str,
) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": topic.split(".")[0],
        "X-WC-Webhook-Event": topic.split(".")[-1],
        "X-WC-Webhook-ID": "3",
    }
    if delivery_id is not None:
        headers["X-WC-Webhook-Delivery-ID"] = delivery_id
    if signed:
        headers["X-WC-Webhook-Signature"] = sign(raw)
    headers.update(extra)
    return raw, headers


NESTED_LIST = b"[" * 100_000 + b"]" * 100_000
NESTED_OBJECT = b'{"id": 1, "a": ' * 5_000 + b"1" + b"}" * 5_000

WEBHOOK_JUNK: dict[str, tuple[bytes, dict[str, str]]] = {
    "nested list": delivery(NESTED_LIST),
    "nested object": delivery(NESTED_OBJECT),
    "topic over 60 characters": delivery({"id": 1}, topic="order." + "u" * 60),
    "topic without an event": delivery({"id": 1}, topic="order"),
    "empty topic": delivery({"id": 1}, topic=""),
    "topic with odd characters": delivery({"id": 1}, topic="order.upd'ated;--"),
    "delivery id over 100": delivery({"id": 1}, delivery_id="d" * 101),
    "id over 40 digits": delivery({"id": int("9" * 41)}),
    "id as a list": delivery({"id": [1, 2]}),
    "id as an object": delivery({"id": {"$gt": 1}}),
    "id as a fraction": delivery({"id": 1.5}),
    "id as true": delivery({"id": True}),
    "id with letters": delivery({"id": "12abc"}),
    "negative id": delivery({"id": -5}),
    "id in Arabic digits": delivery({"id": "١٢٣"}),
    "body a JSON list": delivery([{"id": 1}]),
    "body a JSON string": delivery("order"),
    "body a JSON number": delivery(b"42"),
    "body not UTF-8": delivery(b'{"id": "\xff\xfe"}'),
    "empty body, signed": delivery(b""),
    "no signature": delivery({"id": 1}, signed=False),
    "wrong signature": delivery({"id": 1}, **{"X-WC-Webhook-Signature": sign(b'{"id": 1}', "guess")}),
    "signature not base64": delivery({"id": 1}, **{"X-WC-Webhook-Signature": "äöå<script>"}),
    "ping with junk id": delivery(b"webhook_id=abc", signed=False),
    "form body": delivery(b"id=1&topic=order.created", signed=False),
}


@pytest.fixture
def pending_approval(tenant_a, owner_a) -> KeyApproval:
    return KeyApproval.objects.create(
        tenant=tenant_a,
        started_by=owner_a,
        nonce_hash=webshop_setup.nonce_hash(NONCE),
        shop_url=tenant_a.webshop_connection.base_url,
    )


GOOD_KEYS = {
    "user_id": NONCE,
    "consumer_key": "ck_" + "a" * 40,
    "consumer_secret": "cs_" + "b" * 40,
    "key_permissions": "read_write",
    "key_id": 1,
}

CALLBACK_JUNK: dict[str, bytes] = {
    "a JSON list": json.dumps([GOOD_KEYS]).encode(),
    "a JSON string": b'"user_id"',
    "a JSON number": b"7",
    "null": b"null",
    "nested list": NESTED_LIST[:5_000] + NESTED_LIST[-5_000:],
    "nested object": b'{"a": ' * 3_000 + b"1" + b"}" * 3_000,
    "not JSON": b"{user_id: 1",
    "not UTF-8": b'{"user_id": "\xff"}',
    "empty": b"",
    "form-encoded": b"user_id=x&consumer_key=y",
    "user_id a list": json.dumps({**GOOD_KEYS, "user_id": [NONCE]}).encode(),
    "user_id a number": json.dumps({**GOOD_KEYS, "user_id": 123}).encode(),
    "user_id very long": json.dumps({**GOOD_KEYS, "user_id": NONCE * 300}).encode(),
    "unknown nonce": json.dumps({**GOOD_KEYS, "user_id": "guessed"}).encode(),
    "consumer_key an object": json.dumps({**GOOD_KEYS, "consumer_key": {"a": 1}}).encode(),
    "consumer_key empty": json.dumps({**GOOD_KEYS, "consumer_key": ""}).encode(),
    "consumer_secret missing": json.dumps(
        {k: v for k, v in GOOD_KEYS.items() if k != "consumer_secret"}
    ).encode(),
    "read-only key": json.dumps({**GOOD_KEYS, "key_permissions": "read"}).encode(),
    "permissions a list": json.dumps({**GOOD_KEYS, "key_permissions": ["read_write"]}).encode(),
    "too large": json.dumps({**GOOD_KEYS, "padding": "x" * 20_000}).encode(),
}


def test_junk_webhooks_and_callbacks_are_answered_4xx_and_change_nothing(
    client, tenant_a, pending_approval, caplog
):
    url = reverse("webshop_webhook", args=[tenant_a.public_id])
    keys_url = reverse("webshop_keys")
    before = (
        list(WebhookDelivery.objects.values_list("pk", flat=True)),
        AuditEntry.objects.count(),
        WebshopConnection.objects.filter(tenant=tenant_a)
        .values("api_key", "api_secret", "webhook_secret")
        .get(),
    )  # noqa: E501
    answers: dict[str, int] = {}
    with caplog.at_level(logging.WARNING):
        for name, (body, headers) in WEBHOOK_JUNK.items():
            answers[f"webhook: {name}"] = client.generic(
                "POST", url, body, content_type="application/json", headers=headers
            ).status_code
        body, headers = delivery({"id": 1})
        answers["webhook: Content-Length not a number"] = client.generic(
            "POST", url, body, content_type="application/json", headers=headers, CONTENT_LENGTH="many"
        ).status_code
        answers["webhook: Content-Length negative"] = client.generic(
            "POST", url, body, content_type="application/json", headers=headers, CONTENT_LENGTH="-1"
        ).status_code
        answers["webhook: Content-Length huge"] = client.generic(
            "POST", url, body, content_type="application/json", headers=headers, CONTENT_LENGTH="9" * 30
        ).status_code
        answers["webhook: unknown address"] = client.generic(
            "POST", reverse("webshop_webhook", args=[uuid.uuid4()]), body, headers=headers
        ).status_code
        answers["webhook: GET"] = client.get(url).status_code
        for name, body in CALLBACK_JUNK.items():
            answers[f"callback: {name}"] = client.generic(
                "POST", keys_url, body, content_type="application/json"
            ).status_code
        answers["callback: Content-Length not a number"] = client.generic(
            "POST", keys_url, json.dumps(GOOD_KEYS), content_type="application/json", CONTENT_LENGTH="x"
        ).status_code
        answers["callback: GET"] = client.get(keys_url, {"user_id": NONCE}).status_code

    assert len(answers) >= 30
    assert {name: status for name, status in answers.items() if not 400 <= status < 500} == {}
    assert not OrmQ.objects.exists()
    assert (
        list(WebhookDelivery.objects.values_list("pk", flat=True)),
        AuditEntry.objects.count(),
        WebshopConnection.objects.filter(tenant=tenant_a)
        .values("api_key", "api_secret", "webhook_secret")
        .get(),
    ) == before  # noqa: E501
    pending_approval.refresh_from_db()
    assert pending_approval.used_at is None  # junk does not use up the owner's approval
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    # and the approval still works once, for the real keys
    assert client.post(keys_url, GOOD_KEYS, content_type="application/json").status_code == 200


def test_a_replayed_body_with_a_new_or_missing_delivery_id_is_received_once(client, tenant_a):
    url = reverse("webshop_webhook", args=[tenant_a.public_id])
    order = {"id": 4242, "status": "processing", "date_modified": "2026-12-05T00:00:00"}
    statuses = [
        client.generic("POST", url, body, content_type="application/json", headers=headers).status_code
        for body, headers in (
            delivery(order, delivery_id="1"),
            delivery(order, delivery_id="2"),
            delivery(order, delivery_id=None),
            delivery(order, delivery_id="x" * 100),
        )
    ]
    assert statuses == [202, 200, 200, 200]
    assert OrmQ.objects.count() == 1
    changed = {**order, "status": "completed"}  # the same order changed again: a new delivery
    body, headers = delivery(changed, delivery_id="1")
    assert (
        client.generic("POST", url, body, content_type="application/json", headers=headers).status_code == 202
    )
    # received again: it joins the order run already queued and not started (one run takes both)
    assert OrmQ.objects.count() == 1 and waiting_ids(tenant_a) == [order["id"]]


def waiting_ids(tenant):
    """The shop orders the tenant's queued (not started) order run will take."""
    return sorted(JobLease.objects.get(tenant=tenant, lock=JobLease.Lock.ORDERS).waiting_ids)


def test_deliveries_over_the_per_minute_cap_are_recorded_not_queued(client, tenant_a, settings):
    settings.WEBHOOK_MAX_PER_MINUTE = 2
    WebhookDelivery.objects.filter(tenant=tenant_a).delete()  # the fixture's own delivery would count
    url = reverse("webshop_webhook", args=[tenant_a.public_id])
    statuses = []
    for n in range(4):
        body, headers = delivery({"id": 100 + n}, topic="order.created", delivery_id=str(n))
        statuses.append(
            client.generic("POST", url, body, content_type="application/json", headers=headers).status_code
        )
    assert statuses == [202, 202, 200, 200]
    assert OrmQ.objects.count() == 1 and waiting_ids(tenant_a) == [100, 101]  # one queued run takes both
    throttled = WebhookDelivery.objects.filter(tenant=tenant_a, outcome=WebhookDelivery.Outcome.THROTTLED)
    assert sorted(throttled.values_list("resource_id", flat=True)) == ["102", "103"]
