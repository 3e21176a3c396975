"""Pick eAccounting references (terms of payment, bank accounts, codings, units) by name on admin forms,
from the lists kept per tenant (integration/eaccounting/references.py): no GUID is typed by hand."""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from integration.eaccounting.references import RefList, choices
from integration.models import Tenant

#: The name field kept beside an id field (ArticleTemplate keeps coding_name and unit_name).
NAME_FIELDS = {"coding_id": "coding_name", "unit_id": "unit_name"}


class ReferenceChoiceField(forms.ChoiceField):
    """A select of eAccounting's entries by name; the stored value is the entry's id."""

    def __init__(self, *, known: dict[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.known = (
            known  # id → name of the entries in eAccounting's lists (not a stored value kept selectable)
        )


def picker(tenants: Iterable[Tenant], ref: RefList, current: str, field: Any) -> ReferenceChoiceField:
    """The select for one id field: every entry of the tenants' lists (named with their company when the
    form may be for more than one), and the stored value kept selectable when it is not in the list."""
    tenants = list(tenants)
    options: list[tuple[str, str]] = [("", "---------")]
    known: dict[str, str] = {}
    for tenant in tenants:
        prefix = f"{tenant.name}: " if len(tenants) > 1 else ""
        entries = choices(tenant, ref)
        options += [(c.id, f"{prefix}{c.label}") for c in entries]
        known.update((c.id, c.label) for c in entries)
    if current and current not in {value for value, _label in options}:
        options.append((current, _("%(id)s (not in eAccounting's list as last read)") % {"id": current}))
    empty = len(options) == 1
    help_text = str(field.help_text or "")
    if empty:
        help_text = (
            help_text
            + " "
            + _(
                "eAccounting's list has not been read yet, or is empty: press “Read "
                "eAccounting's lists again” above."
            )
        ).strip()
    return ReferenceChoiceField(
        known=known,
        choices=options,
        required=not field.blank,
        label=capfirst(field.verbose_name),
        help_text=help_text,
    )


def with_pickers(
    form_class: type[forms.ModelForm],
    tenants: Iterable[Tenant],
    fields: Mapping[str, RefList],
    instance: Any = None,
) -> type[forms.ModelForm]:
    """`form_class` with each of `fields` (an id field → its list) as a select; the names beside kept in step."""
    tenants = list(tenants)
    model = form_class._meta.model
    shown = [f for f in fields if f in form_class.base_fields]
    attrs: dict[str, Any] = {
        name: picker(tenants, fields[name], getattr(instance, name, "") or "", model._meta.get_field(name))
        for name in shown
    }

    def save(self: forms.ModelForm, commit: bool = True) -> Any:
        for name in shown:
            label_field = NAME_FIELDS.get(name)
            picked = self.cleaned_data[name]
            field = self.fields[name]
            known = field.known if isinstance(field, ReferenceChoiceField) else {}
            if label_field and hasattr(self.instance, label_field) and (picked in known or not picked):
                setattr(self.instance, label_field, known.get(picked, "")[:100])
        return form_class.save(self, commit)

    attrs["save"] = save
    return type(form_class.__name__, (form_class,), attrs)


class ReferencePickersMixin:
    """For a TenantScopedAdmin: `reference_fields` (an id field → its list) become selects by name."""

    reference_fields: Mapping[str, RefList] = {}

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        tenants = [obj.tenant] if obj is not None else list(self._writable_tenants(request))  # type: ignore[attr-defined]
        return with_pickers(form, tenants, self.reference_fields, obj)
