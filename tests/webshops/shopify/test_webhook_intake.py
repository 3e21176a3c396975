"""Shopify deliveries end to end: the sandbox's store changes, it delivers to the portal's live
server, the intake verifies the HMAC on the raw body, records each delivery once (by
X-Shopify-Webhook-Id) and enqueues the work; app/uninstalled pauses the company's jobs."""

import pytest
import requests
from django_q.models import OrmQ

from integration import tasks
from integration.models import ConnectionStatus, Tenant, WebhookDelivery, WebshopConnection
from integration.webshops import setup as webshop_setup
from sandbox.shopify import webhooks as sandbox_webhooks

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "silta-sandbox-secret"  # the sandbox app's client secret


@pytest.fixture
def hooked(sb, token, settings, live_server):
    """A company whose shop is the Shopify sandbox, subscribed through the API to the live server."""
    settings.SILTA_BASE_URL = live_server.url
    settings.SHOPIFY_CLIENT_SECRET = SECRET
    sb.reset(seed=None)
    tenant = Tenant.objects.create(name="Kauppa Oy", slug="shopify-shop")
    WebshopConnection.objects.create(
        tenant=tenant, platform="shopify", base_url=sb.url, api_key=sb.token(), status="connected"
    )
    assert webshop_setup.register_webhooks(tenant) == 6  # the order's life, products, the uninstall
    return tenant


def _queued():
    return [q.func() for q in OrmQ.objects.all()]


def _paid_order(sb):
    sb.control(
        "POST", "/products", {"title": "T", "variants": [{"sku": "H-1", "price": "9.90", "quantity": 4}]}
    )
    return sb.control("POST", "/orders", {"lines": [{"sku": "H-1", "quantity": 1}]})


def test_a_paid_order_is_delivered_and_enqueues_one_task(hooked, sb):
    order = _paid_order(sb)
    sent = sb.control("GET", "/deliveries", params={"wait": 10})
    assert [(d["topic"], d["status"]) for d in sent] == [("orders/paid", 202)]
    (delivery,) = WebhookDelivery.objects.filter(tenant=hooked)
    assert delivery.topic == "order.updated"
    assert delivery.resource_id == order["id"].rsplit("/", 1)[-1]
    assert delivery.delivery_id == sent[0]["webhook_id"]
    assert delivery.outcome == WebhookDelivery.Outcome.ENQUEUED
    assert _queued() == [tasks.handle_webhook.path]


def test_a_refund_is_work_on_its_order(hooked, sb):
    order = _paid_order(sb)
    sb.control("POST", "/refunds", {"order_id": order["id"], "amount": "2.00"})
    sent = sb.control("GET", "/deliveries", params={"wait": 10})
    (refund_id,) = [d["webhook_id"] for d in sent if d["topic"] == "refunds/create"]
    refund = WebhookDelivery.objects.get(tenant=hooked, delivery_id=refund_id)
    assert (refund.topic, refund.resource_id) == ("order.updated", order["id"].rsplit("/", 1)[-1])
    assert refund.outcome == WebhookDelivery.Outcome.ENQUEUED


def test_a_repeated_webhook_id_is_recorded_once(hooked, sb, live_server):
    url = webshop_setup.webhook_url(hooked)
    payload = {"id": 5150, "admin_graphql_api_id": "gid://shopify/Order/5150"}
    first = sb.control(
        "POST", "/deliver", {"url": url, "topic": "orders/updated", "payload": payload, "webhook_id": "w-1"}
    )
    # the same id again, with a body that differs (Shopify's retry after a change): still a repeat
    again = sb.control(
        "POST",
        "/deliver",
        {"url": url, "topic": "orders/updated", "payload": {**payload, "note": "x"}, "webhook_id": "w-1"},
    )
    assert (first["status"], again["status"]) == (202, 200)
    assert WebhookDelivery.objects.filter(tenant=hooked, delivery_id="w-1").count() == 1
    assert _queued() == [tasks.handle_webhook.path]


def test_a_forged_signature_is_refused_and_nothing_is_queued(hooked, sb):
    url = webshop_setup.webhook_url(hooked)
    forged = sb.control(
        "POST",
        "/deliver",
        {"url": url, "topic": "orders/paid", "payload": {"id": 1}, "secret": "not-the-app-secret"},
    )
    headers, body = sandbox_webhooks.delivery("orders/paid", "x.myshopify.com", {"id": 2}, SECRET)
    tampered = requests.post(url, data=body.replace(b"2", b"3"), headers=headers, timeout=10)
    assert (forged["status"], tampered.status_code) == (401, 401)
    assert not WebhookDelivery.objects.exists()
    assert _queued() == []


def test_an_uninstall_pauses_the_companys_jobs(hooked, sb):
    sb.control("POST", "/uninstall")
    sent = sb.control("GET", "/deliveries", params={"wait": 10})
    assert [(d["topic"], d["status"]) for d in sent] == [("app/uninstalled", 200)]
    connection = WebshopConnection.objects.get(tenant=hooked)
    assert connection.status == ConnectionStatus.NEEDS_RECONNECT
    assert "uninstalled" in connection.status_detail
    assert tasks.paused(Tenant.objects.get(pk=hooked.pk)).startswith("paused")
    assert _queued() == []
    (delivery,) = WebhookDelivery.objects.filter(tenant=hooked)
    assert delivery.topic == "app.uninstalled" and delivery.outcome == WebhookDelivery.Outcome.IGNORED


def _linked(sb, tenant, *, hidden=False, price="9.90"):
    """A product Silta wrote and linked: its link remembers the values written."""
    from integration.models import ArticleLink
    from integration.webshops.shopify.connector import ShopifyWebshop

    from .conftest import make_client

    sb.control(
        "POST", "/products", {"title": "Kuppi", "variants": [{"sku": "E-1", "price": price, "quantity": 4}]}
    )
    shop = ShopifyWebshop(make_client(sb, sb.token()))
    copy = shop.products_by_sku(["E-1"])["E-1"]
    written = {
        "sku": "E-1",
        "regular_price": "12.50",
        "tax_status": "taxable",
        "manage_stock": True,
        "stock_quantity": 4,
    }
    ArticleLink.objects.create(
        tenant=tenant,
        article_id="a-e1",
        article_number="E-1",
        shop_product_id=copy.id,
        shop_parent_id=copy.parent_id,
        hidden=hidden,
        last_written=written,
    )
    return shop, copy


def test_silta_s_own_write_comes_back_as_an_echo_and_nothing_is_queued(hooked, sb):
    from decimal import Decimal

    from integration.webshops.base import ProductWrite

    shop, copy = _linked(sb, hooked)
    [outcome] = shop.save_products(
        [ProductWrite(sku="E-1", id=copy.id, parent_id=copy.parent_id, regular_price=Decimal("12.50"))]
    )
    assert outcome.ok, outcome.error
    sent = sb.control("GET", "/deliveries", params={"wait": 10})
    assert [d["topic"] for d in sent] == ["products/update"] and sent[0]["status"] == 200
    (delivery,) = WebhookDelivery.objects.filter(tenant=hooked)
    assert delivery.topic == "product.updated"
    assert delivery.outcome == WebhookDelivery.Outcome.ECHO
    assert _queued() == []


def test_hiding_comes_back_as_an_echo(hooked, sb):
    from decimal import Decimal

    from integration.webshops.base import ProductWrite

    shop, copy = _linked(sb, hooked, hidden=True, price="12.50")  # the prices agree: a status change only
    write = ProductWrite(
        sku="E-1", id=copy.id, parent_id=copy.parent_id, regular_price=Decimal("12.50"), status="draft"
    )
    assert shop.save_products([write])[0].ok
    sb.control("GET", "/deliveries", params={"wait": 10})
    outcomes = set(WebhookDelivery.objects.filter(tenant=hooked).values_list("outcome", flat=True))
    assert outcomes == {WebhookDelivery.Outcome.ECHO}


def test_an_owner_s_price_change_in_shopify_is_no_echo(hooked, sb):
    shop, copy = _linked(sb, hooked)
    owner = sb.graphql(
        """mutation($p: ID!, $v: [ProductVariantsBulkInput!]!) {
          productVariantsBulkUpdate(productId: $p, variants: $v) { userErrors { message } } }""",
        {
            "p": f"gid://shopify/Product/{copy.parent_id}",
            "v": [{"id": f"gid://shopify/ProductVariant/{copy.id}", "price": "11.00"}],
        },
        token=sb.token(),
    ).json()
    assert owner["data"]["productVariantsBulkUpdate"]["userErrors"] == []
    sb.control("GET", "/deliveries", params={"wait": 10})
    (delivery,) = WebhookDelivery.objects.filter(tenant=hooked)
    assert delivery.outcome == WebhookDelivery.Outcome.RECORDED  # for the next article sync
    assert _queued() == []
