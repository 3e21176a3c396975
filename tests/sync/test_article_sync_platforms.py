"""Article sync scenarios that hold for every shop platform, parametrised by platform (never
copied): a create whose answer is lost leaves one product per SKU once the sync runs again; an
article taken out of the webshop is hidden as a draft (never deleted, its texts kept) and comes
back with the status it had; the webhooks of the sync's own writes are dropped as echoes, an
owner's price change in the shop is not."""

import pytest

from integration import webshops
from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.eaccounting.client import EAccountingClient
from integration.models import ArticleLink, SyncRun, WebhookDelivery, WebshopConnection
from integration.sync import first_sync
from integration.sync.article_sync import sync_articles
from sandbox.shopify.testing import Sandbox as ShopifySandbox

from ..conftest import activated_on_an_empty_shop, connect_tenant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def shopify_server():
    server = ShopifySandbox()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _deliveries_done(shopify_server):
    """Deliveries still in flight would reach the live server while the test database is flushed."""
    yield
    shopify_server.control("GET", "/deliveries", params={"wait": 10})


class WooCommerce:
    def __init__(self, ea, wc, shopify_server):
        self.wc = wc
        self.tenant = activated_on_an_empty_shop(ea, wc, "platform-woo")

    def lose_the_next_answer(self):
        self.wc.control("POST", "/faults", {"drop_next_writes": 1})  # after the batch's commit

    def publish(self, product):
        self.wc.control("POST", "/clock", {"advance": 600})  # later, the owner publishes it
        self.wc.control("PATCH", f"/products/{product.id}", {"status": "publish"})

    def deliveries_done(self):
        self.wc.wait_webhooks()

    def owner_sets_price(self, product, price):
        self.wc.control("PATCH", f"/products/{product.id}", {"regular_price": price})

    published = "publish"


class Shopify:
    def __init__(self, ea, wc, shopify_server):
        self.sb = shopify_server
        self.sb.reset(seed=None)
        tenant = connect_tenant(ea, "platform-shopify", ea.companies()[0]).tenant
        WebshopConnection.objects.create(
            tenant=tenant,
            platform="shopify",
            base_url=self.sb.url,
            api_key=self.sb.token(),
            status="connected",
        )
        activate(tenant, check(gather(tenant)))
        tenant.refresh_from_db()
        first_sync.apply(first_sync.preview(tenant))
        self.tenant = tenant

    def lose_the_next_answer(self):
        self.sb.control("POST", "/faults", {"drop_next_mutations": 1, "drop_mutations_of": ["productSet"]})

    def publish(self, product):
        self.sb.control("POST", "/clock", {"advance": 600})  # later, the owner puts it on sale
        answer = self.sb.graphql(
            "mutation($p: ProductUpdateInput) { productUpdate(product: $p) { userErrors { message } } }",
            {"p": {"id": f"gid://shopify/Product/{product.parent_id}", "status": "ACTIVE"}},
            token=self.sb.token(),
        ).json()
        assert answer["data"]["productUpdate"]["userErrors"] == []

    def deliveries_done(self):
        self.sb.control("GET", "/deliveries", params={"wait": 10})

    def owner_sets_price(self, product, price):
        answer = self.sb.graphql(
            """mutation($p: ID!, $v: [ProductVariantsBulkInput!]!) {
              productVariantsBulkUpdate(productId: $p, variants: $v) { userErrors { message } } }""",
            {
                "p": f"gid://shopify/Product/{product.parent_id}",
                "v": [{"id": f"gid://shopify/ProductVariant/{product.id}", "price": price}],
            },
            token=self.sb.token(),
        ).json()
        assert answer["data"]["productVariantsBulkUpdate"]["userErrors"] == []

    published = "active"


@pytest.fixture(params=[WooCommerce, Shopify], ids=["woocommerce", "shopify"])
def platform(request, ea, wc, shopify_server, live_server, settings):
    settings.SILTA_BASE_URL = live_server.url
    settings.SHOPIFY_CLIENT_SECRET = "silta-sandbox-secret"  # the sandbox app's: deliveries verify
    return request.param(ea, wc, shopify_server)


def _products_per_sku(tenant):
    counts: dict[str, int] = {}
    for p in webshops.for_connection(tenant.webshop_connection).products():
        counts[p.sku] = counts.get(p.sku, 0) + 1
    return counts


def test_a_create_whose_answer_was_lost_is_one_product_per_sku_after_the_next_run(platform):
    tenant = platform.tenant
    platform.lose_the_next_answer()
    with pytest.raises(webshops.base.ShopUnavailable) as lost:
        sync_articles(tenant)
    assert lost.value.outcome_unknown and lost.value.unknown_skus  # the shop has them or not: unknown
    assert SyncRun.objects.filter(tenant=tenant, status=SyncRun.Status.FAILED).exists()

    again = sync_articles(tenant)
    assert again.status == SyncRun.Status.SUCCEEDED, again.error
    counts = _products_per_sku(tenant)
    shown = [
        a.number
        for a in EAccountingClient(tenant.eaccounting_connection).articles()
        if a.is_active and a.send_to_webshop
    ]
    assert sorted(counts) == sorted(shown)
    assert set(counts.values()) == {1}  # none twice
    assert ArticleLink.objects.filter(tenant=tenant).count() == len(shown)
    assert set(lost.value.unknown_skus) <= set(counts)


def test_an_article_out_of_the_webshop_is_hidden_and_comes_back_with_its_status(platform):
    tenant = platform.tenant
    assert sync_articles(tenant).status == SyncRun.Status.SUCCEEDED
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    article = next(a for a in eaccounting.articles() if a.is_active and a.send_to_webshop)
    link = ArticleLink.objects.get(tenant=tenant, article_id=article.id)
    shop = webshops.for_connection(tenant.webshop_connection)
    product = shop.products_by_sku([article.number])[article.number]
    platform.publish(product)  # the owner puts it on sale

    eaccounting.update_article(article, SendToWebshop=False)
    # a full read sees the owner's status on every platform: Shopify's changed items are read by
    # the variant's updatedAt, which a product's status change need not move (shopify-unknowns S8)
    assert sync_articles(tenant, full=True).status == SyncRun.Status.SUCCEEDED
    hidden = shop.products_by_sku([article.number])[article.number]  # not deleted
    assert hidden.status == "draft" and hidden.id == link.shop_product_id
    assert hidden.name == product.name  # the shop's text untouched
    assert ArticleLink.objects.get(pk=link.pk).hidden

    eaccounting.update_article(eaccounting.article_by_number(article.number), SendToWebshop=True)
    assert sync_articles(tenant).status == SyncRun.Status.SUCCEEDED
    assert shop.products_by_sku([article.number])[article.number].status == platform.published
    assert not ArticleLink.objects.get(pk=link.pk).hidden


def test_the_syncs_own_writes_come_back_as_echoes_and_an_owners_price_change_does_not(platform):
    tenant = platform.tenant
    assert sync_articles(tenant).status == SyncRun.Status.SUCCEEDED
    platform.deliveries_done()
    WebhookDelivery.objects.filter(tenant=tenant).delete()
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    changed = [a for a in eaccounting.articles() if a.is_active and a.send_to_webshop][:2]
    for a in changed:
        eaccounting.update_article(a, GrossPrice=float(a.gross_price) + 1, NetPrice=float(a.net_price) + 0.8)
    assert sync_articles(tenant, confirm_mass_change=True).status == SyncRun.Status.SUCCEEDED
    platform.deliveries_done()
    outcomes = list(WebhookDelivery.objects.filter(tenant=tenant).values_list("topic", "outcome"))
    assert outcomes and set(outcomes) == {("product.updated", WebhookDelivery.Outcome.ECHO)}

    shop = webshops.for_connection(tenant.webshop_connection)
    product = shop.products_by_sku([changed[0].number])[changed[0].number]
    platform.owner_sets_price(product, "1.00")
    platform.deliveries_done()
    # not an echo: recorded for the next article sync (which puts the price back)
    owners = WebhookDelivery.objects.filter(tenant=tenant, outcome=WebhookDelivery.Outcome.RECORDED)
    assert list(owners.values_list("topic", "resource_id")) == [
        ("product.updated", str(product.parent_id or product.id))
    ]
