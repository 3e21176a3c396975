"""Whether a tenant's scheduled order poll is worth running now.

The poll is every 2 minutes so that a polled order reaches eAccounting within 3; but when the shop's
order webhooks work, each order comes at once by its own delivery and the poll is only the safety
net for a delivery lost. A thousand tenants' polls every 2 minutes are 500 tasks a minute for the
order workers, nearly all finding nothing: so while the shop's order webhooks are seen arriving
(one within WEBHOOKS_SEEN), its poll runs at most every SILTA_ORDER_POLL_WITH_WEBHOOKS_SECONDS.
A shop whose webhooks stop (disabled after failed deliveries, until the daily check) is polled
every 2 minutes again once the last delivery is a day old; until then a lost order waits at most
that interval."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from integration.models import SyncCursor, WebhookDelivery
from integration.orders.transfer import ORDERS_CURSOR  # the last poll's start

WEBHOOKS_SEEN = timedelta(days=1)


def due(tenant_id: int, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    last_poll = (
        SyncCursor.objects.filter(tenant_id=tenant_id, name=ORDERS_CURSOR)
        .values_list("value", flat=True)
        .first()
    )
    if last_poll is None or last_poll < now - timedelta(
        seconds=settings.SILTA_ORDER_POLL_WITH_WEBHOOKS_SECONDS
    ):
        return True
    return not WebhookDelivery.objects.filter(
        tenant_id=tenant_id, topic__startswith="order.", received_at__gte=now - WEBHOOKS_SEEN
    ).exists()
