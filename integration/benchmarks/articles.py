"""The article sync: initial sync and a re-sync with nothing changed, requests beside the minimum."""

import math
import time

from ..models import SyncRun
from .harness import Harness, peak_rss_mb

# units, codings, the shop's settings (general, tax, product count), open orders: read by the first
# run, then kept between runs
REFERENCE_REQUESTS = 6


def _measure(h: Harness, title, tenant, minimum):
    """`minimum`: a function of the run, e.g. of how many products it created."""
    h.reset_counts()
    started = time.monotonic()
    peak = h.sync_in_child(tenant.slug)
    wall = time.monotonic() - started
    run = SyncRun.objects.filter(tenant=tenant, kind__in=(SyncRun.Kind.ARTICLES, SyncRun.Kind.STOCK)).latest("started_at")
    ea, shop = h.counts()
    total = sum(ea.values()) + sum(shop.values())
    minimum = minimum(run)
    h.stdout.write(f"\n== {title}: {run.get_status_display()}, {run.counts}")
    h.print_counts(ea, shop)
    h.stdout.write(f"   requests {total} (minimum {minimum}, {total - minimum:+d}); "
                   f"wall {wall:.1f} s (a new process); peak RSS of the sync process {peak:.0f} MB")  # fmt: skip


def run(h: Harness, articles: int, page_size: int):
    tenant = h.tenant(articles)
    try:
        h.stdout.write(f"Articles {articles}, eAccounting page size {page_size}; first sync done on an empty shop "
                       f"(in this process, peak RSS {peak_rss_mb():.0f} MB).")  # fmt: skip
        ea_pages = math.ceil(articles / page_size)
        shop_pages = 1  # the shop is empty
        _measure(h, "initial article sync", tenant, lambda run: ea_pages + shop_pages + REFERENCE_REQUESTS
                 + math.ceil(run.counts.get("created", 0) / 100))  # fmt: skip
        _measure(h, "re-sync, nothing changed", tenant, lambda run: 2)  # one page of each side
    finally:
        tenant.delete()
