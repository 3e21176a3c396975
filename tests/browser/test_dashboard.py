"""A person logs into the portal and sees their companies, and only theirs."""

import pytest

from .conftest import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_logs_in_and_sees_only_their_company(page, live_server, tenant_a, tenant_b, owner_a):
    log_in(page, live_server.url, "owner_a", "pw-owner_a")
    page.wait_for_selector("#tenants-dashboard")
    rows = page.locator("#tenants-dashboard tr.tenant-row")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-tenant") == "a"
    assert "Connected · eAccounting A" in rows.first.locator(".eaccounting-status").inner_text()
    assert "Company B" not in page.content()
    page.screenshot(path=str(live_server_artifact("dashboard.png")))


def test_wrong_password_is_refused_with_a_message(page, live_server, owner_a):
    log_in(page, live_server.url, "owner_a", "not-the-password")
    assert page.locator(".errornote").is_visible()
    assert "/login/" in page.url
