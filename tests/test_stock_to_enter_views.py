"""*Stock to enter in eAccounting*: the page, its CSV, the first-sync page's list and the dashboard's count,
each showing one company's products to its owners and members only."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from integration.models import ArticleLink, FirstSync, ImportItem, Membership, ShopProductSnapshot

pytestmark = pytest.mark.django_db


def shop_led(tenant, number, product_id, at_import, name="", now=None, counted=True):
    """A link the first sync made for an article it created at 0, with the shop's product as Silta saw it."""
    ArticleLink.objects.create(
        tenant=tenant,
        article_id=f"id-{number}",
        article_number=number,
        shop_product_id=product_id,
        stock_led_by_shop=True,
        stock_to_enter=at_import,
    )
    ShopProductSnapshot.objects.create(
        tenant=tenant,
        product_id=product_id,
        sku=number,
        values={"name": f"Shop's {number}", "manage_stock": counted, "stock_quantity": now},
    )
    if name:
        first = FirstSync.objects.filter(tenant=tenant).first() or FirstSync.objects.create(
            tenant=tenant, status=FirstSync.Status.DONE
        )
        ImportItem.objects.create(
            first_sync=first,
            tenant=tenant,
            kind=ImportItem.Kind.CREATE,
            sku=number,
            name=name,
            product_id=product_id,
        )


@pytest.fixture
def waiting(tenant_a, tenant_b):
    shop_led(tenant_a, "A-1", 11, Decimal(5), name="Kahvikuppi", now=3)  # two sold since the import
    shop_led(tenant_a, "A-2", 12, None, counted=False)  # the shop does not count it
    shop_led(tenant_a, "=A-3", 13, Decimal("1.5"), name="=HYPERLINK(1)", now=1)
    ArticleLink.objects.create(  # stock entered: eAccounting leads, not listed
        tenant=tenant_a,
        article_id="id-A-4",
        article_number="A-4",
        shop_product_id=14,
        stock_to_enter=Decimal(9),
    )
    shop_led(tenant_b, "B-SECRET", 21, Decimal(7), name="Company B's product", now=7)


def rows(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_lists_the_companys_products_with_the_shops_quantities(client, owner_a, tenant_a, waiting):
    client.force_login(owner_a)
    got = rows(client.get(reverse("stock_to_enter_csv", args=[tenant_a.slug])))
    assert got == [
        ["Article number", "Name", "Stock in the shop at import", "Stock in the shop now"],
        ["'=A-3", "'=HYPERLINK(1)", "1.5", "1"],  # a spreadsheet would run "=…" as a formula
        ["A-1", "Kahvikuppi", "5", "3"],
        ["A-2", "Shop's A-2", "", ""],
    ]


def test_a_member_of_another_company_gets_only_their_own(client, member_b, tenant_a, tenant_b, waiting):
    client.force_login(member_b)
    assert client.get(reverse("stock_to_enter_csv", args=[tenant_a.slug])).status_code == 404
    assert client.get(reverse("stock_to_enter", args=[tenant_a.slug])).status_code == 404
    got = rows(client.get(reverse("stock_to_enter_csv", args=[tenant_b.slug])))
    assert [r[0] for r in got[1:]] == ["B-SECRET"]  # a member (not an owner) reads their company's list


def test_an_outsider_gets_nothing(client, outsider, tenant_a, waiting):
    client.force_login(outsider)
    assert client.get(reverse("stock_to_enter_csv", args=[tenant_a.slug])).status_code == 404
    assert client.get(reverse("stock_to_enter", args=[tenant_a.slug])).status_code == 404


def test_the_page_and_the_first_sync_page_show_the_list_in_finnish(client, owner_a, tenant_a, waiting):
    client.force_login(owner_a)
    for name in ("stock_to_enter", "first_sync"):
        page = client.get(reverse(name, args=[tenant_a.slug]), HTTP_ACCEPT_LANGUAGE="fi").content.decode()
        assert "eAccountingiin kirjattavat varastosaldot (3)" in page
        assert 'data-number="A-1"' in page and "Kahvikuppi" in page
        assert "verkkokauppa ei seuraa saldoa" in page  # the shop does not count it
        assert "A-4" not in page and "B-SECRET" not in page
        assert reverse("stock_to_enter_csv", args=[tenant_a.slug]) in page


def test_an_empty_list_says_eaccounting_leads_every_article(client, owner_a, tenant_a):
    client.force_login(owner_a)
    page = client.get(reverse("stock_to_enter", args=[tenant_a.slug])).content.decode()
    assert 'id="no-stock-to-enter"' in page and 'id="stock-to-enter"' not in page


def test_the_dashboard_counts_what_is_left_for_each_company(client, owner_a, tenant_a, tenant_b, waiting):
    Membership.objects.create(tenant=tenant_b, user=owner_a, role=Membership.Role.MEMBER)
    client.force_login(owner_a)
    page = client.get(reverse("admin:index")).content.decode()
    assert (
        f'<a href="{reverse("stock_to_enter", args=[tenant_a.slug])}">3 products wait for their stock in eAccounting</a>'
        in page
    )
    assert (
        f'<a href="{reverse("stock_to_enter", args=[tenant_b.slug])}">1 product waits for its stock' in page
    )
    ArticleLink.objects.filter(tenant=tenant_a).update(stock_led_by_shop=False)  # all entered
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("stock_to_enter", args=[tenant_a.slug]) not in page
