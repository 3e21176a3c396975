"""Taking a webhook delivery from a tenant's shop: verify, record once, enqueue work (an order's joins
the tenant's order run already waiting, if one is: tasks.queue_webhook). Nothing else.

The import itself never runs in the request: it is a django-q2 task, enqueued
after the delivery is recorded and committed. A delivery is the same one again when its signed
content is (topic, resource, id and body): the delivery-ID header is not signed, so it cannot tell.
A platform whose retries keep their delivery id (Shopify's X-Shopify-Webhook-Id:
``delivery_ids_identify``) is also deduplicated by that id; a forged one still needs the HMAC.
``app.uninstalled`` (Shopify) puts the connection into needs-reconnect, which pauses the jobs.
Every malformed input is answered 4xx, never an error page.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone, translation

from integration import tasks, webshops
from integration.models import Tenant, WebhookDelivery
from integration.webshops import echo, setup
from integration.webshops.base import PayloadInvalid, SignatureInvalid

# Topics Silta uses: an order's starts work (a handle_webhook task); a product's is recorded for the
# next article sync (or dropped as an echo). Other topics are recorded and ignored.
HANDLED_TOPICS = {"order.created", "order.updated", "product.updated", "product.created"}
TOPIC = re.compile(r"^[a-z_]{1,29}\.[a-z_]{1,30}$")  # resource.event, within the column's 60 characters
MAX_DELIVERY_ID = 100  # the column
MAX_RESOURCE_ID_DIGITS = 40  # the column
# The shop removed Silta's app (Shopify's app/uninstalled): its token no longer works, so the
# connection needs reconnecting and the company's jobs pause until it is installed again.
UNINSTALLED = "app.uninstalled"
UNINSTALLED_DETAIL = "The Silta app was uninstalled from the shop: install it again to resume."


@dataclass
class Answer:
    status: int
    message: str


def content_key(topic: str, resource: str, resource_id: str, body: bytes) -> str:
    signed = hashlib.sha256(body).hexdigest()
    return hashlib.sha256("\n".join((topic, resource, resource_id, signed)).encode()).hexdigest()


def resource_id_of(payload: dict[str, Any]) -> str:
    """The resource's id as digits ("" when the payload has none); PayloadInvalid otherwise."""
    value = payload.get("id", "")
    if value == "" or value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PayloadInvalid("The delivery's id is not a number.", status=400)
    text = str(value)
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_RESOURCE_ID_DIGITS):
        raise PayloadInvalid("The delivery's id is not a number of at most 40 digits.", status=400)
    return text


def _seen(tenant: Tenant, delivery_id: str) -> bool:
    return WebhookDelivery.objects.filter(tenant=tenant, delivery_id=delivery_id).exists()


def over_the_cap(tenant: Tenant) -> bool:
    """The shop's deliveries that started work in the last minute reach WEBHOOK_MAX_PER_MINUTE."""
    since = timezone.now() - timedelta(minutes=1)
    recent = WebhookDelivery.objects.filter(
        tenant=tenant, outcome=WebhookDelivery.Outcome.ENQUEUED, received_at__gte=since
    )
    return recent.count() >= settings.WEBHOOK_MAX_PER_MINUTE


def receive(tenant: Tenant, headers, body: bytes) -> Answer:
    connection = getattr(tenant, "webshop_connection", None)
    if connection is None or not connection.webhook_secret:
        return Answer(404, "no webshop with webhooks for this address")
    shop = webshops.for_connection(connection)
    try:
        delivery = shop.verify_delivery(headers, body, connection.webhook_secret)
        if delivery.is_ping:
            return Answer(200, "pong")
        if not TOPIC.match(delivery.topic):
            raise PayloadInvalid(
                "The delivery's topic (X-WC-Webhook-Topic) is not resource.event.", status=400
            )
        if len(delivery.delivery_id or "") > MAX_DELIVERY_ID:
            raise PayloadInvalid("The delivery ID (X-WC-Webhook-Delivery-ID) is too long.", status=400)
        resource_id = resource_id_of(delivery.payload or {})
    except SignatureInvalid:
        return Answer(401, "signature missing or invalid")
    except PayloadInvalid as exc:
        return Answer(400, str(exc))
    if shop.delivery_ids_identify and delivery.delivery_id and _seen(tenant, delivery.delivery_id):
        return Answer(200, "already received")  # the shop's retry of a delivery already recorded
    if delivery.topic == UNINSTALLED:
        outcome = WebhookDelivery.Outcome.IGNORED  # no work to enqueue: the connection is paused below
    elif delivery.topic not in HANDLED_TOPICS:
        outcome = WebhookDelivery.Outcome.IGNORED
    elif delivery.topic.startswith("product.") and echo.is_echo(tenant, shop, delivery.payload or {}):
        outcome = WebhookDelivery.Outcome.ECHO
    elif delivery.topic.startswith("product."):
        outcome = WebhookDelivery.Outcome.RECORDED
    elif over_the_cap(tenant):
        outcome = WebhookDelivery.Outcome.THROTTLED
    else:
        outcome = WebhookDelivery.Outcome.ENQUEUED
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                tenant=tenant,
                delivery_id=delivery.delivery_id or "",
                topic=delivery.topic,
                resource_id=resource_id,
                content_key=content_key(delivery.topic, delivery.resource, resource_id, body),
                outcome=outcome,
            )
            if outcome == WebhookDelivery.Outcome.ENQUEUED:
                tasks.queue_webhook(tenant.pk, delivery.topic, resource_id)
            if delivery.topic == UNINSTALLED:
                setup.mark_needs_reconnect(connection, UNINSTALLED_DETAIL)
    except IntegrityError:
        return Answer(200, "already received")  # WooCommerce delivers again after a timeout; or a replay
    except DataError:  # a field the checks above let through but the database refuses
        return Answer(400, "a field of the delivery is out of range")
    with translation.override("en"):  # an answer to the shop's software, not to a person
        said = str(outcome.label)
    return Answer(202 if outcome == WebhookDelivery.Outcome.ENQUEUED else 200, said)
