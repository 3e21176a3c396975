"""A shop owner answers *Activate integration?* after reading the pre-flight check."""

import pytest

from integration.models import Membership, TaxClassMapping

from ..conftest import connect_both
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ready(ea, wc, live_server, settings, django_user_model):
    settings.SILTA_BASE_URL = live_server.url
    tenant = connect_both(ea, wc, "ready")
    owner = django_user_model.objects.create_user(username="owner", password="pw-owner", is_staff=True)
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)
    return tenant


def test_owner_reads_the_preflight_and_answers_yes(page, live_server, ready):
    log_in(page, live_server.url, "owner", "pw-owner")
    page.click("tr[data-tenant=ready] a.activate")
    assert page.locator("#activate-form h2").inner_text() == "Activate integration?"
    assert page.locator("#blockers").count() == 0
    assert "Tavaramyynti 25,5 %" in page.locator("#defaults").inner_text()
    page.click("#activate-form button[value=yes]")
    page.wait_for_selector("#do-preview")  # next: the first sync
    assert "is active" in page.locator(".messagelist").inner_text()
    page.goto(live_server.url + "/")
    assert page.locator("tr[data-tenant=ready] .integration-status").inner_text().startswith("Active")
    assert TaxClassMapping.objects.filter(tenant=ready).count() == 4


def test_a_blocker_disables_yes(page, live_server, ready, wc):
    wc.control("PATCH", "/settings", {"currency": "SEK"})
    try:
        log_in(page, live_server.url, "owner", "pw-owner")
        page.click("tr[data-tenant=ready] a.activate")
        assert "sells in SEK" in page.locator("#blockers").inner_text()
        assert page.locator("#activate-form button[value=yes]").is_disabled()
        page.click("#activate-form button[value=no]")
        assert "Nothing was changed" in page.locator(".messagelist").inner_text()
    finally:
        wc.control("PATCH", "/settings", {"currency": "EUR"})
