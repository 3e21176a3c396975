"""The portal's own views (outside the admin changelists): owner, member of another tenant, outsider."""

import pytest
from django.urls import reverse

from integration.models import Membership

BOTH = {Membership.Role.OWNER, Membership.Role.MEMBER}
# (url name, method, who may use it on their own tenant, the answer to anyone outside the tenant: 404,
# so that a company's address does not tell whether it exists; a member in the wrong role gets 403)
VIEWS = [
    ("eaccounting_connect", "post", {Membership.Role.OWNER}, 404),
    ("webshop_connect", "get", {Membership.Role.OWNER}, 404),
    ("webshop_approved", "get", {Membership.Role.OWNER}, 404),
    ("webshop_test", "post", BOTH, 404),
    ("tenant_activate", "get", {Membership.Role.OWNER}, 404),
    ("tenant_deactivate", "get", {Membership.Role.OWNER}, 404),
    ("first_sync", "get", {Membership.Role.OWNER}, 404),
    ("sync_now", "post", BOTH, 404),
    ("confirm_mass_change", "post", {Membership.Role.OWNER}, 404),
    ("run_progress", "get", BOTH, 404),  # polled JSON: another tenant's does not exist
    ("first_sync_status", "get", {Membership.Role.OWNER}, 404),  # polled by the first-sync page
    ("availability_status", "get", BOTH, 404),  # polled by the Visma Verkkokauppa page after Apply
    ("webshop_connect_visma", "post", {Membership.Role.OWNER}, 404),
    ("visma_webshop", "get", BOTH, 404),
    ("tenant_setup", "get", BOTH, 404),
    ("template_articles", "get", BOTH, 404),
    (
        "eaccounting_lists_refresh",
        "post",
        BOTH,
        404,
    ),  # the checklist of another company does not exist for them
    ("books_check", "get", BOTH, 404),  # another company's books check does not exist for you
    ("books_check_run", "post", BOTH, 404),
    ("stock_to_enter", "get", BOTH, 404),  # another company's products do not exist for you
    ("stock_to_enter_csv", "get", BOTH, 404),
]


@pytest.mark.parametrize("name,method,roles,refused", VIEWS, ids=[v[0] for v in VIEWS])
@pytest.mark.parametrize("target", ["a", "b"])
@pytest.mark.parametrize("who", ["owner_a", "member_b", "outsider"])
def test_tenant_views_are_only_for_their_tenants(
    client, three_users, tenant_a, tenant_b, name, method, roles, refused, target, who
):
    tenant = {"a": tenant_a, "b": tenant_b}[target]
    user = three_users[who]
    client.force_login(user)
    response = getattr(client, method)(reverse(name, args=[tenant.slug]))
    membership = Membership.objects.filter(user=user, tenant=tenant).first()
    allowed = membership is not None and membership.role in roles
    if allowed:
        assert response.status_code in (200, 302)
        assert response.status_code != 302 or "/login/" not in response.url
    else:
        assert response.status_code == (403 if membership is not None else refused)
        assert tenant.name not in response.content.decode()


@pytest.mark.parametrize("name,method,roles,refused", VIEWS, ids=[v[0] for v in VIEWS])
def test_an_existing_company_and_a_missing_one_look_the_same_to_an_outsider(
    client, outsider, tenant_a, name, method, roles, refused
):
    client.force_login(outsider)
    existing = getattr(client, method)(reverse(name, args=[tenant_a.slug]))
    missing = getattr(client, method)(reverse(name, args=["no-such-company"]))
    assert existing.status_code == missing.status_code == 404


@pytest.mark.parametrize("name,method,roles,refused", VIEWS, ids=[v[0] for v in VIEWS])
def test_anonymous_visitors_are_sent_to_login(client, tenant_a, name, method, roles, refused):
    response = getattr(client, method)(reverse(name, args=[tenant_a.slug]))
    assert response.status_code == 302 and "/login/" in response.url
