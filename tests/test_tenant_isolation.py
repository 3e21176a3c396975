"""Tenant isolation on every admin page, generated from the admin registry.

Three users: the owner of tenant A, a member of tenant B and a staff user with no
membership. A model registered later is covered without touching this file;
if the fixtures create no row of it for a tenant, the coverage test fails.
"""

import pytest
from django.contrib import admin
from django.urls import reverse
from django_q.models import OrmQ

from integration.models import ArticleLink, Membership, SyncRun, WebhookDelivery, WebshopConnection
from integration.sync.article_sync import sync_articles
from integration.webshops.setup import webhook_url
from portal.admin.tenant_admin import TenantScopedAdmin

from .conftest import activated_on_an_empty_catalogue, connect_tenant
from .fixtures.catalogue_shops import ShopifyCatalogue, WooCatalogue

SCOPED = {m._meta.label: (m, a) for m, a in admin.site._registry.items() if isinstance(a, TenantScopedAdmin)}
UNSCOPED = {m._meta.label: m for m, a in admin.site._registry.items() if not isinstance(a, TenantScopedAdmin)}
HOME = {"owner_a": "a", "member_b": "b", "outsider": None}
ROLE = {"owner_a": Membership.Role.OWNER, "member_b": Membership.Role.MEMBER, "outsider": None}
USERS = list(HOME)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def rows_of(label, tenant):
    model, model_admin = SCOPED[label]
    path = model_admin.tenant_path or "pk"
    return list(model._default_manager.filter(**{path: tenant.pk}))


@pytest.fixture
def world(tenant_a, tenant_b, three_users, client):
    return {"a": tenant_a, "b": tenant_b, "users": three_users, "client": client}


def login(world, who):
    world["client"].force_login(world["users"][who])
    return world["client"]


def home_and_away(world, who, label=None):
    """The user's own tenant and the others. On a page shown to some roles only (the admin's
    `visible_to`, e.g. the audit trail: owners), a user in another role has no home: their own
    tenant's rows count as away, out of reach like any other tenant's."""
    home = HOME[who]
    if home and label and ROLE[who] not in SCOPED[label][1].visible_to:
        home = None
    away = [world[t] for t in ("a", "b") if t != home]
    return (world[home] if home else None), away


@pytest.mark.parametrize("label", sorted(SCOPED))
def test_fixtures_cover_every_scoped_model(world, label):
    assert rows_of(label, world["a"]) and rows_of(label, world["b"]), (
        f"tests/conftest.py make_tenant() creates no {label} row: add one so isolation is tested"
    )


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("label", sorted(SCOPED))
@pytest.mark.parametrize("popup", [False, True], ids=["changelist", "raw-id-popup"])
def test_changelist_lists_only_own_tenant(world, label, who, popup):
    model, _ = SCOPED[label]
    client = login(world, who)
    query = "?_popup=1&_to_field=id" if popup else ""
    response = client.get(url(model, "changelist") + query)
    home, away = home_and_away(world, who, label)
    if home is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = {obj.pk for obj in response.context["cl"].result_list}
    assert listed == {obj.pk for obj in rows_of(label, home)}
    for tenant in away:
        for obj in rows_of(label, tenant):
            assert url(model, "change", obj.pk) not in response.content.decode()


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("label", sorted(SCOPED))
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_object_pages_of_other_tenants_are_unreachable(world, label, who, view):
    model, _ = SCOPED[label]
    client = login(world, who)
    home, away = home_and_away(world, who, label)
    for tenant in away:
        for obj in rows_of(label, tenant):
            response = client.get(url(model, view, obj.pk))
            assert response.status_code in (302, 403, 404)
            if response.status_code == 302:  # the admin's "does not exist" redirect
                assert response.url == reverse("admin:index")
            assert str(obj) not in response.content.decode()
    if home is not None and view != "delete":
        for obj in rows_of(label, home):
            assert client.get(url(model, view, obj.pk)).status_code == 200


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("label", sorted(SCOPED))
def test_other_tenants_rows_cannot_be_deleted(world, label, who):
    model, _ = SCOPED[label]
    client = login(world, who)
    _, away = home_and_away(world, who, label)
    for tenant in away:
        for obj in rows_of(label, tenant):
            client.post(url(model, "delete", obj.pk), {"post": "yes"})
            client.post(
                url(model, "changelist"),
                {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
            )
            assert model._default_manager.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("label", sorted(SCOPED))
def test_add_form_offers_only_own_tenants(world, label, who):
    model, model_admin = SCOPED[label]
    client = login(world, who)
    response = client.get(url(model, "add"))
    home, away = home_and_away(world, who, label)
    if response.status_code == 403:
        return  # not allowed to add here at all (outsiders, members, tenants themselves)
    assert home is not None, "a user without membership reached an add form"
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        offered = set(queryset)
        for tenant in away:
            assert tenant not in offered, f"{label}.{name} offers another tenant"
            for rows in (rows_of(lbl, tenant) for lbl in SCOPED):
                assert not offered & set(r for r in rows if isinstance(r, queryset.model))


def _autocomplete_targets():
    for label, (_model, model_admin) in sorted(SCOPED.items()):
        for field_name in model_admin.autocomplete_fields:
            yield label, field_name


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("label,field_name", list(_autocomplete_targets()))
def test_autocomplete_offers_only_own_tenant(world, label, field_name, who):
    model, _ = SCOPED[label]
    client = login(world, who)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field_name},
    )
    home, away = home_and_away(world, who)
    target = model._meta.get_field(field_name).remote_field.model
    if home is None or target._meta.label not in SCOPED:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert ids == {obj.pk for obj in rows_of(target._meta.label, home)}


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("label", sorted(UNSCOPED))
def test_unscoped_pages_are_for_superusers_only(world, label, who, superuser):
    model = UNSCOPED[label]
    client = login(world, who)
    assert client.get(url(model, "changelist")).status_code == 403
    assert client.get(url(model, "add")).status_code == 403
    client.force_login(superuser)
    assert client.get(url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("who", USERS)
def test_dashboard_lists_only_own_tenants(world, who):
    client = login(world, who)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    home, away = home_and_away(world, who)
    listed = [row.tenant for row in response.context["tenant_rows"]]
    assert listed == ([home] if home else [])
    for tenant in away:
        assert tenant.name not in response.content.decode()


def test_owner_cannot_move_a_connection_to_another_tenant(world):
    client = login(world, "owner_a")
    connection = world["a"].webshop_connection
    response = client.post(
        url(type(connection), "change", connection.pk),
        {
            "tenant": world["b"].pk,
            "platform": "woocommerce",
            "base_url": "https://moved.example.fi",
            "status": "connected",
            "api_key": "",
            "api_secret": "",
            "webhook_secret": "",
        },
    )
    assert response.status_code == 200  # the form comes back with an error
    assert "Select a valid choice" in response.content.decode()
    connection.refresh_from_db()
    assert connection.tenant == world["a"] and connection.base_url == "http://shop-a.example.fi"


def test_member_sees_connections_read_only_without_secrets(world):
    client = login(world, "member_b")
    connection = world["b"].webshop_connection
    response = client.get(url(type(connection), "change", connection.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "cs_secret_of_b" not in html and "ck_key_of_b" not in html
    assert 'name="base_url"' not in html  # read-only for members


# --- a Shopify company beside others: its deliveries, articles and work stay its own ---------------


@pytest.fixture
def shopify_and_others(ea, wc, shopify_server, settings, live_server):
    """Company S on the Shopify sandbox (webhooks subscribed), W on the WooCommerce sandbox, and
    T on another Shopify store (its address is a store Silta never calls here)."""
    settings.SILTA_BASE_URL = live_server.url
    settings.SHOPIFY_CLIENT_SECRET = shopify_server.store.settings["apps"][0]["client_secret"]
    shopify, woo = ShopifyCatalogue(shopify_server), WooCatalogue(wc)
    s = activated_on_an_empty_catalogue(ea, shopify, "iso-shopify")
    w = activated_on_an_empty_catalogue(ea, woo, "iso-woo", company=1)
    t = connect_tenant(ea, "iso-other-store", ea.companies()[2]).tenant
    WebshopConnection.objects.create(
        tenant=t,
        platform="shopify",
        base_url="https://toinen-kauppa.myshopify.com",
        api_key="shpat_other",
        webhook_secret=settings.SHOPIFY_CLIENT_SECRET,
        status="connected",
    )
    yield {"s": s, "w": w, "t": t, "shopify": shopify, "woo": woo}
    shopify_server.control("GET", "/deliveries", params={"wait": 10})


@pytest.mark.django_db(transaction=True)
def test_a_shopify_stores_deliveries_reach_only_its_own_company(shopify_and_others, shopify_server):
    world = shopify_and_others
    s, w, t = world["s"], world["w"], world["t"]
    shopify_server.control(
        "POST",
        "/products",
        {"title": "Kuppi", "variants": [{"sku": "ISO-1", "price": "9.90", "quantity": 5}]},
    )
    order = shopify_server.control("POST", "/orders", {"lines": [{"sku": "ISO-1", "quantity": 1}]})
    sent = shopify_server.control("GET", "/deliveries", params={"wait": 10})
    assert ("orders/paid", 202) in [(d["topic"], d["status"]) for d in sent]
    number = order["id"].rsplit("/", 1)[-1]
    assert WebhookDelivery.objects.filter(tenant=s, resource_id=number).exists()

    # the same store's signed delivery sent to the other companies' addresses
    for other in (w, t):
        answer = shopify_server.control(
            "POST",
            "/deliver",
            {"url": webhook_url(other), "topic": "orders/paid", "payload": {"id": int(number)}},
        )
        assert answer["status"] == 401, other.slug  # W's secret is its own; T is another store
    assert not WebhookDelivery.objects.filter(tenant__in=[w, t]).exists()
    queued = [q.task.get("args") for q in OrmQ.objects.all()]
    webhook_work = [args for args in queued if len(args) == 3]  # (tenant, topic, resource)
    assert webhook_work and {args[0] for args in webhook_work} == {s.pk}, queued  # work only for S


@pytest.mark.django_db(transaction=True)
def test_each_companys_article_sync_writes_to_its_own_store_only(shopify_and_others):
    world = shopify_and_others
    s, w = world["s"], world["w"]
    assert sync_articles(s).status == SyncRun.Status.SUCCEEDED
    in_shopify = world["shopify"].products(s)
    assert in_shopify and world["woo"].products(w) == {}  # nothing of S's reached W's shop
    assert set(ArticleLink.objects.filter(tenant=s).values_list("article_number", flat=True)) == set(
        in_shopify
    )
    assert not ArticleLink.objects.filter(tenant=w).exists()

    assert sync_articles(w).status == SyncRun.Status.SUCCEEDED
    assert world["shopify"].products(s) == in_shopify  # W's sync wrote nothing to S's store
    shopify_ids = {p.id for p in in_shopify.values()}
    woo_ids = set(ArticleLink.objects.filter(tenant=w).values_list("shop_product_id", flat=True))
    assert woo_ids == {p.id for p in world["woo"].products(w).values()}
    assert set(ArticleLink.objects.filter(tenant=s).values_list("shop_product_id", flat=True)) == shopify_ids
