"""Tasks as objects: each knows its dotted path, its queue and its timeout, and is enqueued by reference.

    @task(Queue.ORDERS)
    def transfer_orders(tenant_id: int, ...) -> str: ...

    transfer_orders.enqueue(tenant.pk, "manual")      # after the transaction commits
    transfer_orders(tenant.pk, "manual")              # at once, in this process

The dotted path django-q2 stores (in OrmQ, Task and Schedule rows) is derived from the function, so it
never drifts from the code and rows written before keep working. Retrying is django-q2's, per cluster:
an ORM broker hands a task out again `Q_RETRY` seconds after a worker took it and did not acknowledge
it (a worker killed mid-task). A task must therefore end, timeout included, well before that, or it runs
twice at once: `retry_problems` (a system check, integration/apps.py) holds every task's timeout plus `QUEUE_WAIT` under Q_RETRY.
Running twice after a worker died is safe: every task's writes are fenced by a lease or a claim.
"""

import enum
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar

from django.conf import settings
from django.db import transaction
from django_q.tasks import async_task

P = ParamSpec("P")
R = TypeVar("R")

# Time a task may wait between the broker handing it to a cluster and a worker starting it.
QUEUE_WAIT = 60


class Queue(enum.Enum):
    """Which cluster runs a task."""

    DEFAULT = "default"  # the cluster named by Q_CLUSTER
    # SILTA_ORDERS_QUEUE's cluster when set: a catalogue job may hold a worker for minutes waiting for
    # eAccounting's shared budget, and a paid order should not wait behind it. Unset: the default one.
    ORDERS = "orders"


@dataclass(frozen=True)
class Call:
    """One call of a task, to be made later (queued on a lease that is taken): JSON-serialisable."""

    path: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def as_json(self) -> list[Any]:
        return [self.path, list(self.args), dict(self.kwargs)]


@dataclass(frozen=True)
class Task(Generic[P, R]):
    func: Callable[P, R]
    queue: Queue = Queue.DEFAULT
    timeout: int | None = None  # seconds; None: the cluster's Q_TIMEOUT

    @property
    def path(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.func(*args, **kwargs)

    def cluster(self) -> str | None:
        """The django-q2 cluster name for this task; None: the default cluster."""
        return (settings.SILTA_ORDERS_QUEUE or None) if self.queue is Queue.ORDERS else None

    def later(self, *args: P.args, **kwargs: P.kwargs) -> Call:
        return Call(self.path, tuple(args), dict(kwargs))

    def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Queue the task once the current transaction commits (at once outside one)."""
        send(Call(self.path, tuple(args), dict(kwargs)))

    def effective_timeout(self) -> int:
        return self.timeout if self.timeout is not None else int(settings.Q_CLUSTER["timeout"])


REGISTRY: dict[str, Task[..., Any]] = {}


def task(queue: Queue = Queue.DEFAULT, timeout: int | None = None) -> Callable[[Callable[P, R]], Task[P, R]]:
    """Make a module-level function a registered task (it must stay importable by its dotted path)."""

    def register(func: Callable[P, R]) -> Task[P, R]:
        registered = Task(func, queue, timeout)
        REGISTRY[registered.path] = registered
        return registered

    return register


def lookup(path: str) -> Task[..., Any]:
    """The registered task of a stored dotted path (importing its module if need be)."""
    if path not in REGISTRY:
        importlib.import_module(path.rsplit(".", 1)[0])
    try:
        return REGISTRY[path]
    except KeyError:
        raise LookupError(f"{path} is not a registered task") from None


def send(call: Call) -> None:
    """Queue a call once the current transaction commits."""
    found = lookup(call.path)
    options: dict[str, Any] = {"cluster": found.cluster()}
    if found.timeout is not None:
        options["timeout"] = found.timeout
    transaction.on_commit(lambda: async_task(call.path, *call.args, q_options=options, **call.kwargs))


def retry_problems(retry: int) -> list[str]:
    """Tasks that could still be running when the broker hands them out again (after `retry` seconds)."""
    return [
        f"{path}: its timeout ({t.effective_timeout()} s) plus {QUEUE_WAIT} s of queue wait is not under "
        f"Q_RETRY ({retry} s); raise Q_RETRY or lower the task's timeout."
        for path, t in sorted(REGISTRY.items())
        if t.effective_timeout() + QUEUE_WAIT >= retry
    ]
