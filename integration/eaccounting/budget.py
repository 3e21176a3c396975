"""One request budget per eAccounting endpoint, shared by every worker and machine.

Visma allows 600 requests a minute per client and endpoint (docs/eaccounting-unknowns.md), and
"client" may mean our OAuth application across every company it serves. Each
request reserves a slot with one atomic UPDATE of a GCRA timestamp in the
database, then sleeps until its slot: requests are spaced evenly, handed out in
the order they ask (so a tenant with little work is never starved by a large
one), and the provider's window is never exceeded. Do not call inside a
transaction: the row would stay locked until it commits.
"""

import time

from django.conf import settings
from django.db import IntegrityError, connection

from ..models import ApiBudget

SAFETY = 0.9  # spend at most 90% of the limit at a steady rate ...
BURST = 0.05  # ... and allow a burst of 5%: what is left covers requests sent later than reserved


def endpoint_of(path: str) -> str:
    """The resource a path belongs to: "/articles/123" -> "articles"."""
    return path.strip("/").split("/", 1)[0].split("?", 1)[0].lower()


def budget_key(path: str, company_id: str) -> str:
    key = f"eaccounting:{endpoint_of(path)}"
    if settings.EACCOUNTING_RATE_SCOPE == "company":
        key += f":{company_id}"
    return key


def _interval():
    return settings.EACCOUNTING_RATE_WINDOW / (settings.EACCOUNTING_RATE_LIMIT * SAFETY)


def _tolerance():
    return settings.EACCOUNTING_RATE_LIMIT * BURST * _interval()


def reserve(key: str) -> float:
    """Reserve the next request slot; returns the seconds to wait before sending."""
    now = time.time()
    interval = _interval()
    table, key_column = (connection.ops.quote_name(n) for n in (ApiBudget._meta.db_table, "key"))
    for _ in range(2):
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET tat = (CASE WHEN tat > %s THEN tat ELSE %s END) + %s "
                f"WHERE {key_column} = %s RETURNING tat",
                [now, now, interval, key],
            )
            row = cursor.fetchone()
        if row:
            return max(0.0, row[0] - _tolerance() - now)
        try:
            ApiBudget.objects.create(key=key, tat=now)
        except IntegrityError:
            pass  # created by another worker meanwhile
    raise RuntimeError(f"could not reserve a request slot for {key}")


def acquire(key: str) -> float:
    """Wait for a slot; returns how long we waited (for the run record)."""
    wait = reserve(key)
    if wait:
        time.sleep(wait)
    return wait


def back_off(key: str, seconds: float) -> None:
    """The provider said 429: nobody sends to this endpoint for `seconds`."""
    until = time.time() + seconds + _tolerance()
    ApiBudget.objects.filter(key=key, tat__lt=until).update(tat=until)
