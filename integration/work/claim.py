"""Claiming one order's transfer (or a later step of it): the row that makes it happen exactly once.

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

from integration.models import TransferStatus


def lease() -> timedelta:
    """Much longer than one POST can take (timeout × budget wait), so a live call is never taken over."""
    return timedelta(seconds=settings.SILTA_ORDER_LEASE_SECONDS)

OPEN = (TransferStatus.PENDING, TransferStatus.WAITING)


@dataclass(frozen=True)
class Claim:
    model: type
    pk: int
    token: int
    resumed: bool  # a previous attempt may have created the document: look it up first

    def rows(self):
        return self.model.objects.filter(pk=self.pk, token=self.token)


def claim(row) -> Claim | None:
    """Take the row (an OrderTransfer or OrderStep) for one attempt, or None when it is done or
    another worker holds it."""
    now = timezone.now()
    model = type(row)
    claimable = Q(status__in=OPEN) | Q(status=TransferStatus.SENDING, lease_until__lt=now)
    updated = model.objects.filter(claimable, pk=row.pk, token=row.token).update(
        status=TransferStatus.SENDING, token=F("token") + 1, lease_until=now + lease(),
        attempts=F("attempts") + 1, sending_since=row.sending_since or now,
    )
    if not updated:
        return None
    return Claim(model, row.pk, row.token + 1, resumed=row.status == TransferStatus.SENDING)


def finish(claim: Claim, **fields) -> bool:
    """Record the outcome if the claim still holds (False: another worker took over)."""
    fields.setdefault("lease_until", None)
    return bool(claim.rows().update(**fields))


def release(claim: Claim) -> None:
    """The outcome is unknown: let the next attempt (which will look the document up) start at once."""
    claim.rows().update(lease_until=timezone.now())
