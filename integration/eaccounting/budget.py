"""One request budget per eAccounting endpoint, shared by every worker and machine.

Visma allows 600 requests a minute per client and endpoint (docs/eaccounting-unknowns.md), and
"client" may mean our OAuth application across every company it serves. Each
request reserves a slot with one atomic UPDATE of a GCRA timestamp in the
database, then sleeps until its slot: requests are spaced evenly, handed out in
the order they ask (so a tenant with little work is never starved by a large
one), and the provider's window is never exceeded. Do not call inside a
transaction: the row would stay locked until it commits.
"""

import hashlib
import re
import time

from django.db import IntegrityError, connection

from ..models import ApiBudget
from .contract import Contract, current

SAFETY = 0.9  # spend at most 90% of the limit at a steady rate ...
BURST = 0.05  # ... and allow a burst of 5%: what is left covers requests sent later than reserved


def endpoint_of(path: str) -> str:
    """The resource a path belongs to: "/articles/123" -> "articles"."""
    return path.strip("/").split("/", 1)[0].split("?", 1)[0].lower()


ID_SEGMENT = re.compile(r"^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", re.I)


def template_of(path: str) -> str:
    """ "/articles/3fa8…/convert" -> "/articles/{id}/convert": the route eAccounting's limit may count per."""
    segments = path.split("?", 1)[0].strip("/").split("/")
    return "/" + "/".join("{id}" if ID_SEGMENT.match(s) else s.lower() for s in segments)


def budget_key(path: str, company_id: str, contract: Contract | None = None) -> str:
    """The budget a request counts against, as coarse as eAccounting's own bucket (the contract's
    `rate_limit_bucket`): per resource by default, per route template, or per path. A per-URL limit
    is budgeted per path: coarser, so still safe, and it needs no budget row for every query."""
    contract = contract or current()
    bucket = contract.bucket
    if bucket == "template":
        scope = template_of(path)
    elif bucket in ("path", "url"):
        scope = "/" + path.split("?", 1)[0].strip("/").lower()
    else:
        scope = endpoint_of(path)
    key = f"eaccounting:{scope}"
    if contract.per_company:
        key += f":{company_id}"
    if len(key) > 200:  # ApiBudget.key
        key = "eaccounting:" + hashlib.sha256(key.encode()).hexdigest()
    return key


def _interval(contract: Contract) -> float:
    return contract.rate_window / (contract.rate_limit * SAFETY)


def _tolerance(contract: Contract) -> float:
    return contract.rate_limit * BURST * _interval(contract)


def reserve(key: str, contract: Contract | None = None) -> float:
    """Reserve the next request slot; returns the seconds to wait before sending."""
    contract = contract or current()
    now = time.time()
    interval = _interval(contract)
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
            return max(0.0, row[0] - _tolerance(contract) - now)
        try:
            ApiBudget.objects.create(key=key, tat=now)
        except IntegrityError:
            pass  # created by another worker meanwhile
    raise RuntimeError(f"could not reserve a request slot for {key}")


def acquire(key: str, contract: Contract | None = None) -> float:
    """Wait for a slot; returns how long we waited (for the run record)."""
    wait = reserve(key, contract)
    if wait:
        time.sleep(wait)
    return wait


def back_off(key: str, seconds: float, contract: Contract | None = None) -> None:
    """The provider said 429: nobody sends to this endpoint for `seconds`."""
    until = time.time() + seconds + _tolerance(contract or current())
    ApiBudget.objects.filter(key=key, tat__lt=until).update(tat=until)
