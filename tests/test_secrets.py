"""Secrets are encrypted at rest, never rendered back, and survive key rotation."""

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from integration.models import EAccountingConnection, WebshopConnection

SECRETS = ["cs_secret_of_a", "ck_key_of_a", "whsec_of_a", "access-token-of-a", "refresh-token-of-a"]


def raw_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key, api_secret, webhook_secret FROM integration_webshopconnection")
        shop = cursor.fetchall()
        cursor.execute("SELECT access_token, refresh_token FROM integration_eaccountingconnection")
        ea = cursor.fetchall()
    return [value for row in shop + ea for value in row]


def test_database_holds_no_plaintext_secret(tenant_a):
    values = raw_rows()
    assert values and all(v.startswith("gAAAA") for v in values)  # Fernet tokens
    dump = " ".join(values)
    for secret in SECRETS:
        assert secret not in dump
    shop = WebshopConnection.objects.get(tenant=tenant_a)
    assert shop.api_secret == "cs_secret_of_a"  # and the application reads it back


def test_change_forms_never_render_a_stored_secret(client, owner_a, superuser, tenant_a):
    for user in (owner_a, superuser):
        client.force_login(user)
        for model in (WebshopConnection, EAccountingConnection):
            obj = model.objects.get(tenant=tenant_a)
            html = client.get(
                reverse(f"admin:integration_{model._meta.model_name}_change", args=[obj.pk])
            ).content.decode()
            assert 'type="password"' in html
            for secret in SECRETS:
                assert secret not in html


def _post_shop(client, shop, **secrets):
    data = {
        "tenant": shop.tenant_id,
        "platform": shop.platform,
        "base_url": shop.base_url,
        "status": shop.status,
        "api_key": "",
        "api_secret": "",
        "webhook_secret": "",
        **secrets,
    }
    return client.post(reverse("admin:integration_webshopconnection_change", args=[shop.pk]), data)


def test_blank_keeps_and_new_value_replaces_a_secret(client, owner_a, tenant_a):
    client.force_login(owner_a)
    shop = tenant_a.webshop_connection
    assert _post_shop(client, shop).status_code == 302
    shop.refresh_from_db()
    assert (shop.api_key, shop.api_secret, shop.webhook_secret) == (
        "ck_key_of_a",
        "cs_secret_of_a",
        "whsec_of_a",
    )
    assert _post_shop(client, shop, api_secret="cs_new_secret").status_code == 302
    shop.refresh_from_db()
    assert shop.api_secret == "cs_new_secret" and shop.api_key == "ck_key_of_a"
    assert "cs_new_secret" not in " ".join(raw_rows())


def test_key_rotation_keeps_every_secret_readable(settings, tenant_a, tenant_b):
    old_key = settings.SILTA_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    before = raw_rows()
    with override_settings(SILTA_ENCRYPTION_KEYS=[new_key, old_key]):
        call_command("reencrypt_secrets", verbosity=0)
    after = raw_rows()
    assert not set(before) & set(after)
    with override_settings(SILTA_ENCRYPTION_KEYS=[new_key]):  # the old key is gone
        for tenant, slug in ((tenant_a, "a"), (tenant_b, "b")):
            shop = WebshopConnection.objects.get(tenant=tenant)
            ea = EAccountingConnection.objects.get(tenant=tenant)
            assert shop.api_secret == f"cs_secret_of_{slug}"
            assert ea.refresh_token == f"refresh-token-of-{slug}"
