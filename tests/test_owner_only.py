"""Roles: a member of a tenant cannot do its owners' actions, on any page, with GET or POST.

The lists below are the owner-only pages, admin pages and admin actions. They are checked against
what exists (every URL pattern, every tenant-scoped admin, every admin action), so a new page must
be put in one list or the other: an owner-only view without a test fails here.
"""

import pytest
from django.contrib import admin
from django.core import mail
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from integration.models import AuditEntry, BooksCheck, Invitation, Membership, Tenant, WebshopConnection
from integration.people import invitations
from portal.admin.tenant_admin import TenantScopedAdmin

Role = Membership.Role
pytestmark = pytest.mark.django_db
BOTH = ("get", "post")

# Portal pages: the methods a member of the same tenant is refused (403, or 405 where the view takes
# no such method). Pages not listed here are in NOT_OWNER_ONLY with the reason.
OWNER_ONLY = {
    "first_sync_status": ("get",),  # the first sync's page is the owners'; so is its live status
    "eaccounting_connect": BOTH,
    "eaccounting_callback": BOTH,  # the tenant comes from the session, not the URL
    "webshop_connect": BOTH,
    "webshop_approved": BOTH,
    "shopify_installed": BOTH,  # the tenant comes from the install's state, not the URL
    "tenant_activate": BOTH,
    "tenant_deactivate": BOTH,
    "first_sync": BOTH,
    "confirm_mass_change": BOTH,
    "invitation_new": BOTH,
    "invitation_revoke": BOTH,
    "member_role": BOTH,
    "member_remove": BOTH,
    "erase_customer": BOTH,
    "webshop_connect_visma": BOTH,
    "visma_webshop": ("post",),  # members read the rules; owners change them
    "template_articles": ("post",),  # members read the proposal; owners create the articles
}
# Pages owners and members both use (checked below: they let members in).
FOR_MEMBERS = {
    "webshop_test": "testing the connection changes nothing",
    "sync_now": "members run the integration",
    "run_progress": "the dashboard's live progress",
    "eaccounting_lists_refresh": "reading eAccounting's lists for the pickers changes nothing there",
    "tenant_setup": "the set-up checklist: members see it; its owner-only buttons are the pages above",
    "tenant_people": "members see the list read-only; changes are the owner-only pages above",
    "books_check": "the books check reads both systems and writes to neither (tests/orders/test_books_check.py)",
    "books_check_run": "starting a books check writes to neither system",
    "books_check_progress": "the books check page's live progress",
    "books_check_csv": "the accountant's export of a books check",
    "stock_to_enter": "the products whose stock is to be entered in eAccounting: reading Silta's list",
    "stock_to_enter_csv": "the same list as a CSV",
    "availability_status": "the Visma Verkkokauppa page's live status of Apply: reading Silta's own record",
}
# Pages of the installation, not of a tenant: superusers only (each with its own test).
FOR_SUPERUSERS = {
    "demo_mailbox": "the demo's e-mails; 404 for everyone else (tests/test_demo_mailbox.py)",
}
# Pages of the signed-in user's own account, not of a tenant (checked below: login asked, then anyone signed in
# gets in). Their own tests show each user reaches only their own data.
FOR_EVERY_USER = {
    "two_factor": "a person's own two-factor login (tests/test_two_factor.py)",
}
# Pages without a signed-in user (checked below: no login asked), with their URL arguments.
PUBLIC = {
    "healthz": {},  # the load balancer's probe
    "webshop_keys": {},  # the shop's server posts its keys
    "webshop_webhook": {"public_id": "00000000-0000-0000-0000-000000000000"},  # signed deliveries
    "shopify_privacy_webhook": {},  # Shopify's signed privacy requests (tests/webshops/shopify/test_privacy_webhooks.py)
    "invitation_accept": {"slug": "a", "token": "x"},  # the link's token is the credential
    "admin_password_reset": {},
    "password_reset_done": {},
    "password_reset_confirm": {"uidb64": "x", "token": "x"},
    "password_reset_complete": {},
    "set_language": {},  # the header's language chooser: sets the language cookie, on the login page too
}
# What a page needs of the tenant before it gets as far as asking for the role.
PREPARE = {
    "visma_webshop": lambda tenant: WebshopConnection.objects.filter(tenant=tenant).update(
        platform="visma_webshop", base_url="", api_key="", api_secret="", webhook_secret=""
    ),  # reached via eAccounting
}
# URL arguments besides the tenant's slug: which of the tenant's rows the page acts on.
OBJECT_ARGS = {
    "invitation_revoke": lambda rows: {"pk": rows["invitation"].pk},
    "member_role": lambda rows: {"pk": rows["membership"].pk},
    "member_remove": lambda rows: {"pk": rows["membership"].pk},
    "books_check_progress": lambda rows: {"pk": rows["books_check"].pk},
    "books_check_csv": lambda rows: {"pk": rows["books_check"].pk},
}

# Admin pages of tenant data where owners may do more than members (TenantScopedAdmin's
# writable_by / visible_to): "write" = members see the rows read-only; "see" = members see nothing.
OWNER_ONLY_ADMIN = {
    "integration.Tenant": "write",
    "integration.EAccountingConnection": "write",
    "integration.WebshopConnection": "write",
    "integration.JobSchedule": "write",
    "integration.OrderSettings": "write",
    "integration.AuditEntry": "see",
}
# Admin actions owners have and members do not (model label, action name).
OWNER_ONLY_ACTIONS = {
    ("integration.EAccountingConnection", "delete_selected"),
    ("integration.WebshopConnection", "delete_selected"),
    ("integration.OrderSettings", "delete_selected"),
    ("integration.AuditEntry", "export_csv"),
    ("integration.Tenant", "erase_customer"),
}
# The admin's own URLs beyond each model's standard pages: True if owner-only.
ADMIN_EXTRA_URLS = {
    "integration_auditentry_export": True,
    "integration_ordertransfer_retry": False,  # owners and members retry (tests/orders/test_order_page.py)
    "integration_ordertransfer_book_as_one_unit": False,  # as the list's action: owners and members
    "integration_ordertransfer_booked_by_hand": False,  # owners and members (tests/orders/test_order_page.py)
    "auth_user_password_change": False,  # Django's UserAdmin: superusers only (users are not tenant data)
    "otp_totp_totpdevice_config": False,  # django-otp's device admin: superusers only; refused anyway (keys hidden)
    "otp_totp_totpdevice_qrcode": False,
    "integration_probereport_contract": False,  # the eAccounting contract: superusers only (installation-wide)
    "integration_probereport_start": False,
}
STANDARD_ADMIN = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
    "app_list",
}
STANDARD_MODEL = ("_changelist", "_add", "_history", "_delete", "_change")


def portal_patterns():
    """Every URL pattern outside the admin, by name."""
    found = {}
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            assert entry.namespace == "admin", f"an include() other than the admin: classify {entry}"
            continue
        assert isinstance(entry, URLPattern) and entry.name, f"an unnamed URL pattern: {entry}"
        found[entry.name] = entry
    return found


def scoped_admins():
    return {
        m._meta.label: (m, a) for m, a in admin.site._registry.items() if isinstance(a, TenantScopedAdmin)
    }


def owners_get_more(model_admin):
    """'write' or 'see' where owners may do more than members on this admin; None where the same."""
    if Role.OWNER in model_admin.visible_to and Role.MEMBER not in model_admin.visible_to:
        return "see"
    if Role.OWNER in model_admin.writable_by and Role.MEMBER not in model_admin.writable_by:
        return "write"
    return None


# --- the lists are complete ----------------------------------------------------------


def test_every_portal_page_is_listed_as_owner_only_or_not():
    names = set(portal_patterns())
    lists = [set(OWNER_ONLY), set(FOR_MEMBERS), set(FOR_EVERY_USER), set(PUBLIC), set(FOR_SUPERUSERS)]
    assert sum(map(len, lists)) == len(set.union(*lists)), "a page in two lists"
    assert names - set.union(*lists) == set(), (
        "new pages: put each in OWNER_ONLY, FOR_MEMBERS, FOR_EVERY_USER, PUBLIC or FOR_SUPERUSERS"
    )
    assert set.union(*lists) - names == set(), "listed pages that no longer exist"


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_pages_ask_no_login(client, tenant_a, name):
    """So a signed-in page cannot hide in PUBLIC."""
    response = client.get(reverse(name, kwargs=PUBLIC[name]))
    assert response.status_code != 302 or "/login/" not in response.url
    assert response.status_code != 403


@pytest.mark.parametrize("name", sorted(FOR_EVERY_USER))
def test_pages_for_every_user_ask_a_login_then_let_anyone_in(client, outsider, name):
    """So a page that is really a tenant's cannot hide in FOR_EVERY_USER."""
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/login/" in response.url
    client.force_login(outsider)  # a member of no tenant at all
    assert client.get(reverse(name)).status_code == 200


def test_every_admin_where_owners_may_do_more_is_listed():
    derived = {label: owners_get_more(a) for label, (_m, a) in scoped_admins().items() if owners_get_more(a)}
    assert derived == OWNER_ONLY_ADMIN


def _named(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _named(entry.url_patterns)
        elif entry.name:
            yield entry.name


def test_every_extra_admin_url_is_listed():
    models = [f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry]
    standard = STANDARD_ADMIN | {f"{model}{suffix}" for model in models for suffix in STANDARD_MODEL}
    assert set(_named(admin.site.get_urls())) - standard == set(ADMIN_EXTRA_URLS)


def test_every_admin_action_only_owners_have_is_listed(world):
    def actions(user):
        request = RequestFactory().get("/")
        request.user = user
        found = set()
        for label, (_model, model_admin) in scoped_admins().items():
            if model_admin.has_view_permission(request):
                found |= {(label, name) for name in model_admin.get_actions(request)}
        return found

    assert actions(world["owner"]) - actions(world["member"]) == OWNER_ONLY_ACTIONS


# --- a member of the same tenant is refused; its owner is not ---------------------------


@pytest.fixture
def world(client, tenant_a, owner_a, django_user_model):
    member = django_user_model.objects.create_user(
        username="member_a", password="pw-member_a", email="member_a@example.com", is_staff=True
    )
    membership = Membership.objects.create(tenant=tenant_a, user=member, role=Role.MEMBER)
    invitation, _token = invitations.invite(tenant_a, "someone@example.fi", Role.MEMBER, owner_a)
    books_check = BooksCheck.objects.create(tenant=tenant_a, period="2026-03", status=BooksCheck.Status.DONE)
    return {
        "client": client,
        "tenant": tenant_a,
        "owner": owner_a,
        "member": member,
        "rows": {"invitation": invitation, "membership": membership, "books_check": books_check},
    }


def state_of(tenant):
    """What an owner's action could change; compared before and after a member's request."""
    return (
        AuditEntry.objects.count(),
        len(mail.outbox),
        sorted(Membership.objects.filter(tenant=tenant).values_list("user_id", "role")),
        sorted((i.pk, i.state()) for i in Invitation.objects.filter(tenant=tenant)),
        Tenant.objects.filter(pk=tenant.pk).values_list("is_active", flat=True).get(),
        [
            model._default_manager.filter(**{model_admin.tenant_path or "pk": tenant.pk}).count()
            for model, model_admin in scoped_admins().values()
        ],
    )


def request_page(world, user, name, method):
    client, tenant = world["client"], world["tenant"]
    client.force_login(user)
    if name == "eaccounting_callback":  # the login came back for this tenant; the user declined there
        from portal.eaccounting_views import SESSION_KEY

        session = client.session
        session[SESSION_KEY] = {"state": "s", "verifier": "v", "tenant": tenant.pk}
        session.save()
        url = reverse(name) + "?state=s&error=access_denied"
    elif name == "shopify_installed":  # the store came back to an install this tenant's owner started
        from integration.models import KeyApproval
        from integration.webshops.setup import nonce_hash

        KeyApproval.objects.get_or_create(
            nonce_hash=nonce_hash("s"),
            defaults={"tenant": tenant, "started_by": world["owner"], "shop_url": "https://a.myshopify.com"},
            platform="shopify",
        )
        url = reverse(name) + "?state=s&shop=a.myshopify.com&code=c&timestamp=1&hmac=wrong"
    else:
        kwargs = {"slug": tenant.slug, **OBJECT_ARGS.get(name, lambda rows: {})(world["rows"])}
        url = reverse(name, kwargs=kwargs)
    return getattr(client, method)(url)


@pytest.mark.parametrize("method", BOTH)
@pytest.mark.parametrize("name", sorted(OWNER_ONLY))
def test_a_member_is_refused_on_every_owner_only_page(world, name, method):
    PREPARE.get(name, lambda tenant: None)(world["tenant"])
    before = state_of(world["tenant"])
    refused = request_page(world, world["member"], name, method)
    if method not in OWNER_ONLY[name]:  # e.g. members read a page whose changes are the owners'
        assert refused.status_code not in (403, 404)
        return
    assert refused.status_code in (403, 405)
    assert state_of(world["tenant"]) == before, "a refused request changed something"
    allowed = request_page(world, world["owner"], name, method)
    if allowed.status_code == 405:
        assert refused.status_code == 405  # a method the page never takes
    else:
        assert allowed.status_code in (200, 302)  # the refusal was the role, not the request
        assert allowed.status_code != 302 or "/login/" not in allowed.url
        assert refused.status_code == 403


@pytest.mark.parametrize("name", sorted(FOR_MEMBERS))
def test_pages_for_members_let_members_in(world, name):
    """The other direction: a page that refuses members belongs in OWNER_ONLY."""
    for method in BOTH:
        response = request_page(world, world["member"], name, method)
        assert response.status_code not in (403, 404), (
            f"{name} refuses members on {method}: list it in OWNER_ONLY"
        )
        assert response.status_code != 302 or "/login/" not in response.url


# --- admin pages and actions -------------------------------------------------------------


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def first_row(world, label):
    model, model_admin = scoped_admins()[label]
    return model._default_manager.filter(**{model_admin.tenant_path or "pk": world["tenant"].pk}).first()


@pytest.mark.parametrize("label", sorted(OWNER_ONLY_ADMIN))
def test_a_member_cannot_change_what_owners_change_in_the_admin(world, label):
    model, _ = scoped_admins()[label]
    obj = first_row(world, label)
    assert obj is not None, f"make_tenant() creates no {label}"
    client = world["client"]
    client.force_login(world["member"])
    before = state_of(world["tenant"])
    change = client.get(admin_url(model, "change", obj.pk))
    if OWNER_ONLY_ADMIN[label] == "see":
        assert change.status_code == 403
        assert client.get(admin_url(model, "changelist")).status_code == 403
        history = client.get(admin_url(model, "history", obj.pk))  # "no such entry" (redirect) or 403
        assert history.status_code == 403 or (
            history.status_code == 302 and history.url == reverse("admin:index")
        )
    else:
        assert change.status_code == 200 and change.context["has_change_permission"] is False  # read-only
    assert client.post(admin_url(model, "change", obj.pk), {}).status_code == 403
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "add"), {}).status_code == 403
    assert client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()
    assert state_of(world["tenant"]) == before
    client.force_login(world["owner"])
    owner_page = client.get(admin_url(model, "change", obj.pk))
    assert owner_page.status_code == 200
    if OWNER_ONLY_ADMIN[label] == "write":
        assert owner_page.context["has_change_permission"] is True


@pytest.mark.parametrize("label,action", sorted(OWNER_ONLY_ACTIONS))
def test_a_member_cannot_run_an_owner_only_admin_action(world, label, action):
    model, _ = scoped_admins()[label]
    obj = first_row(world, label)
    client = world["client"]
    client.force_login(world["member"])
    before = state_of(world["tenant"])
    response = client.post(
        admin_url(model, "changelist"), {"action": action, "_selected_action": [obj.pk], "post": "yes"}
    )
    # 403, or the changelist again (the action is not offered to members): no confirmation, no export
    assert response.status_code in (200, 302, 403)
    assert response.get("Content-Type", "").startswith("text/html")
    assert "admin/delete_selected_confirmation.html" not in [t.name for t in response.templates]
    assert model._default_manager.filter(pk=obj.pk).exists()
    assert state_of(world["tenant"]) == before
    client.force_login(world["owner"])
    response = client.post(admin_url(model, "changelist"), {"action": action, "_selected_action": [obj.pk]})
    assert response.status_code == 200  # the owner gets the confirmation page or the export


@pytest.mark.parametrize("name", sorted(n for n, owner_only in ADMIN_EXTRA_URLS.items() if owner_only))
def test_a_member_is_refused_on_owner_only_admin_urls(world, name):
    client = world["client"]
    client.force_login(world["member"])
    assert client.get(reverse(f"admin:{name}")).status_code == 403
    assert client.post(reverse(f"admin:{name}")).status_code == 403
    client.force_login(world["owner"])
    assert client.get(reverse(f"admin:{name}")).status_code == 200
