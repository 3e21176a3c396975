"""The whole start in a real browser, with a real task cluster: activate, preview, Yes, confirm overwrites."""

import pytest

from integration.eaccounting.client import EAccountingClient
from integration.models import ArticleLink, FirstSync, Membership

from ..conftest import connect_both
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(ea, wc, live_server, settings, django_user_model):
    settings.SILTA_BASE_URL = live_server.url
    tenant = connect_both(ea, wc, "kauppa")
    user = django_user_model.objects.create_user(username="owner", password="pw-owner", is_staff=True)
    Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.OWNER)
    clash = next(a for a in EAccountingClient(tenant.eaccounting_connection).articles() if a.is_active)
    shop_key = (tenant.webshop_connection.api_key, tenant.webshop_connection.api_secret)
    response = wc.post(
        "/products",
        key=shop_key,
        json={"name": "Kaupan oma nimi", "sku": clash.number, "regular_price": "55.00"},
    )
    assert response.status_code == 201
    return tenant, clash


def wait_for_status(page, status):
    page.wait_for_selector(f"#first-sync-status[data-status={status}]", timeout=60_000)


def test_activate_preview_create_and_confirm_overwrites(page, live_server, owner, cluster):
    tenant, clash = owner
    log_in(page, live_server.url, "owner", "pw-owner")
    page.click("tr[data-tenant=kauppa] a.activate")
    page.click("#activate-form button[value=yes]")
    page.click("#do-preview")
    wait_for_status(page, "preview")
    overwrite_row = page.locator(f"#group-overwrite tr[data-sku='{clash.number}']")
    assert "Kaupan oma nimi" in overwrite_row.inner_text() and clash.name in overwrite_row.inner_text()
    assert page.locator("#group-create tr.import-item").count() > 0
    assert page.locator("#group-reject tr.import-item").count() > 0
    assert (
        f"name: {clash.name} → Kaupan oma nimi" in overwrite_row.inner_text()
    )  # eAccounting's value, then the shop's
    warning = page.locator("#stock-warning").inner_text()  # the shop's goods become stock items
    assert "start there with 0" in warning and "stays as it is in the shop until you enter it" in warning

    page.click("#do-create")
    wait_for_status(page, "created")
    assert page.locator("#stock-warning").count() == 0  # a warning before Yes, not after
    assert EAccountingClient(tenant.eaccounting_connection).article_by_number(clash.number).name == clash.name

    page.click("#do-overwrite")  # without the tick: refused
    assert "Tick the confirmation first" in page.locator(".messagelist").inner_text()
    page.check("#confirm-overwrite")
    page.click("#do-overwrite")
    wait_for_status(page, "done")
    assert (
        EAccountingClient(tenant.eaccounting_connection).article_by_number(clash.number).name
        == "Kaupan oma nimi"
    )
    assert FirstSync.objects.get(tenant=tenant).status == FirstSync.Status.DONE
    # the created stock items keep the shop's stock until it is entered in eAccounting: listed after the sync
    waiting = ArticleLink.objects.filter(tenant=tenant, stock_led_by_shop=True).count()
    assert waiting and page.locator("#stock-to-enter tr.stock-to-enter").count() == waiting
