"""A superuser sees the probe's contradicting findings on the dashboard, opens the contract and accepts them."""

import pytest

from integration.eaccounting import contract
from integration.probe import run

from ..conftest import connect_tenant
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_superuser_accepts_the_probes_findings(page, live_server, ea, settings, superuser, owner_a):
    ea.settings(rate_limit=6, rate_window=1.0, page_size_max=500)
    settings.EACCOUNTING_RATE_LIMIT, settings.EACCOUNTING_RATE_WINDOW = 6, 1.0
    tenant = connect_tenant(ea, "probe", ea.companies()[0]).tenant
    run.run(run.start(tenant, write=False))

    log_in(page, live_server.url, "owner_a", "pw-owner_a")  # an owner is not told about the installation
    page.wait_for_selector("#tenants-dashboard")
    assert page.locator("#contract-warnings").count() == 0
    page.context.clear_cookies()

    log_in(page, live_server.url, "root", "pw-root")
    warning = page.locator("#contract-warnings")
    assert "page_size_max" in warning.inner_text()
    warning.get_by_role("link").click()
    row = page.locator('tr[data-key="page_size_max"]')
    assert "500" in row.inner_text() and row.locator("input[name=accept]").is_checked()
    page.get_by_role("button", name="Accept the checked findings").click()
    page.wait_for_selector(".messagelist")
    assert contract.current().page_size == 500
    assert page.locator('tr[data-key="page_size_max"].contradicts').count() == 0
