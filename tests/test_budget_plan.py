"""The budget plan (pure): how often catalogue jobs may run for all tenants to fit the shared budget."""

from hypothesis import given, settings
from hypothesis import strategies as st

from integration.scheduling.budget_plan import DEFAULT_MINUTES, QUEUE_SHARE, pages, plan, queue_load
from tests.fixtures.examples import examples


def test_a_small_installation_runs_every_job_as_often_as_wanted():
    p = plan([200, 3_000, 0], page_size=50, limit_per_minute=600)
    assert p.minimum == {"articles": 1, "stock": 1, "availability": 1}
    assert p.minutes("articles", DEFAULT_MINUTES["articles"]) == 8 and p.minutes("stock", 60) == 60
    # 3 incremental reads every 8 minutes, (5 + 61 + 1) pages every 60
    assert round(p.articles_per_minute, 3) == round(3 / 8 + 67 / 60, 3)


def test_a_thousand_tenants_of_two_thousand_articles_reconcile_less_often_than_hourly():
    p = plan([2_000] * 1_000, page_size=50, limit_per_minute=600)
    # allowed: 600 × 0.9 × 0.75 = 405 a minute. Incremental: 1,000 / 8 = 125 a minute. Reconcile:
    # 1,000 × 41 pages = 41,000 requests, over the 280 a minute left = 146.4 minutes → 150.
    assert p.allowed_per_minute == 405
    assert p.minimum == {"articles": 5, "stock": 150, "availability": 150}  # both read every page
    assert p.minutes("articles", 8) == 8 and p.minutes("stock", 60) == 150 and p.minutes("stock", 240) == 240
    assert p.articles_per_minute <= p.allowed_per_minute


def test_so_many_tenants_that_even_incremental_reads_are_stretched():
    p = plan([10] * 5_000, page_size=50, limit_per_minute=600)
    assert p.minimum["articles"] == 25  # 5,000 / 202.5 = 24.7 → 25: half of the allowed for incremental reads
    assert p.articles_per_minute <= p.allowed_per_minute


def test_pages_counts_the_short_last_page():
    assert [pages(n, 50) for n in (0, 1, 49, 50, 51, 2_000)] == [1, 1, 1, 2, 2, 41]


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(st.integers(0, 200_000), max_size=300),
    st.sampled_from([20, 50, 500]),
    st.sampled_from([60, 600]),
)
def test_at_the_planned_intervals_the_expected_load_never_exceeds_the_plans_share(counts, page_size, limit):
    p = plan(counts, page_size=page_size, limit_per_minute=limit)
    articles = max(DEFAULT_MINUTES["articles"], p.minimum["articles"])
    stock = max(DEFAULT_MINUTES["stock"], p.minimum["stock"])
    load = len(counts) / articles + sum(pages(n, page_size) for n in counts) / stock
    assert load <= p.allowed_per_minute + 1e-9


def test_when_the_workers_not_the_budget_are_the_limit_catalogue_intervals_stretch():
    # 100 tenants, small catalogues: the budget allows the defaults, 8 and 60 minutes. But an articles run
    # holds a worker 20 s and a reconcile 60 s: 100 × (20/8 + 60/60) = 350 worker-seconds a minute,
    # and 4 workers give 240, of which QUEUE_SHARE (70 %) 168 → 2.08× → 16.7 and 125.0 minutes, up to
    # the step (5 minutes; the float product lands a hair above 125) → 20 and 130.
    budget_only = plan([200] * 100, page_size=50, limit_per_minute=600)
    assert budget_only.minimum == {"articles": 1, "stock": 5, "availability": 5}
    p = plan(
        [200] * 100, page_size=50, limit_per_minute=600, workers=4, run_seconds={"articles": 20, "stock": 60}
    )
    assert p.minimum == {"articles": 20, "stock": 130, "availability": 130}
    assert queue_load(100, {"articles": 20, "stock": 60}, 20, 130) <= 4 * 60 * QUEUE_SHARE
    # quick runs leave the intervals as the budget plans them
    quick = plan(
        [200] * 100, page_size=50, limit_per_minute=600, workers=4, run_seconds={"articles": 2, "stock": 5}
    )
    assert quick.minimum == budget_only.minimum
