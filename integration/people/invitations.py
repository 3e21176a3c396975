"""People of a tenant: inviting by e-mail, accepting (once), withdrawing, roles and removal.

The views in portal/invitation_views.py decide who may ask; this module keeps the rules that hold
whoever asks: a link works once, for its own tenant, until it expires; a tenant keeps an owner.
Every change leaves an audit entry.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import gettext as _

from integration.models import Invitation, Membership, Tenant
from integration.people import audit

Role = Membership.Role


def _en(label) -> str:
    """A choice's label as the audit trail keeps it: in English, whatever the user's language."""
    with translation.override("en"):
        return str(label)


class InvitationUnusable(Exception):
    """The link is expired, withdrawn or used; `state` says which."""

    def __init__(self, state):
        super().__init__(Invitation.State(state).label)
        self.state = state


class PeopleRefused(Exception):
    """A change the rules do not allow (the last owner, someone already a member); the message says why."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def invite(tenant: Tenant, email: str, role: str, by) -> tuple[Invitation, str]:
    """A new invitation and the token for its link (shown once, in the e-mail; only its hash is kept).

    An earlier pending invitation of the same address is withdrawn: only the newest link works."""
    email = normalize_email(email)
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email, user__is_active=True).exists():
        raise PeopleRefused(
            _("%(email)s already belongs to %(company)s.") % {"email": email, "company": tenant.name}
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        replaced = Invitation.objects.filter(
            tenant=tenant, email=email, accepted_at=None, revoked_at=None, expires_at__gt=now
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            tenant=tenant,
            email=email,
            role=role,
            token_hash=hash_token(token),
            invited_by=by,
            expires_at=now + timedelta(days=settings.SILTA_INVITATION_DAYS),
        )
        detail = f"As {_en(invitation.get_role_display()).lower()}; the link works until {_day(invitation.expires_at)}"
        if replaced:
            detail += "; the earlier invitation's link no longer works"
        audit.record(tenant, by, audit.Action.INVITED, f"Invitation of {email}", detail)
    return invitation, token


def link(invitation: Invitation, token: str) -> str:
    path = reverse("invitation_accept", args=[invitation.tenant.slug, token])
    return settings.SILTA_BASE_URL.rstrip("/") + path


def send(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "link": link(invitation, token),
        "days": settings.SILTA_INVITATION_DAYS,
        "inviter": _name(invitation.invited_by),
        "expires": formats.date_format(timezone.localtime(invitation.expires_at), "SHORT_DATETIME_FORMAT"),
    }
    # in the inviter's language: the one the invitation was written in
    body = render_to_string("portal/invitation_email.txt", context)
    send_mail(
        _("Silta: join %(company)s") % {"company": invitation.tenant.name}, body, None, [invitation.email]
    )


def find(slug: str, token: str) -> Invitation | None:
    """The invitation of this link, only under its own tenant's address: another tenant's link finds nothing."""
    return (
        Invitation.objects.select_related("tenant", "invited_by")
        .filter(tenant__slug=slug, token_hash=hash_token(token))
        .first()
    )


def accept(invitation: Invitation, user) -> Membership:
    """Make `user` a member in the invitation's role, once. An unsaved `user` (a new account) is
    saved only if the invitation is still usable, so a second click cannot leave an account behind.

    The invitation row is locked: of two clicks at once, the second waits and then finds it used."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        state = locked.state()
        if state != Invitation.State.PENDING:
            raise InvitationUnusable(state)
        if user.pk is not None and Membership.objects.filter(tenant_id=locked.tenant_id, user=user).exists():
            raise PeopleRefused(_("You already belong to %(company)s.") % {"company": invitation.tenant.name})
        if not user.is_staff:  # the portal is the admin: only staff users can sign in to it
            user.is_staff = True
            if user.pk is not None:
                user.save(update_fields=["is_staff"])
        if user.pk is None:
            user.save()
        membership = Membership.objects.create(tenant_id=locked.tenant_id, user=user, role=locked.role)
        locked.accepted_at, locked.accepted_by = timezone.now(), user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        audit.record(
            invitation.tenant,
            user,
            audit.Action.ACCEPTED_INVITATION,
            f"Invitation of {locked.email}",
            f"Joined as {_en(locked.get_role_display()).lower()}; invited by {_name(locked.invited_by)}",
        )
    return membership


def revoke(invitation: Invitation, by) -> bool:
    """Withdraw a pending invitation; False if it was used or withdrawn meanwhile (nothing to do)."""
    with transaction.atomic():
        done = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if done:
            audit.record(
                invitation.tenant,
                by,
                audit.Action.REVOKED_INVITATION,
                f"Invitation of {invitation.email}",
                f"As {_en(invitation.get_role_display()).lower()}; the link no longer works",
            )
    return bool(done)


def _lock_owners(tenant):
    """Lock the tenant's owner rows: two owners demoting each other at once must not leave none."""
    return list(
        Membership.objects.select_for_update()
        .filter(tenant=tenant, role=Role.OWNER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def change_role(membership: Membership, role: str, by) -> bool:
    """Set a member's role; False if it already was. The last owner cannot be made a member."""
    if role not in Role.values:
        raise PeopleRefused(_("Unknown role."))
    tenant = membership.tenant
    with transaction.atomic():
        owners = _lock_owners(tenant)
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.role == role:
            return False
        if current.role == Role.OWNER and owners == [current.pk]:
            raise PeopleRefused(
                _("%(user)s is the only owner of %(company)s: make someone else an owner first.")
                % {"user": current.user.get_username(), "company": tenant.name}
            )
        before = _en(current.get_role_display())
        current.role = role
        current.save(update_fields=["role"])
        audit.record(
            tenant,
            by,
            audit.Action.CHANGED_ROLE,
            current.user.get_username(),
            f"{before} → {_en(current.get_role_display())}",
        )
    return True


def remove(membership: Membership, by) -> None:
    """Take a person out of the tenant (their account stays). Never the last owner."""
    tenant = membership.tenant
    with transaction.atomic():
        owners = _lock_owners(tenant)
        current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if current is None:
            return  # removed meanwhile
        if current.role == Role.OWNER and owners == [current.pk]:
            raise PeopleRefused(
                _(
                    "%(user)s is the only owner of %(company)s and cannot be removed: make someone "
                    "else an owner first."
                )
                % {"user": current.user.get_username(), "company": tenant.name}
            )
        username = current.user.get_username()
        role = _en(current.get_role_display()).lower()
        current.delete()
        audit.record(tenant, by, audit.Action.REMOVED_MEMBER, username, f"Was {role}")


def _name(user) -> str:
    if user is None:
        return "someone no longer at Silta"
    return user.get_full_name() or user.get_username()


def _day(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "j.n.Y H:i")
