"""Shared fixtures: two tenants and the three users every access test needs."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from integration.models import (
    AccountingArticle,
    AccountingCustomer,
    ArticleLink,
    ArticleTemplate,
    AuditEntry,
    ConnectionStatus,
    EAccountingConnection,
    JobSchedule,
    Membership,
    MethodArticle,
    OrderEvent,
    OrderSettings,
    OrderStep,
    OrderTransfer,
    ShopMethod,
    SyncEvent,
    SyncRun,
    TaxClassMapping,
    Tenant,
    WebhookDelivery,
    WebshopConnection,
    WebshopOrderConversion,
)
from sandbox.eaccounting.testing import Sandbox
from sandbox.shopify.testing import Sandbox as ShopifySandbox
from sandbox.woocommerce.testing import Sandbox as ShopSandbox
from tests.fixtures.catalogue_shops import PLATFORMS, CatalogueShop, handle_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The shared cache (django-q2 cluster stats) lives in a database table.
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)


@pytest.fixture(autouse=True)
def _no_language_left_active():
    """A test that activates a language (a view under test, or translation.activate) must not leave it to the
    next test in the same worker."""
    yield
    translation.deactivate()


def make_tenant(slug, business_id):
    tenant = Tenant.objects.create(name=f"Company {slug.upper()}", slug=slug, business_id=business_id)
    EAccountingConnection.objects.create(
        tenant=tenant,
        company_id=f"company-{slug}",
        company_name=f"eAccounting {slug.upper()}",
        access_token=f"access-token-of-{slug}",
        refresh_token=f"refresh-token-of-{slug}",
        status="connected",
    )
    WebshopConnection.objects.create(
        tenant=tenant,
        base_url=f"http://shop-{slug}.example.fi",  # plain HTTP to a public host: refused before any network call,
        api_key=f"ck_key_of_{slug}",
        api_secret=f"cs_secret_of_{slug}",
        webhook_secret=f"whsec_of_{slug}",
        status="connected",
    )
    WebhookDelivery.objects.create(
        tenant=tenant,
        delivery_id=f"delivery-{slug}",
        topic="order.created",
        resource_id="1",
        outcome=WebhookDelivery.Outcome.ENQUEUED,
    )
    ArticleTemplate.objects.create(
        tenant=tenant, vat_rate="25.5", coding_id=f"coding-{slug}", unit_id=f"unit-{slug}"
    )
    TaxClassMapping.objects.create(tenant=tenant, vat_rate="14", tax_class=f"reduced-{slug}")
    ArticleLink.objects.create(
        tenant=tenant, article_id=f"article-{slug}", article_number=f"A-{slug}", shop_product_id=1
    )
    run = SyncRun.objects.create(tenant=tenant, kind=SyncRun.Kind.ARTICLES)
    SyncEvent.objects.create(run=run, tenant=tenant, outcome=SyncEvent.Outcome.CREATED, item=f"A-{slug}")
    article = AccountingArticle.objects.create(
        tenant=tenant,
        article_id=f"ship-{slug}",
        number=f"SHIP-{slug}",
        name=f"Shipping {slug}",
        vat_rate="25.5",
    )
    customer = AccountingCustomer.objects.create(
        tenant=tenant, customer_id=f"customer-{slug}", name=f"Buyer {slug}", email=f"buyer@{slug}.example"
    )
    OrderSettings.objects.create(tenant=tenant, rounding_article=article, collective_customer=customer)
    JobSchedule.objects.create(tenant=tenant, job=JobSchedule.Job.ORDERS, minutes=3)
    method = ShopMethod.objects.create(
        tenant=tenant, kind=ShopMethod.Kind.SHIPPING, key="flat_rate:1", title=f"Posti {slug}"
    )
    MethodArticle.objects.create(method=method, article=article)
    transfer = OrderTransfer.objects.create(
        tenant=tenant,
        shop_order_id=1,
        shop_order_number=f"W-{slug}",
        status=OrderTransfer.Status.WAITING,
        reason=f"no template {slug}",
    )
    OrderStep.objects.create(
        tenant=tenant, transfer=transfer, kind=OrderStep.Kind.REFUND, key="1", reason=f"refund waits {slug}"
    )
    OrderEvent.objects.create(
        tenant=tenant,
        transfer=transfer,
        kind=OrderEvent.Kind.WAITING,
        at=timezone.now(),
        params={"reasons": []},
    )
    AuditEntry.objects.create(
        tenant=tenant,
        username=f"setup-{slug}",
        action=AuditEntry.Action.CHANGED,
        target=f"Article template 25.5 % of {slug}",
    )
    WebshopOrderConversion.objects.create(
        tenant=tenant,
        webshop_order_id=f"webshop-order-{slug}",
        order_number=f"WS-{slug}",
        status=WebshopOrderConversion.Status.WAITING,
        reason=f"refused {slug}",
    )
    return tenant


@pytest.fixture
def tenant_a(db):
    return make_tenant("a", "1111111-1")


@pytest.fixture
def tenant_b(db):
    return make_tenant("b", "2222222-2")


def _staff(django_user_model, username, **extra):
    return django_user_model.objects.create_user(
        username=username, password="pw-" + username, email=f"{username}@example.com", is_staff=True, **extra
    )


@pytest.fixture
def superuser(django_user_model):
    return _staff(django_user_model, "root", is_superuser=True)


@pytest.fixture
def owner_a(django_user_model, tenant_a):
    user = _staff(django_user_model, "owner_a")
    Membership.objects.create(tenant=tenant_a, user=user, role=Membership.Role.OWNER)
    return user


@pytest.fixture
def member_b(django_user_model, tenant_b):
    user = _staff(django_user_model, "member_b")
    Membership.objects.create(tenant=tenant_b, user=user, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def outsider(django_user_model):
    return _staff(django_user_model, "outsider")


@pytest.fixture
def three_users(owner_a, member_b, outsider):
    return {"owner_a": owner_a, "member_b": member_b, "outsider": outsider}


# --- the eAccounting sandbox, a live HTTP server in this process -----------------


@pytest.fixture(scope="session")
def ea_server():
    sandbox = Sandbox(settings={"demo": True, "demo_articles": 20})
    yield sandbox
    sandbox.close()


@pytest.fixture
def ea(ea_server, settings):
    """A freshly reset sandbox; Silta's settings point at it."""
    ea_server.control("POST", "reset", {"demo": True, "articles": 20})
    settings.EACCOUNTING_IDENTITY_URL = ea_server.base
    settings.EACCOUNTING_API_URL = f"{ea_server.base}/v2"
    settings.EACCOUNTING_CLIENT_ID = "silta-demo"
    settings.EACCOUNTING_CLIENT_SECRET = "silta-demo-secret"
    return ea_server


# --- the WooCommerce sandbox --------------------------------------------------------


@pytest.fixture(scope="session")
def wc_server():
    sandbox = ShopSandbox()
    yield sandbox
    sandbox.close()


@pytest.fixture
def wc(wc_server):
    """A freshly reset and seeded shop."""
    wc_server.reset(seed={"products": 12, "orders": 3})
    yield wc_server
    # Deliveries still in flight would reach the live server while the test database is flushed.
    wc_server.wait_webhooks()


@pytest.fixture
def shop_tenant(db, wc, settings, live_server):
    """A tenant whose webshop is the sandbox, with read/write keys; Silta's public URL is the live server."""
    settings.SILTA_BASE_URL = live_server.url
    tenant = Tenant.objects.create(name="Verkkokauppa Oy", slug="shop")
    key, secret = wc.key("read_write")
    WebshopConnection.objects.create(
        tenant=tenant, base_url=wc.url, api_key=key, api_secret=secret, status="connected"
    )
    return tenant


@pytest.fixture
def platform():
    """The shop platform of a fixture that has both (tests/orders/conftest.py ``shop``): WooCommerce
    unless a test is marked ``@both_platforms`` (tests/fixtures/order_shops.py), which overrides this."""
    return "woocommerce"


# --- tenants connected to the sandboxes ---------------------------------------------


def connect_tenant(ea, slug, company):
    """A tenant holding tokens minted by the sandbox for `company` (no browser involved)."""
    tokens = ea.token(company["id"])
    tenant = Tenant.objects.create(name=f"Tenant {slug}", slug=slug)
    return EAccountingConnection.objects.create(
        tenant=tenant,
        status=ConnectionStatus.CONNECTED,
        company_id=company["id"],
        company_name=company["name"],
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        access_token_expires_at=timezone.now() + timezone.timedelta(seconds=tokens["expires_in"]),
    )


def connect_both(ea, wc, slug):
    """A tenant connected to the eAccounting sandbox's first company and to the shop sandbox."""
    tenant = connect_tenant(ea, slug, ea.companies()[0]).tenant
    key, secret = wc.key("read_write")
    WebshopConnection.objects.create(
        tenant=tenant, base_url=wc.url, api_key=key, api_secret=secret, status=ConnectionStatus.CONNECTED
    )
    return tenant


def activated_on_an_empty_shop(ea, wc, slug):
    """Connected to both sandboxes (the shop emptied first), activated, and the first sync done:
    the empty shop has nothing to import, so eAccounting's articles may go to the shop."""
    from integration.activation.activate import activate
    from integration.activation.fetch import gather
    from integration.activation.preflight import check
    from integration.sync import first_sync

    wc.reset(seed={"products": 0, "orders": 0})
    tenant = connect_both(ea, wc, slug)
    activate(tenant, check(gather(tenant)))
    tenant.refresh_from_db()
    first_sync.apply(first_sync.preview(tenant))
    return tenant


# --- the Shopify sandbox, and one catalogue handle per platform -------------------------


@pytest.fixture(scope="session")
def shopify_server():
    server = ShopifySandbox()
    yield server
    server.close()


@pytest.fixture(params=PLATFORMS)
def catalogue(request, wc, shopify_server, settings):
    """The shop of an article scenario, once per platform (tests/fixtures/catalogue_shops.py)."""
    # Shopify signs deliveries with the app's client secret: the sandbox app's
    settings.SHOPIFY_CLIENT_SECRET = shopify_server.store.settings["apps"][0]["client_secret"]
    handle = handle_for(request.param, wc, shopify_server)
    yield handle
    handle.faults_off()
    if request.param == "shopify":  # deliveries in flight would reach the live server after the flush
        shopify_server.control("GET", "/deliveries", params={"wait": 10})


def connect_catalogue(ea, catalogue: CatalogueShop, slug, company=0):
    """A tenant connected to one of the eAccounting sandbox's companies (the first by default) and
    to the catalogue's shop."""
    tenant = connect_tenant(ea, slug, ea.companies()[company]).tenant
    catalogue.connect(tenant)
    return tenant


def activated_on_an_empty_catalogue(ea, catalogue: CatalogueShop, slug, company=0):
    """``activated_on_an_empty_shop`` for whichever platform the catalogue is."""
    from integration.activation.activate import activate
    from integration.activation.fetch import gather
    from integration.activation.preflight import check
    from integration.sync import first_sync

    catalogue.empty()
    tenant = connect_catalogue(ea, catalogue, slug, company)
    activate(tenant, check(gather(tenant)))
    tenant.refresh_from_db()
    first_sync.apply(first_sync.preview(tenant))
    return tenant
