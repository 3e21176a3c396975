"""Per-tenant mutual exclusion for jobs: a lease in the database with a heartbeat and a fencing token.

Jobs that write the catalogue (article sync, stock reconcile, first import) share one lease per
tenant, the order transfer has its own. A worker killed mid-run stops renewing its lease, which
then expires (SILTA_JOB_LEASE_SECONDS) and blocks nobody for long; a worker whose lease was taken
over fails its next heartbeat (the token moved on) and stops before it commits more. A job that
finds the lease held is not dropped: it is queued on the lease and enqueued when the holder is done.

Runs are coalesced on the same row: while a run of a lock is queued and not yet started, whatever
would trigger another one (each webhook of a busy shop, the poll) joins it instead (`join`), and
the run takes everything joined when it starts holding the lease (`Lease.waiting`). So a tenant
has at most one run going and one waiting, however many webhooks arrive.
"""

import os
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from integration.models import JobLease, SyncRun, Tenant
from integration.work.registry import Call, send

CATALOGUE, ORDERS = JobLease.Lock.CATALOGUE, JobLease.Lock.ORDERS


class LeaseTaken(Exception):
    """Another worker holds the lease; the job was queued to run after it."""


class LeaseLost(Exception):
    """The lease expired and another worker took it over: stop without committing more."""


# A marked run older than this is taken for lost (its task row deleted, a broker flushed): the next
# trigger queues a run again, carrying what was joined. Longer than any honest wait in the queue.
WAITING_MAX = timedelta(minutes=15)


@dataclass(frozen=True)
class Waiting:
    """What a starting run took from its lease row: the ids joined meanwhile (None: everything)."""

    ids: list[int] | None


def _duration() -> timedelta:
    return timedelta(seconds=settings.SILTA_JOB_LEASE_SECONDS)


class Lease:
    """A held lease. A background thread renews it while the job runs (a killed worker's thread dies
    with it); `check()` at the job's commit points raises LeaseLost once the token has moved on."""

    def __init__(self, pk: int, token: int, waiting: Waiting | None = None):
        self.pk, self.token = pk, token
        self.waiting = waiting  # what was joined to the queued run (None: no run was marked waiting)
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{pk}", daemon=True)

    def _renew(self) -> bool:
        until = timezone.now() + _duration()
        return bool(JobLease.objects.filter(pk=self.pk, token=self.token).update(expires_at=until))

    def _beat(self) -> None:
        try:
            while not self._stop.wait(settings.SILTA_JOB_LEASE_SECONDS / 4):
                if not self._renew():
                    self.lost.set()
                    return
        finally:
            connection.close()  # this thread's own database connection

    def check(self) -> None:
        if self.lost.is_set() or not JobLease.objects.filter(pk=self.pk, token=self.token).exists():
            self.lost.set()
            raise LeaseLost("Another worker took this job over after its lease ran out; this run stops here.")


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def hold(tenant: Tenant, lock: str, then: Call):
    """Run the body holding the tenant's `lock` lease. `then`: this job (`a_task.later(...)`), queued
    on the lease if it is taken (LeaseTaken is raised), so it runs after the current holder."""
    row, _ = JobLease.objects.get_or_create(tenant=tenant, lock=lock)
    while True:
        now = timezone.now()
        free = Q(expires_at__isnull=True) | Q(expires_at__lt=now)
        if JobLease.objects.filter(free, pk=row.pk).update(
            token=F("token") + 1, expires_at=now + _duration(), holder=_holder()
        ):
            break
        if _queue(row.pk, then):
            raise LeaseTaken(
                f"The tenant's {lock} jobs are running elsewhere; this one runs when they are done."
            )
        # the holder let go between our try and the queueing: try again
    _close_dead_runs(tenant, lock, now)
    lease = Lease(row.pk, JobLease.objects.get(pk=row.pk).token, _take_waiting(row.pk))
    lease._thread.start()
    try:
        yield lease
    finally:
        lease._stop.set()
        lease._thread.join()
        _release(lease)


def _close_dead_runs(tenant: Tenant, lock: str, now) -> None:
    """Runs of this lock still "running" now belong to a worker that died holding it: say so."""
    orders = (SyncRun.Kind.ORDERS, SyncRun.Kind.WEBSHOP_ORDERS)
    runs = SyncRun.objects.filter(tenant=tenant, status=SyncRun.Status.RUNNING)
    runs = runs.filter(kind__in=orders) if lock == ORDERS else runs.exclude(kind__in=orders)
    runs.update(
        status=SyncRun.Status.FAILED,
        finished_at=now,
        error="The worker stopped mid-run (its lease ran out); the next run went on from there.",
    )


def _queue(pk: int, job: Call) -> bool:
    """Queue the job on a held lease; False when the lease turned out free (then nobody would run it).

    Under the row lock, as _release: either the holder sees this entry, or we see the lease free."""
    with transaction.atomic():
        row = JobLease.objects.select_for_update().get(pk=pk)
        if row.expires_at is None or row.expires_at < timezone.now():
            return False
        entry = job.as_json()
        if entry not in row.pending:
            row.pending = [*row.pending, entry]
            row.save(update_fields=["pending", "updated_at"])
        return True


def _release(lease: Lease) -> None:
    """Let go (if still ours) and enqueue what was queued meanwhile."""
    with transaction.atomic():
        row = JobLease.objects.select_for_update().filter(pk=lease.pk, token=lease.token).first()
        if row is None:
            return  # taken over: the new holder runs the queue
        pending, row.pending, row.expires_at = row.pending, [], None
        row.save(update_fields=["pending", "expires_at", "updated_at"])
        for path, args, kwargs in pending:
            send(Call(path, tuple(args), dict(kwargs)))


def _merge(had: list[int] | None, ids: list[int] | None) -> list[int] | None:
    if had is None or ids is None:
        return None  # everything covers any ids
    return sorted({*had, *ids})


def join(tenant_id: int, lock: str, ids: list[int] | None, *, start: bool = True) -> bool:
    """Join the tenant's run of `lock` that is queued and not started: True, nothing more to queue.

    False: no run is waiting; with `start` this call marks one as waiting (with `ids`; None:
    everything) and the caller queues it, in the same transaction. A marked run the queue seems to
    have lost (WAITING_MAX) is marked again, keeping what had joined it."""
    row, _ = JobLease.objects.get_or_create(tenant_id=tenant_id, lock=lock)
    with transaction.atomic():
        row = JobLease.objects.select_for_update().get(pk=row.pk)
        now = timezone.now()
        if row.waiting_since is not None and row.waiting_since > now - WAITING_MAX:
            row.waiting_ids = _merge(row.waiting_ids, ids)
            row.save(update_fields=["waiting_ids", "updated_at"])
            return True
        if not start:
            return False
        had = row.waiting_ids if row.waiting_since is not None else []
        row.waiting_since, row.waiting_ids = now, _merge(had, ids)
        row.save(update_fields=["waiting_since", "waiting_ids", "updated_at"])
        return False


def drop_waiting(tenant_id: int, lock: str) -> None:
    """The waiting run will not run (the tenant is inactive or paused): the next trigger queues one."""
    JobLease.objects.filter(tenant_id=tenant_id, lock=lock).update(waiting_since=None, waiting_ids=[])


def _take_waiting(pk: int) -> Waiting | None:
    """A run starting under the lease takes what joined the waiting run; later triggers mark a new one."""
    with transaction.atomic():
        row = JobLease.objects.select_for_update().get(pk=pk)
        if row.waiting_since is None:
            return None
        taken = Waiting(row.waiting_ids)
        row.waiting_since, row.waiting_ids = None, []
        row.save(update_fields=["waiting_since", "waiting_ids", "updated_at"])
        return taken
