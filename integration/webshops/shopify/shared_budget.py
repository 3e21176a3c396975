"""One cost budget per Shopify store, shared by every worker and machine (the ``ApiBudget`` table).

Shopify's leaky bucket (size B points, restore rate r points/s) is the eAccounting budget's GCRA
with weights: the row's ``tat`` is the moment the bucket would be full again, so the bucket holds
``B - (tat - now) * r`` points now. A request expected to cost c reserves with one atomic UPDATE,
``tat = max(tat, now) + c / r``, and waits until the bucket held c before it:
``new tat - now - B / r`` seconds (0 when it already did). Requests are spaced in the order they
asked, across processes, as ``eaccounting/budget.py`` does for eAccounting.

Each answer corrects the estimate: what was reserved but not charged (the actual cost is below the
requested; a THROTTLED answer is charged nothing) is given back, and when Shopify says fewer points
are left than the row believes (someone else spends this app's budget on the store, or a request
was charged more), ``tat`` moves up to Shopify's figure. It never moves down to it: reservations
not yet answered are not in Shopify's figure. B and r are read from the answers (until the first
answer: ``DEFAULT_SIZE``/``DEFAULT_RATE``, the smallest published). Do not call inside a
transaction: the row would stay locked until it commits.
"""

from __future__ import annotations

import threading
import time

from django.db import IntegrityError, connection

from integration.models import ApiBudget

from .throttle import ThrottleStatus

DEFAULT_SIZE = 1000.0
DEFAULT_RATE = 50.0


def key_for(shop: str) -> str:
    return f"shopify:{shop.lower()}"[:200]


class SharedCostBudget:
    """The ``CostBudget`` interface (``wait_for``, ``observe``) over the shared row of one store."""

    def __init__(self, shop: str):
        self.key = key_for(shop)
        self.lock = threading.Lock()
        self.size = DEFAULT_SIZE
        self.rate = DEFAULT_RATE
        self.status: ThrottleStatus | None = None
        self.spent = 0

    def _update(self, sql: str, params: list) -> float | None:
        table, key_column = (connection.ops.quote_name(n) for n in (ApiBudget._meta.db_table, "key"))
        for _ in range(2):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET tat = {sql} WHERE {key_column} = %s RETURNING tat",
                    [*params, self.key],
                )
                row = cursor.fetchone()
            if row:
                return float(row[0])
            try:
                ApiBudget.objects.create(key=self.key, tat=time.time())
            except IntegrityError:
                pass  # created by another worker meanwhile
        return None

    def wait_for(self, points: float) -> float:
        """Reserve ``points``; the seconds to wait before sending."""
        now = time.time()
        with self.lock:
            size, rate = self.size, self.rate
        points = min(points, size)
        tat = self._update("(CASE WHEN tat > %s THEN tat ELSE %s END) + %s", [now, now, points / rate])
        if tat is None:
            raise RuntimeError(f"could not reserve Shopify points for {self.key}")
        return max(0.0, tat - now - size / rate)

    def observe(self, status: ThrottleStatus | None, actual: int | None = None, reserved: float = 0) -> None:
        with self.lock:
            # the reservation was made at the rate known then (the default before a first answer):
            # give back its seconds, and charge the actual cost at the rate the answer tells
            held = min(reserved, self.size) / self.rate
            if status is not None and status.restore_rate > 0:
                self.status, self.size, self.rate = status, status.maximum_available, status.restore_rate
            if actual:
                self.spent += actual
            rate = self.rate
        now = time.time()
        refund = held - (actual or 0) / rate
        if status is None:
            if refund:
                self._update("tat - %s", [refund])
            return
        full_at = now + (status.maximum_available - status.currently_available) / rate
        self._update("CASE WHEN tat - %s > %s THEN tat - %s ELSE %s END", [refund, full_at, refund, full_at])
