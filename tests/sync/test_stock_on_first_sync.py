"""Stock on the first sync (#19): the products the first sync creates in eAccounting start there at 0 (the API
cannot set a balance while the stock module is on), so the shop keeps its own stock until a person enters it
in eAccounting; then eAccounting leads. Both sandboxes over HTTP, a shop seeded like the demo's."""

from decimal import Decimal

import pytest

from integration import webshops
from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.eaccounting.client import EAccountingClient
from integration.models import ArticleLink, ImportItem, SyncEvent
from integration.sync import first_sync, stock_to_enter
from integration.sync.article_sync import OPEN_ORDER_STATUSES, sync_articles
from integration.webshops.base import ShopProduct

from ..fixtures.first_sync_shops import PLATFORMS, ShopHandle, connect_shop

pytestmark = pytest.mark.django_db(transaction=True)
DEMO_SHOP = {"products": 200, "orders": 20}  # as `make demo` seeds it (rundemo)
SMALL_SHOP = {"products": 40, "orders": 8}  # the same kinds of product, quicker


def _activated(
    platform, ea, wc, shopify, live_server, settings, stock_module=True, shop=SMALL_SHOP
) -> ShopHandle:
    settings.SILTA_BASE_URL = live_server.url
    if platform == "woocommerce":
        wc.reset(seed=shop)
    handle = connect_shop(platform, ea, wc, shopify, "stock", seed=shop)
    tenant = handle.tenant
    if not stock_module:
        ea.control(
            "PATCH",
            f"companies/{tenant.eaccounting_connection.company_id}",
            {"settings": {"stock_module": False}},
        )
    activate(tenant, check(gather(tenant)))
    tenant.refresh_from_db()
    return handle


@pytest.fixture(params=PLATFORMS)
def shop(request, ea, wc, shopify_server, live_server, settings):
    handle = _activated(request.param, ea, wc, shopify_server, live_server, settings)
    yield handle
    handle.wait()  # each product the sync writes sets off a delivery to the live server


@pytest.fixture
def tenant(shop):
    return shop.tenant


@pytest.fixture(params=PLATFORMS)
def demo_shop(request, ea, wc, shopify_server, live_server, settings):
    handle = _activated(request.param, ea, wc, shopify_server, live_server, settings, shop=DEMO_SHOP)
    yield handle
    handle.wait()


def shop_products(tenant) -> dict[int, ShopProduct]:
    """Every product and variation as the shop's API shows it now."""
    return {p.id: p for p in webshops.for_connection(tenant.webshop_connection).products()}


def in_stock(p: ShopProduct) -> bool:
    """What a customer may buy: an uncounted product, or a counted one with some left."""
    return not p.manage_stock or (p.stock_quantity or 0) > 0


def first_sync_with_follow_ups(tenant):
    first = first_sync.preview(tenant)
    first_sync.apply(first, overwrite=True)  # Yes, and the overwrites confirmed
    first.refresh_from_db()
    assert first.status == first.Status.DONE
    sync_articles(tenant)  # what the first sync's end enqueues: eAccounting's articles to the shop
    sync_articles(tenant)  # the schedule's next incremental run
    sync_articles(tenant, full=True)  # and the full stock reconcile
    return first


def add_the_demos_clashing_products(shop: ShopHandle, count=3):
    """As `make demo` does (rundemo): shop products whose SKUs are eAccounting's article numbers."""
    eaccounting = EAccountingClient(shop.tenant.eaccounting_connection)
    articles = [a for a in eaccounting.articles() if a.is_active][:count]
    for article in articles:
        shop.add(article.number, f"{article.name} (verkkokaupan nimi)"[:50], "19.90")
    return {a.number: a for a in articles}


def test_the_first_sync_leaves_in_stock_what_was_in_stock_and_lists_the_stock_to_enter(demo_shop):
    tenant = demo_shop.tenant
    clashes = add_the_demos_clashing_products(demo_shop)
    before = shop_products(tenant)
    assert sum(in_stock(p) for p in before.values()) > 100  # a demo-sized shop, mostly in stock

    first = first_sync_with_follow_ups(tenant)

    after = shop_products(tenant)
    emptied = [p.sku for i, p in before.items() if in_stock(p) and not in_stock(after[i])]
    # only an article eAccounting already had, with nothing available there, may be out of stock: its stock
    # was eAccounting's before the first sync, and eAccounting leads it
    assert [sku for sku in emptied if not (sku in clashes and clashes[sku].stock_available <= 0)] == []
    for sku, article in clashes.items():  # the clashing products show eAccounting's stock
        shown = next(p for p in after.values() if p.sku == sku)
        assert shown.manage_stock is article.is_stock
    created = first.items.filter(kind=ImportItem.Kind.CREATE, state=ImportItem.State.APPLIED)
    stock_items = {row.product_id: row.sku for row in created if row.payload["body"]["IsStock"]}
    assert len(stock_items) > 100
    # the list: each created stock item with the shop's quantity (none where the shop does not count it)
    listed = {row.article_number: (row.at_import, row.now) for row in stock_to_enter.waiting(tenant)}
    expected = {}
    for product_id, sku in stock_items.items():
        p = before[product_id]
        quantity = Decimal(p.stock_quantity) if p.manage_stock and p.stock_quantity is not None else None
        expected[sku] = (quantity, None if quantity is None else int(quantity))
    assert listed == expected
    # the shop's stock was neither written nor reported as drift
    drift = SyncEvent.objects.filter(tenant=tenant, outcome=SyncEvent.Outcome.DRIFT)
    assert list(drift.values_list("item", "fields")) == []
    for product_id in stock_items:
        assert after[product_id].stock_quantity == before[product_id].stock_quantity
        assert after[product_id].manage_stock == before[product_id].manage_stock


def _open_order_skus(tenant) -> set[str]:
    shop = webshops.for_connection(tenant.webshop_connection)
    return {line.sku for order in shop.orders(statuses=OPEN_ORDER_STATUSES) for line in order.line_items}


def test_once_stock_is_entered_in_eaccounting_it_leads_and_the_product_leaves_the_list(tenant, ea):
    first_sync_with_follow_ups(tenant)
    listed = stock_to_enter.waiting(tenant)
    busy = _open_order_skus(tenant)  # their shop stock is eAccounting's less the open orders: pick another
    entered = next(r for r in listed if r.at_import is not None and r.article_number not in busy)
    untracked = next((r for r in listed if r.at_import is None and r.article_number not in busy), None)
    company = tenant.eaccounting_connection.company_id
    ea.control("POST", f"companies/{company}/stock", {"number": entered.article_number, "balance": 7})
    if untracked is not None:  # a product the shop did not count: eAccounting's count makes the shop count it
        ea.control("POST", f"companies/{company}/stock", {"number": untracked.article_number, "balance": 3})

    run = sync_articles(tenant)  # the next incremental run

    after = {p.sku: p for p in shop_products(tenant).values()}
    assert (after[entered.article_number].manage_stock, after[entered.article_number].stock_quantity) == (
        True,
        7,
    )
    still = {r.article_number for r in stock_to_enter.waiting(tenant)}
    assert entered.article_number not in still
    assert still == {r.article_number for r in listed} - {entered.article_number} - (
        {untracked.article_number} if untracked else set()
    )
    if untracked is not None:
        shown = after[untracked.article_number]
        assert (shown.manage_stock, shown.stock_quantity, in_stock(shown)) == (True, 3, True)
    event = run.events.get(item=entered.article_number)
    assert "stock entered in eAccounting" in event.reason
    assert not run.events.filter(outcome=SyncEvent.Outcome.DRIFT).exists()  # handing over is no drift


def test_a_sale_in_the_shop_meanwhile_is_no_drift_and_the_shop_keeps_selling(shop, tenant, ea):
    first_sync_with_follow_ups(tenant)
    row = next(r for r in stock_to_enter.waiting(tenant) if r.at_import and r.at_import > 2)
    link = ArticleLink.objects.get(tenant=tenant, article_number=row.article_number)
    sold = int(row.at_import) - 2
    shop.set_stock(link.shop_product_id, link.shop_parent_id, sold)  # two sold
    # the sale reaches eAccounting as an invoice: its balance goes below 0, which is no stock entered
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    article = eaccounting.article_by_number(row.article_number)
    customer = next(iter(eaccounting.listing("/customers", orderby=None)))
    eaccounting.post(
        "/customerinvoices",
        {
            "CustomerId": customer["Id"],
            "EuThirdParty": False,
            "RotReducedInvoicingType": 0,
            "Rows": [{"ArticleId": article.id, "Quantity": 2}],
        },
    )
    assert eaccounting.article_by_number(row.article_number).stock_balance == -2

    run = sync_articles(tenant)
    run_full = sync_articles(tenant, full=True)

    shown = next(p for p in shop_products(tenant).values() if p.sku == row.article_number)
    assert (shown.stock_quantity, in_stock(shown)) == (sold, True)
    for r in (run, run_full):
        assert not r.events.filter(outcome=SyncEvent.Outcome.DRIFT).exists()
    assert row.article_number in {r.article_number for r in stock_to_enter.waiting(tenant)}
    assert [r.now for r in stock_to_enter.waiting(tenant) if r.article_number == row.article_number] == [sold]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_without_the_stock_module_the_new_articles_get_the_shops_balance(
    platform,
    ea,
    wc,
    shopify_server,
    live_server,
    settings,
):
    handle = _activated(platform, ea, wc, shopify_server, live_server, settings, stock_module=False)
    tenant = handle.tenant  # nothing is written to the shop
    before = shop_products(tenant)
    first = first_sync.preview(tenant)
    first_sync.apply(first)
    created = list(first.items.filter(kind=ImportItem.Kind.CREATE, state=ImportItem.State.APPLIED))
    counted = [row for row in created if before[row.product_id].manage_stock]
    assert counted
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    for row in counted[:10]:
        article = eaccounting.article_by_number(row.sku)
        assert article.stock_balance == Decimal(before[row.product_id].stock_quantity or 0)
    assert not ArticleLink.objects.filter(tenant=tenant, stock_led_by_shop=True).exists()
