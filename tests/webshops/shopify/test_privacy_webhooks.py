"""Shopify's mandatory privacy webhooks at the app's one address: verified on the raw body (401
otherwise), the store found by its myshopify.com domain, and wired to Silta's erasure."""

import pytest
from django.test import Client
from django.urls import reverse

from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.models import (
    AccountingCustomer,
    AuditEntry,
    ConnectionStatus,
    OrderSettings,
    OrderTransfer,
    Tenant,
    WebshopConnection,
)
from integration.orders.transfer import transfer_orders
from integration.privacy import erasure
from integration.sync import first_sync
from integration.sync.article_sync import sync_articles
from sandbox.shopify import webhooks as sandbox_webhooks
from tests.conftest import connect_tenant
from tests.orders.conftest import Shop

pytestmark = pytest.mark.django_db

SECRET = "silta-sandbox-secret"
DOMAIN = "kauppa.myshopify.com"
EMAIL = "maija.meikalainen@example.fi"


@pytest.fixture
def web():
    """Django's test client (this folder's ``client`` is the Shopify API client)."""
    return Client()


@pytest.fixture
def company(settings):
    settings.SHOPIFY_CLIENT_SECRET = SECRET
    tenant = Tenant.objects.create(name="Kauppa Oy", slug="kauppa")
    WebshopConnection.objects.create(
        tenant=tenant, platform="shopify", base_url=f"https://{DOMAIN}", api_key="shpat_x", status="connected"
    )
    AccountingCustomer.objects.create(tenant=tenant, email=EMAIL, name="Maija Meikäläinen", is_private=True)
    other = Tenant.objects.create(name="Toinen Oy", slug="toinen")
    AccountingCustomer.objects.create(tenant=other, email=EMAIL, name="Maija Meikäläinen", is_private=True)
    return tenant


def post(web, topic, payload, secret=SECRET):
    headers, body = sandbox_webhooks.delivery(topic, DOMAIN, payload, secret)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
    return web.post(reverse("shopify_privacy_webhook"), data=body, content_type="application/json", **extra)


def test_customers_redact_erases_the_customer_of_that_store_only(web, company):
    answer = post(web, "customers/redact", {"shop_domain": DOMAIN, "customer": {"id": 7, "email": EMAIL}})
    assert answer.status_code == 200
    mine = AccountingCustomer.objects.get(tenant=company)
    assert (mine.email, mine.name) == ("", "")
    assert (
        AccountingCustomer.objects.exclude(tenant=company).get().email == EMAIL
    )  # another company's own record
    entry = AuditEntry.objects.get(tenant=company, action=AuditEntry.Action.ERASED_PERSONAL_DATA)
    assert EMAIL not in entry.detail


def test_a_data_request_lists_what_is_held_without_the_email(web, company):
    answer = post(
        web,
        "customers/data_request",
        {"shop_domain": DOMAIN, "customer": {"id": 7, "email": EMAIL}, "data_request": {"id": 99}},
    )
    assert answer.status_code == 200
    entry = AuditEntry.objects.get(tenant=company, action=AuditEntry.Action.ANSWERED_DATA_REQUEST)
    assert "99" in entry.target and "1" in entry.detail
    assert EMAIL not in entry.detail + entry.target
    assert AccountingCustomer.objects.get(tenant=company).email == EMAIL  # nothing erased


def test_shop_redact_drops_the_token_and_needs_reconnecting(web, company):
    assert post(web, "shop/redact", {"shop_id": 1, "shop_domain": DOMAIN}).status_code == 200
    connection = WebshopConnection.objects.get(tenant=company)
    assert connection.api_key == "" and connection.status == ConnectionStatus.NEEDS_RECONNECT


def test_a_wrong_signature_is_401_and_changes_nothing(web, company):
    answer = post(
        web, "customers/redact", {"shop_domain": DOMAIN, "customer": {"email": EMAIL}}, secret="forged"
    )
    assert answer.status_code == 401
    assert AccountingCustomer.objects.get(tenant=company).email == EMAIL
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("domain", ["kauppa.example.com", "evil.myshopify.com.attacker.fi"])
def test_a_shop_outside_myshopify_com_is_refused(web, company, domain):
    answer = post(web, "shop/redact", {"shop_id": 1, "shop_domain": domain})
    assert answer.status_code == 400
    assert WebshopConnection.objects.get(tenant=company).api_key == "shpat_x"


def test_an_unknown_store_is_answered_with_nothing_held(web, company):
    answer = post(web, "customers/redact", {"shop_domain": "muu.myshopify.com", "customer": {"email": EMAIL}})
    assert answer.status_code == 200
    assert AccountingCustomer.objects.get(tenant=company).email == EMAIL


def test_only_post(web):
    assert web.get(reverse("shopify_privacy_webhook")).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_a_shopify_buyer_silta_booked_is_erased_by_customers_redact(web, sb, ea, settings, live_server):
    """What Silta keeps of a Shopify buyer since it reads her (a customer record with her name and
    e-mail) goes with Shopify's customers/redact, as a WooCommerce buyer's goes with the erasure."""
    settings.SHOPIFY_CLIENT_SECRET = SECRET
    settings.SILTA_BASE_URL = live_server.url
    sb.reset(seed=None)
    tenant = connect_tenant(ea, "shopify-buyer", ea.companies()[0]).tenant
    connection = WebshopConnection.objects.create(
        tenant=tenant, platform="shopify", base_url=sb.url, api_key=sb.token(), status="connected"
    )
    activate(tenant, check(gather(tenant)))
    tenant.refresh_from_db()
    first_sync.apply(first_sync.preview(tenant))
    Shop(tenant, ea, None).article("A-255", "Kahvikuppi", "12.40", "25.5", stock=True)
    assert sync_articles(tenant).status == "succeeded"
    OrderSettings.objects.filter(tenant=tenant).update(transfer_from=None)
    billing = {"firstName": "Maija", "lastName": "Meikäläinen", "address1": "Kauppakatu 1"}
    billing |= {"zip": "70100", "city": "Kuopio", "countryCodeV2": "FI"}
    lines = [{"sku": "A-255", "quantity": 1}]
    sb.control("POST", "/orders", {"lines": lines, "shipping": None, "email": EMAIL, "billing": billing})
    assert transfer_orders(tenant).status == "succeeded"
    assert OrderTransfer.objects.get(tenant=tenant).status == OrderTransfer.Status.DONE
    booked = AccountingCustomer.objects.get(tenant=tenant, email=EMAIL)
    assert booked.name == "Maija Meikäläinen"

    connection.base_url = f"https://{DOMAIN}"  # the store as Shopify names it in the privacy webhook
    connection.save()
    answer = post(web, "customers/redact", {"shop_domain": DOMAIN, "customer": {"id": 7, "email": EMAIL}})
    assert answer.status_code == 200
    booked.refresh_from_db()
    assert (booked.email, booked.name, booked.email_hash) == ("", "", "")
    assert erasure.erase(EMAIL, tenant, dry_run=True).lines() == []  # no table holds her any more
    sb.control("GET", "/deliveries", params={"wait": 10})  # none still in flight to the live server
