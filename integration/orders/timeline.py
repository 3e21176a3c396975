"""An order's own history in words, from its typed events (OrderEvent): what the order's page shows.

One query (the transfer's events, oldest first); labels and sentences are translated here, from the
event's kind and its small parameters, so the events themselves stay data.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..eaccounting.documents import DocumentKind
from ..models import OrderEvent, OrderEventKind, OrderStep, OrderTransfer
from .outcomes import Reason

K = OrderEventKind

DOCUMENT_WORDS = {  # DocumentKind values
    "order": gettext_noop("sales order"),
    "draft": gettext_noop("invoice draft"),
    "invoice": gettext_noop("invoice"),
}


def document_words(kind: str) -> str:
    """A stored document kind in the reader's language ("" or an unknown value: as it is)."""
    return _(DOCUMENT_WORDS[kind]) if kind in DOCUMENT_WORDS else kind


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # an OrderEventKind value
    label: str  # short, translated: "Transferred", "Waiting", ...
    detail: str  # one translated sentence (e.g. "Sales order 1043 created in eAccounting.")


def order_timeline(transfer: OrderTransfer) -> list[TimelineEntry]:
    """The order's events, oldest first, each with its label and one sentence."""
    rows = OrderEvent.objects.filter(tenant_id=transfer.tenant_id, transfer=transfer).order_by("at", "pk")
    return [
        TimelineEntry(at=e.at, kind=e.kind, label=str(K(e.kind).label), detail=detail(e.kind, e.params or {}))
        for e in rows.only("at", "kind", "params")
    ]


def _document(params: dict[str, Any]) -> str:
    """'sales order 1043' (translated words for the document kind, then its number)."""
    kind = params.get("document_kind", "")
    words = {
        DocumentKind.ORDER.value: _("Sales order"),
        DocumentKind.DRAFT.value: _("Invoice draft"),
        DocumentKind.INVOICE.value: _("Invoice"),
    }.get(kind, _("Document"))
    return f"{words} {params.get('document_number', '')}".strip()


def _step(params: dict[str, Any]) -> str:
    kind = params.get("step", "")
    words = {
        OrderStep.Kind.INVOICE.value: _("Invoicing"),
        OrderStep.Kind.PAYMENT.value: _("Registering the payment"),
        OrderStep.Kind.CANCEL.value: _("The cancellation"),
        OrderStep.Kind.REFUND.value: _("The refund"),
        OrderStep.Kind.UPDATE.value: _("Updating the changed order"),
    }
    return words.get(kind, "")


def _reasons(params: dict[str, Any]) -> str:
    """The reasons in the reader's language from their codes; the stored English text for events without."""
    coded = [Reason.from_json(c) for c in params.get("codes") or [] if isinstance(c, dict)]
    if coded and all(coded):
        return " ".join(r.render(_) for r in coded if r is not None)
    return " ".join(str(r) for r in params.get("reasons") or [])


def detail(kind: str, params: dict[str, Any]) -> str:
    """One sentence for an event of `kind` with `params`."""
    number, amount = params.get("document_number", ""), params.get("amount")
    if kind == K.RECEIVED:
        return _("Silta saw the order in the shop.")
    if kind == K.PLANNED:
        return _("Planned as %(rows)s rows, total %(total)s.") % {
            "rows": params.get("rows", "?"),
            "total": params.get("total", "?"),
        }
    if kind == K.WAITING:
        step, reasons = _step(params), _reasons(params)
        if step:
            return _("%(step)s waits: %(reasons)s") % {"step": step, "reasons": reasons or "-"}
        return _("Waits: %(reasons)s") % {"reasons": reasons or "-"}
    if kind == K.TRANSFERRED:
        return _("%(document)s created in eAccounting.") % {"document": _document(params)}
    if kind == K.HELD:
        if params.get("step"):
            return _("%(step)s is held: %(reasons)s") % {"step": _step(params), "reasons": _reasons(params)}
        return _("%(document)s created in eAccounting and held: %(reasons)s") % {
            "document": _document(params),
            "reasons": _reasons(params),
        }
    if kind == K.INVOICED:
        return _("Invoice %(number)s made in eAccounting (not sent by Silta).") % {"number": number}
    if kind == K.PAID:
        if amount:
            return _("Payment of %(amount)s registered on the invoice.") % {"amount": amount}
        return _("The invoice was paid already in eAccounting.")
    if kind == K.CANCELLED:
        return _("Cancelled: the document was removed or credited in eAccounting.")
    if kind == K.REFUNDED:
        return _("Refund %(refund)s credited: credit invoice %(number)s.") % {
            "refund": params.get("refund", ""),
            "number": number,
        }
    if kind == K.CHANGED:
        return _(
            "The order changed in the shop; the document in eAccounting was updated (total %(amount)s)."
        ) % {"amount": amount or "?"}
    if kind == K.BY_HAND:
        return _("Entered in eAccounting by hand: a person ended the wait, Silta made no document for it.")
    return ""
