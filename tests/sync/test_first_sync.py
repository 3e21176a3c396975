"""The first sync against both sandboxes: preview, creates, confirmed overwrites, re-check, undo."""

from decimal import Decimal

import pytest
from django.urls import reverse

from integration import webshops
from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.eaccounting.client import EAccountingClient
from integration.models import (
    ArticleLink,
    ArticleTemplate,
    FirstSync,
    ImportItem,
    Membership,
    OrderSettings,
    OrderTransfer,
)
from integration.orders.transfer import transfer_orders
from integration.sync import first_sync
from integration.sync.article_sync import sync_articles

from ..fixtures.first_sync_shops import PLATFORMS, connect_shop

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=PLATFORMS)
def shop(request, ea, wc, shopify_server, live_server, settings):
    """Either sandbox, seeded with its own products, connected to eAccounting's first company."""
    settings.SILTA_BASE_URL = live_server.url
    handle = connect_shop(request.param, ea, wc, shopify_server, "first")
    yield handle
    handle.wait()


@pytest.fixture
def tenant(shop):
    """Activated; the shop has its own seeded products plus two that clash with eAccounting's numbers."""
    tenant = shop.tenant
    activate(tenant, check(gather(tenant)))
    tenant.refresh_from_db()
    return tenant


@pytest.fixture
def eaccounting(tenant):
    return EAccountingClient(tenant.eaccounting_connection)


@pytest.fixture
def clashes(tenant, eaccounting, shop):
    articles = [a for a in eaccounting.articles() if a.is_active][:2]
    for article in articles:
        shop.add(article.number, f"Kaupan {article.name}"[:50], "99.90")
    return articles


def items(first, kind):
    return list(first.items.filter(kind=kind))


def test_preview_lists_each_kind_with_reasons_and_writes_nothing(tenant, clashes, ea, shop):
    shop.add("", "Ilman tuotekoodia", "4.90")  # a product without an SKU is never imported
    ea.control("DELETE", "requests")
    first = first_sync.preview(tenant)
    assert first.status == FirstSync.Status.PREVIEW
    overwrites = items(first, ImportItem.Kind.OVERWRITE)
    assert {o.sku for o in overwrites} == {a.number for a in clashes}
    changes = overwrites[0].payload["changes"]
    assert "Name" in changes and changes["Name"][1].startswith("Kaupan ")
    assert items(first, ImportItem.Kind.CREATE)
    rejects = items(first, ImportItem.Kind.REJECT)
    assert any("SKU" in r.reason for r in rejects)
    assert items(first, ImportItem.Kind.PUSH_CREATE)
    writes = [r for r in ea.control("GET", "requests") if r["method"] in ("POST", "PUT")]
    assert writes == []


def test_yes_creates_and_overwrites_wait_for_their_own_confirmation(tenant, clashes, eaccounting):
    first = first_sync.preview(tenant)
    creates = items(first, ImportItem.Kind.CREATE)
    first_sync.apply(first)
    first.refresh_from_db()
    assert first.status == FirstSync.Status.CREATED
    for row in first.items.filter(kind=ImportItem.Kind.CREATE):
        assert row.state == ImportItem.State.APPLIED, row.reason
        article = eaccounting.article_by_number(row.sku)
        assert article is not None and article.id == row.article_id
        assert ArticleLink.objects.filter(
            tenant=tenant, article_id=article.id, shop_product_id=row.product_id
        ).exists()
    assert (
        len(creates)
        == first.items.filter(kind=ImportItem.Kind.CREATE, state=ImportItem.State.APPLIED).count()
    )
    untouched = eaccounting.article_by_number(clashes[0].number)
    assert untouched.name == clashes[0].name  # not overwritten without confirmation

    first_sync.apply(first, overwrite=True)
    first.refresh_from_db()
    assert first.status == FirstSync.Status.DONE
    overwritten = eaccounting.article_by_number(clashes[0].number)
    assert overwritten.name.startswith("Kaupan ")
    price = (
        overwritten.gross_price
        if webshops.for_connection(tenant.webshop_connection).settings().prices_include_tax
        else overwritten.net_price
    )
    assert price == Decimal("99.90")


def test_a_long_apply_stops_when_its_time_is_up_and_the_next_task_goes_on_where_it_stopped(
    tenant, clashes, settings
):
    from django_q.models import OrmQ

    from integration import tasks

    settings.SILTA_TASK_SLICE_SECONDS = 0  # every task does one item, then hands over
    first = first_sync.preview(tenant)
    planned = first.items.filter(kind__in=[ImportItem.Kind.CREATE, ImportItem.Kind.LINK])
    assert planned.filter(kind=ImportItem.Kind.CREATE).count() >= 3
    runs, total = 0, planned.count()
    while True:
        OrmQ.objects.all().delete()
        tasks.first_sync_step(
            first.pk, "create"
        )  # what the cluster runs, the first time and for each hand-over
        runs += 1
        first.refresh_from_db()
        queued = [q.task for q in OrmQ.objects.all()]
        if first.status != FirstSync.Status.APPLYING:
            break
        assert (
            planned.filter(state=ImportItem.State.APPLIED).count() == runs
        )  # one more each time, none twice
        assert [(q["func"], q["args"]) for q in queued] == [
            (tasks.first_sync_step.path, (first.pk, "create"))
        ]
    assert first.status == FirstSync.Status.CREATED  # the overwrites wait for their own confirmation
    assert runs == total == planned.filter(state=ImportItem.State.APPLIED).count()
    assert not any(q["func"] == tasks.first_sync_step.path for q in queued)  # done: nothing more queued


def test_an_item_changed_after_the_preview_is_skipped_not_forced(tenant, clashes, eaccounting, shop):
    first = first_sync.preview(tenant)
    changed = items(first, ImportItem.Kind.CREATE)[0]
    shop.set_price(changed.product_id, "1.23")
    first_sync.apply(first)
    changed.refresh_from_db()
    assert changed.state == ImportItem.State.SKIPPED
    assert "Changed since the preview" in changed.reason
    assert eaccounting.article_by_number(changed.sku) is None
    assert first.items.filter(kind=ImportItem.Kind.CREATE, state=ImportItem.State.APPLIED).exists()


def test_undo_restores_overwritten_fields_and_deactivates_created_articles(tenant, clashes, eaccounting):
    first = first_sync.preview(tenant)
    first_sync.apply(first)
    first_sync.apply(first, overwrite=True)
    first_sync.undo(first)
    first.refresh_from_db()
    assert first.status == FirstSync.Status.UNDONE
    restored = eaccounting.article_by_number(clashes[0].number)
    assert (restored.name, restored.net_price) == (clashes[0].name, clashes[0].net_price)
    for row in first.items.filter(kind=ImportItem.Kind.CREATE, state=ImportItem.State.UNDONE):
        assert not eaccounting.article_by_number(row.sku).is_active
        assert "cannot delete" in row.reason
    assert not ArticleLink.objects.filter(tenant=tenant).exists()


def test_after_the_first_sync_eaccountings_articles_reach_the_shop(tenant, clashes, eaccounting):
    first = first_sync.preview(tenant)
    push = {row.sku for row in items(first, ImportItem.Kind.PUSH_CREATE)}
    first_sync.apply(first, overwrite=True)
    sync_articles(tenant)
    pushed = {
        p.sku: p for p in webshops.for_connection(tenant.webshop_connection).products() if p.sku in push
    }
    assert set(pushed) == push
    assert {p.status for p in pushed.values()} == {"draft"}  # new in the shop: hidden until a person shows it
    clash_product = next(
        p for p in webshops.for_connection(tenant.webshop_connection).products() if p.sku == clashes[0].number
    )
    assert clash_product.name.startswith("Kaupan ")  # the shop's copy won, and stays


def test_a_failed_step_settles_on_what_was_really_done(tenant, clashes, ea):
    from integration import tasks

    first = first_sync.preview(tenant)
    ea.settings(drop_after_commit_next=0, force_500=1000)  # eAccounting fails every request from now on
    first.status = FirstSync.Status.APPLYING
    first.save()
    with pytest.raises(Exception):  # noqa: B017  (whatever eAccounting's failure is, the task fails)
        tasks.first_sync_step(first.pk, "create")
    ea.settings(force_500=0)
    first.refresh_from_db()
    assert first.status == FirstSync.Status.PREVIEW  # nothing was applied: Yes can be tried again
    assert first.error


# --- the preview in words: stock that starts at 0, codings and units by name ----------------------


@pytest.fixture
def owner_client(client, tenant, django_user_model):
    user = django_user_model.objects.create_user(username="owner", password="pw-owner", is_staff=True)
    Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.OWNER)
    client.force_login(user)
    return client


def page_text(owner_client, tenant):
    response = owner_client.get(reverse("first_sync", kwargs={"slug": tenant.slug}))
    assert response.status_code == 200
    return response.content.decode()


STOCK_WARNING = "stock stays as it is in the shop until you enter it in eAccounting"


def test_the_preview_says_the_shop_keeps_the_stock_of_created_stock_items(tenant, owner_client):
    first = first_sync.preview(tenant)
    stock_creates = [i for i in items(first, ImportItem.Kind.CREATE) if i.payload["body"]["IsStock"]]
    assert (
        stock_creates
    )  # the seeded shop has goods; the stock module is on, so the goods template is a stock item
    assert first.summary["stock_creates"] == len(stock_creates)
    html = page_text(owner_client, tenant)
    assert 'id="stock-warning"' in html and STOCK_WARNING in html
    assert f"{len(stock_creates)} products will be created in eAccounting as stock items" in html
    assert "A list is given after the sync." in html
    shown = "Stock item: the shop keeps its stock until you enter it in eAccounting"
    assert html.count(shown) == len(stock_creates)


def test_no_stock_warning_without_stock_items_to_create(tenant, owner_client):
    ArticleTemplate.objects.filter(tenant=tenant).update(is_stock=False)
    first = first_sync.preview(tenant)
    assert items(first, ImportItem.Kind.CREATE) and first.summary["stock_creates"] == 0
    html = page_text(owner_client, tenant)
    assert 'id="stock-warning"' not in html and "the shop keeps its stock" not in html


def test_no_stock_warning_when_the_stock_module_is_off(tenant, owner_client, ea):
    ea.control(
        "PATCH",
        f"companies/{tenant.eaccounting_connection.company_id}",
        {"settings": {"stock_module": False}},
    )
    first = first_sync.preview(tenant)
    assert any(
        i.payload["body"]["IsStock"] for i in items(first, ImportItem.Kind.CREATE)
    )  # the template says so ...
    assert first.summary["stock_creates"] == 0  # ... but eAccounting keeps no stock: nothing starts at 0
    assert 'id="stock-warning"' not in page_text(owner_client, tenant)


def test_the_preview_says_when_the_shop_tells_no_products_vat_rate(shop, tenant, owner_client):
    """Shopify taxes by region, with overrides in its admin: a product its recent orders charged gets that
    rate, the rest the standard rate; the preview says how many of each."""
    first = first_sync.preview(tenant)
    creates = items(first, ImportItem.Kind.CREATE)
    assert creates
    rates_told = webshops.for_connection(tenant.webshop_connection).settings().tax_setup is None
    learned, assumed = first.summary["learned_rate"], first.summary["assumed_rate"]
    assert (learned, assumed) == (0, 0) if rates_told else learned + assumed == len(creates)
    html = page_text(owner_client, tenant)
    assert ('id="vat-warning"' in html) is not rates_told
    if not rates_told:
        assert learned and assumed  # the seeded orders sold some of the seeded products, not all
        assert f"{learned} products will be created in eAccounting at the VAT rate their orders" in html
        assert f"{assumed} products were not sold in those orders" in html


def test_a_product_sold_at_14_is_created_at_14_and_its_next_order_becomes_a_document(
    shop, tenant, owner_client
):
    """Where the shop tells no product's rate, its orders do: the bean sold at 14 % comes in at 14 % (not
    the standard 25.5 %, which would keep its every order waiting), the mug never sold at the standard rate."""
    shop.add("KAHVI-14", "Kahvipavut 500 g", "12.90", rate="14")
    shop.add("MUKI-255", "Kahvimuki", "19.90", rate="25.5")
    shop.sell("KAHVI-14")  # before the owner connects: the shop's history
    first = first_sync.preview(tenant)
    created = {i.sku: i for i in items(first, ImportItem.Kind.CREATE)}
    assert Decimal(created["KAHVI-14"].payload["vat_rate"]) == Decimal("14")
    assert Decimal(created["MUKI-255"].payload["vat_rate"]) == Decimal("25.5")
    rates_told = webshops.for_connection(tenant.webshop_connection).settings().tax_setup is None
    if not rates_told:
        assert created["KAHVI-14"].reason == "VAT 14 %, as the shop's recent orders charged it"
        assert created["MUKI-255"].reason.startswith("VAT 25.5 % assumed (the standard rate)")
        assert first.summary["rates_from_orders"]["rates"]["kahvi-14"] == "14"
        html = page_text(owner_client, tenant)
        assert "VAT 14 %, as the shop&#x27;s recent orders charged it" in html

    first_sync.apply(first)
    assert created["KAHVI-14"].sku in {
        i.sku for i in first.items.filter(state=ImportItem.State.APPLIED, kind=ImportItem.Kind.CREATE)
    }
    order = shop.sell("KAHVI-14")
    # the sandboxes keep their own clocks: the order is new whatever the activation's time says
    OrderSettings.objects.filter(tenant=tenant).update(transfer_from=None)
    transfer_orders(tenant, order_ids=[order])
    transfer = OrderTransfer.objects.get(tenant=tenant, shop_order_id=order)
    assert transfer.document_id, transfer.reason  # no wait for the article's VAT rate
    assert "VAT" not in transfer.reason


def test_overwrites_show_the_codings_name_not_its_id(tenant, clashes, eaccounting, owner_client):
    codings = {c.id: c for c in eaccounting.codings()}
    first = first_sync.preview(tenant)
    recoded = [o for o in items(first, ImportItem.Kind.OVERWRITE) if "CodingId" in o.payload["changes"]]
    assert recoded  # a clash whose article's VAT rate differs from the shop's
    html = page_text(owner_client, tenant)
    for row in recoded:
        old, new = row.payload["changes"]["CodingId"]
        assert (first.summary["names"][old], first.summary["names"][new]) == (
            codings[old].name,
            codings[new].name,
        )
        assert (
            f"account coding (VAT rate): <del>{codings[old].name}</del> → <ins>{codings[new].name}</ins>"
            in html
        )
        assert old not in html and new not in html


def test_changes_in_words():
    names = {"c-14": "Tavaramyynti 14 %", "c-255": "Tavaramyynti 25,5 %", "u-kpl": "Kappale"}
    changes = {
        "Name": ["Vanha", "Uusi"],
        "CodingId": ["c-14", "c-255"],
        "UnitId": [None, "u-kpl"],
        "GrossPrice": ["10.00", "12.40"],
        "SendToWebshop": [False, True],
        "NetPrice": ["x", "c-gone"],
    }
    assert first_sync.shown_changes(changes, names) == [
        ("name", "Vanha", "Uusi"),
        ("account coding (VAT rate)", "Tavaramyynti 14 %", "Tavaramyynti 25,5 %"),
        ("unit", "–", "Kappale"),
        ("price incl. VAT", "10.00", "12.40"),
        ("available in webshop", "no", "yes"),
        ("price excl. VAT", "x", "c-gone"),  # only ids are looked up
    ]
    assert first_sync.shown_changes({"CodingId": ["c-gone", "c-14"]}, names)[0][1] == "coding c-gone"


def test_names_are_read_only_for_the_fields_the_overwrites_change():
    from types import SimpleNamespace

    from integration.sync.import_plan import Overwrite

    class Reader:
        def __init__(self):
            self.read = []

        def codings(self):
            self.read.append("codings")
            return [
                SimpleNamespace(id="c-14", name="Tavaramyynti 14 %"),
                SimpleNamespace(id="c-0", name="Muu"),
            ]

        def units(self):
            self.read.append("units")
            return [
                SimpleNamespace(id="u-kpl", name="Kappale"),
                SimpleNamespace(id="u-kg", name="Kilogramma"),
            ]

    def overwrite(changes):
        return Overwrite("A-1", 1, "a-1", changes, {}, {}, None, Decimal("14"))

    reader = Reader()
    assert first_sync._names(reader, [overwrite({"Name": ("a", "b")})]) == {} and reader.read == []
    names = first_sync._names(
        reader, [overwrite({"UnitId": (None, "u-kpl")}), overwrite({"CodingId": ("c-x", "c-14")})]
    )
    assert names == {"u-kpl": "Kappale", "c-14": "Tavaramyynti 14 %"}  # only the ids in the changes
    assert sorted(reader.read) == ["codings", "units"]
