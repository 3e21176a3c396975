"""Writing the audit trail: the one place entries are made (see models/audit.py for what they are)."""

from django.db import models
from django.utils import translation

from integration.fields import EncryptedTextField
from integration.models import AuditEntry

Action = AuditEntry.Action
SHOWN_VALUE = 80  # characters of a changed value kept in the detail
SHOWN_ITEMS = 20  # names listed (e.g. article numbers); the rest counted


def record(tenant, user, action, target="", detail="", username=None) -> AuditEntry:
    """Append an entry. `user` None: something other than a person acted; `username` says what.
    `tenant` None: an installation-level entry (a deleted company), seen by superusers only."""
    if username is None:
        username = user.get_username() if user is not None else "system"
    return AuditEntry.objects.create(
        tenant=tenant,
        user=user,
        username=username[:150],
        action=action,
        target=str(target)[:300],
        detail=detail,
    )


def listed(names, limit=SHOWN_ITEMS) -> str:
    """'A, B, C' — at most `limit` names, then how many more."""
    names = [str(n) for n in names]
    shown = ", ".join(names[:limit])
    return f"{shown} and {len(names) - limit} more" if len(names) > limit else shown


def what(obj) -> str:
    """'Article template Goods 25.50 %: Myynti': the kind of thing and which one. In English whoever reads the
    page: the trail is stored text, written the same whichever language the person acting uses."""
    with translation.override("en"):
        kind, name = str(obj._meta.verbose_name), str(obj)
    if name.lower().startswith(kind.lower()):  # "Order settings of Company A" says it already
        return name
    return f"{kind[:1].upper() if kind[1:2].islower() else kind[:1]}{kind[1:]} {name}"  # not "EAccounting"


def _shown(value) -> str:
    text = "(empty)" if value in (None, "") else str(value)
    return text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"


def changes(form) -> str:
    """The fields a model form changed, in words: old → new for plain values.

    A secret's value never goes into the trail, and neither does a related row's (a customer's name
    is personal data): those are named only."""
    with translation.override("en"):  # stored text: see what()
        return _changes(form)


def _changes(form) -> str:
    parts = []
    for name in form.changed_data:
        try:
            field = form.instance._meta.get_field(name)
        except Exception:  # a form field that is not a model field
            parts.append(name)
            continue
        label = str(field.verbose_name)
        if isinstance(field, EncryptedTextField):
            parts.append(f"{label} (a new secret; not shown)")
        elif field.is_relation or isinstance(field, models.JSONField):
            parts.append(label)
        else:
            before = form.initial.get(name)
            after = field.value_from_object(form.instance)
            parts.append(f"{label}: {_shown(before)} → {_shown(after)}")
    return "; ".join(parts)
