"""The set-up checklist: its steps planned from facts (pure), read for many companies in fixed queries, and shown."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from integration.activation.checklist import (
    Connection,
    FirstSyncState,
    SetupFacts,
    StepKey,
    StepState,
    plan,
)
from integration.activation.checklist_facts import checklists_for, facts_for
from integration.models import (
    EAccountingConnection,
    FirstSync,
    Membership,
    MethodArticle,
    OrderTransfer,
    ShopMethod,
    Tenant,
    VismaWebshopSettings,
    WebshopConnection,
    WebshopOrderConversion,
)

DONE = SetupFacts(
    eaccounting=Connection.CONNECTED,
    webshop=Connection.CONNECTED,
    is_active=True,
    first_sync=FirstSyncState.DONE,
    methods_known=2,
    orders_transferred=1,
)


def states(facts: SetupFacts) -> dict[str, str]:
    return {s.key.value: s.state.value for s in plan(facts).steps}


# --- the plan (pure) ------------------------------------------------------------------------------


def test_an_empty_company_has_every_step_to_do_and_starts_with_eaccounting():
    checklist = plan(SetupFacts())
    assert [s.key for s in checklist.steps] == [
        StepKey.EACCOUNTING,
        StepKey.WEBSHOP,
        StepKey.ACTIVATE,
        StepKey.FIRST_SYNC,
        StepKey.METHODS,
        StepKey.FIRST_ORDER,
    ]
    assert all(s.state == StepState.TO_DO for s in checklist.steps)
    assert checklist.next_step.key == StepKey.EACCOUNTING and not checklist.complete
    activate = checklist.steps[2]
    assert not activate.can_act and "Connect both systems first" in str(activate.missing)


def test_every_step_done_completes_the_checklist():
    checklist = plan(DONE)
    assert checklist.complete and checklist.next_step is None and checklist.done_count == 6


def test_a_connection_that_needs_reconnecting_breaks_its_step_and_comes_first():
    checklist = plan(SetupFacts(**{**DONE.__dict__, "eaccounting": Connection.NEEDS_RECONNECT}))
    assert not checklist.complete
    assert checklist.next_step.key == StepKey.EACCOUNTING and checklist.next_step.state == StepState.BROKEN
    assert "connected again" in str(checklist.next_step.missing)


def test_a_new_unmapped_method_after_orders_flowed_breaks_the_methods_step():
    broken = plan(SetupFacts(**{**DONE.__dict__, "methods_unmapped": ("Matkahuolto",)}))
    methods = next(s for s in broken.steps if s.key == StepKey.METHODS)
    assert methods.state == StepState.BROKEN and "Matkahuolto" in str(methods.missing)
    before = plan(
        SetupFacts(**{**DONE.__dict__, "methods_unmapped": ("Posti", "Klarna"), "orders_transferred": 0})
    )
    methods = next(s for s in before.steps if s.key == StepKey.METHODS)
    assert methods.state == StepState.TO_DO and "2 methods have no template article" in str(methods.missing)


def test_methods_not_read_yet_are_not_done():
    facts = SetupFacts(**{**DONE.__dict__, "methods_known": 0})
    assert states(facts)["methods"] == "to_do"


@pytest.mark.parametrize(
    "first_sync,text",
    [
        (FirstSyncState.NONE, "prepare the preview"),
        (FirstSyncState.PREVIEW, "answer Yes"),
        (FirstSyncState.CREATED, "wait for your confirmation"),
        (FirstSyncState.UNDONE, "was undone"),
    ],
)
def test_the_first_sync_says_what_is_missing_at_each_stage(first_sync, text):
    step = plan(SetupFacts(**{**DONE.__dict__, "first_sync": first_sync})).steps[3]
    assert step.key == StepKey.FIRST_SYNC and step.state == StepState.TO_DO and text in str(step.missing)


def test_waiting_orders_are_named_in_the_first_order_step():
    step = plan(SetupFacts(**{**DONE.__dict__, "orders_transferred": 0, "orders_waiting": 3})).steps[5]
    assert step.state == StepState.TO_DO and "3 orders wait for a person" in str(step.missing)


def test_visma_webshop_has_its_own_steps():
    facts = SetupFacts(eaccounting=Connection.CONNECTED, webshop=Connection.CONNECTED, visma_webshop=True)
    checklist = plan(facts)
    assert [s.key for s in checklist.steps] == [
        StepKey.EACCOUNTING,
        StepKey.ACTIVATE,
        StepKey.AVAILABILITY,
        StepKey.FIRST_CONVERSION,
    ]
    assert checklist.next_step.key == StepKey.ACTIVATE
    active = SetupFacts(**{**facts.__dict__, "is_active": True, "rules_applied": True})
    assert plan(active).complete  # conversion left off on purpose: nothing to do
    converting = SetupFacts(**{**active.__dict__, "convert_orders": True})
    assert states(converting)["first_conversion"] == "to_do"
    assert plan(SetupFacts(**{**converting.__dict__, "conversions_done": 1})).complete


# --- the facts, read from the database ------------------------------------------------------------


@pytest.mark.django_db
def test_facts_are_read_from_the_database(tenant_a, tenant_b):
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=True)
    EAccountingConnection.objects.filter(tenant=tenant_b).update(status="needs_reconnect")
    FirstSync.objects.create(tenant=tenant_a, status=FirstSync.Status.PREVIEW)
    FirstSync.objects.create(tenant=tenant_a, status=FirstSync.Status.DONE)  # the latest counts
    ShopMethod.objects.create(tenant=tenant_a, kind="payment", key="klarna", title="Klarna")
    ShopMethod.objects.create(tenant=tenant_a, kind="payment", key="old", title="Old", enabled=False)
    OrderTransfer.objects.create(tenant=tenant_a, shop_order_id=2, shop_order_number="D", status="done")
    facts = facts_for(Tenant.objects.filter(slug__in=["a", "b"]))
    a, b = facts[tenant_a.pk], facts[tenant_b.pk]
    assert a.is_active and a.first_sync == FirstSyncState.DONE
    assert a.methods_known == 2 and a.methods_unmapped == ("Klarna",)  # Posti a (fixture) has its article
    assert a.orders_transferred == 1 and a.orders_waiting == 1
    assert b.eaccounting == Connection.NEEDS_RECONNECT and b.first_sync == FirstSyncState.NONE
    assert not a.visma_webshop


@pytest.mark.django_db
def test_visma_facts_come_from_its_settings_and_conversions(tenant_a):
    WebshopConnection.objects.filter(tenant=tenant_a).update(platform="visma_webshop", base_url="")
    VismaWebshopSettings.objects.create(tenant=tenant_a, rules_applied_at=timezone.now(), convert_orders=True)
    WebshopOrderConversion.objects.create(tenant=tenant_a, webshop_order_id="x", status="done")
    f = facts_for(Tenant.objects.filter(pk=tenant_a.pk))[tenant_a.pk]
    assert f.visma_webshop and f.rules_applied and f.convert_orders and f.conversions_done == 1


@pytest.mark.django_db
def test_checklists_take_a_fixed_number_of_queries(tenant_a, django_user_model):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            checklists_for(Tenant.objects.all())
        return len(captured)

    few = count()
    for n in range(5):
        t = Tenant.objects.create(name=f"More {n}", slug=f"more-{n}", is_active=True)
        FirstSync.objects.create(tenant=t)
        ShopMethod.objects.create(tenant=t, kind="shipping", key="flat_rate:1", title=f"Posti {n}")
        OrderTransfer.objects.create(tenant=t, shop_order_id=n, shop_order_number=f"N{n}", status="waiting")
    assert count() == few == 2
    assert len(checklists_for(Tenant.objects.all())) == 6


# --- the page and the dashboard -------------------------------------------------------------------


def _steps(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', html))


@pytest.mark.django_db
def test_the_page_shows_each_step_with_its_button(client, owner_a, tenant_a):
    ShopMethod.objects.create(tenant=tenant_a, kind="payment", key="klarna", title="Klarna")
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=True)
    client.force_login(owner_a)
    page = client.get(reverse("tenant_setup", args=["a"])).content.decode()
    assert _steps(page) == {
        "eaccounting": "done",
        "webshop": "done",
        "activate": "done",
        "first_sync": "to_do",
        "methods": "to_do",
        "first_order": "to_do",
    }
    assert reverse("first_sync", args=["a"]) in page
    assert "1 method has no template article, so orders using it wait: Klarna." in page
    assert (
        f"{reverse('admin:integration_ordertransfer_changelist')}?tenant={tenant_a.pk}&amp;status__in=waiting,held"
        in page
    )


@pytest.mark.django_db
def test_a_member_sees_the_checklist_without_the_owners_buttons(client, member_b, tenant_b):
    client.force_login(member_b)
    EAccountingConnection.objects.filter(tenant=tenant_b).update(status="needs_reconnect")
    page = client.get(reverse("tenant_setup", args=["b"])).content.decode()
    assert _steps(page)["eaccounting"] == "broken"
    assert reverse("eaccounting_connect", args=["b"]) not in page
    assert "(an owner of the company does this)" in page


@pytest.mark.django_db
def test_the_dashboard_shows_the_checklist_until_every_step_is_done(client, owner_a, tenant_a):
    client.force_login(owner_a)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'class="tenant-setup" data-tenant="a"' in page and "Set-up: 2 of 6 steps done" in page
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=True)
    FirstSync.objects.create(tenant=tenant_a, status=FirstSync.Status.DONE)
    OrderTransfer.objects.create(tenant=tenant_a, shop_order_id=7, shop_order_number="D7", status="done")
    page = client.get(reverse("admin:index")).content.decode()
    assert 'class="tenant-setup"' not in page  # every step done: the checklist steps aside
    # and comes back when a step breaks: a new method the shop added, without a template article
    ShopMethod.objects.create(tenant=tenant_a, kind="payment", key="mobilepay", title="MobilePay")
    page = client.get(reverse("admin:index")).content.decode()
    assert 'class="tenant-setup" data-tenant="a"' in page
    assert _steps(page)["methods"] == "broken" and "MobilePay" in page
    assert MethodArticle.objects.filter(
        method__tenant=tenant_a
    ).exists()  # the fixture's own method stays mapped
    assert Membership.objects.filter(user=owner_a, tenant=tenant_a).exists()


@pytest.mark.django_db
def test_a_visma_webshop_company_shows_its_own_steps_with_the_rules_page(client, owner_a, tenant_a):
    WebshopConnection.objects.filter(tenant=tenant_a).update(platform="visma_webshop", base_url="")
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=True)
    client.force_login(owner_a)
    page = client.get(reverse("tenant_setup", args=["a"])).content.decode()
    assert _steps(page) == {
        "eaccounting": "done",
        "activate": "done",
        "availability": "to_do",
        "first_conversion": "done",
    }  # conversion is off: nothing to do
    assert reverse("visma_webshop", args=["a"]) in page and reverse("first_sync", args=["a"]) not in page
