"""A model field whose value is encrypted in the database and never rendered in forms."""

from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import crypto


class SecretFormField(forms.CharField):
    """Accepts a new secret; renders empty, so a stored secret never reaches the page."""

    def __init__(self, *args, **kwargs):
        kwargs["widget"] = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
        kwargs["required"] = False
        kwargs.setdefault("help_text", _("Stored encrypted. Leave blank to keep the current value."))
        super().__init__(*args, **kwargs)

    def has_changed(self, initial, data):
        return bool(data)


class EncryptedTextField(models.TextField):
    """Text encrypted with MultiFernet at rest. An empty string means "not set"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else value

    def formfield(self, **kwargs):
        return SecretFormField(label=capfirst(self.verbose_name))

    def save_form_data(self, instance, data):
        # A blank form value keeps the stored secret: the form never saw it.
        if data:
            super().save_form_data(instance, data)

    def value_to_string(self, obj):
        # Serialization (dumpdata, admin history) never carries the plaintext.
        return "<encrypted>" if self.value_from_object(obj) else ""
