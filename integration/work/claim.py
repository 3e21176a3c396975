"""Claiming one piece of exactly-once work (`ClaimedWork`: an order transfer, an order step, a webshop-order
conversion): the row that makes its remote call happen exactly once.

The row is committed before the remote call. A claim is a conditional UPDATE that bumps a
token (fencing): only the worker holding the current token may record the outcome, and a
worker killed mid-call leaves a lease that expires, after which the next worker looks the
document up in eAccounting before creating anything.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import ClaimedWork, ClaimStatus


def lease() -> timedelta:
    """Much longer than one POST can take (timeout × budget wait), so a live call is never taken over."""
    return timedelta(seconds=settings.SILTA_ORDER_LEASE_SECONDS)


OPEN = (ClaimStatus.PENDING, ClaimStatus.WAITING)
OVER = (ClaimStatus.DONE, ClaimStatus.HELD, ClaimStatus.SKIPPED)


def claimable(now: datetime) -> Q:
    """Rows a worker may take now: open ones, and those whose sender's lease ran out."""
    return Q(status__in=OPEN) | Q(status=ClaimStatus.SENDING, lease_until__lt=now)


def to_retry(now: datetime) -> Q:
    """Rows the next run tries again: open, or sending with the lease run out (or never set)."""
    return Q(status__in=(*OPEN, ClaimStatus.SENDING)) & ~Q(status=ClaimStatus.SENDING, lease_until__gt=now)


@dataclass(frozen=True)
class Claim:
    """A claim held: the row's new state as the claim wrote it (`apply` brings a copy of the row up to date)."""

    model: type[ClaimedWork]
    pk: int
    token: int
    resumed: bool  # a previous attempt may have created the document: look it up first
    attempts: int = 0
    lease_until: datetime | None = None
    sending_since: datetime | None = None

    def rows(self) -> "QuerySet[ClaimedWork]":
        return self.model._default_manager.filter(pk=self.pk, token=self.token)

    def apply(self, row: ClaimedWork) -> ClaimedWork:
        if row.pk != self.pk:
            raise ValueError(f"{row!r} is not the claimed row {self.pk}")
        row.status, row.token, row.attempts = ClaimStatus.SENDING, self.token, self.attempts
        row.lease_until, row.sending_since = self.lease_until, self.sending_since
        return row


@dataclass(frozen=True)
class Finished:
    """What a finished (or settled) claim wrote: the caller's copy of the row is brought up to date with
    `apply`, without reading it again."""

    pk: int
    token: int
    fields: dict[str, Any]

    @property
    def status(self) -> str | None:
        return self.fields.get("status")

    def apply(self, row: ClaimedWork) -> ClaimedWork:
        if row.pk != self.pk:
            raise ValueError(f"{row!r} is not the claimed row {self.pk}")
        for name, value in self.fields.items():
            setattr(row, name, value)
        row.token = self.token
        return row


def claim(row: ClaimedWork) -> Claim | None:
    """Take the row for one attempt, or None when it is done or another worker holds it."""
    now = timezone.now()
    model = type(row)
    until, since = now + lease(), row.sending_since or now
    updated = model._default_manager.filter(claimable(now), pk=row.pk, token=row.token).update(
        status=ClaimStatus.SENDING,
        token=F("token") + 1,
        lease_until=until,
        attempts=F("attempts") + 1,
        sending_since=since,
    )
    if not updated:
        return None
    # the token matched, so `row` was the current copy: its counts plus one are what the row holds now
    return Claim(
        model,
        row.pk,
        row.token + 1,
        resumed=row.status == ClaimStatus.SENDING,
        attempts=row.attempts + 1,
        lease_until=until,
        sending_since=since,
    )


def finish(claim: Claim, **fields: Any) -> Finished | None:
    """Record the outcome if the claim still holds: what was written (None: another worker took over)."""
    fields.setdefault("lease_until", None)
    if not claim.rows().update(**fields):
        return None
    return Finished(claim.pk, claim.token, fields)


def settle(claim: Claim, **fields: Any) -> Finished | None:
    """Record an outcome that ends this attempt (the next one, if any, starts afresh)."""
    return finish(claim, sending_since=None, **fields)


def wait(claim: Claim, reason: str, **fields: Any) -> Finished | None:
    """Leave the work for a person: `reason` says what to fix; the next run tries again."""
    return settle(claim, status=ClaimStatus.WAITING, reason=reason, **fields)


def release(claim: Claim) -> None:
    """The outcome is unknown: let the next attempt (which will look the document up) start at once."""
    claim.rows().update(lease_until=timezone.now())


def settle_unclaimed(rows: "QuerySet[Any]", **fields: Any) -> int:
    """Record an outcome reached without a remote call (waiting, not to be done) on those of `rows` nobody
    holds: a row being sent, or finished meanwhile, is left to its sender."""
    return rows.filter(status__in=OPEN).update(sending_since=None, **fields)
