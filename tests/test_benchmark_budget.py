"""The article benchmark's yardstick for acceptance 3 of #20: the least time eAccounting's shared
budget lets a run's requests take (each endpoint at 90 % of its limit, endpoints side by side)."""

from collections import Counter

import pytest

from integration.benchmarks.articles import budget_seconds

pytestmark = pytest.mark.django_db  # the contract is read from the installation's rows and settings


@pytest.mark.parametrize(
    ("requests", "seconds"),
    [
        ({"GET /v2/articles": 2000, "GET /v2/units": 1, "GET /v2/articleaccountcodings": 1}, 2000 / 9),
        ({"GET /v2/articles": 90, "GET /v2/articles/{articleId}": 90}, 180 / 9),  # one endpoint's budget
        ({}, 0),
    ],
)
def test_the_budget_time_is_the_busiest_endpoints_count_at_the_budgets_rate(settings, requests, seconds):
    settings.EACCOUNTING_RATE_LIMIT, settings.EACCOUNTING_RATE_WINDOW = 600, 60.0
    assert budget_seconds(Counter(requests)) == pytest.approx(seconds)
