"""While a shop's order webhooks arrive, its scheduled poll (the safety net for a lost delivery) runs
at most every SILTA_ORDER_POLL_WITH_WEBHOOKS_SECONDS; without webhooks it runs at its interval."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integration import tasks
from integration.models import SyncCursor, WebhookDelivery
from integration.orders.transfer import ORDERS_CURSOR
from integration.scheduling import order_polls

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_deliveries(tenant_a, tenant_b):
    WebhookDelivery.objects.all().delete()  # the tenant fixtures come with one each


def polled(tenant, ago: timedelta) -> None:
    SyncCursor.objects.update_or_create(
        tenant=tenant, name=ORDERS_CURSOR, defaults={"value": timezone.now() - ago}
    )


def delivered(tenant, topic: str, ago: timedelta) -> None:
    row = WebhookDelivery.objects.create(
        tenant=tenant,
        delivery_id=str(WebhookDelivery.objects.count()),
        topic=topic,
        resource_id="5",
        content_key=f"{topic}{ago}",
        outcome=WebhookDelivery.Outcome.ENQUEUED,
    )
    WebhookDelivery.objects.filter(pk=row.pk).update(received_at=timezone.now() - ago)


def test_without_webhooks_the_poll_runs_at_its_interval(tenant_a, settings):
    settings.SILTA_ORDER_POLL_WITH_WEBHOOKS_SECONDS = 600
    assert order_polls.due(tenant_a.pk)  # never polled
    polled(tenant_a, timedelta(minutes=1))
    assert order_polls.due(tenant_a.pk)
    delivered(tenant_a, "product.updated", timedelta(minutes=5))  # not an order's
    assert order_polls.due(tenant_a.pk)


def test_while_order_webhooks_arrive_the_poll_runs_every_ten_minutes(tenant_a, tenant_b, settings):
    settings.SILTA_ORDER_POLL_WITH_WEBHOOKS_SECONDS = 600
    delivered(tenant_a, "order.created", timedelta(hours=3))
    polled(tenant_a, timedelta(minutes=2))
    assert not order_polls.due(tenant_a.pk)
    assert tasks.transfer_orders(tenant_a.pk) == "the shop's webhooks bring the orders; polled again later"
    polled(tenant_a, timedelta(minutes=11))
    assert order_polls.due(tenant_a.pk)
    polled(tenant_b, timedelta(minutes=2))  # another tenant's webhooks say nothing of this one's
    assert order_polls.due(tenant_b.pk)


def test_webhooks_silent_for_a_day_bring_the_poll_back_to_its_interval(tenant_a, settings):
    settings.SILTA_ORDER_POLL_WITH_WEBHOOKS_SECONDS = 600
    delivered(tenant_a, "order.updated", timedelta(hours=25))
    polled(tenant_a, timedelta(minutes=2))
    assert order_polls.due(tenant_a.pk)
