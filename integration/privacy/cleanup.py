"""The nightly database cleanup: old sync runs and their events, webhook deliveries, task results.

Retention comes from the settings: SILTA_RUN_RETENTION_DAYS for runs, events and deliveries,
SILTA_TASK_RETENTION_DAYS for django-q2's results. A tenant's latest run of each kind is never
deleted, however old, so the admin and the dashboard always show when each job last ran.
Rows go in batches, each in a transaction of its own, so a large backlog never holds long locks.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django_q.models import Task

from integration.models import SyncEvent, SyncRun, WebhookDelivery

BATCH = 1000

# The keys of prune()'s answer, in the order `manage.py cleanup` prints them.
KEYS = ("sync_runs", "sync_events", "webhook_deliveries", "task_successes", "task_failures")


def cutoffs(now: datetime | None = None) -> tuple[datetime, datetime]:
    """(runs, tasks): rows older than these go."""
    now = now or timezone.now()
    return (
        now - timedelta(days=settings.SILTA_RUN_RETENTION_DAYS),
        now - timedelta(days=settings.SILTA_TASK_RETENTION_DAYS),
    )


def old_runs(cutoff: datetime) -> QuerySet:
    """Runs started before `cutoff`, less each tenant's latest run of each kind."""
    latest = (
        SyncRun.objects.filter(tenant=OuterRef("tenant"), kind=OuterRef("kind"))
        .order_by("-started_at", "-pk")
        .values("pk")[:1]
    )
    return SyncRun.objects.filter(started_at__lt=cutoff).exclude(pk=Subquery(latest))


def _querysets(now):
    runs_before, tasks_before = cutoffs(now)
    return {
        "runs": old_runs(runs_before),
        "webhook_deliveries": WebhookDelivery.objects.filter(received_at__lt=runs_before),
        "task_successes": Task.objects.filter(success=True, stopped__lt=tasks_before),
        "task_failures": Task.objects.filter(success=False, stopped__lt=tasks_before),
    }


def _delete_in_batches(queryset: QuerySet, before=None) -> int:
    """Delete what `queryset` selects, BATCH rows per transaction; `before(ids)` runs first in each."""
    model, total = queryset.model, 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        with transaction.atomic():
            if before is not None:
                before(ids)
            total += model.objects.filter(pk__in=ids).delete()[1].get(model._meta.label, 0)


def prune(now: datetime | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Delete what is past its retention; return the number of rows per kind (with `dry_run`, the
    number that would go, deleting nothing)."""
    qs = _querysets(now)
    if dry_run:
        return {
            "sync_runs": qs["runs"].count(),
            "sync_events": SyncEvent.objects.filter(run__in=qs["runs"].values("pk")).count(),
            **{key: qs[key].count() for key in KEYS[2:]},
        }
    events = 0

    def delete_events(run_ids):
        nonlocal events
        events += SyncEvent.objects.filter(run_id__in=run_ids).delete()[
            0
        ]  # one DELETE: nothing hangs on events

    counts = {"sync_runs": _delete_in_batches(qs["runs"], before=delete_events)}
    counts["sync_events"] = events
    for key in KEYS[2:]:
        counts[key] = _delete_in_batches(qs[key])
    return counts


def summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{key.replace('_', ' ')}: {counts[key]}" for key in KEYS)
