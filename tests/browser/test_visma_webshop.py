"""A Visma Verkkokauppa tenant in a real browser with a real task cluster: choose the platform, read the
webshop link's status, activate, preview the availability rules, confirm taking articles out, apply."""

import pytest
from playwright.sync_api import expect

from integration.models import Membership, SyncRun

from ..conftest import connect_tenant
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(ea, live_server, django_user_model):
    company = ea.companies()[0]
    tenant = connect_tenant(ea, "visma", company).tenant
    user = django_user_model.objects.create_user(username="owner", password="pw-owner", is_staff=True)
    Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.OWNER)
    return tenant, company["id"]


def _flags(ea, company_id):
    return {
        a["Number"]: a["SendToWebshop"]
        for a in ea.control("GET", f"companies/{company_id}/resources/articles")
    }


def test_choose_visma_webshop_activate_preview_and_apply_rules(page, live_server, owner, ea, cluster):
    tenant, company_id = owner
    inactive = sorted(n for n, a in _flags(ea, company_id).items())[0]
    ea.control(
        "PATCH", f"companies/{company_id}/articles/{inactive}", {"IsActive": False, "SendToWebshop": True}
    )
    ea.control("PUT", f"companies/{company_id}/webshop-status", {"VismaWebshopStatus": 2})

    log_in(page, live_server.url, "owner", "pw-owner")
    page.click("tr[data-tenant=visma] a.connect-webshop")
    page.click("#choose-visma-webshop")
    assert "Visma Verkkokauppa" in page.locator("tr[data-tenant=visma] .webshop-status").inner_text()

    page.click("tr[data-tenant=visma] a.activate")  # the link is off in eAccounting: explained, Yes disabled
    assert "turned off in eAccounting" in page.locator("#blockers").inner_text()
    assert page.locator("#activate-form button[value=yes]").is_disabled()
    assert page.locator("#defaults").count() == 0  # no tax classes or templates: Visma's link moves articles

    ea.control("PUT", f"companies/{company_id}/webshop-status", {"VismaWebshopStatus": 1})
    page.reload()
    assert page.locator("#blockers").count() == 0
    assert "Silta does not touch the webshop" in page.locator("#notes").inner_text()
    page.click("#activate-form button[value=yes]")

    page.wait_for_selector("#rules-form")  # next: the rules
    assert page.locator("#rules-not-applied").count() == 1
    page.check("#id_only_active")
    page.click("#do-preview")
    turn_off = page.locator(f"#preview-changes tr.turn-off[data-number='{inactive}']")
    assert "yes → no" in turn_off.inner_text() and "it is inactive" in turn_off.inner_text()
    shown = {row.get_attribute("data-number") for row in page.locator("#preview-changes tbody tr").all()}

    page.click("#do-apply")  # taking articles out needs the box ticked
    assert "Tick the box" in page.locator(".messagelist").inner_text()
    assert _flags(ea, company_id)[inactive] is True
    page.check("#confirm-turn-off")
    before = _flags(ea, company_id)
    page.click("#do-apply")
    assert "Applying" in page.locator(".messagelist").inner_text()
    assert page.locator("#rules-not-applied").count() == 0  # it says it is applying, and follows it
    page.evaluate("window.notReloaded = true")

    for _ in range(240):  # the cluster applies it (up to a minute on a busy machine)
        run = SyncRun.objects.filter(tenant=tenant, kind=SyncRun.Kind.AVAILABILITY).first()
        if run and run.status != SyncRun.Status.RUNNING:
            break
        page.wait_for_timeout(250)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    after = _flags(ea, company_id)
    assert {n for n in after if after[n] != before[n]} == shown  # what was previewed, no more, no less
    expect(page.locator("#rules-applied")).to_have_count(1, timeout=15_000)  # without a reload
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#do-apply").count() == 0  # an applied preview is not applied twice
