"""A person's decision that an order (or what waits on it: a refund, a change) was entered in eAccounting by hand.

Some waits have no fix in Silta by design (an order in another currency, a refund of a line the transferred order
never booked): the reason says what to enter in eAccounting, and this ends the wait without a document. Only what
waits for a person or is held is ended (never work being sent), the decision is audited (who, what) and is the
order's event "Entered by hand" (its timeline says it in the reader's language), and the row is "Not done" for
good: later runs leave it alone.
"""

from django.db import transaction
from django.utils import timezone

from integration.models import AuditEntry, OrderStep, OrderTransfer
from integration.people import audit

from . import events

ENDS = (OrderTransfer.Status.WAITING, OrderTransfer.Status.HELD)


def waits_for_a_person(transfer: OrderTransfer) -> bool:
    return transfer.status in ENDS or transfer.steps.filter(status__in=ENDS).exists()


def mark_booked_by_hand(transfer: OrderTransfer, user) -> int:
    """End the order's waits (the transfer's and its steps'); how many rows it ended."""
    text = "Entered in eAccounting by hand; Silta does not transfer it."
    now = timezone.now()
    with transaction.atomic():
        ended = OrderTransfer.objects.filter(pk=transfer.pk, status__in=ENDS).update(
            status=OrderTransfer.Status.SKIPPED, reason="", reason_codes=[], updated_at=now
        )
        steps = list(transfer.steps.filter(status__in=ENDS).values_list("kind", flat=True))
        ended += OrderStep.objects.filter(transfer=transfer, status__in=ENDS).update(
            status=OrderStep.Status.SKIPPED, reason="", reason_codes=[], updated_at=now
        )
        if ended:
            events.record(transfer, events.Kind.BY_HAND, steps=steps)
            audit.record(
                transfer.tenant,
                user,
                AuditEntry.Action.BOOKED_BY_HAND,
                f"Web order {transfer.shop_order_number}",
                text if not steps else f"{text} Steps: {', '.join(steps)}.",
            )
    return ended
