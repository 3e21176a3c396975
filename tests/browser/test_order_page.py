"""An order's own page in Chromium, in Finnish, at 1280 px: why it waits, its fix as a button, the real cluster
transfers it, and the page then shows it transferred in its history (#19)."""

import re

import pytest
from playwright.sync_api import expect

from integration.models import Membership, OrderTransfer
from integration.orders.transfer import transfer_orders

from ..orders.conftest import shop  # noqa: F401  # both sandboxes with an activated tenant
from .conftest import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_owner_follows_the_pages_fix_and_the_order_transfers(
    page,
    live_server,
    shop,  # noqa: F811
    cluster,
    django_user_model,
):
    owner = django_user_model.objects.create_user("omistaja", password="pw-omistaja", is_staff=True)
    Membership.objects.create(tenant=shop.tenant, user=owner, role=Membership.Role.OWNER)
    line = {"product_id": shop.product_id("A-255"), "quantity": 300, "price": "0.333333"}  # 100.00 for 300
    order = shop.order([("A-255", 1)], line_items=[line])
    transfer_orders(shop.tenant)
    transfer = OrderTransfer.objects.get(tenant=shop.tenant, shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.WAITING

    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_extra_http_headers({"Accept-Language": "fi"})
    log_in(page, live_server.url, "omistaja", "pw-omistaja")
    page.goto(f"{live_server.url}/integration/ordertransfer/{transfer.pk}/change/")
    reason = page.locator('.reason[data-code="line_not_in_cents"]')
    expect(reason).to_contain_text("mikään kahden desimaalin yksikköhinta")
    expect(page.locator("#order-totals")).to_contain_text("100,00 EUR")  # the shop's total while it waits
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(live_server_artifact("order-page-waiting-fi.png")), full_page=True)

    reason.locator("input[type=submit]").click()  # Kirjaa rivit yhtenä yksikkönä: the cluster tries it again
    expect(page.locator(".messagelist")).to_be_visible()
    for _ in range(30):
        transfer.refresh_from_db()
        if transfer.status == OrderTransfer.Status.DONE:
            break
        page.wait_for_timeout(1000)
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    page.reload()
    expect(page.locator('#timeline li[data-kind="transferred"]')).to_contain_text(
        re.compile(f"Siirretty.*{transfer.document_number}")
    )
    expect(page.locator(".reason")).to_have_count(0)
    page.screenshot(path=str(live_server_artifact("order-page-transferred-fi.png")), full_page=True)
