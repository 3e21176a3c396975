"""Connecting a Shopify store from the portal (Connect webshop → Shopify, then the install callback
/webshop/shopify/installed/), against the running Shopify sandbox: the owner's install connects the
store with its token stored encrypted; a forged, foreign, stale or reused callback is refused in words,
stores nothing and queues nothing (issue #18, acceptance 4)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.db import connection as db
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ, Task

from integration.models import (
    AuditEntry,
    ConnectionStatus,
    KeyApproval,
    Membership,
    Tenant,
    WebshopConnection,
)
from integration.webshops import for_connection
from integration.webshops import setup as webshop_setup
from integration.webshops.shopify_setup import api_address
from sandbox.shopify import oauth as sandbox_oauth
from sandbox.shopify.multishop import MultiShopApp
from sandbox.shopify.server import start_in_thread
from sandbox.shopify.testing import Sandbox

pytestmark = pytest.mark.django_db
SHOP = "kaski.myshopify.com"
APP = ("silta-sandbox-app", "silta-sandbox-secret")  # the sandbox's app


@pytest.fixture(scope="module")
def sb():
    server = Sandbox({"shop_domain": SHOP, "auto_approve_install": True})
    yield server
    server.close()


@pytest.fixture
def owner(sb, settings, client, django_user_model):
    settings.SILTA_BASE_URL = "http://testserver"
    settings.SHOPIFY_CLIENT_ID, settings.SHOPIFY_CLIENT_SECRET = APP
    settings.SHOPIFY_SANDBOX_URL = sb.url
    sb.reset(seed={"products": 3, "orders": 0}, shop_domain=SHOP, auto_approve_install=True)
    tenant = Tenant.objects.create(name="Kahvila Kaski Oy", slug="kaski")
    user = django_user_model.objects.create_user("kaski", password="pw", is_staff=True)
    Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.OWNER)
    client.force_login(user)
    return tenant


def start(client, tenant, shop=SHOP):
    return client.post(
        reverse("webshop_connect", args=[tenant.slug]), {"platform": "shopify", "shopify-shop": shop}
    )


def approve(authorize_url: str) -> dict[str, str]:
    """The owner approves in the store: the sandbox's signed redirect back, as parameters."""
    back = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text
    return {k: v[0] for k, v in parse_qs(urlsplit(back.headers["Location"]).query).items()}


def come_back(client, params):
    return client.get(reverse("shopify_installed") + "?" + urlencode(params), follow=True)


def signed(params, **changes):
    """The callback with some parameters changed and signed again with the app's secret (a store's
    genuine signature over a different answer)."""
    new = {**params, **changes}
    new["hmac"] = sandbox_oauth.sign(new, APP[1])
    return new


def nothing_stored_or_queued(tenant):
    connection = WebshopConnection.objects.filter(tenant=tenant).first()
    assert connection is None or (connection.api_key == "" and connection.platform != "shopify")
    assert not AuditEntry.objects.filter(tenant=tenant, action=AuditEntry.Action.CONNECTED_WEBSHOP).exists()
    assert OrmQ.objects.count() == 0 and Task.objects.count() == 0


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_owner_installs_the_app_and_the_store_is_connected_with_its_token_encrypted(client, owner, sb):
    started = start(client, owner)
    assert started.status_code == 302 and started.url.startswith(f"{sb.url}/admin/oauth/authorize?")
    query = parse_qs(urlsplit(started.url).query)
    assert query["redirect_uri"] == ["http://testserver/webshop/shopify/installed/"]
    assert "write_orders" in query["scope"][0] and query["state"][0]

    landed = come_back(client, approve(started.url))
    assert landed.redirect_chain[-1][0] == reverse("tenant_setup", args=["kaski"])
    assert f"connected to the Shopify store {SHOP}" in messages_of(landed)
    connection = WebshopConnection.objects.get(tenant=owner)
    assert (connection.platform, connection.base_url, connection.status) == (
        "shopify",
        f"https://{SHOP}",
        ConnectionStatus.CONNECTED,
    )
    assert connection.api_key
    with db.cursor() as cursor:  # at rest the token is ciphertext
        cursor.execute("SELECT api_key FROM integration_webshopconnection WHERE tenant_id = %s", [owner.pk])
        assert connection.api_key not in cursor.fetchone()[0]
    entry = AuditEntry.objects.get(tenant=owner, action=AuditEntry.Action.CONNECTED_WEBSHOP)
    assert entry.username == "kaski"
    # the sandbox stands in for the store: the connector reaches it with the stored token
    assert for_connection(connection).test_connection().currency == "EUR"
    assert OrmQ.objects.count() == 0  # connecting queues nothing; activation does


def test_a_callback_with_a_wrong_hmac_is_refused(client, owner, sb):
    params = approve(start(client, owner).url)
    refused = come_back(client, {**params, "hmac": "0" * 64})
    assert "could not be verified" in messages_of(refused)
    nothing_stored_or_queued(owner)
    tampered = come_back(client, {**params, "code": "another-code"})  # signed over other values
    assert "could not be verified" in messages_of(tampered)
    nothing_stored_or_queued(owner)


def test_an_unknown_an_expired_and_a_reused_state_are_refused(client, owner, sb):
    params = approve(start(client, owner).url)
    unknown = come_back(client, signed(params, state="not-one-silta-issued"))
    assert "unknown, already used or expired" in messages_of(unknown)
    nothing_stored_or_queued(owner)

    KeyApproval.objects.filter(tenant=owner).update(
        created_at=timezone.now() - timedelta(seconds=webshop_setup.APPROVAL_MAX_AGE + 1)
    )
    expired = come_back(client, params)
    assert "unknown, already used or expired" in messages_of(expired)
    nothing_stored_or_queued(owner)

    fresh = approve(start(client, owner).url)
    assert "connected to the Shopify store" in messages_of(come_back(client, fresh))
    token = WebshopConnection.objects.get(tenant=owner).api_key
    entries = AuditEntry.objects.count()
    reused = come_back(client, fresh)  # the same callback again (browser history, a replay)
    assert "unknown, already used or expired" in messages_of(reused)
    assert WebshopConnection.objects.get(tenant=owner).api_key == token
    assert AuditEntry.objects.count() == entries


def test_a_shop_outside_myshopify_com_is_refused_typed_or_in_the_callback(client, owner, sb):
    typed = start(client, owner, "kaski.example.com")
    assert typed.status_code == 200
    assert "kahvila.myshopify.com" in str(typed.context["shopify_form"].errors["shop"])
    assert not KeyApproval.objects.exists()

    params = approve(start(client, owner).url)
    refused = come_back(client, signed(params, shop="kaski.example.com"))
    assert "outside myshopify.com" in messages_of(refused)
    nothing_stored_or_queued(owner)


def test_a_callback_for_another_store_than_the_one_typed_is_refused(client, owner, sb):
    params = approve(start(client, owner).url)
    refused = come_back(client, signed(params, shop="toinen.myshopify.com"))
    assert f"another store than {SHOP}" in messages_of(refused)
    nothing_stored_or_queued(owner)


def test_the_refusals_read_in_finnish(client, owner, sb):
    params = approve(start(client, owner).url)
    refused = client.get(
        reverse("shopify_installed") + "?" + urlencode({**params, "hmac": "0" * 64}),
        follow=True,
        headers={"Accept-Language": "fi"},
    )
    assert "ei voitu varmentaa" in messages_of(refused)


def test_a_store_of_another_company_is_refused(client, owner, sb):
    other = Tenant.objects.create(name="Toinen Oy", slug="toinen")
    WebshopConnection.objects.create(
        tenant=other, platform="shopify", base_url=f"https://{SHOP}", api_key="x"
    )
    refused = start(client, owner)
    assert refused.status_code == 200
    assert "already connected to another company" in str(refused.context["shopify_form"].errors["shop"])
    assert not KeyApproval.objects.exists()


def test_reconnecting_after_the_app_was_uninstalled(client, owner, sb):
    come_back(client, approve(start(client, owner).url))
    old = WebshopConnection.objects.get(tenant=owner).api_key
    WebshopConnection.objects.filter(tenant=owner).update(
        status=ConnectionStatus.NEEDS_RECONNECT, status_detail="the app was uninstalled"
    )
    landed = come_back(client, approve(start(client, owner).url))
    assert "connected to the Shopify store" in messages_of(landed)
    connection = WebshopConnection.objects.get(tenant=owner)
    assert connection.status == ConnectionStatus.CONNECTED and connection.api_key != old
    assert connection.status_detail == ""


@pytest.mark.parametrize("who", ["member_b", "outsider", "another_owner"])
def test_only_the_owner_who_started_the_install_can_finish_it(client, owner, sb, who, three_users, tenant_b):
    params = approve(start(client, owner).url)
    if who == "another_owner":  # an owner of this company, but not the person who started it
        user = three_users["outsider"]
        Membership.objects.create(tenant=owner, user=user, role=Membership.Role.OWNER)
    else:
        user = three_users[who]
    client.force_login(user)
    response = client.get(reverse("shopify_installed") + "?" + urlencode(params))
    if who == "another_owner":
        assert response.status_code == 302
        assert "started by another user" in messages_of(client.get(response.url))
    else:
        assert response.status_code == 404  # another company's install looks like none at all
    nothing_stored_or_queued(owner)
    assert KeyApproval.objects.get(tenant=owner).used_at is None


@pytest.mark.parametrize("who", ["member_b", "outsider"])
def test_someone_outside_the_company_cannot_start_its_install(client, owner, sb, who, three_users, tenant_b):
    client.force_login(three_users[who])
    assert start(client, owner).status_code == 404
    assert not KeyApproval.objects.exists()
    nothing_stored_or_queued(owner)


def test_a_multi_shop_sandbox_serves_each_store_at_its_own_path(client, owner, settings):
    """``SHOPIFY_SANDBOX_URL`` ending in ``/shops/*``: each store is its own store of a multi-shop sandbox."""
    server, url = start_in_thread(0, app=MultiShopApp({"auto_approve_install": True}))
    try:
        settings.SHOPIFY_SANDBOX_URL = f"{url}/shops/*"
        assert api_address(f"https://{SHOP}") == f"{url}/shops/kaski"
        assert api_address("https://other-store.myshopify.com") == f"{url}/shops/other-store"
        assert api_address("https://kauppa.example.fi") == "https://kauppa.example.fi"  # not a Shopify store

        started = start(client, owner)
        assert started.status_code == 302 and started.url.startswith(
            f"{url}/shops/kaski/admin/oauth/authorize?"
        )
        params = approve(started.url)
        assert params["shop"] == SHOP  # kaski's store answers for itself
        assert f"connected to the Shopify store {SHOP}" in messages_of(come_back(client, params))
        connection = WebshopConnection.objects.get(tenant=owner)
        assert connection.base_url == f"https://{SHOP}"  # the store's own address is kept, not the sandbox's
        # the connector reaches kaski's store, the only one that knows the token
        assert for_connection(connection).test_connection().currency == "EUR"
        stores = requests.get(f"{url}/_sandbox/shops", timeout=10).json()
        assert [(s["name"], s["shop_domain"]) for s in stores] == [("kaski", SHOP)]
        log = requests.get(f"{url}/shops/kaski/_sandbox/requests", timeout=10).json()
        assert [e["path"] for e in log][:2] == ["/admin/oauth/authorize", "/admin/oauth/access_token"]
        assert any(e["path"].endswith("/graphql.json") and e["status"] == 200 for e in log)
    finally:
        server.shutdown()
        server.server_close()
