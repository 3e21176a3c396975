"""Claiming one order's transfer: the database row that makes a transfer happen exactly once.

The row is committed before the remote call. A claim is a conditional UPDATE that bumps a
token (fencing): only the worker holding the current token may record the outcome, and a
worker killed mid-call leaves a lease that expires, after which the next worker looks the
document up in eAccounting before creating anything.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from ..models import OrderTransfer


def lease() -> timedelta:
    """Much longer than one POST can take (timeout × budget wait), so a live call is never taken over."""
    return timedelta(seconds=settings.SILTA_ORDER_LEASE_SECONDS)

OPEN = (OrderTransfer.Status.PENDING, OrderTransfer.Status.WAITING)


@dataclass(frozen=True)
class Claim:
    transfer_id: int
    token: int
    resumed: bool  # a previous attempt may have created the document: look it up first


def claim(transfer: OrderTransfer) -> Claim | None:
    """Take the transfer for one attempt, or None when it is done or another worker holds it."""
    now = timezone.now()
    claimable = Q(status__in=OPEN) | Q(status=OrderTransfer.Status.SENDING, lease_until__lt=now)
    resumed = transfer.status == OrderTransfer.Status.SENDING
    updated = OrderTransfer.objects.filter(claimable, pk=transfer.pk, token=transfer.token).update(
        status=OrderTransfer.Status.SENDING, token=F("token") + 1, lease_until=now + lease(),
        attempts=F("attempts") + 1, sending_since=transfer.sending_since or now,
    )
    if not updated:
        return None
    return Claim(transfer.pk, transfer.token + 1, resumed)


def finish(claim: Claim, **fields) -> bool:
    """Record the outcome if the claim still holds (False: another worker took over)."""
    fields.setdefault("lease_until", None)
    return bool(OrderTransfer.objects.filter(pk=claim.transfer_id, token=claim.token).update(**fields))


def release(claim: Claim) -> None:
    """The outcome is unknown: let the next attempt (which will look the document up) start at once."""
    OrderTransfer.objects.filter(pk=claim.transfer_id, token=claim.token).update(lease_until=timezone.now())
