"""Tenants connected to test companies of the eAccounting sandbox, and a small rate limit for the burst."""

import pytest

from integration.models import Tenant

from ..conftest import connect_tenant

LIMIT, WINDOW = 6, 1.0  # the sandbox's limit in these tests: the burst is 7 requests, the cool-down a second


@pytest.fixture
def probe_ea(ea, settings):
    """The sandbox with a small limit; Silta's settings agree (the probe's bound comes from them)."""
    ea.settings(rate_limit=LIMIT, rate_window=WINDOW)
    settings.EACCOUNTING_RATE_LIMIT, settings.EACCOUNTING_RATE_WINDOW = LIMIT, WINDOW
    return ea


@pytest.fixture
def test_company(probe_ea, db) -> Tenant:
    return connect_tenant(probe_ea, "probe", probe_ea.companies()[0]).tenant


@pytest.fixture
def second_company(probe_ea, db) -> Tenant:
    company = probe_ea.control("POST", "companies", {"name": "Toinen Testi Oy", "articles": 2})
    return connect_tenant(probe_ea, "probe2", company).tenant


def webshop_order(ea, tenant) -> dict:
    company_id = tenant.eaccounting_connection.company_id
    article = ea.control("GET", f"companies/{company_id}/resources/articles")[0]
    return ea.control(
        "POST",
        f"companies/{company_id}/webshoporders",
        {"Rows": [{"ArticleNumber": article["Number"], "Quantity": 1}], "Name": "Testi Asiakas"},
    )
