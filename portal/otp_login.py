"""The admin's login form: username and password, plus a code for users who turned two-factor login on.

django-otp's form asks every user for a code (it has no optional mode, see django_otp/forms.py); here a
user without a confirmed device logs in with username and password alone. A refused code counts as a
failed login for django-axes like a wrong password: it sends the same signal Django's authenticate()
sends.
"""

from django import forms
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.forms import OTPAuthenticationFormMixin


class LoginForm(OTPAdminAuthenticationForm):
    # Django's admin says "…for a staff account": company owners are staff only technically, so
    # the message speaks to them (and says no more than that the pair did not match)
    error_messages = {
        **OTPAdminAuthenticationForm.error_messages,
        "invalid_login": _("The user name or password is wrong. Note that both are case-sensitive."),
    }
    otp_token = forms.CharField(
        label=_("Code"),
        required=False,
        help_text=_("From your authenticator app, if you have turned on two-factor login."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    otp_error_messages = {
        **OTPAuthenticationFormMixin.otp_error_messages,
        "token_required": _(
            "Two-factor login is on for this account: enter the code from your authenticator app."
        ),
        "invalid_token": _("That code is not right. Enter the current code from your authenticator app."),
        "device_required": _("Choose the device the code is from."),
    }

    def clean(self):
        self.cleaned_data = super(OTPAdminAuthenticationForm, self).clean()  # username and password
        user = self.get_user()
        if user is not None and self._devices(user):
            try:
                self.clean_otp(user)
            except forms.ValidationError:
                user_login_failed.send(
                    sender=__name__,
                    request=self.request,
                    credentials={"username": self.cleaned_data.get("username")},
                )
                raise
        return self.cleaned_data

    def _devices(self, user):
        if not hasattr(self, "_confirmed_devices"):
            self._confirmed_devices = list(devices_for_user(user))
        return self._confirmed_devices

    def _chosen_device(self, user):
        # The portal gives each user one authenticator: no choice to make. Only someone with several
        # (a superuser can add more in the admin) picks one.
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device") and len(self._devices(user)) == 1:
            device = next(devices_for_user(user, for_verify=True), None)  # locked, as verifying needs
        return device

    def _update_form(self, user):
        super()._update_form(user)
        self.fields["password"].widget.render_value = False  # a password is never sent back in a page

    @property
    def device_choice_needed(self):
        user = self.get_user()
        return user is not None and len(self._devices(user)) > 1
