"""A person connects eAccounting: portal → sandbox login and company picker → back, connected."""

import pytest

from integration.models import ConnectionStatus, EAccountingConnection, Membership, Tenant
from tests.fixtures.external_logins import sign_in_and_pick

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def owner_of_sandbox_company(ea, django_user_model, live_server, settings):
    settings.SILTA_BASE_URL = live_server.url
    company, other = ea.companies()[:2]
    tenant = Tenant.objects.create(
        name="Kahvila Testi Oy", slug="kahvila", business_id=company["corporate_identity_number"]
    )
    user = django_user_model.objects.create_user(username="owner", password="pw-owner", is_staff=True)
    Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.OWNER)
    return tenant, company, other


def test_connect_eaccounting_through_the_login_page(page, live_server, ea, owner_of_sandbox_company):
    tenant, company, _ = owner_of_sandbox_company
    log_in(page, live_server.url, "owner", "pw-owner")
    page.click("form.connect-eaccounting button")
    assert page.url.startswith(f"{ea.base}/connect/authorize")  # now on the login server
    sign_in_and_pick(page, company["name"])
    page.wait_for_selector("#tenants-dashboard")
    assert "is connected to eAccounting company" in page.locator(".messagelist").inner_text()
    status = page.locator("tr[data-tenant=kahvila] .eaccounting-status").inner_text()
    assert f"Connected · {company['name']}" in status
    connection = EAccountingConnection.objects.get(tenant=tenant)
    assert connection.status == ConnectionStatus.CONNECTED and connection.refresh_token


def test_picking_a_company_with_another_business_id_is_refused(page, live_server, owner_of_sandbox_company):
    tenant, _, other = owner_of_sandbox_company
    log_in(page, live_server.url, "owner", "pw-owner")
    page.click("form.connect-eaccounting button")
    sign_in_and_pick(page, other["name"])
    page.wait_for_selector("#tenants-dashboard")
    message = page.locator(".messagelist").inner_text()
    assert "Nothing was connected" in message and other["name"] in message
    assert not EAccountingConnection.objects.filter(tenant=tenant, status=ConnectionStatus.CONNECTED).exists()
    assert "Not connected" in page.locator("tr[data-tenant=kahvila] .eaccounting-status").inner_text()
