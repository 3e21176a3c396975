"""*Stock to enter in eAccounting* in a real browser, in Finnish and Swedish: from the dashboard's count to the list."""

from decimal import Decimal

import pytest

from integration.models import ArticleLink, Membership, ShopProductSnapshot

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, lang):
    page.wait_for_load_state("load")  # forms.js (deferred) sends the chooser's form: it must be there first
    with page.expect_navigation():
        page.select_option("#language-select", lang)


def test_the_owner_follows_the_dashboards_count_to_the_list_in_finnish_and_swedish(
    page, live_server, tenant_a, django_user_model
):
    owner = django_user_model.objects.create_user(username="owner", password="pw-owner", is_staff=True)
    Membership.objects.create(tenant=tenant_a, user=owner, role=Membership.Role.OWNER)
    ArticleLink.objects.create(
        tenant=tenant_a,
        article_id="id-K-1",
        article_number="K-1",
        shop_product_id=41,
        stock_led_by_shop=True,
        stock_to_enter=Decimal(12),
    )
    ShopProductSnapshot.objects.create(
        tenant=tenant_a,
        product_id=41,
        sku="K-1",
        values={"name": "Kahvikuppi", "manage_stock": True, "stock_quantity": 10},
    )

    log_in(page, live_server.url, "owner", "pw-owner")
    choose(page, "fi")
    count = page.locator(f"tr[data-tenant={tenant_a.slug}] li.stock-to-enter a")
    assert count.inner_text() == "1 tuote odottaa varastosaldoaan eAccountingissa"
    count.click()
    assert (
        page.locator("#stock-to-enter h2").inner_text().lower()
        == "eaccountingiin kirjattavat varastosaldot (1)"
    )
    row = page.locator("tr.stock-to-enter[data-number=K-1]")
    assert row.locator("td").all_inner_texts() == ["K-1", "Kahvikuppi", "12", "10"]
    text = page.locator("#content").inner_text()
    assert "verkkokauppa pitää oman saldonsa" in text and "The first sync created" not in text
    assert page.locator("#stock-to-enter-csv").inner_text() == "Lataa CSV-tiedostona"

    choose(page, "sv")
    assert (
        page.locator("#stock-to-enter h2").inner_text().lower() == "lagersaldon att föra in i eaccounting (1)"
    )
    assert "webbutiken sitt eget lagersaldo" in page.locator("#content").inner_text()
