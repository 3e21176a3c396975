"""Bank accounts are picked by name from eAccounting's /bankaccounts (Visma's BankAccountApi: Name,
Iban, Bban), which the eAccounting sandbox serves with a couple of accounts per demo company."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integration.eaccounting import references
from integration.eaccounting.references import RefList, choices
from integration.models import ConnectionStatus, EAccountingConnection, Membership, ShopMethod, Tenant

from .conftest import connect_tenant


@pytest.mark.django_db(transaction=True)
def test_the_shop_method_page_offers_the_company_s_bank_accounts_by_name(client, ea, django_user_model):
    tenant = connect_tenant(ea, "banks", ea.companies()[0]).tenant
    references.refresh(tenant, lists=(RefList.BANK_ACCOUNTS,))
    accounts = choices(tenant, RefList.BANK_ACCOUNTS)
    labels = [c.label for c in accounts]
    assert len(labels) == 2
    assert labels[0].startswith("Säästötili (FI") and labels[1].startswith("Yritystili (FI")

    owner = django_user_model.objects.create_user(username="banks-owner", password="pw", is_staff=True)
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)
    method = ShopMethod.objects.create(tenant=tenant, kind=ShopMethod.Kind.PAYMENT, key="bacs", title="Lasku")
    client.force_login(owner)
    html = client.get(reverse("admin:integration_shopmethod_change", args=[method.pk])).content.decode()
    assert '<select name="bank_account_id"' in html
    for account in accounts:
        assert f'<option value="{account.id}">{account.label}</option>' in html


@pytest.mark.django_db(transaction=True)
def test_a_connection_without_the_purchase_scope_gets_the_other_lists_and_no_bank_accounts(ea):
    company = ea.companies()[0]
    tokens = ea.token(
        company["id"], scope="ea:api offline_access ea:sales ea:accounting_readonly"
    )  # as before
    tenant = Tenant.objects.create(name="Old scopes", slug="oldscope")
    EAccountingConnection.objects.create(
        tenant=tenant,
        status=ConnectionStatus.CONNECTED,
        company_id=company["id"],
        company_name=company["name"],
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        access_token_expires_at=timezone.now() + timedelta(seconds=tokens["expires_in"]),
    )
    references.refresh(tenant)
    assert choices(tenant, RefList.BANK_ACCOUNTS) == []
    assert "14 päivää netto" in {c.label for c in choices(tenant, RefList.TERMS_OF_PAYMENT)}
