"""Recording a run: one SyncRun row, its events (written in batches), progress and counts."""

from collections import Counter
from types import TracebackType
from typing import Literal

from django.utils import timezone

from integration.models import SyncEvent, SyncRun, Tenant

EVENT_BATCH = 200


class RunRecorder:
    """Use as a context manager: the run ends *succeeded*, or *failed* with the error in words."""

    def __init__(
        self, tenant: Tenant, kind: str, trigger: str = SyncRun.Trigger.MANUAL, dry_run: bool = False
    ):
        self.tenant, self.kind, self.trigger, self.dry_run = tenant, kind, trigger, dry_run
        self.counts: Counter[str] = Counter()
        self._events: list[SyncEvent] = []
        self._run: SyncRun | None = None

    @property
    def run(self) -> SyncRun:
        """The run's row (once entered)."""
        if self._run is None:
            raise RuntimeError("RunRecorder is used as a context manager: `with RunRecorder(...) as rec:`")
        return self._run

    def __enter__(self) -> "RunRecorder":
        self._run = SyncRun.objects.create(
            tenant=self.tenant, kind=self.kind, trigger=self.trigger, dry_run=self.dry_run
        )
        return self

    def event(self, outcome: str, item: str, fields: dict | None = None, reason: str = "") -> None:
        self.counts[str(outcome)] += 1
        self._events.append(
            SyncEvent(
                run=self.run,
                tenant=self.tenant,
                outcome=outcome,
                item=item[:100],
                fields=fields or {},
                reason=reason,
            )
        )
        if len(self._events) >= EVENT_BATCH:
            self._flush()

    def progress(self, done: int, total: int | None = None) -> None:
        self.run.progress_done = done
        if total is not None:
            self.run.progress_total = total
        SyncRun.objects.filter(pk=self.run.pk).update(
            progress_done=done, progress_total=self.run.progress_total
        )

    def needs_confirmation(self, reason: str) -> None:
        """Stop here and ask a person (e.g. the mass-change guard)."""
        self.run.status = SyncRun.Status.NEEDS_CONFIRMATION
        self.run.error = reason

    def _flush(self) -> None:
        SyncEvent.objects.bulk_create(self._events)
        self._events = []

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Literal[False]:
        self._flush()
        run = self.run
        if exc is not None:
            run.status, run.error = SyncRun.Status.FAILED, f"{exc.__class__.__name__}: {exc}"
        elif run.status == SyncRun.Status.RUNNING:
            run.status = SyncRun.Status.SUCCEEDED
        run.counts = {**run.counts, **self.counts}
        run.finished_at = timezone.now()
        run.save()
        return False  # the error still propagates to the task, which may retry
