"""How far behind the task queues are: per queue (django-q2 cluster name), the tasks waiting and
the age of the oldest. A backlog that grows means the workers, not the budget, are the limit.

Read in a constant number of queries (two) however long the queues are."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_q.models import OrmQ


@dataclass(frozen=True)
class Backlog:
    queue: str  # the cluster name that takes these tasks
    waiting: int
    oldest_seconds: float | None  # since the oldest waiting task was queued; None: unknown

    def as_json(self) -> dict:
        age = round(self.oldest_seconds, 1) if self.oldest_seconds is not None else None
        return {"waiting": self.waiting, "oldest_seconds": age}


def waiting_filter(now: datetime) -> Q:
    """Free to be handed out: django-q2's ORM broker queues a task locked until now and, handing
    it out, locks it until Q_RETRY from then (when it is handed out again if not done)."""
    return Q(lock__lte=now)


def backlogs(now: datetime | None = None) -> list[Backlog]:
    """Every queue with tasks waiting, longest waiting first. Only the database (ORM) broker can be
    looked into; with Redis the answer is empty."""
    if not settings.Q_CLUSTER.get("orm"):
        return []
    now = now or timezone.now()
    rows = list(
        OrmQ.objects.filter(waiting_filter(now)).values("key").annotate(n=Count("id"), first=Min("id"))
    )
    if not rows:
        return []
    firsts = {
        q.id: q for q in OrmQ.objects.filter(id__in=[r["first"] for r in rows])
    }  # FIFO: the lowest id waited longest
    out = []
    for row in rows:
        queued = firsts[row["first"]].task.get("started") if row["first"] in firsts else None
        age = (now - queued).total_seconds() if isinstance(queued, datetime) else None
        out.append(Backlog(row["key"], row["n"], age))
    return sorted(out, key=lambda b: -(b.oldest_seconds or 0))
