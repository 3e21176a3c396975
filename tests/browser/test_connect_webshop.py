"""A shop owner connects WooCommerce by approving Silta on the shop, then tests the connection."""

import pytest

from integration.models import ConnectionStatus, Membership, Tenant, WebshopConnection

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner(django_user_model, live_server, settings, wc):
    settings.SILTA_BASE_URL = live_server.url
    tenant = Tenant.objects.create(name="Kauppa Oy", slug="kauppa")
    user = django_user_model.objects.create_user(username="owner", password="pw-owner", is_staff=True)
    Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.OWNER)
    return tenant


def test_approval_flow_connects_the_shop_and_the_test_reports_it(page, live_server, wc, owner):
    log_in(page, live_server.url, "owner", "pw-owner")
    page.click("tr[data-tenant=kauppa] a.connect-webshop")
    page.fill("#id_base_url", wc.url)
    page.click("#connect-webshop input[type=submit]")
    assert page.url.startswith(f"{wc.url}/wc-auth/v1/authorize")
    assert "Silta" in page.content()
    page.click("#wc-auth-approve")
    page.wait_for_selector("#tenants-dashboard")
    assert "approved Silta's access" in page.locator(".messagelist").inner_text()
    connection = WebshopConnection.objects.get(tenant=owner)
    assert (
        connection.status == ConnectionStatus.CONNECTED and connection.api_key and connection.webhook_secret
    )

    page.click("tr[data-tenant=kauppa] form.test-webshop button")
    message = page.locator(".messagelist").inner_text()
    assert "currency EUR" in message and "products" in message


def test_denying_access_leaves_the_shop_unconnected(page, live_server, wc, owner):
    log_in(page, live_server.url, "owner", "pw-owner")
    page.click("tr[data-tenant=kauppa] a.connect-webshop")
    page.fill("#id_base_url", wc.url)
    page.click("#connect-webshop input[type=submit]")
    page.click("#wc-auth-deny")
    page.wait_for_selector("#tenants-dashboard")
    assert "not approved" in page.locator(".messagelist").inner_text()
    assert not WebshopConnection.objects.get(tenant=owner).api_key


def test_a_wrong_key_is_reported_in_words(page, live_server, wc, owner):
    key, _ = wc.key("read_write")
    WebshopConnection.objects.create(
        tenant=owner, base_url=wc.url, api_key=key, api_secret="cs_wrong", status=ConnectionStatus.CONNECTED
    )
    log_in(page, live_server.url, "owner", "pw-owner")
    page.click("tr[data-tenant=kauppa] form.test-webshop button")
    message = page.locator(".messagelist").inner_text()
    assert "Connection test failed" in message
    assert WebshopConnection.objects.get(tenant=owner).status == ConnectionStatus.NEEDS_RECONNECT
