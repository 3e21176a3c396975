"""What a simulation measured: delays from the owners' work to the other system (simulated
seconds), eAccounting requests per endpoint per simulated minute, and 429s."""

import statistics
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import requests
from django.db import connection

from ..models import OrderTransfer, SyncEvent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")
    )


def delays(happenings, scale: float) -> dict[str, tuple[list[float], int]]:
    """Per kind: simulated seconds from each happening to the other system having it, and how many never got there."""
    out = {"order": ([], 0), "change": ([], 0)}
    for h in happenings:
        if h.done_at is None or not h.ref:
            continue
        since = datetime.fromtimestamp(h.done_at, UTC)
        if h.kind == "order":
            reached = (
                OrderTransfer.objects.filter(
                    tenant_id=h.tenant.pk, shop_order_id=int(h.ref), transferred_at__isnull=False
                )
                .values_list("transferred_at", flat=True)
                .first()
            )
        else:  # the first write of that article to the shop after the change
            reached = (
                SyncEvent.objects.filter(
                    tenant_id=h.tenant.pk,
                    item=h.ref,
                    outcome=SyncEvent.Outcome.UPDATED,
                    created_at__gte=since,
                )
                .order_by("created_at")
                .values_list("created_at", flat=True)
                .first()
            )
        seconds, missing = out[h.kind]
        if reached is None:
            out[h.kind] = (seconds, missing + 1)
        else:
            seconds.append(max(0.0, (reached - since).total_seconds()) * scale)
    connection.close()
    return out


class RequestSampler:
    """Reads the eAccounting sandbox's counters once a simulated minute."""

    def __init__(self, ea: str, scale: float):
        self.ea, self.period = ea, 60 / scale
        self.minutes: list[Counter] = []
        self.throttled: list[Counter] = []
        self.stop = threading.Event()

    def _read(self):
        c = requests.get(f"{self.ea}/_sandbox/counters", timeout=30).json()
        return Counter(c.get("requests", {})), Counter(c.get("throttled", {}))

    def run(self):
        requests_before, throttled_before = self._read()
        next_at = time.monotonic() + self.period
        while not self.stop.wait(max(0.0, next_at - time.monotonic())):
            next_at += self.period
            now_requests, now_throttled = self._read()
            self.minutes.append(now_requests - requests_before)
            self.throttled.append(now_throttled - throttled_before)
            requests_before, throttled_before = now_requests, now_throttled


def endpoint(key: str) -> str:
    """ "GET /v2/articles/{articleId}" -> "articles": the budget is per endpoint."""
    return key.split(" ", 1)[1].removeprefix("/v2/").split("/", 1)[0]


def print_report(
    write, happenings, scale, sampler: RequestSampler, limit: int, fired: int, player_errors
) -> None:
    write("")
    for kind, title in (("order", "paid order → eAccounting"), ("change", "article change → shop")):
        seconds, missing = delays(happenings, scale)[kind]
        write(
            f"{title}: {len(seconds)} measured, {missing} not there by the end; simulated seconds "
            f"p50 {percentile(seconds, 50):.0f}, p95 {percentile(seconds, 95):.0f}, max {max(seconds, default=0):.0f}"
        )
    names = {endpoint(k) for minute in sampler.minutes for k in minute}
    per_endpoint = {
        name: [sum(n for k, n in minute.items() if endpoint(k) == name) for minute in sampler.minutes]
        for name in names
    }
    write(
        f"eAccounting requests per endpoint per simulated minute (limit {limit}), over {len(sampler.minutes)} minutes:"
    )
    for name, counts in sorted(per_endpoint.items(), key=lambda kv: -sum(kv[1])):
        write(
            f"   {name:<24} mean {statistics.mean(counts):7.1f}   max {max(counts):5d}   total {sum(counts):7d}"
        )
    totals = sum(sampler.minutes, Counter())
    write("   by request: " + ", ".join(f"{key} {n}" for key, n in totals.most_common(8)))
    throttled = sum(sampler.throttled, Counter())
    which = f" ({', '.join(f'{k} {n}' for k, n in throttled.items())})" if throttled else ""
    write(
        f"429s from eAccounting: {sum(throttled.values())}{which}; scheduled jobs fired: {fired}; "
        f"workload errors: {len(player_errors)}"
    )
    for error in player_errors[:5]:
        write(f"   {error}")
