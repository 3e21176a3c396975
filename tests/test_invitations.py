"""Inviting colleagues by e-mail: a time-limited, single-use link bound to its tenant; roles and removal
by owners; password reset. Every change leaves an audit entry."""

import hashlib
import re
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from integration.models import AuditEntry, Invitation, Membership
from integration.people import invitations

Action = AuditEntry.Action
Role = Membership.Role
pytestmark = pytest.mark.django_db
LINK = re.compile(r"(https?://\S+?)(/invitations/([\w-]+)/([\w-]+)/)")
NEW_PASSWORD = "kahvi-Aurinko-2024!"


@pytest.fixture
def member_a(django_user_model, tenant_a):
    user = django_user_model.objects.create_user(
        username="member_a", password="pw-member_a", email="member_a@example.com", is_staff=True
    )
    Membership.objects.create(tenant=tenant_a, user=user, role=Role.MEMBER)
    return user


def send_invitation(client, owner, tenant, email="new.person@example.fi", role=Role.MEMBER):
    """The owner invites through the page; returns the link's path (and checks the e-mail holds it)."""
    client.force_login(owner)
    before = len(mail.outbox)
    response = client.post(reverse("invitation_new", args=[tenant.slug]), {"email": email, "role": role})
    assert response.status_code == 302 and response.url == reverse("tenant_people", args=[tenant.slug])
    assert len(mail.outbox) == before + 1
    message = mail.outbox[-1]
    assert message.to == [email.lower()]
    found = LINK.search(message.body)
    assert found, message.body
    client.logout()
    return found.group(2)


def token_of(path):
    return LINK.search("http://x" + path).group(4)


def entries(tenant, action):
    return list(AuditEntry.objects.filter(tenant=tenant, action=action))


def test_owner_invites_and_the_email_holds_a_link_whose_token_is_stored_only_hashed(
    client, owner_a, tenant_a, settings
):
    settings.SILTA_BASE_URL = "https://silta.example.fi/"
    settings.SILTA_INVITATION_DAYS = 3
    path = send_invitation(client, owner_a, tenant_a, "New.Person@Example.fi", Role.OWNER)
    body = mail.outbox[-1].body
    assert f"https://silta.example.fi{path}" in body
    assert "Company A" in mail.outbox[-1].subject and "as owner" in body
    invitation = Invitation.objects.get()
    token = token_of(path)
    assert path.startswith(f"/invitations/{tenant_a.slug}/")
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(v) for v in Invitation.objects.values().get().values())
    assert token not in stored
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "new.person@example.fi",
        Role.OWNER,
        owner_a,
    )
    assert (
        timedelta(days=3) - timedelta(minutes=1)
        < invitation.expires_at - invitation.created_at
        <= timedelta(days=3)
    )
    [entry] = entries(tenant_a, Action.INVITED)
    assert entry.user == owner_a and entry.target == "Invitation of new.person@example.fi"
    assert token not in entry.detail


def test_a_new_person_sets_a_username_and_password_and_lands_in_the_portal(
    client, owner_a, tenant_a, tenant_b
):
    path = send_invitation(client, owner_a, tenant_a)
    page = client.get(path)
    assert page.status_code == 200 and 'name="password1"' in page.content.decode()
    response = client.post(path, {"username": "uusi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("admin:index")
    user = get_user_model().objects.get(username="uusi")
    assert user.email == "new.person@example.fi" and user.is_staff and not user.is_superuser
    assert user.check_password(NEW_PASSWORD)
    assert [(m.tenant, m.role) for m in Membership.objects.filter(user=user)] == [(tenant_a, Role.MEMBER)]
    assert client.session["_auth_user_id"] == str(user.pk)
    dashboard = client.get(reverse("admin:index"))
    assert [row.tenant for row in dashboard.context["tenant_rows"]] == [tenant_a]
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    [entry] = entries(tenant_a, Action.ACCEPTED_INVITATION)
    assert entry.user == user and "invited by owner_a" in entry.detail and "member" in entry.detail


def test_the_password_validators_apply_to_the_new_account(client, owner_a, tenant_a):
    path = send_invitation(client, owner_a, tenant_a)
    response = client.post(path, {"username": "uusi", "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    assert "too common" in response.content.decode() or "entirely numeric" in response.content.decode()
    assert not get_user_model().objects.filter(username="uusi").exists()
    assert Invitation.objects.get().state() == Invitation.State.PENDING


def test_a_signed_in_user_joins_on_confirming(client, owner_a, tenant_a, outsider):
    path = send_invitation(client, owner_a, tenant_a, role=Role.OWNER)
    client.force_login(outsider)
    page = client.get(path)
    assert page.status_code == 200 and 'id="accept-form"' in page.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()  # looking is not joining
    response = client.post(path)
    assert response.status_code == 302 and response.url == reverse("admin:index")
    assert Membership.objects.get(user=outsider).role == Role.OWNER
    assert entries(tenant_a, Action.ACCEPTED_INVITATION)[0].user == outsider


def test_a_user_without_staff_access_gets_it_on_joining(client, owner_a, tenant_a, django_user_model):
    user = django_user_model.objects.create_user(
        username="plain", password="pw-plain", email="plain@example.fi"
    )
    path = send_invitation(client, owner_a, tenant_a)
    client.force_login(user)
    client.post(path)
    user.refresh_from_db()
    assert user.is_staff and not user.is_superuser  # the portal is the admin: staff can sign in to it
    assert client.get(reverse("admin:index")).context["tenant_rows"][0].tenant == tenant_a


def test_someone_already_in_the_company_leaves_the_link_unused(client, owner_a, tenant_a):
    path = send_invitation(client, owner_a, tenant_a)
    client.force_login(owner_a)
    response = client.post(path, follow=True)
    assert "already belong to Company A" in response.content.decode()
    assert Membership.objects.get(user=owner_a).role == Role.OWNER
    assert Invitation.objects.get().state() == Invitation.State.PENDING


def test_an_address_with_an_account_is_asked_to_log_in_and_comes_back(client, owner_a, tenant_a, outsider):
    path = send_invitation(client, owner_a, tenant_a, email="OUTSIDER@example.com")
    page = client.get(path)
    html = page.content.decode()
    assert 'id="sign-in-first"' in html and 'name="password1"' not in html
    login_url = re.search(r'href="([^"]*/login/\?next=[^"]*)"', html).group(1)
    response = client.post(
        login_url.replace("&amp;", "&"), {"username": "outsider", "password": "pw-outsider", "next": path}
    )
    assert response.status_code == 302 and response.url == path
    # a POST without an account form does not create one: only the signed-in user joins
    assert client.post(path).status_code == 302
    assert Membership.objects.get(tenant=tenant_a, user=outsider).role == Role.MEMBER
    assert get_user_model().objects.filter(email__iexact="outsider@example.com").count() == 1


def test_an_expired_link_is_refused(client, owner_a, tenant_a, outsider):
    path = send_invitation(client, owner_a, tenant_a)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(outsider)
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        assert 'data-state="expired"' in response.content.decode()
        assert "new invitation" in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()
    assert not entries(tenant_a, Action.ACCEPTED_INVITATION)


def test_a_used_link_is_refused(client, owner_a, tenant_a, outsider, member_b):
    path = send_invitation(client, owner_a, tenant_a)
    client.force_login(outsider)
    assert client.post(path).status_code == 302
    client.force_login(member_b)
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410 and "already been used" in response.content.decode()
    client.logout()
    assert (
        client.post(
            path, {"username": "uusi", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        ).status_code
        == 410
    )
    assert not get_user_model().objects.filter(username="uusi").exists()
    assert list(
        Membership.objects.filter(tenant=tenant_a).values_list("user__username", flat=True).order_by("pk")
    ) == ["owner_a", "outsider"]
    assert len(entries(tenant_a, Action.ACCEPTED_INVITATION)) == 1


def test_a_withdrawn_link_is_refused(client, owner_a, tenant_a, outsider):
    path = send_invitation(client, owner_a, tenant_a)
    invitation = Invitation.objects.get()
    client.force_login(owner_a)
    people = client.get(reverse("tenant_people", args=[tenant_a.slug])).content.decode()
    assert 'data-email="new.person@example.fi"' in people  # pending, with its Withdraw button
    response = client.post(reverse("invitation_revoke", args=[tenant_a.slug, invitation.pk]))
    assert response.status_code == 302
    [entry] = entries(tenant_a, Action.REVOKED_INVITATION)
    assert entry.user == owner_a and entry.target == "Invitation of new.person@example.fi"
    people = client.get(reverse("tenant_people", args=[tenant_a.slug])).content.decode()
    assert 'data-email="new.person@example.fi"' not in people
    client.force_login(outsider)
    response = client.post(path)
    assert response.status_code == 410 and 'data-state="revoked"' in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()
    # withdrawing again changes nothing and records nothing
    client.force_login(owner_a)
    client.post(reverse("invitation_revoke", args=[tenant_a.slug, invitation.pk]))
    assert len(entries(tenant_a, Action.REVOKED_INVITATION)) == 1


def test_a_new_invitation_to_the_same_address_replaces_the_earlier_link(client, owner_a, tenant_a, outsider):
    first = send_invitation(client, owner_a, tenant_a)
    second = send_invitation(client, owner_a, tenant_a, role=Role.OWNER)
    assert first != second
    client.force_login(outsider)
    assert client.post(first).status_code == 410
    assert client.post(second).status_code == 302
    assert Membership.objects.get(user=outsider).role == Role.OWNER
    assert "earlier invitation" in entries(tenant_a, Action.INVITED)[0].detail  # newest first


def test_a_link_of_tenant_a_gives_no_access_to_tenant_b(client, owner_a, tenant_a, tenant_b, outsider):
    path = send_invitation(client, owner_a, tenant_a)
    wrong = path.replace(f"/invitations/{tenant_a.slug}/", f"/invitations/{tenant_b.slug}/")
    client.force_login(outsider)
    for response in (client.get(wrong), client.post(wrong)):
        html = response.content.decode()
        assert response.status_code == 404 and "not valid" in html
        assert tenant_a.name not in html and tenant_b.name not in html
    assert not Membership.objects.filter(user=outsider).exists()
    assert Invitation.objects.get().state() == Invitation.State.PENDING  # still usable at its own address
    client.post(path)
    assert list(Membership.objects.filter(user=outsider).values_list("tenant__slug", flat=True)) == ["a"]


def test_an_unknown_token_names_no_company(client, tenant_a):
    response = client.get(reverse("invitation_accept", args=[tenant_a.slug, "x" * 43]))
    assert response.status_code == 404 and tenant_a.name not in response.content.decode()


def test_inviting_someone_already_in_the_company_is_refused(client, owner_a, member_a, tenant_a):
    client.force_login(owner_a)
    response = client.post(
        reverse("invitation_new", args=[tenant_a.slug]), {"email": "Member_A@example.com", "role": Role.OWNER}
    )
    assert response.status_code == 200 and "already belongs to Company A" in response.content.decode()
    assert not mail.outbox and not Invitation.objects.exists() and not entries(tenant_a, Action.INVITED)


def test_a_failed_email_withdraws_the_invitation(client, owner_a, tenant_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: connection refused
    client.force_login(owner_a)
    response = client.post(
        reverse("invitation_new", args=[tenant_a.slug]),
        {"email": "x@example.fi", "role": Role.MEMBER},
        follow=True,
    )
    assert "could not be e-mailed" in response.content.decode()
    assert Invitation.objects.get().state() == Invitation.State.REVOKED


# --- two clicks at once (the second while the first's transaction is still open) ----------------------------------------------------------------


def _overlapping(first, second, hold=0.5):
    """`first` does its work in a transaction that stays open `hold` seconds; `second` starts meanwhile.

    Each runs in a thread of its own (its own database connection). Without a lock, `second` reads
    the state from before `first` and both go through; with one, `second` waits and sees `first`'s."""
    done_first = threading.Event()
    outcomes = [None, None]

    def run_first():
        try:
            with transaction.atomic():
                outcomes[0] = first()
                done_first.set()
                time.sleep(hold)
        except Exception as exc:  # noqa: BLE001  the outcome is what the test looks at
            outcomes[0] = exc
        finally:
            done_first.set()
            connection.close()

    def run_second():
        try:
            done_first.wait(10)
            outcomes[1] = second()
        except Exception as exc:  # noqa: BLE001
            outcomes[1] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_users_accepting_at_once_make_one_membership(owner_a, tenant_a, outsider, member_b):
    invitation, _token = invitations.invite(tenant_a, "someone@example.fi", Role.MEMBER, owner_a)
    outcomes = _overlapping(
        lambda: invitations.accept(invitation, outsider), lambda: invitations.accept(invitation, member_b)
    )
    assert sum(isinstance(o, Membership) for o in outcomes) == 1
    assert sum(isinstance(o, invitations.InvitationUnusable) for o in outcomes) == 1, outcomes
    assert Membership.objects.filter(tenant=tenant_a).exclude(user=owner_a).count() == 1
    assert len(entries(tenant_a, Action.ACCEPTED_INVITATION)) == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_signups_at_once_leave_one_account(owner_a, tenant_a):
    invitation, _token = invitations.invite(tenant_a, "someone@example.fi", Role.MEMBER, owner_a)
    User = get_user_model()
    before = User.objects.count()
    outcomes = _overlapping(
        *[
            lambda n=n: invitations.accept(invitation, User(username=n, email="someone@example.fi"))
            for n in ("first", "second")
        ]
    )
    assert sum(isinstance(o, Membership) for o in outcomes) == 1, outcomes
    assert User.objects.count() == before + 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_an_owner(owner_a, tenant_a, django_user_model):
    second = django_user_model.objects.create_user(username="owner_a2", is_staff=True)
    theirs = Membership.objects.create(tenant=tenant_a, user=second, role=Role.OWNER)
    mine = Membership.objects.get(tenant=tenant_a, user=owner_a)
    outcomes = _overlapping(
        lambda: invitations.change_role(theirs, Role.MEMBER, owner_a),
        lambda: invitations.change_role(mine, Role.MEMBER, second),
    )
    assert sum(isinstance(o, invitations.PeopleRefused) for o in outcomes) == 1, outcomes
    assert Membership.objects.filter(tenant=tenant_a, role=Role.OWNER).count() == 1


# --- roles and removal ---------------------------------------------------------------


def test_owner_changes_a_role_and_removes_a_member(client, owner_a, member_a, tenant_a):
    client.force_login(owner_a)
    membership = Membership.objects.get(user=member_a)
    client.post(reverse("member_role", args=[tenant_a.slug, membership.pk]), {"role": Role.OWNER})
    membership.refresh_from_db()
    assert membership.role == Role.OWNER
    [entry] = entries(tenant_a, Action.CHANGED_ROLE)
    assert (entry.user, entry.target, entry.detail) == (owner_a, "member_a", "Member → Owner")
    client.post(reverse("member_remove", args=[tenant_a.slug, membership.pk]))
    assert not Membership.objects.filter(user=member_a).exists()
    assert get_user_model().objects.filter(pk=member_a.pk).exists()  # the account stays
    [entry] = entries(tenant_a, Action.REMOVED_MEMBER)
    assert (entry.user, entry.target, entry.detail) == (owner_a, "member_a", "Was owner")


def test_the_last_owner_is_neither_demoted_nor_removed(client, owner_a, member_a, tenant_a):
    client.force_login(owner_a)
    mine = Membership.objects.get(user=owner_a)
    response = client.post(
        reverse("member_role", args=[tenant_a.slug, mine.pk]), {"role": Role.MEMBER}, follow=True
    )
    assert "only owner" in response.content.decode()
    response = client.post(reverse("member_remove", args=[tenant_a.slug, mine.pk]), follow=True)
    assert "only owner" in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == Role.OWNER
    assert not entries(tenant_a, Action.CHANGED_ROLE) and not entries(tenant_a, Action.REMOVED_MEMBER)


def test_an_unknown_role_is_refused(client, owner_a, member_a, tenant_a):
    client.force_login(owner_a)
    membership = Membership.objects.get(user=member_a)
    client.post(reverse("member_role", args=[tenant_a.slug, membership.pk]), {"role": "admin"})
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


def test_members_see_the_people_read_only_without_invitations(client, owner_a, member_a, tenant_a):
    invitations.invite(tenant_a, "pending@example.fi", Role.MEMBER, owner_a)
    client.force_login(member_a)
    response = client.get(reverse("tenant_people", args=[tenant_a.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "owner_a" in html and "member_a" in html
    assert "<form" not in html.split('id="content-main"')[1]
    assert "pending@example.fi" not in html and "Invite a colleague" not in html


# --- isolation: owner, member of another tenant, outsider on every new page --------------


def _targets(tenant_a, tenant_b, owner_a, member_b):
    """One pending invitation and one membership per tenant, for the pages that act on them."""
    inv = {
        t.slug: invitations.invite(t, f"x@{t.slug}.example", Role.MEMBER, owner_a)[0]
        for t in (tenant_a, tenant_b)
    }
    mem = {"a": Membership.objects.get(user=owner_a), "b": Membership.objects.get(user=member_b)}
    return inv, mem


PAGES = [  # (url name, method, needs an object, owner only)
    ("tenant_people", "get", None, False),
    ("invitation_new", "get", None, True),
    ("invitation_new", "post", None, True),
    ("invitation_revoke", "post", "invitation", True),
    ("member_role", "post", "membership", True),
    ("member_remove", "post", "membership", True),
]


@pytest.mark.parametrize("name,method,obj,owner_only", PAGES, ids=[f"{p[0]}-{p[1]}" for p in PAGES])
@pytest.mark.parametrize("target", ["a", "b"])
@pytest.mark.parametrize("who", ["owner_a", "member_b", "outsider"])
def test_people_pages_are_only_for_their_tenants(
    client, three_users, tenant_a, tenant_b, name, method, obj, owner_only, target, who
):
    inv, mem = _targets(tenant_a, tenant_b, three_users["owner_a"], three_users["member_b"])
    tenant = {"a": tenant_a, "b": tenant_b}[target]
    args = [tenant.slug] + ([{"invitation": inv, "membership": mem}[obj][target].pk] if obj else [])
    user = three_users[who]
    client.force_login(user)
    data = (
        {"email": "y@example.fi", "role": Role.MEMBER} if name == "invitation_new" else {"role": Role.MEMBER}
    )
    trail = AuditEntry.objects.count()
    response = getattr(client, method)(reverse(name, args=args), data)
    membership = Membership.objects.filter(user=user, tenant=tenant).first()
    if membership is None:
        assert response.status_code == 404
        assert tenant.name not in response.content.decode()
    elif owner_only and membership.role != Role.OWNER:
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 302)
        return
    assert AuditEntry.objects.count() == trail  # nothing happened
    assert Invitation.objects.get(pk=inv[target].pk).state() == Invitation.State.PENDING
    assert not Invitation.objects.filter(email="y@example.fi").exists() and not mail.outbox
    assert Membership.objects.filter(pk=mem[target].pk, role=mem[target].role).exists()


def test_an_owner_cannot_reach_another_tenants_invitation_or_member_through_their_own_address(
    client, owner_a, member_b, tenant_a, tenant_b
):
    inv, mem = _targets(tenant_a, tenant_b, owner_a, member_b)
    client.force_login(owner_a)
    assert client.post(reverse("invitation_revoke", args=[tenant_a.slug, inv["b"].pk])).status_code == 404
    assert (
        client.post(
            reverse("member_role", args=[tenant_a.slug, mem["b"].pk]), {"role": Role.OWNER}
        ).status_code
        == 404
    )
    assert client.post(reverse("member_remove", args=[tenant_a.slug, mem["b"].pk])).status_code == 404
    inv["b"].refresh_from_db()
    assert inv["b"].state() == Invitation.State.PENDING
    assert Membership.objects.get(pk=mem["b"].pk).role == Role.MEMBER


@pytest.mark.parametrize("name", ["tenant_people", "invitation_new"])
def test_anonymous_visitors_are_sent_to_login(client, tenant_a, name):
    response = client.get(reverse(name, args=[tenant_a.slug]))
    assert response.status_code == 302 and "/login/" in response.url


def test_the_tenant_page_links_to_its_people(client, owner_a, tenant_a):
    client.force_login(owner_a)
    response = client.get(reverse("admin:integration_tenant_change", args=[tenant_a.pk]))
    assert reverse("tenant_people", args=[tenant_a.slug]) in response.content.decode()


# --- password reset ------------------------------------------------------------------


def test_password_reset_from_the_login_page(client, owner_a, settings):
    settings.SILTA_BASE_URL = "https://silta.example.fi"
    login_page = client.get(reverse("admin:login")).content.decode()
    assert reverse("admin_password_reset") in login_page
    response = client.post(reverse("admin_password_reset"), {"email": "OWNER_A@example.com"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["owner_a@example.com"] and message.subject == "Silta: reset your password"
    link = re.search(r"https://silta\.example\.fi(/password-reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)  # Django swaps the token into the session and redirects
    assert form_page.status_code == 200 and 'name="new_password1"' in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    owner_a.refresh_from_db()
    assert owner_a.check_password(NEW_PASSWORD)
    assert client.get(link, follow=True).context["validlink"] is False  # the link worked once


def test_password_reset_for_an_unknown_address_sends_nothing(client, owner_a):
    response = client.post(reverse("admin_password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and response.url == reverse(
        "password_reset_done"
    )  # same answer: no probing
    assert mail.outbox == []
