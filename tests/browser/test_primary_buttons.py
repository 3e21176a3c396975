"""Primary actions look like one: every <button> is styled as the admin's buttons, the page's primary action
(Sync now, Yes, Apply, Create, Activate …) in the admin's default colour; screenshots at 1,280 px."""

import pytest

from .conftest import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _background(locator):
    return locator.evaluate("el => getComputedStyle(el).backgroundColor")


def test_primary_and_other_buttons_are_styled_alike_across_pages(page, live_server, tenant_a, owner_a):
    tenant_a.is_active = True
    tenant_a.save()
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, "owner_a", "pw-owner_a")
    sync_now = page.locator("tr.tenant-row[data-tenant=a] form.sync-now button")
    test_shop = page.locator("tr.tenant-row[data-tenant=a] form.test-webshop button")
    primary, other = _background(sync_now), _background(test_shop)
    assert "primary" in sync_now.get_attribute("class")
    assert primary != other and "0, 0, 0, 0" not in other  # both styled, the primary one darker
    assert sync_now.evaluate("el => getComputedStyle(el).borderStyle") == "none"  # not the native button
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(live_server_artifact("buttons-dashboard-1280.png")), full_page=True)

    page.goto(f"{live_server.url}/tenants/{tenant_a.slug}/setup/")
    first_primary = page.locator(".setup-steps .primary").first
    assert _background(first_primary) == primary  # the same primary look on another page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(live_server_artifact("buttons-setup-1280.png")), full_page=True)
