"""Taking a webhook delivery from a tenant's shop: verify, record once, enqueue work. Nothing else.

The import itself never runs in the request: it is a django-q2 task, enqueued
after the delivery is recorded and committed.
"""

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from integration import tasks, webshops
from integration.models import Tenant, WebhookDelivery
from integration.webshops.base import PayloadInvalid, SignatureInvalid

# Topics that start work (a handle_webhook task); other topics are recorded and ignored.
HANDLED_TOPICS = {"order.created", "order.updated", "product.updated", "product.created"}


@dataclass
class Answer:
    status: int
    message: str


def receive(tenant: Tenant, headers, body: bytes) -> Answer:
    connection = getattr(tenant, "webshop_connection", None)
    if connection is None or not connection.webhook_secret:
        return Answer(404, "no webshop with webhooks for this address")
    shop = webshops.for_connection(connection)
    try:
        delivery = shop.verify_delivery(headers, body, connection.webhook_secret)
    except SignatureInvalid:
        return Answer(401, "signature missing or invalid")
    except PayloadInvalid as exc:
        return Answer(400, str(exc))
    if delivery.is_ping:
        return Answer(200, "pong")
    resource_id = str((delivery.payload or {}).get("id", ""))
    if delivery.topic not in HANDLED_TOPICS:
        outcome = WebhookDelivery.Outcome.IGNORED
    elif delivery.topic.startswith("product.") and shop.is_echo(delivery.payload or {}):
        outcome = WebhookDelivery.Outcome.ECHO
    else:
        outcome = WebhookDelivery.Outcome.ENQUEUED
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(
                tenant=tenant, delivery_id=delivery.delivery_id or f"missing-{uuid.uuid4()}", topic=delivery.topic,
                resource_id=resource_id, outcome=outcome,
            )
            if outcome == WebhookDelivery.Outcome.ENQUEUED:
                tasks.handle_webhook.enqueue(tenant.pk, delivery.topic, resource_id)
    except IntegrityError:
        return Answer(200, "already received")  # WooCommerce delivers again after a timeout
    return Answer(202 if outcome == WebhookDelivery.Outcome.ENQUEUED else 200, outcome.label)
