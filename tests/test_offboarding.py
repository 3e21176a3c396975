"""Offboarding a tenant against both sandboxes: deactivate (keep the data) or delete, from the owners'
page or the admin. Afterwards no token of it works, no webhook of ours is in the shop, no schedule runs."""

import logging

import pytest
import requests
from django.apps import apps
from django.urls import reverse
from django_q.models import Schedule

from integration.activation import offboarding
from integration.eaccounting import tokens
from integration.models import (
    AuditEntry,
    ConnectionStatus,
    EAccountingConnection,
    Membership,
    TaxClassMapping,
    Tenant,
    WebshopConnection,
)
from integration.sync.article_sync import sync_articles

from .conftest import activated_on_an_empty_shop, connect_tenant

Action = AuditEntry.Action
pytestmark = pytest.mark.django_db(transaction=True)
CLIENT = ("silta-demo", "silta-demo-secret")
TENANTS = reverse("admin:integration_tenant_changelist")


# --- what "clean" means in each system ----------------------------------------------------


def api_status(ea, access_token):
    return ea.session(access_token).get(f"{ea.base}/v2/companysettings").status_code


def redeem(ea, refresh_token):
    return requests.post(
        f"{ea.base}/connect/token",
        auth=CLIENT,
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
    )


def our_webhooks(wc, live_server):
    return [w for w in wc.control("GET", "/webhooks") if w["delivery_url"].startswith(live_server.url)]


def schedules_of(pk):
    return Schedule.objects.filter(name__startswith=f"silta:{pk}:")


def rows_of(pk):
    """Every row in Silta's tables that points at the tenant (rows reached through them, such as a
    method's template articles, cannot outlive those: the foreign keys see to that)."""
    left = {"Tenant": Tenant.objects.filter(pk=pk).count()}
    for model in apps.get_app_config("integration").get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Tenant:
                left[f"{model.__name__}.{field.name}"] = model._default_manager.filter(
                    **{field.name: pk}
                ).count()
    return {name: n for name, n in left.items() if n}


def entries(tenant, action):
    return list(AuditEntry.objects.filter(tenant=tenant, action=action))


# --- an activated tenant and its owner ------------------------------------------------------


@pytest.fixture
def leaving(ea, wc, live_server, settings, django_user_model, client):
    """Activated on both sandboxes and synced once (the shop has eAccounting's articles); its owner
    is logged in. The tokens were refreshed once, so the grant has an older access token too."""
    settings.SILTA_BASE_URL = live_server.url
    tenant = activated_on_an_empty_shop(ea, wc, "leaving")
    sync_articles(tenant)
    connection = tenant.eaccounting_connection
    first_access = connection.access_token
    tokens.access_token(connection.pk, rejected_token=first_access)  # a refresh: the next pair of the grant
    connection.refresh_from_db()
    owner = django_user_model.objects.create_user(username="owner", password="pw", is_staff=True)
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)
    client.force_login(owner)
    tenant.old_access = first_access
    tenant.access, tenant.refresh = connection.access_token, connection.refresh_token
    tenant.owner = owner
    assert tenant.access != first_access and api_status(ea, first_access) == 200 == api_status(
        ea, tenant.access
    )
    assert len(our_webhooks(wc, live_server)) == 3 and schedules_of(tenant.pk).count() == 4
    return tenant


def page(tenant):
    return reverse("tenant_deactivate", args=[tenant.slug])


def assert_offboarded(ea, wc, live_server, tenant):
    assert api_status(ea, tenant.access) == 401
    assert api_status(ea, tenant.old_access) == 401  # the whole grant, not only the last pair
    refused = redeem(ea, tenant.refresh)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert our_webhooks(wc, live_server) == []
    assert not schedules_of(tenant.pk).exists()


# --- the page -------------------------------------------------------------------------------


def test_the_page_lists_what_will_happen(leaving, client, wc):
    text = client.get(page(leaving)).content.decode()
    assert f"Deactivate the integration of {leaving.name}?" in text
    assert f"Silta's 3 webhooks are removed from {wc.url}" in text
    assert "4 scheduled jobs stop" in text
    assert "is revoked at Visma" in text and leaving.eaccounting_connection.company_name in text
    assert "Nothing is deleted in eAccounting or the shop" in text
    assert f"type the company's slug <code>{leaving.slug}</code>" in text
    assert leaving.access not in text and leaving.refresh not in text


def test_no_changes_nothing(leaving, client, ea, wc, live_server):
    client.post(page(leaving), {"answer": "no", "data": "delete", "confirm_slug": leaving.slug})
    leaving.refresh_from_db()
    assert leaving.is_active and api_status(ea, leaving.access) == 200
    assert len(our_webhooks(wc, live_server)) == 3 and schedules_of(leaving.pk).count() == 4


def test_deactivating_keeps_the_data_and_leaves_no_token_webhook_or_schedule(
    leaving, client, ea, wc, live_server
):
    response = client.post(page(leaving), {"answer": "yes"})  # "keep the data" is the default
    assert response.status_code == 302
    assert_offboarded(ea, wc, live_server, leaving)
    leaving.refresh_from_db()
    assert not leaving.is_active
    assert TaxClassMapping.objects.filter(tenant=leaving).count() == 4  # the data stays
    connection = EAccountingConnection.objects.get(tenant=leaving)
    assert connection.status == ConnectionStatus.NOT_CONNECTED
    assert (connection.access_token, connection.refresh_token, connection.access_token_expires_at) == (
        "",
        "",
        None,
    )
    assert connection.company_name  # which company it was stays
    [deactivated] = entries(leaving, Action.DEACTIVATED)
    assert (deactivated.user, deactivated.target) == (leaving.owner, leaving.name)
    assert deactivated.detail == (
        "3 webhook(s) removed from the shop; 4 scheduled job(s) stopped; "
        "eAccounting tokens revoked and deleted from Silta"
    )
    [revoked] = entries(leaving, Action.REVOKED_EACCOUNTING)
    assert revoked.user == leaving.owner and revoked.target == f"eAccounting {connection.company_name}"
    # to activate again, eAccounting must be connected again
    assert client.get(reverse("tenant_activate", args=[leaving.slug])).status_code == 302


def test_a_revocation_nobody_confirms_still_deletes_the_tokens_and_says_so(leaving, client, ea, settings):
    settings.EACCOUNTING_IDENTITY_URL = "http://127.0.0.1:9"  # the login server does not answer
    response = client.post(page(leaving), {"answer": "yes"}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any("could not confirm that Silta's tokens were revoked" in m for m in shown), shown
    connection = EAccountingConnection.objects.get(tenant=leaving)
    assert (connection.access_token, connection.refresh_token, connection.status) == ("", "", "not_connected")
    [revoked] = entries(leaving, Action.REVOKED_EACCOUNTING)
    assert revoked.detail.startswith("eAccounting did not confirm the revocation")
    assert "did not confirm" in entries(leaving, Action.DEACTIVATED)[0].detail
    assert api_status(ea, leaving.access) == 200  # true to what happened: Visma was not told


def test_a_shop_that_refuses_stops_it_before_anything_changes(leaving, client, ea):
    shop = WebshopConnection.objects.get(tenant=leaving)
    shop.api_key = "ck_revoked_in_the_shop"
    shop.save()
    response = client.post(page(leaving), {"answer": "yes"}, follow=True)
    assert any("Nothing was done" in str(m) for m in response.context["messages"])
    leaving.refresh_from_db()
    assert leaving.is_active and schedules_of(leaving.pk).count() == 4
    assert api_status(ea, leaving.access) == 200
    assert entries(leaving, Action.DEACTIVATED) == [] == entries(leaving, Action.REVOKED_EACCOUNTING)


@pytest.mark.parametrize("typed", [None, "", "leavin", "Company leaving"])
def test_deleting_without_the_typed_slug_is_refused(leaving, client, ea, wc, live_server, typed):
    data = {"answer": "yes", "data": "delete"} | ({} if typed is None else {"confirm_slug": typed})
    response = client.post(page(leaving), data)
    assert response.status_code == 200
    assert f"type {leaving.slug} in the box" in response.content.decode()
    leaving.refresh_from_db()
    assert leaving.is_active and api_status(ea, leaving.access) == 200
    assert len(our_webhooks(wc, live_server)) == 3 and schedules_of(leaving.pk).count() == 4


def test_deleting_removes_every_row_of_the_tenant_and_cleans_both_systems(
    leaving, client, ea, wc, live_server, caplog
):
    caplog.set_level(logging.INFO, logger="integration.activation.offboarding")
    pk, company = leaving.pk, leaving.eaccounting_connection.company_id
    assert {
        "ArticleLink.tenant",
        "SyncRun.tenant",
        "TaxClassMapping.tenant",
        "EAccountingConnection.tenant",
    } <= set(rows_of(pk))
    products = wc.control("GET", "/state")["products"]
    articles = len(ea.control("GET", f"companies/{company}/resources/articles"))
    assert products > 0
    response = client.post(
        page(leaving), {"answer": "yes", "data": "delete", "confirm_slug": f" {leaving.slug} "}
    )
    assert response.status_code == 302
    assert rows_of(pk) == {}
    assert_offboarded(ea, wc, live_server, leaving)
    # nothing is deleted in eAccounting or the shop
    assert wc.control("GET", "/state")["products"] == products
    assert len(ea.control("GET", f"companies/{company}/resources/articles")) == articles
    # the deletion is recorded where it survives: an installation-level entry and the log
    [entry] = AuditEntry.objects.filter(action=Action.DELETED_TENANT)
    assert entry.tenant is None and entry.user == leaving.owner and entry.target == "Tenant leaving (leaving)"
    assert "the offboarding page" in entry.detail and "3 webhook(s) removed" in entry.detail
    [logged] = [r.getMessage() for r in caplog.records if "deleted by owner" in r.getMessage()]
    assert "Tenant leaving (leaving" in logged
    for secret in (leaving.access, leaving.refresh, leaving.old_access):
        assert secret not in entry.detail and secret not in logged


def test_an_inactive_tenant_is_offered_deletion_only(leaving, client, ea, wc, live_server):
    client.post(page(leaving), {"answer": "yes"})
    text = client.get(page(leaving)).content.decode()
    assert f"Delete {leaving.name} from Silta?" in text and 'value="keep"' not in text
    response = client.post(page(leaving), {"answer": "yes", "data": "keep"})
    assert (
        "nothing to deactivate" in response.content.decode() and Tenant.objects.filter(pk=leaving.pk).exists()
    )
    client.post(page(leaving), {"answer": "yes", "data": "delete", "confirm_slug": leaving.slug})
    assert rows_of(leaving.pk) == {}
    [entry] = AuditEntry.objects.filter(action=Action.DELETED_TENANT)
    assert "0 webhook(s) removed" in entry.detail and "no eAccounting tokens were stored" in entry.detail


def test_a_visma_webshop_tenant_has_no_webhooks_to_remove(ea, wc, client, django_user_model):
    from integration.scheduling import schedules

    tenant = connect_tenant(ea, "vismashop", ea.companies()[0]).tenant
    WebshopConnection.objects.create(
        tenant=tenant, platform=WebshopConnection.Platform.VISMA_WEBSHOP, status=ConnectionStatus.CONNECTED
    )
    Tenant.objects.filter(pk=tenant.pk).update(is_active=True)
    tenant.refresh_from_db()
    schedules.ensure(tenant)
    access = tenant.eaccounting_connection.access_token
    owner = django_user_model.objects.create_user(username="owner", password="pw", is_staff=True)
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)
    client.force_login(owner)
    assert "No webhooks to remove" in client.get(page(tenant)).content.decode()
    wc_requests = len(wc.control("GET", "/requests"))
    client.post(page(tenant), {"answer": "yes"})
    tenant.refresh_from_db()
    assert not tenant.is_active and not schedules_of(tenant.pk).exists() and api_status(ea, access) == 401
    assert len(wc.control("GET", "/requests")) == wc_requests  # no shop was asked
    assert entries(tenant, Action.DEACTIVATED)[0].detail.startswith("0 webhook(s) removed")


# --- the admin: superusers' Delete goes through the same offboarding ------------------------------


def test_admin_delete_leads_to_the_offboarding_page(leaving, client, superuser, ea, wc, live_server):
    client.force_login(superuser)
    response = client.get(reverse("admin:integration_tenant_delete", args=[leaving.pk]))
    assert response.status_code == 302 and response.url == page(leaving) + "?data=delete"
    text = client.get(response.url).content.decode()
    assert 'value="delete" checked' in text
    client.post(page(leaving), {"answer": "yes", "data": "delete", "confirm_slug": leaving.slug})
    assert rows_of(leaving.pk) == {}
    assert_offboarded(ea, wc, live_server, leaving)
    assert AuditEntry.objects.get(action=Action.DELETED_TENANT).user == superuser


def test_admin_bulk_delete_offboards_each_tenant_first(
    leaving, tenant_b, client, superuser, ea, wc, live_server
):
    client.force_login(superuser)
    chosen = {"action": "delete_selected", "_selected_action": [leaving.pk, tenant_b.pk]}
    text = client.post(TENANTS, chosen).content.decode()
    assert (
        "Each company is offboarded first" in text and f"Silta's 3 webhooks are removed from {wc.url}" in text
    )
    assert "permission to delete" not in text  # the audit trails go with their companies
    assert rows_of(leaving.pk) != {}  # only asked so far
    response = client.post(TENANTS, chosen | {"post": "yes"}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"Offboarded and deleted: {tenant_b.name}, {leaving.name}" in m for m in shown), shown
    assert rows_of(leaving.pk) == {} == rows_of(tenant_b.pk)
    assert_offboarded(ea, wc, live_server, leaving)
    deleted = {e.target: e for e in AuditEntry.objects.filter(action=Action.DELETED_TENANT, tenant=None)}
    assert set(deleted) == {"Tenant leaving (leaving)", "Company B (b)"}
    # tenant B's shop is a made-up host that is never asked: noted, and its deletion went ahead
    assert (
        "could not be asked" in deleted["Company B (b)"].detail
        and "the admin" in deleted["Company B (b)"].detail
    )


def test_installation_entries_are_for_superusers_and_final(leaving, client, superuser, owner_a, tenant_a):
    client.post(page(leaving), {"answer": "yes", "data": "delete", "confirm_slug": leaving.slug})
    entry = AuditEntry.objects.get(action=Action.DELETED_TENANT)
    changelist = reverse("admin:integration_auditentry_changelist")
    client.force_login(owner_a)  # an owner of another company
    assert entry.pk not in {e.pk for e in client.get(changelist).context["cl"].result_list}
    client.force_login(superuser)
    assert entry.pk in {e.pk for e in client.get(changelist).context["cl"].result_list}
    client.post(reverse("admin:integration_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    client.post(changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})
    client.post(
        reverse("admin:integration_auditentry_change", args=[entry.pk]), {"detail": "nothing happened"}
    )
    assert AuditEntry.objects.get(pk=entry.pk).detail == entry.detail
    exported = client.get(reverse("admin:integration_auditentry_export")).content.decode()
    assert "Tenant leaving (leaving)" in exported  # with an empty company column


# --- who may: owners of the tenant and superusers -------------------------------------------------


@pytest.mark.parametrize("who", ["member", "member_b", "outsider"])
def test_only_owners_reach_the_page_or_act(who, tenant_a, three_users, django_user_model, client):
    if who == "member":
        user = django_user_model.objects.create_user(username="member_a", password="pw", is_staff=True)
        Membership.objects.create(tenant=tenant_a, user=user, role=Membership.Role.MEMBER)
    else:
        user = three_users[who]
    client.force_login(user)
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=True)
    refused = 403 if who == "member" else 404  # a company one does not belong to looks like a missing one
    assert client.get(page(tenant_a)).status_code == refused
    for data in ({"answer": "yes"}, {"answer": "yes", "data": "delete", "confirm_slug": tenant_a.slug}):
        response = client.post(page(tenant_a), data)
        assert response.status_code == refused and tenant_a.name not in response.content.decode()
    tenant_a.refresh_from_db()
    assert tenant_a.is_active and EAccountingConnection.objects.get(tenant=tenant_a).refresh_token
    # nor in the admin: deleting a tenant there is for superusers
    assert client.post(
        reverse("admin:integration_tenant_delete", args=[tenant_a.pk]), {"post": "yes"}
    ).status_code in (302, 403)
    client.post(TENANTS, {"action": "delete_selected", "_selected_action": [tenant_a.pk], "post": "yes"})
    assert Tenant.objects.filter(pk=tenant_a.pk).exists()
    assert not AuditEntry.objects.filter(action__in=[Action.DEACTIVATED, Action.DELETED_TENANT]).exists()


def test_owners_cannot_delete_their_tenant_in_the_admin_but_on_the_page(tenant_a, owner_a, client):
    client.force_login(owner_a)
    assert client.get(reverse("admin:integration_tenant_delete", args=[tenant_a.pk])).status_code == 403
    assert client.get(page(tenant_a)).status_code == 200


def test_an_unknown_tenant_is_not_found(owner_a, client):
    client.force_login(owner_a)
    assert client.get(reverse("tenant_deactivate", args=["no-such-company"])).status_code == 404


# --- the sandbox: revocation ends the whole grant (RFC 7009 §2.1) -------------------------------------


def test_revoking_a_refresh_token_ends_every_token_of_its_grant(ea):
    first = ea.token()
    second = redeem(ea, first["refresh_token"]).json()
    other = ea.token()  # another login: not touched
    assert requests.post(
        f"{ea.base}/connect/revocation", auth=CLIENT, data={"token": second["refresh_token"]}
    ).ok
    assert api_status(ea, first["access_token"]) == 401 == api_status(ea, second["access_token"])
    assert redeem(ea, second["refresh_token"]).json()["error"] == "invalid_grant"
    assert (
        api_status(ea, other["access_token"]) == 200 and redeem(ea, other["refresh_token"]).status_code == 200
    )


def test_oauth_revoke_says_when_the_server_did_not_answer(settings):
    from integration.eaccounting import oauth
    from integration.eaccounting.errors import OutcomeUnknown

    settings.EACCOUNTING_IDENTITY_URL = "http://127.0.0.1:9"
    with pytest.raises(OutcomeUnknown):
        oauth.revoke("some-refresh-token", "some-access-token")


def test_the_plan_reads_only_the_database(tenant_a, django_assert_max_num_queries):
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=True)
    tenant_a.refresh_from_db()
    with django_assert_max_num_queries(3):
        plan = offboarding.plan(tenant_a)
    assert plan == offboarding.Plan(
        is_active=True, eaccounting="eAccounting A", shop="http://shop-a.example.fi", webhooks=3, jobs=0
    )
