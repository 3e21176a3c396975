"""*Two-factor login*: a signed-in user turns a code from an authenticator app (TOTP) on or off for their own login.

Off → *Set up* makes an unconfirmed device and shows its secret; a current code confirms it (from then on
the login asks for a code) → on. Turning off needs a current code too. There are no ids in the URL: a user
only ever sees and changes their own device. The secret is shown while the device is being set up, never
once it is confirmed. Turning on and off is logged and recorded in the audit trail without a tenant
(a person's login, not a company's setting: superusers see it), never with the secret.
"""

import logging
from base64 import b32encode

import django_otp
from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from integration.people import audit

logger = logging.getLogger(__name__)


class CodeForm(forms.Form):
    """A current code of `device`: verified (and the device's throttling counted) in clean()."""

    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, device, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        with transaction.atomic():  # the device row locked, so two tries cannot both pass
            device = TOTPDevice.objects.select_for_update().get(pk=self.device.pk)
            allowed, _extra = device.verify_is_allowed()
            verified = allowed and device.verify_token(code)  # a wrong code's throttling is saved here
        if not allowed:
            raise forms.ValidationError(_("Too many wrong codes in a row: wait a moment, then try again."))
        if not verified:
            raise forms.ValidationError(
                _("That code is not right. Enter the current code from your authenticator app.")
            )
        self.device = device
        return code


def _devices(user):
    return TOTPDevice.objects.filter(user=user)


def two_factor(request):
    user = request.user
    confirmed = _devices(user).filter(confirmed=True).first()
    pending = None if confirmed else _devices(user).filter(confirmed=False).first()
    action = request.POST.get("action") if request.method == "POST" else None
    form = None

    if action == "setup" and confirmed is None:
        with transaction.atomic():
            _devices(user).delete()  # a setup begun earlier: its secret is replaced
            TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
        return redirect("two_factor")
    if action == "cancel" and pending is not None:
        _devices(user).filter(confirmed=False).delete()
        return redirect("two_factor")
    if action == "confirm" and pending is not None:
        form = CodeForm(pending, request.POST)
        if form.is_valid():
            TOTPDevice.objects.filter(pk=pending.pk).update(confirmed=True)
            pending.refresh_from_db()
            django_otp.login(request, pending)  # this session gave a code: it stays signed in
            _recorded(request, audit.Action.TURNED_ON_TWO_FACTOR, "on")
            messages.success(
                request,
                _(
                    "Two-factor login is on: from now on, logging in asks for a code "
                    "from your authenticator app."
                ),
            )
            return redirect("two_factor")
    if action == "off" and confirmed is not None:
        form = CodeForm(confirmed, request.POST)
        if form.is_valid():
            _devices(user).delete()
            _recorded(request, audit.Action.TURNED_OFF_TWO_FACTOR, "off")
            messages.success(
                request, _("Two-factor login is off: logging in asks for your username and password only.")
            )
            return redirect("two_factor")

    context = {
        **admin.site.each_context(request),
        "title": _("Two-factor login"),
        "state": "on" if confirmed else "setup" if pending else "off",
    }
    if pending is not None:
        context["secret"] = b32encode(pending.bin_key).decode()
        context["otpauth_uri"] = pending.config_url
    context["form"] = form or CodeForm(confirmed or pending)
    return render(request, "portal/two_factor.html", context)


def _recorded(request, action, state):
    user = request.user
    logger.info("Two-factor login turned %s for user %s (id %s)", state, user.get_username(), user.pk)
    audit.record(None, user, action, target=user.get_username())


urls = [
    path("account/two-factor/", admin.site.admin_view(two_factor), name="two_factor"),
]
