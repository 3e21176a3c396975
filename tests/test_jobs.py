"""Per-tenant job leases: exclusion, fencing, a killed worker's lease running out, nothing dropped."""

import signal
import time

import pytest
from django.utils import timezone
from django_q.models import OrmQ

from integration import tasks
from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.models import JobLease, SyncRun
from integration.sync import first_sync
from integration.work import leases as jobs
from tests.fixtures.faults import child_env
from tests.fixtures.processes import spawn

from .conftest import connect_both

pytestmark = pytest.mark.django_db(transaction=True)
THEN = tasks.sync_articles.later(0, "webhook", False)


def queued():
    return [(q.task["func"], q.task["args"]) for q in OrmQ.objects.all()]


def test_a_second_catalogue_job_waits_its_turn_and_runs_after_the_first(tenant_a, settings):
    with jobs.hold(tenant_a, jobs.CATALOGUE, then=THEN):
        with pytest.raises(jobs.LeaseTaken):
            with jobs.hold(tenant_a, jobs.CATALOGUE, then=tasks.first_sync_step.later(7, "preview")):
                pass  # never runs
        with jobs.hold(tenant_a, jobs.ORDERS, then=THEN):  # the order lock is another lock
            pass
        assert queued() == []
    assert queued() == [(tasks.first_sync_step.path, (7, "preview"))]  # enqueued once the first let go
    assert JobLease.objects.get(tenant=tenant_a, lock="catalogue").pending == []


def test_the_same_waiting_job_is_queued_once(tenant_a):
    with jobs.hold(tenant_a, jobs.CATALOGUE, then=THEN):
        for _ in range(3):
            with pytest.raises(jobs.LeaseTaken):
                with jobs.hold(tenant_a, jobs.CATALOGUE, then=THEN):
                    pass
    assert queued() == [(tasks.sync_articles.path, (0, "webhook", False))]


@pytest.mark.slow
def test_a_worker_whose_lease_was_taken_over_cannot_go_on(tenant_a, settings):
    settings.SILTA_JOB_LEASE_SECONDS = 1
    with jobs.hold(tenant_a, jobs.CATALOGUE, then=THEN) as old:
        old._stop.set()  # this worker stalls: its heartbeat stops, as in a long pause
        old._thread.join()
        time.sleep(1.2)
        with jobs.hold(tenant_a, jobs.CATALOGUE, then=THEN) as new:
            with pytest.raises(jobs.LeaseLost):
                old.check()
            new.check()  # the new holder goes on


@pytest.mark.slow
def test_a_long_job_keeps_its_lease_alive(tenant_a, settings):
    settings.SILTA_JOB_LEASE_SECONDS = 1
    with jobs.hold(tenant_a, jobs.CATALOGUE, then=THEN) as lease:
        time.sleep(2.5)  # longer than the lease: the heartbeat renews it
        lease.check()
        assert JobLease.objects.get(pk=lease.pk).expires_at > timezone.now()


@pytest.mark.slow
def test_a_killed_sync_leaves_a_lease_that_runs_out_and_the_next_run_completes(ea, wc, live_server, settings):
    wc.reset(seed={"products": 0, "orders": 0})
    ea.control("PATCH", "settings", {"latency_ms": 150})  # a run of some seconds
    settings.SILTA_BASE_URL = live_server.url
    tenant = connect_both(ea, wc, "leases")
    activate(tenant, check(gather(tenant)))
    first_sync.apply(first_sync.preview(tenant))
    env = {**child_env(settings), "SILTA_JOB_LEASE_SECONDS": "2"}
    process = spawn("sync", tenant.slug, env=env)
    deadline = time.monotonic() + 60
    while not SyncRun.objects.filter(tenant=tenant, kind="articles").exists():
        assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()
        time.sleep(0.05)
    time.sleep(0.3)  # mid-run: its requests take 150 ms each
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed = SyncRun.objects.get(tenant=tenant, kind="articles")
    assert killed.status == SyncRun.Status.RUNNING  # it never finished
    settings.SILTA_JOB_LEASE_SECONDS = 2
    assert "running elsewhere" in tasks.sync_articles(
        tenant.pk, "webhook"
    )  # the dead worker's lease still holds
    time.sleep(2.2)  # ... until it runs out
    ea.control("PATCH", "settings", {"latency_ms": 0})
    assert tasks.sync_articles(tenant.pk, "schedule").startswith("Succeeded")
    assert SyncRun.objects.filter(tenant=tenant, kind="articles", status="succeeded").count() == 1
    killed.refresh_from_db()
    assert killed.status == SyncRun.Status.FAILED and "stopped mid-run" in killed.error
    # the webhook's run, queued while the dead worker held the lease, is enqueued now
    assert (tasks.sync_articles.path, (tenant.pk, "webhook", False)) in queued()


def test_a_job_that_finds_the_lease_just_let_go_takes_it_instead_of_waiting_in_a_queue(tenant_a):
    row = JobLease.objects.create(
        tenant=tenant_a, lock="catalogue", expires_at=timezone.now() + timezone.timedelta(minutes=1)
    )
    assert jobs._queue(row.pk, THEN) is True  # held: queued
    JobLease.objects.filter(pk=row.pk).update(expires_at=None, pending=[])  # the holder let go meanwhile
    assert jobs._queue(row.pk, THEN) is False  # nobody would run it: the caller takes the lease
    with jobs.hold(tenant_a, jobs.CATALOGUE, then=THEN):
        assert JobLease.objects.get(pk=row.pk).pending == []
