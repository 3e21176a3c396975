"""eAccounting and a shop sandbox with an activated tenant whose articles and method templates are in
place: WooCommerce, or Shopify for a test marked ``@both_platforms`` (tests/fixtures/order_shops.py)."""

import pytest

from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.models import (
    AccountingArticle,
    OrderSettings,
    ShopMethod,
    WebshopConnection,
)
from integration.sync import first_sync
from integration.sync.article_sync import sync_articles
from sandbox.shopify.testing import Sandbox as ShopifySandbox
from tests.fixtures.order_shops import PRIVATE, ShopifyShop, WooShop

from ..conftest import connect_both, connect_tenant

__all__ = ["PRIVATE", "Shop"]

SHOP_SETTINGS_CASES_CHANGE = ("tax_round_at_subtotal", "negative_fee_tax", "prices_include_tax")
Shop = WooShop  # the WooCommerce-only tests' name for their handle


@pytest.fixture(scope="session")
def shopify_server():
    """One Shopify sandbox for the session (started at its first use; a reset is quick). Its bucket is
    a large plan's, ten times the standard one: these tests are about orders, not about waiting for
    points (tests/webshops/shopify covers the throttle; the exactly-once run injects THROTTLED bursts)."""
    server = ShopifySandbox({"bucket_size": 10000.0, "restore_rate": 1000.0})
    yield server
    server.close()


@pytest.fixture
def shop(platform, request, ea, live_server, settings):
    """Activated; articles A-255 (12.40, 25.5 %) and B-14 (5.70, 14 %) in the shop; templates for the
    home delivery at both rates and for the bank transfer fee (Shopify: its gateway); a rounding
    article (0 %: a rounding row may correct the total, never VAT)."""
    settings.SILTA_BASE_URL = live_server.url
    if platform == "shopify":
        yield from _shopify_shop(ea, request.getfixturevalue("shopify_server"), settings)
    else:
        yield from _woo_shop(ea, request.getfixturevalue("wc"))


def _articles(s):
    s.article("A-255", "Kahvikuppi", "12.40", "25.5", stock=True)
    s.article("B-14", "Kahvipapu 250 g", "5.70", "14", stock=True)
    for number, rate in (("SHIP-255", "25.5"), ("SHIP-14", "14"), ("FEE-255", "25.5"), ("ROUND", "0")):
        s.article(number, f"Template {number}", "0", rate, shown=False, kind="Service")
    assert sync_articles(s.tenant).status == "succeeded"


def _activate(tenant):
    activate(tenant, check(gather(tenant)))
    tenant.refresh_from_db()
    first_sync.apply(first_sync.preview(tenant))


def _woo_shop(ea, wc):
    """Shop settings a test changes are put back after it (the shop outlives it)."""
    kept = {k: v for k, v in wc.control("GET", "/settings").items() if k in SHOP_SETTINGS_CASES_CHANGE}
    wc.reset(seed={"products": 0, "orders": 0}, shipping_tax_split=True)
    tenant = connect_both(ea, wc, "orders")
    _activate(tenant)
    s = WooShop(tenant, ea, wc)
    _articles(s)
    s.template("shipping", "flat_rate:1", "SHIP-255", "SHIP-14")
    s.template("payment", "bacs", "FEE-255")
    OrderSettings.objects.filter(tenant=tenant).update(
        rounding_article=AccountingArticle.objects.get(tenant=tenant, number="ROUND"), transfer_from=None
    )
    yield s
    wc.control("PATCH", "/settings", kept)


def _shopify_shop(ea, sb, settings):
    """Shopify lists no delivery methods or gateways through the API (the order names what was used):
    the two a test uses are made as the admin would keep them. Its orders carry their buyer (e-mail
    and billing address) as WooCommerce's do: no collective customer is set (a test that needs one
    sets it, as for WooCommerce)."""
    sb.reset(seed=None)
    app = sb.store.settings["apps"][0]  # the app Silta is: it signs the webhook deliveries
    settings.SHOPIFY_CLIENT_ID, settings.SHOPIFY_CLIENT_SECRET = app["client_id"], app["client_secret"]
    tenant = connect_tenant(ea, "orders", ea.companies()[0]).tenant
    WebshopConnection.objects.create(
        tenant=tenant, platform="shopify", base_url=sb.url, api_key=sb.token(), status="connected"
    )
    _activate(tenant)
    s = ShopifyShop(tenant, ea, sb)
    _articles(s)
    ShopMethod.objects.create(tenant=tenant, kind="shipping", key="Posti", title="Posti")
    ShopMethod.objects.create(tenant=tenant, kind="payment", key="shopify_payments", title="Shopify Payments")
    s.template("shipping", "Posti", "SHIP-255")
    s.template("payment", "shopify_payments", "FEE-255")
    OrderSettings.objects.filter(tenant=tenant).update(
        rounding_article=AccountingArticle.objects.get(tenant=tenant, number="ROUND"), transfer_from=None
    )
    yield s
    s.settle()  # deliveries still in flight would reach the live server while the database is flushed
