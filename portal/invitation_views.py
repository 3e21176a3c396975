"""People of a company: the member list, inviting a colleague, withdrawing, roles; accepting a link.

Owners change who belongs; members see the list read-only; anyone else gets 404, as if the
company did not exist. The accept page is public: the link's token is the credential.
"""

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from integration.models import Invitation, Membership
from integration.people import invitations, tenancy

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        help_text=gettext_lazy(
            "Owners connect the systems, activate, invite and manage people; members run the integration."
        ),
    )


class SignUpForm(UserCreationForm):
    """A new account for the invited address: a username and a password the validators accept."""

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.email = email  # so the similarity validator compares the password with it


def _tenant(request, slug, roles=tenancy.ALL_ROLES):
    """404 for anyone outside the tenant (its existence is not confirmed), 403 for a member asking for an owner's page."""
    tenant = tenancy.tenants_for(request.user).filter(slug=slug).first()
    if tenant is None:
        raise Http404(_("No such company."))
    if not tenancy.has_role(request.user, tenant, roles):
        raise PermissionDenied
    return tenant


def _render(request, template, title, status=200, **context):
    return render(
        request, template, {**admin.site.each_context(request), "title": title, **context}, status=status
    )


def _public(request, template, title, status=200, **context):
    """The accept pages: the admin's look without its model list (the visitor may have no account yet)."""
    return _render(request, template, title, status, is_nav_sidebar_enabled=False, **context)


def people(request, slug):
    tenant = _tenant(request, slug)
    is_owner = tenancy.has_role(request.user, tenant, tenancy.OWNERS)
    members = list(tenant.memberships.select_related("user").order_by("user__username"))
    pending = []
    if is_owner:
        pending = tenant.invitations.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
        pending = list(pending.select_related("invited_by").order_by("email"))
    owners = sum(m.role == Membership.Role.OWNER for m in members)
    return _render(
        request,
        "portal/invitations.html",
        _("People of %(company)s") % {"company": tenant.name},
        tenant=tenant,
        members=members,
        pending=pending,
        is_owner=is_owner,
        last_owner=owners == 1,
        roles=Membership.Role.choices,
    )


def invite(request, slug):
    tenant = _tenant(request, slug, tenancy.OWNERS)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = invitations.invite(
                tenant, form.cleaned_data["email"], form.cleaned_data["role"], request.user
            )
        except invitations.PeopleRefused as exc:
            form.add_error("email", str(exc))
        else:
            try:
                invitations.send(invitation, token)
            except OSError as exc:  # SMTP down: the link exists nowhere else, so withdraw it
                invitations.revoke(invitation, request.user)
                messages.error(
                    request,
                    _("The invitation could not be e-mailed (%(error)s); try again later.") % {"error": exc},
                )
            else:
                messages.success(
                    request,
                    _("An invitation was e-mailed to %(email)s. The link works once, for %(days)s days.")
                    % {"email": invitation.email, "days": settings.SILTA_INVITATION_DAYS},
                )
            return redirect("tenant_people", slug=tenant.slug)
    return _render(
        request,
        "portal/invitation_new.html",
        _("Invite a colleague to %(company)s") % {"company": tenant.name},
        tenant=tenant,
        form=form,
    )


@require_POST
def revoke(request, slug, pk):
    tenant = _tenant(request, slug, tenancy.OWNERS)
    invitation = get_object_or_404(Invitation, pk=pk, tenant=tenant)
    if invitations.revoke(invitation, request.user):
        messages.success(
            request,
            _("The invitation of %(email)s was withdrawn: its link no longer works.")
            % {"email": invitation.email},
        )
    else:
        messages.info(
            request,
            _("The invitation of %(email)s was already used or withdrawn.") % {"email": invitation.email},
        )
    return redirect("tenant_people", slug=tenant.slug)


@require_POST
def change_role(request, slug, pk):
    tenant = _tenant(request, slug, tenancy.OWNERS)
    membership = get_object_or_404(Membership.objects.select_related("user", "tenant"), pk=pk, tenant=tenant)
    try:
        changed = invitations.change_role(membership, request.POST.get("role", ""), request.user)
    except invitations.PeopleRefused as exc:
        messages.error(request, str(exc))
    else:
        if changed:
            membership.refresh_from_db()
            messages.success(
                request,
                _("%(user)s is now %(role)s.")
                % {
                    "user": membership.user.get_username(),
                    "role": str(membership.get_role_display()).lower(),
                },
            )
    return redirect("tenant_people", slug=tenant.slug)


@require_POST
def remove(request, slug, pk):
    tenant = _tenant(request, slug, tenancy.OWNERS)
    membership = get_object_or_404(Membership.objects.select_related("user", "tenant"), pk=pk, tenant=tenant)
    try:
        invitations.remove(membership, request.user)
    except invitations.PeopleRefused as exc:
        messages.error(request, str(exc))
        return redirect("tenant_people", slug=tenant.slug)
    messages.success(
        request,
        _("%(user)s no longer belongs to %(company)s.")
        % {"user": membership.user.get_username(), "company": tenant.name},
    )
    if membership.user_id == request.user.pk and not request.user.is_superuser:
        return redirect("admin:index")  # removed themselves: the people page is no longer theirs
    return redirect("tenant_people", slug=tenant.slug)


@never_cache
def accept(request, slug, token):
    """The link in the e-mail. New address: choose a username and password. Signed in: confirm.
    An address that already has an account: sign in first (the login page comes back here)."""
    invitation = invitations.find(slug, token)
    if invitation is None:
        return _refused(request, None, "invalid")
    state = invitation.state()
    if state != Invitation.State.PENDING:
        return _refused(request, invitation, state)
    user = request.user if request.user.is_authenticated else None
    login_url = f"{reverse('admin:login')}?next={quote(request.path)}"
    form = None
    if user is None:
        if get_user_model().objects.filter(email__iexact=invitation.email, is_active=True).exists():
            return _public(
                request,
                "portal/invitation_accept.html",
                _("Join %(company)s") % {"company": invitation.tenant.name},
                invitation=invitation,
                login_url=login_url,
                has_account=True,
            )
        form = SignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        if form is not None:
            user = form.save(commit=False)
            user.email = invitation.email
        try:
            invitations.accept(invitation, user)
        except invitations.InvitationUnusable as exc:
            return _refused(request, invitation, exc.state)
        except invitations.PeopleRefused as exc:
            messages.info(request, str(exc))
            return redirect("admin:index")
        if form is not None:
            login(request, user, backend=LOGIN_BACKEND)
        messages.success(
            request,
            _("Welcome to %(company)s: you joined as %(role)s.")
            % {"company": invitation.tenant.name, "role": str(invitation.get_role_display()).lower()},
        )
        return redirect("admin:index")
    return _public(
        request,
        "portal/invitation_accept.html",
        _("Join %(company)s") % {"company": invitation.tenant.name},
        invitation=invitation,
        form=form,
        login_url=login_url,
    )


def _refused(request, invitation, state):
    """Which of invalid, expired, withdrawn or used, and what to do. An unknown link names no company."""
    status = 404 if state == "invalid" else 410
    return _public(
        request,
        "portal/invitation_refused.html",
        _("This invitation cannot be used"),
        status=status,
        invitation=invitation,
        state=state,
    )


urls = [
    path("tenants/<slug:slug>/people/", admin.site.admin_view(people), name="tenant_people"),
    path("tenants/<slug:slug>/people/invite/", admin.site.admin_view(invite), name="invitation_new"),
    path(
        "tenants/<slug:slug>/invitations/<int:pk>/revoke/",
        admin.site.admin_view(revoke),
        name="invitation_revoke",
    ),
    path(
        "tenants/<slug:slug>/members/<int:pk>/role/", admin.site.admin_view(change_role), name="member_role"
    ),
    path("tenants/<slug:slug>/members/<int:pk>/remove/", admin.site.admin_view(remove), name="member_remove"),
    path("invitations/<slug:slug>/<str:token>/", accept, name="invitation_accept"),
]
