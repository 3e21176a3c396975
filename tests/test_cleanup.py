"""The nightly cleanup: what goes, what stays, the command, and the schedule `migrate` keeps."""

import io
import re
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule, Task

from integration import tasks
from integration.models import SyncEvent, SyncRun, Tenant, WebhookDelivery
from integration.privacy.cleanup import prune
from integration.scheduling import installation as ops_signals
from integration.scheduling import ops_tasks

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def run(tenant, kind, days_ago, events=2):
    record = SyncRun.objects.create(tenant=tenant, kind=kind)
    SyncRun.objects.filter(pk=record.pk).update(started_at=NOW - timedelta(days=days_ago))  # auto_now_add
    for n in range(events):
        SyncEvent.objects.create(
            run=record, tenant=tenant, outcome=SyncEvent.Outcome.UPDATED, item=f"{kind}-{n}"
        )
    return record.pk


def delivery(tenant, days_ago):
    record = WebhookDelivery.objects.create(
        tenant=tenant,
        delivery_id=uuid.uuid4().hex,
        topic="order.created",
        outcome=WebhookDelivery.Outcome.ENQUEUED,
    )
    WebhookDelivery.objects.filter(pk=record.pk).update(received_at=NOW - timedelta(days=days_ago))
    return record.pk


def task(days_ago, success=True):
    when = NOW - timedelta(days=days_ago)
    return Task.objects.create(
        id=uuid.uuid4().hex,
        name=uuid.uuid4().hex,
        func=tasks.ping.path,
        started=when,
        stopped=when,
        success=success,
    ).pk


@pytest.fixture
def history(db):
    a = Tenant.objects.create(name="Company A", slug="a")
    b = Tenant.objects.create(name="Company B", slug="b")
    rows = {
        "gone_runs": [
            run(a, SyncRun.Kind.ARTICLES, 200),
            run(a, SyncRun.Kind.ARTICLES, 91),
            run(a, SyncRun.Kind.ORDERS, 365),
        ],
        "kept_runs": [
            run(a, SyncRun.Kind.ARTICLES, 89),  # recent
            run(a, SyncRun.Kind.ORDERS, 120),  # old, but A's latest order run
            run(b, SyncRun.Kind.ARTICLES, 400),
        ],  # old, but B's only article run
        "gone_deliveries": [delivery(a, 95), delivery(b, 400)],
        "kept_deliveries": [delivery(a, 10)],
        "gone_tasks": [task(15), task(30, success=False)],
        "kept_tasks": [task(13), task(1, success=False)],
    }
    return rows


def test_old_rows_go_recent_ones_and_each_tenants_latest_run_per_kind_stay(history):
    counts = prune(now=NOW)
    assert counts == {
        "sync_runs": 3,
        "sync_events": 6,
        "webhook_deliveries": 2,
        "task_successes": 1,
        "task_failures": 1,
    }
    assert sorted(SyncRun.objects.values_list("pk", flat=True)) == sorted(history["kept_runs"])
    assert SyncEvent.objects.count() == 6 and set(SyncEvent.objects.values_list("run_id", flat=True)) == set(
        history["kept_runs"]
    )
    assert sorted(WebhookDelivery.objects.values_list("pk", flat=True)) == sorted(history["kept_deliveries"])
    assert sorted(Task.objects.values_list("pk", flat=True)) == sorted(history["kept_tasks"])
    assert prune(now=NOW) == dict.fromkeys(counts, 0)  # nothing left to do


def test_retention_comes_from_the_settings(history, settings):
    settings.SILTA_RUN_RETENTION_DAYS = 30
    settings.SILTA_TASK_RETENTION_DAYS = 365
    counts = prune(now=NOW)
    assert counts["sync_runs"] == 3 and counts["task_successes"] == counts["task_failures"] == 0
    assert counts["webhook_deliveries"] == 2  # the 10-day-old one stays
    # the 89-day-old article run is now A's latest article run: kept
    assert set(SyncRun.objects.values_list("pk", flat=True)) == set(history["kept_runs"])


def test_dry_run_counts_and_deletes_nothing(history):
    before = (
        SyncRun.objects.count(),
        SyncEvent.objects.count(),
        WebhookDelivery.objects.count(),
        Task.objects.count(),
    )
    counts = prune(now=NOW, dry_run=True)
    assert counts == {
        "sync_runs": 3,
        "sync_events": 6,
        "webhook_deliveries": 2,
        "task_successes": 1,
        "task_failures": 1,
    }
    assert (
        SyncRun.objects.count(),
        SyncEvent.objects.count(),
        WebhookDelivery.objects.count(),
        Task.objects.count(),
    ) == before


def test_the_command_prints_the_counts(history):
    out = io.StringIO()
    call_command("cleanup", "--dry-run", stdout=out)
    text = out.getvalue()
    assert (
        "sync runs" in text and "3 would be deleted" in text and "Dry run: 13 rows would be deleted." in text
    )
    assert SyncRun.objects.count() == 6

    out = io.StringIO()
    call_command("cleanup", stdout=out)
    lines = out.getvalue().splitlines()
    assert "Retention: runs, events and webhook deliveries 90 days, task results 14 days." in lines
    deleted = {m[1]: int(m[2]) for line in lines if (m := re.fullmatch(r"([a-z ]+?) +(\d+) deleted", line))}
    assert deleted == {
        "sync runs": 3,
        "sync events": 6,
        "webhook deliveries": 2,
        "task successes": 1,
        "task failures": 1,
    }
    assert lines[-1] == "13 rows deleted."
    assert SyncRun.objects.count() == 3


def test_the_task_cleans_up_and_says_what_it_did(history):
    assert ops_tasks.cleanup() == (
        "sync runs: 3, sync events: 6, webhook deliveries: 2, task successes: 1, task failures: 1"
    )


def test_migrate_keeps_exactly_one_nightly_cleanup_schedule():
    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)
    (schedule,) = Schedule.objects.filter(name=ops_signals.CLEANUP)
    assert (
        schedule.func == "integration.scheduling.ops_tasks.cleanup"
        and schedule.schedule_type == Schedule.DAILY
    )
    assert schedule.repeats == -1
    local = timezone.localtime(schedule.next_run)
    assert (local.hour, local.minute) == (3, 0) and local > timezone.localtime()

    # changed in the admin: weekly at 04:30, and someone copied it; a migrate keeps the change, drops the copy
    at = schedule.next_run + timedelta(hours=1, minutes=30)
    Schedule.objects.filter(pk=schedule.pk).update(
        schedule_type=Schedule.WEEKLY, next_run=at, func="typo.cleanup"
    )
    Schedule.objects.create(
        name=ops_signals.CLEANUP, func=ops_signals.CLEANUP_TASK, schedule_type=Schedule.DAILY
    )
    ops_signals.ensure_schedules()
    (kept,) = Schedule.objects.filter(name=ops_signals.CLEANUP)
    assert (kept.pk, kept.schedule_type, kept.next_run) == (schedule.pk, Schedule.WEEKLY, at)
    assert kept.func == "integration.scheduling.ops_tasks.cleanup"  # the task it runs is put right


def test_next_run_is_the_next_three_oclock_local_time():
    tz = timezone.get_current_timezone()
    before = timezone.make_aware(timezone.datetime(2026, 5, 10, 2, 59), tz)
    after = timezone.make_aware(timezone.datetime(2026, 5, 10, 3, 0), tz)
    assert ops_signals.next_at(ops_signals.CLEANUP_AT, before) == timezone.make_aware(
        timezone.datetime(2026, 5, 10, 3, 0), tz
    )
    assert ops_signals.next_at(ops_signals.CLEANUP_AT, after) == timezone.make_aware(
        timezone.datetime(2026, 5, 11, 3, 0), tz
    )
