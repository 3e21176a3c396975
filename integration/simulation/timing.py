"""Where a simulation's time went, per kind of job: waiting in the queue, running, and (within the
run) waiting for eAccounting's shared budget; and the queues' largest backlog while it ran.

A job's queue wait is from its task being queued (django-q2's `started`) to its run record's
start; its run time is the run record's own length; its request wait is what the eAccounting
client waited for budget slots (the run's `eaccounting_wait_seconds`). All in simulated seconds."""

import bisect
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django_q.models import Task

from integration import tasks

from ..models import SyncRun
from ..work.backlog import backlogs
from .report import percentile

#: the task each kind of run comes from
TASK_OF = {
    SyncRun.Kind.ARTICLES: tasks.sync_articles.path,
    SyncRun.Kind.STOCK: tasks.sync_articles.path,
    SyncRun.Kind.ORDERS: tasks.transfer_orders.path,
}


@dataclass
class KindTimes:
    queue_wait: list[float] = field(default_factory=list)
    run_time: list[float] = field(default_factory=list)
    request_wait: list[float] = field(default_factory=list)


def _queued_times(since) -> dict[tuple[int, str], list]:
    """(tenant id, task func) -> the times its tasks were queued, sorted."""
    out: dict[tuple[int, str], list] = defaultdict(list)
    funcs = set(TASK_OF.values()) | {tasks.handle_webhook.path}
    for task in Task.objects.filter(func__in=funcs, started__gte=since).only("func", "args", "started"):
        args = task.args or ()
        if args and isinstance(args[0], int):
            func = tasks.transfer_orders.path if task.func.endswith("handle_webhook") else task.func
            out[(args[0], func)].append(task.started)
    for times in out.values():
        times.sort()
    return out


def job_times(since, scale: float) -> dict[str, KindTimes]:
    """Per kind of run started after `since`: its queue wait, run time and request wait."""
    queued = _queued_times(since)
    out: dict[str, KindTimes] = defaultdict(KindTimes)
    runs = SyncRun.objects.filter(started_at__gte=since, finished_at__isnull=False, kind__in=TASK_OF)
    for run in runs.only("tenant_id", "kind", "started_at", "finished_at", "counts"):
        if run.finished_at is None:  # filtered out above; for the type checker
            continue
        times = out[run.kind]
        times.run_time.append((run.finished_at - run.started_at).total_seconds() * scale)
        times.request_wait.append(float((run.counts or {}).get("eaccounting_wait_seconds", 0)) * scale)
        candidates = queued.get((run.tenant_id, TASK_OF[SyncRun.Kind(run.kind)]), [])
        i = bisect.bisect_right(candidates, run.started_at)  # the latest task queued before the run began
        if i:
            times.queue_wait.append((run.started_at - candidates[i - 1]).total_seconds() * scale)
    connection.close()
    return dict(out)


class BacklogSampler:
    """The queues' backlog once a simulated minute: the most tasks waiting and the oldest's age."""

    def __init__(self, scale: float):
        self.period, self.scale = 60 / scale, scale
        self.most: dict[str, int] = defaultdict(int)
        self.oldest: dict[str, float] = defaultdict(float)
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.wait(self.period):
                for b in backlogs():
                    self.most[b.queue] = max(self.most[b.queue], b.waiting)
                    self.oldest[b.queue] = max(self.oldest[b.queue], (b.oldest_seconds or 0) * self.scale)
        finally:
            connection.close()


def print_times(write, times: dict[str, KindTimes], sampler: BacklogSampler) -> None:
    write("Where the time went, per kind of job (simulated seconds, p50 / p95 / mean):")
    for kind, t in sorted(times.items()):
        parts = [f"{len(t.run_time):5d} runs"]
        for name, values in (
            ("queue wait", t.queue_wait),
            ("run time", t.run_time),
            ("request wait", t.request_wait),
        ):
            mean = sum(values) / len(values) if values else float("nan")
            parts.append(f"{name} {percentile(values, 50):.0f} / {percentile(values, 95):.0f} / {mean:.0f}")
        write(f"   {kind:<10} " + ";  ".join(parts))
    if sampler.most:
        write(
            "Largest backlog per queue: "
            + ", ".join(
                f"{queue} {n} tasks waiting (oldest {sampler.oldest[queue]:.0f} simulated s)"
                for queue, n in sorted(sampler.most.items())
            )
        )
    else:
        write("Largest backlog per queue: none waited a sampled minute")


def requests_per_order(since) -> tuple[int, int]:
    """eAccounting requests of every order run (new orders, webhooks, echoes, polls, retries and
    the orders' later steps) since `since`, and the orders transferred since then."""
    from ..models import OrderTransfer

    spent = sum(
        int((c or {}).get("requests_eaccounting", 0))
        for c in SyncRun.objects.filter(kind=SyncRun.Kind.ORDERS, started_at__gte=since).values_list(
            "counts", flat=True
        )
    )
    transferred = OrderTransfer.objects.filter(transferred_at__gte=since).count()
    connection.close()
    return spent, transferred


#: the sandbox's request keys of a new order's own document (later steps — convert, payments — are "other")
DOCUMENT_CREATES = ("POST /v2/orders", "POST /v2/customerinvoicedrafts", "POST /v2/customerinvoices")
CUSTOMER_CREATES = "POST /v2/customers"


def request_split(totals: Counter, spent: int) -> tuple[int, int, int]:
    """The order runs' `spent` requests split into order documents created, customers created and the
    rest (customer and company reads, look-ups after a lost answer, later steps), from the sandbox's
    count per request: only order runs create documents and customers."""
    documents = sum(totals.get(key, 0) for key in DOCUMENT_CREATES)
    customers = totals.get(CUSTOMER_CREATES, 0)
    return documents, customers, max(0, spent - documents - customers)
