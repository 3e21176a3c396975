"""An order's history as a person reads it: one entry per change, oldest first.

Provisional: built from the transfer's own timestamps and its OrderStep rows. The interface (TimelineEntry,
order_timeline) stays when the history moves to typed order events; the order's page uses only these fields.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..models import OrderStep, OrderTransfer

STATUS = OrderTransfer.Status
STEP = OrderStep.Status
KINDS = (
    "received",
    "planned",
    "waiting",
    "transferred",
    "invoiced",
    "paid",
    "cancelled",
    "refunded",
    "changed",
    "held",
)


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
    kind: str  # one of KINDS
    label: str  # short, translated
    detail: str  # one translated sentence


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def _step(step: OrderStep) -> TimelineEntry | None:
    number = step.document_number
    if step.status == STEP.WAITING:
        return TimelineEntry(
            step.updated_at,
            "waiting",
            _("Waiting"),
            _("%(step)s waits: %(reason)s")
            % {"step": step.get_kind_display(), "reason": _first_line(step.reason)},
        )
    if step.status == STEP.HELD:
        return TimelineEntry(step.updated_at, "held", _("Held"), _first_line(step.reason))
    if step.status != STEP.DONE:
        return None
    kind, label, detail = {
        OrderStep.Kind.INVOICE: ("invoiced", _("Invoiced"), _("Invoiced in eAccounting: %(number)s.")),
        OrderStep.Kind.PAYMENT: (
            "paid",
            _("Paid"),
            _("The payment was registered on the invoice %(number)s."),
        ),
        OrderStep.Kind.CANCEL: ("cancelled", _("Cancelled"), _("The order was cancelled in eAccounting.")),
        OrderStep.Kind.REFUND: (
            "refunded",
            _("Refunded"),
            _("Credit invoice %(number)s was made for a refund."),
        ),
        OrderStep.Kind.UPDATE: (
            "changed",
            _("Changed"),
            _("The order changed in the shop; eAccounting followed."),
        ),
    }[OrderStep.Kind(step.kind)]
    return TimelineEntry(step.updated_at, kind, label, detail % {"number": number or "–"})


def order_timeline(transfer: OrderTransfer) -> list[TimelineEntry]:
    """What happened to the order, oldest first."""
    entries = [
        TimelineEntry(
            transfer.created_at,
            "received",
            _("Received"),
            _("Silta saw order %(number)s in the shop.") % {"number": transfer.shop_order_number},
        )
    ]
    if transfer.transferred_at:
        words = document_words(transfer.document_kind)
        entries.append(
            TimelineEntry(
                transfer.transferred_at,
                "transferred" if transfer.status != STATUS.HELD else "held",
                _("Transferred") if transfer.status != STATUS.HELD else _("Held"),
                _("Created in eAccounting as %(document)s %(number)s.")
                % {"document": words, "number": transfer.document_number}
                if transfer.status != STATUS.HELD
                else _first_line(transfer.reason),
            )
        )
    elif transfer.status == STATUS.WAITING:
        entries.append(
            TimelineEntry(
                transfer.updated_at,
                "waiting",
                _("Waiting"),
                _("Tried %(attempts)d time(s); it waits for a fix (see above).")
                % {"attempts": transfer.attempts},
            )
        )
    elif transfer.status == STATUS.SKIPPED:
        entries.append(
            TimelineEntry(transfer.updated_at, "held", _("Not transferred"), _first_line(transfer.reason))
        )
    for step in transfer.steps.all():
        entry = _step(step)
        if entry is not None:
            entries.append(entry)
    return sorted(entries, key=lambda e: e.at)
