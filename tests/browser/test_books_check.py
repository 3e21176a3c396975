"""The books check page follows a running check without a reload, then shows its result (#17)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from integration.models import BooksCheck

from .conftest import live_server_artifact, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_page_follows_the_check_and_shows_the_differences(page, live_server, tenant_a, owner_a):
    check = BooksCheck.objects.create(
        tenant=tenant_a,
        period="2026-03",
        progress_done=1,
        progress_total=3,
        progress_text="reading eAccounting's invoices",
    )
    log_in(page, live_server.url, "owner_a", "pw-owner_a")
    page.goto(f"{live_server.url}/tenants/{tenant_a.slug}/books-check/?period=2026-03")
    expect(page.locator("#progress-text")).to_have_text("reading eAccounting's invoices")
    BooksCheck.objects.filter(pk=check.pk).update(progress_done=2, progress_text="comparing")
    expect(page.locator("#progress-text")).to_have_text("comparing", timeout=10_000)
    expect(page.locator("#progress-done")).to_have_text("2")
    rows = [{"order": "1001", "differences": "VAT at 25.5 %: the shop 2.91, eAccounting 2.93"}]
    BooksCheck.objects.filter(pk=check.pk).update(
        status=BooksCheck.Status.DONE,
        orders=1,
        rows=rows,
        csv="order\n1001\n",
        finished_at=timezone.now(),
        differences=["Order 1001: VAT at 25.5 %: the shop 2.91, eAccounting 2.93"],
    )
    expect(page.locator("#differences li")).to_have_text(
        "Order 1001: VAT at 25.5 %: the shop 2.91, eAccounting 2.93", timeout=10_000
    )
    expect(page.locator("#csv-link")).to_be_visible()
    page.screenshot(path=str(live_server_artifact("books-check.png")))
