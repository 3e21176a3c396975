"""eAccounting references are picked by name, never typed: terms of payment, bank accounts, codings and units
on *Shop methods*, *Order settings* and *Article templates*, from lists read from eAccounting on demand."""

import re

import pytest
from django.urls import reverse

from integration.eaccounting.references import RefList, choices
from integration.models import ArticleTemplate, OrderSettings, ReferenceData, ShopMethod

from .conftest import connect_tenant

pytestmark = pytest.mark.django_db
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PICKED = ("terms_of_payment_id", "bank_account_id", "coding_id", "unit_id", "delivery_method_code")


def lists(tenant, **items):
    for ref, entries in items.items():
        ReferenceData.objects.update_or_create(
            tenant=tenant, name=RefList[ref].value, defaults={"data": {"items": entries}}
        )


def text_inputs(html: str) -> list[str]:
    """The names of the page's free-text inputs for eAccounting ids (any field named …_id but the Y-tunnus)."""
    return [
        n
        for n in re.findall(r'<input type="text" name="([\w-]+)"', html)
        if n in PICKED or (n.endswith("_id") and n != "business_id")
    ]


@pytest.fixture
def known(tenant_a):
    lists(
        tenant_a,
        TERMS_OF_PAYMENT=[{"id": "t-14", "label": "14 päivää netto"}, {"id": "t-0", "label": "Käteinen"}],
        BANK_ACCOUNTS=[{"id": "b-1", "label": "Yritystili (FI21 1234 5600 0007 85)"}],
        CODINGS=[{"id": "c-255", "label": "Palvelumyynti 25,5 %", "vat_rate": "25.5", "is_service": True}],
        UNITS=[{"id": "u-kpl", "label": "Kappale", "code": "KPL"}],
        DELIVERY_METHODS=[{"id": "POSTI", "label": "Posti (POSTI)"}],
    )
    return tenant_a


def test_shop_methods_pick_terms_and_bank_accounts_by_name(client, owner_a, known):
    method = ShopMethod.objects.get(tenant=known, key="flat_rate:1")
    client.force_login(owner_a)
    url = reverse("admin:integration_shopmethod_change", args=[method.pk])
    html = client.get(url).content.decode()
    assert text_inputs(html) == []
    assert '<select name="terms_of_payment_id"' in html and ">14 päivää netto</option>" in html
    assert '<select name="bank_account_id"' in html and "Yritystili (FI21 1234 5600 0007 85)" in html
    assert reverse("eaccounting_lists_refresh", args=["a"]) in html
    assert '<select name="delivery_method_code"' in html and ">Posti (POSTI)</option>" in html
    form = {
        "terms_of_payment_id": "t-0",
        "bank_account_id": "b-1",
        "delivery_method_code": "POSTI",
        "prepaid": "on",
        "articles-TOTAL_FORMS": "0",
        "articles-INITIAL_FORMS": "0",
        "_save": "Save",
    }
    assert client.post(url, form).status_code == 302
    method.refresh_from_db()
    assert (method.terms_of_payment_id, method.bank_account_id, method.delivery_method_code) == (
        "t-0",
        "b-1",
        "POSTI",
    )
    form["terms_of_payment_id"] = "typed-by-hand"  # not one of eAccounting's: refused
    assert client.post(url, form).status_code == 200
    method.refresh_from_db()
    assert method.terms_of_payment_id == "t-0"


def test_order_settings_pick_terms_and_keep_an_unknown_stored_value_visible(client, owner_a, known):
    settings = OrderSettings.objects.get(tenant=known)
    settings.terms_of_payment_id = "5f0e6c1e-0000-4000-8000-000000000001"
    settings.save()
    client.force_login(owner_a)
    html = client.get(reverse("admin:integration_ordersettings_change", args=[settings.pk])).content.decode()
    assert text_inputs(html) == []
    assert "5f0e6c1e-0000-4000-8000-000000000001 (not in eAccounting&#x27;s list as last read)" in html


def test_article_templates_pick_codings_and_units_and_keep_their_names(client, owner_a, known):
    template = ArticleTemplate.objects.get(tenant=known)
    client.force_login(owner_a)
    url = reverse("admin:integration_articletemplate_change", args=[template.pk])
    html = client.get(url).content.decode()
    assert text_inputs(html) == [] and "Palvelumyynti 25,5 %" in html and "Kappale" in html
    response = client.post(
        url,
        {
            "tenant": known.pk,
            "kind": "service",
            "vat_rate": "25.5",
            "coding_id": "c-255",
            "unit_id": "u-kpl",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.coding_id, template.coding_name, template.unit_id, template.unit_name) == (
        "c-255",
        "Palvelumyynti 25,5 %",
        "u-kpl",
        "Kappale",
    )


def test_no_guid_is_shown_in_a_picker_of_lists_read(client, owner_a, known):
    client.force_login(owner_a)
    method = ShopMethod.objects.get(tenant=known, key="flat_rate:1")
    html = client.get(reverse("admin:integration_shopmethod_change", args=[method.pk])).content.decode()
    options = re.findall(r"<option[^>]*>([^<]*)</option>", html)
    assert options and not any(GUID.search(o) for o in options)


@pytest.mark.django_db(transaction=True)
def test_read_again_fills_the_lists_from_the_eaccounting_sandbox(client, ea, django_user_model):
    from integration.models import AccountingCustomer, Membership

    tenant = connect_tenant(ea, "lists", ea.companies()[0]).tenant
    member = django_user_model.objects.create_user(username="lists-member", password="pw", is_staff=True)
    Membership.objects.create(tenant=tenant, user=member, role=Membership.Role.MEMBER)
    client.force_login(member)
    response = client.post(
        reverse("eaccounting_lists_refresh", args=["lists"]), {"next": "/admin-elsewhere/"}
    )
    assert response.status_code == 302 and response.url == "/admin-elsewhere/"
    assert "14 päivää netto" in {c.label for c in choices(tenant, RefList.TERMS_OF_PAYMENT)}
    assert {c.vat_rate for c in choices(tenant, RefList.CODINGS)} >= {0, 14, 25.5}
    assert "KPL" in {c.code.upper() for c in choices(tenant, RefList.UNITS)}
    assert "POSTI" in {c.id for c in choices(tenant, RefList.DELIVERY_METHODS)}
    # and the customers changed in eAccounting, which the collective customer is picked from
    assert AccountingCustomer.objects.filter(tenant=tenant).count() == len(
        ea.control("GET", f"companies/{tenant.eaccounting_connection.company_id}/resources/customers")
    )
    # a next address elsewhere is not followed
    response = client.post(
        reverse("eaccounting_lists_refresh", args=["lists"]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("tenant_setup", args=["lists"])


def test_no_tenant_admin_page_but_the_connection_asks_to_type_an_eaccounting_id(client, owner_a, tenant_a):
    """Every change page an owner opens, with the fixture's rows: eAccounting ids are picked, never typed.
    (The eAccounting connection's page keeps its company id: tokens pasted by hand name their company.)"""
    from django.contrib import admin

    from portal.admin.tenant_admin import TenantScopedAdmin

    client.force_login(owner_a)
    typed = {}
    for model, model_admin in admin.site._registry.items():
        if (
            not isinstance(model_admin, TenantScopedAdmin)
            or model._meta.model_name == "eaccountingconnection"
        ):
            continue
        path = model_admin.tenant_path
        row = model.objects.filter(**{f"{path}__in" if path else "pk__in": [tenant_a.pk]}).first()
        if row is None:
            continue
        html = client.get(
            reverse(f"admin:integration_{model._meta.model_name}_change", args=[row.pk])
        ).content.decode()
        if text_inputs(html):
            typed[model.__name__] = text_inputs(html)
    assert typed == {}
