"""How often every tenant's catalogue jobs may run, so that all tenants together stay inside
eAccounting's shared budget (600 requests a minute per endpoint, perhaps per client application
across all companies; docs/eaccounting-unknowns.md). Planned from the tenants' sizes, not found out
through 429s.

Pure: the caller gives the article counts and settings, and applies the answer (schedules.py).

Only the `articles` endpoint needs planning: orders cost requests in proportion to orders (they
must go through), and the other catalogue reads are cached reference lists. On that endpoint an
incremental article sync reads one page (changed since its cursor; the articles whose products
changed in the shop ride on the same request, up to article_sync.ARTICLES_PER_FILTER of them) and
the stock reconcile reads every page of the tenant's articles (ChangedUtc may not move with stock:
docs/eaccounting-unknowns.md). Together they
may spend a share of the safe rate; the rest is left for first syncs, *Sync now* and retries.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

SAFETY = 0.9  # as the budget itself (eaccounting/budget.py): never plan for more than 90 % ...
SHARE = 0.75  # ... and of that, scheduled catalogue reads take at most three quarters
STEP = 5  # minutes: planned intervals are rounded up to this
#: Of the catalogue cluster's worker time, scheduled catalogue jobs may fill this share; the rest
#: absorbs bursts (webhooks, Sync now, first syncs), so the queue does not grow without end.
QUEUE_SHARE = 0.7

#: Intervals (minutes) a tenant gets unless it asks for longer ones. Orders every 2 minutes keeps
#: a polled order's 95th-percentile delay under 3 minutes; an article change reaches the shop
#: within 10 minutes at 8.
DEFAULT_MINUTES = {
    "articles": 8,
    "stock": 60,
    "orders": 2,
    "webhooks": 24 * 60,
    "availability": 60,
    "webshop_orders": 5,
}  # the last two: Visma Verkkokauppa tenants


@dataclass(frozen=True)
class BudgetPlan:
    minimum: dict[str, int]  # the shortest interval each job may have now (minutes)
    articles_per_minute: float  # expected requests a minute to /articles, every tenant at its default
    allowed_per_minute: float  # what the plan lets scheduled catalogue reads spend

    def minutes(self, job: str, wanted: int) -> int:
        return max(wanted, self.minimum.get(job, 1))


def pages(articles: int, page_size: int) -> int:
    """Requests to read every article: full pages, and one that comes back short (or empty)."""
    return articles // page_size + 1


def plan(
    article_counts: list[int],
    *,
    page_size: int,
    limit_per_minute: float,
    workers: int = 0,
    run_seconds: Mapping[str, float] | None = None,
) -> BudgetPlan:
    """`article_counts`: one per active tenant (its articles in eAccounting). `workers` and
    `run_seconds` (the mean length of an `articles` and a `stock` run, measured): the queue's
    capacity; when the scheduled runs would need more worker time than QUEUE_SHARE of it, their
    intervals are stretched until they fit, as for the budget."""
    allowed = limit_per_minute * SAFETY * SHARE
    tenants = len(article_counts)
    # incremental reads may take half of it, so the reconcile always gets through too
    articles_min = _round_up(tenants / (allowed / 2))
    incremental = tenants / max(DEFAULT_MINUTES["articles"], articles_min)
    all_pages = sum(pages(n, page_size) for n in article_counts)
    stock_min = _round_up(all_pages / (allowed - incremental))
    if workers and run_seconds:
        articles_min, stock_min = _fit_queue(tenants, workers, run_seconds, articles_min, stock_min)
        incremental = tenants / max(DEFAULT_MINUTES["articles"], articles_min)
    per_minute = incremental + all_pages / max(DEFAULT_MINUTES["stock"], stock_min)
    # a Visma Verkkokauppa tenant's availability run reads every article, as a stock reconcile does
    return BudgetPlan(
        {"articles": articles_min, "stock": stock_min, "availability": stock_min}, per_minute, allowed
    )


def queue_load(tenants: int, run_seconds: Mapping[str, float], articles: int, stock: int) -> float:
    """Worker-seconds a minute the scheduled catalogue runs take at these intervals (minutes)."""
    return tenants * (run_seconds.get("articles", 0) / articles + run_seconds.get("stock", 0) / stock)


def _fit_queue(
    tenants: int, workers: int, run_seconds: Mapping[str, float], articles_min: int, stock_min: int
) -> tuple[int, int]:
    """Both intervals stretched by the factor the worker time is short by (never shortened)."""
    capacity = workers * 60 * QUEUE_SHARE
    articles = max(DEFAULT_MINUTES["articles"], articles_min)
    stock = max(DEFAULT_MINUTES["stock"], stock_min)
    factor = queue_load(tenants, run_seconds, articles, stock) / capacity
    if factor <= 1:
        return articles_min, stock_min
    return max(articles_min, _round_up(articles * factor)), max(stock_min, _round_up(stock * factor))


def _round_up(minutes: float) -> int:
    """Whole minutes; planned stretches (over a minute) rounded up to STEP so they change seldom."""
    return math.ceil(minutes / STEP) * STEP if minutes > 1 else 1
