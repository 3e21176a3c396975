"""The key-approval callback (/webshop/keys/) takes a one-time nonce tied to the company and the
person who started the approval; a changed shop address drops the keys it had."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from integration.models import AuditEntry, ConnectionStatus, KeyApproval, Tenant, WebshopConnection
from integration.webshops import setup as webshop_setup
from tests.fixtures.external_logins import approve_at_shop

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner_and_tenant(wc, live_server, settings, django_user_model, client):
    from integration.models import Membership

    settings.SILTA_BASE_URL = live_server.url
    tenant = Tenant.objects.create(name="Kauppa Oy", slug="kauppa")
    owner = django_user_model.objects.create_user("kauppias", password="pw", is_staff=True)
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)
    client.force_login(owner)
    return tenant, owner


def start_approval(client, tenant, url) -> str:
    start = client.post(reverse("webshop_connect", args=[tenant.slug]), {"base_url": url})
    assert start.status_code == 302, start.content
    return start.url


def post_keys(client, body) -> int:
    return client.post(reverse("webshop_keys"), json.dumps(body), content_type="application/json").status_code


def keys_of(tenant) -> tuple[str, str, str]:
    c = WebshopConnection.objects.get(tenant=tenant)
    return c.api_key, c.api_secret, c.webhook_secret


def test_a_replayed_approval_is_refused_and_changes_nothing(owner_and_tenant, client, wc):
    tenant, owner = owner_and_tenant
    authorize = start_approval(client, tenant, wc.url)
    approve_at_shop(wc.url, authorize)  # the shop posts the real keys, server to server
    before = keys_of(tenant)
    assert before[0].startswith("ck_") and before[2]
    entries = list(AuditEntry.objects.filter(tenant=tenant).values_list("pk", flat=True))
    nonce = parse_qs(urlsplit(authorize).query)["user_id"][0]  # in browser history and the shop's logs

    client.logout()  # the replay needs no login: the attacker only has the URL
    attack = {
        "user_id": nonce,
        "consumer_key": "ck_attacker",
        "consumer_secret": "cs_attacker",
        "key_permissions": "read_write",
        "key_id": 9,
    }
    assert post_keys(client, attack) == 400
    assert post_keys(client, attack) == 400
    assert keys_of(tenant) == before
    assert list(AuditEntry.objects.filter(tenant=tenant).values_list("pk", flat=True)) == entries
    assert KeyApproval.objects.get(tenant=tenant).used_at is not None


def test_an_expired_or_unknown_nonce_is_refused(owner_and_tenant, client, wc):
    tenant, _ = owner_and_tenant
    nonce = parse_qs(urlsplit(start_approval(client, tenant, wc.url)).query)["user_id"][0]
    KeyApproval.objects.filter(tenant=tenant).update(
        created_at=timezone.now() - timedelta(seconds=webshop_setup.APPROVAL_MAX_AGE + 1)
    )
    good = {
        "user_id": nonce,
        "consumer_key": "ck_1",
        "consumer_secret": "cs_1",
        "key_permissions": "read_write",
    }
    assert post_keys(client, good) == 400  # too late
    assert post_keys(client, {**good, "user_id": nonce[:-1] + "x"}) == 400  # not ours
    assert keys_of(tenant)[:2] == ("", "")
    assert not AuditEntry.objects.filter(tenant=tenant, action=AuditEntry.Action.CONNECTED_WEBSHOP).exists()


def test_a_nonce_works_only_for_the_company_it_was_made_for(owner_and_tenant, client, wc, django_user_model):
    tenant, owner = owner_and_tenant
    nonce = parse_qs(urlsplit(start_approval(client, tenant, wc.url)).query)["user_id"][0]
    good = {
        "user_id": nonce,
        "consumer_key": "ck_1",
        "consumer_secret": "cs_1",
        "key_permissions": "read_write",
    }
    assert post_keys(client, good) == 200
    entry = AuditEntry.objects.get(tenant=tenant, action=AuditEntry.Action.CONNECTED_WEBSHOP)
    assert entry.user == owner  # the person who pressed Connect, not the shop
    other = Tenant.objects.create(name="Toinen Oy", slug="toinen")
    assert not WebshopConnection.objects.filter(tenant=other).exists()
    assert post_keys(client, good) == 400


def test_a_changed_shop_address_drops_the_keys(owner_and_tenant, client, wc):
    tenant, _ = owner_and_tenant
    approve_at_shop(wc.url, start_approval(client, tenant, wc.url))
    assert keys_of(tenant)[0]
    second = start_approval(client, tenant, wc.url.replace("127.0.0.1", "localhost"))
    assert keys_of(tenant) == ("", "", "")  # the new address never receives the old shop's keys
    connection = WebshopConnection.objects.get(tenant=tenant)
    assert connection.status == ConnectionStatus.NOT_CONNECTED and connection.connected_at is None
    assert "localhost" in connection.base_url and second.startswith(connection.base_url)


def test_changing_the_address_in_the_admin_drops_the_keys(tenant_a):
    connection = tenant_a.webshop_connection
    connection.base_url = "https://other-shop.example.fi"
    connection.save()
    assert keys_of(tenant_a) == ("", "", "")
    connection.refresh_from_db()
    connection.api_key, connection.api_secret = "ck_new", "cs_new"
    connection.base_url = "https://third-shop.example.fi"
    connection.save()  # new keys given with the new address are kept
    assert keys_of(tenant_a)[:2] == ("ck_new", "cs_new")
