"""Cost-based throttling for one shop, from what Shopify says in each answer.

Shopify keeps a leaky bucket per app and store (docs/shopify-unknowns.md S2): every answer's
``extensions.cost.throttleStatus`` says how many points are left (``currentlyAvailable``), the
bucket's size and its restore rate. ``CostBudget`` remembers the last status and, before a
request, waits until the bucket has refilled enough for the request's expected cost, so Silta
slows down before Shopify has to throttle it.

This is the in-process version: one ``CostBudget`` per shop per process (``budget_for``), shared
by every client in the process. Several workers on one shop each keep their own estimate and
learn the others' spending only from the answers (a THROTTLED answer is retried after the wait it
implies, so the estimate error costs time, never data). The shared version is
``shared_budget.SharedCostBudget`` (same interface): one ``ApiBudget`` row per store, reserved
with one atomic UPDATE as ``integration/eaccounting/budget.py`` does, corrected from each answer;
every connector made for a connection (``webshops.for_connection``: syncs, order runs, webhook
work) spends that one, so this in-process budget is what a client made directly gets (tests, tools).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float

    @classmethod
    def from_answer(cls, cost: dict | None) -> ThrottleStatus | None:
        status = (cost or {}).get("throttleStatus")
        if not isinstance(status, dict):
            return None
        try:
            return cls(
                float(status["maximumAvailable"]),
                float(status["currentlyAvailable"]),
                float(status["restoreRate"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Cost:
    """One answer's ``extensions.cost``: ``actual`` is None when the request was throttled."""

    requested: int
    actual: int | None
    throttle: ThrottleStatus | None

    @classmethod
    def from_answer(cls, body: dict) -> Cost | None:
        cost = ((body or {}).get("extensions") or {}).get("cost")
        if not isinstance(cost, dict) or "requestedQueryCost" not in cost:
            return None
        actual = cost.get("actualQueryCost")
        return cls(
            int(cost["requestedQueryCost"]),
            None if actual is None else int(actual),
            ThrottleStatus.from_answer(cost),
        )


class CostBudget:
    """The last known bucket of one shop and the wait a request of a given cost needs."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.lock = threading.Lock()
        self.clock = clock
        self.status: ThrottleStatus | None = None
        self.observed_at = 0.0
        self.spent = 0  # actual points charged, for measurements

    def observe(self, status: ThrottleStatus | None, actual: int | None = None, reserved: float = 0) -> None:
        """Learn from an answer (``reserved``: what ``wait_for`` was asked for; the shared budget
        gives back what was not charged, this one needs no reservation)."""
        with self.lock:
            if status is not None:
                self.status = status
                self.observed_at = self.clock()
            if actual:
                self.spent += actual

    def expected_available(self) -> float | None:
        with self.lock:
            if self.status is None:
                return None
            s = self.status
            refilled = s.currently_available + (self.clock() - self.observed_at) * s.restore_rate
            return min(s.maximum_available, refilled)

    def wait_for(self, points: float) -> float:
        """Seconds to wait before a request expected to cost ``points`` (0 when unknown or enough)."""
        available = self.expected_available()
        if available is None or available >= points or self.status is None or self.status.restore_rate <= 0:
            return 0.0
        need = min(points, self.status.maximum_available)
        return max(0.0, (need - available) / self.status.restore_rate)


_budgets: dict[str, CostBudget] = {}
_budgets_lock = threading.Lock()


def budget_for(shop: str) -> CostBudget:
    """The process's budget for one shop (its myshopify.com domain or address)."""
    with _budgets_lock:
        return _budgets.setdefault(shop, CostBudget())
