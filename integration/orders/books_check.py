"""The books check: a month's shop orders beside their eAccounting documents, every difference in words.

Pure (no database, no network): ``books_reader`` reads both systems into ``ShopFacts`` and ``DocumentFacts``;
``compare`` pairs them and lists what an accountant would ask about — VAT per rate, totals and credits that
differ, orders without a document, documents without an order. ``to_csv`` is the accountant's export.

Pairing: a sales document carries the shop's order number in ``YourReference``; a credit invoice
"<number> refund <id>" (``credit_plan.credit_reference``), or the order number when eAccounting voided an
invoice (its credit copies the reference). A document the transfer records for an order (its id) pairs
too, whatever its reference says now.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal("0")
CREDIT_REFERENCE = re.compile(r"^(?P<number>.+) refund \d+$")


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT = "credit invoice"
    ORDER = "sales order"
    DRAFT = "invoice draft"


@dataclass(frozen=True)
class ShopFacts:
    """One shop order of the month as its receipt says: VAT per percent, totals, refunds (positive)."""

    order_id: int
    number: str
    status: str
    total: Decimal
    vat: Decimal
    vat_by_rate: Mapping[Decimal, Decimal]
    refunded: Decimal
    transfer_status: str = ""  # Silta's record of the order ("" = none)
    transfer_reason: str = ""
    document_ids: frozenset[str] = frozenset()  # the documents the transfer recorded for it
    open_document: str = ""  # e.g. "sales order 12": transferred, not invoiced yet (not in the books)

    @property
    def net(self) -> Decimal:
        return self.total - self.vat


@dataclass(frozen=True)
class DocumentFacts:
    """One eAccounting document as booked: net and VAT per percent (credits as positive magnitudes)."""

    kind: DocumentKind
    id: str
    number: str
    reference: str
    date: str
    by_rate: Mapping[Decimal, tuple[Decimal, Decimal]]  # percent → (net, VAT)

    @property
    def net(self) -> Decimal:
        return sum((n for n, _ in self.by_rate.values()), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((v for _, v in self.by_rate.values()), ZERO)

    @property
    def total(self) -> Decimal:
        return self.net + self.vat


@dataclass
class OrderCheck:
    shop: ShopFacts
    sale: list[DocumentFacts] = field(default_factory=list)  # the invoice (or open order/draft) of the order
    credits: list[DocumentFacts] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    @property
    def booked_by_rate(self) -> dict[Decimal, tuple[Decimal, Decimal]]:
        out: dict[Decimal, tuple[Decimal, Decimal]] = {}
        for doc in self.sale:
            for rate, (net, vat) in doc.by_rate.items():
                n, v = out.get(rate, (ZERO, ZERO))
                out[rate] = (n + net, v + vat)
        return out

    @property
    def booked_total(self) -> Decimal:
        return sum((d.total for d in self.sale), ZERO)

    @property
    def credited(self) -> Decimal:
        return sum((d.total for d in self.credits), ZERO)


@dataclass
class BooksReport:
    period: str  # "2026-03"
    orders: list[OrderCheck]
    unmatched: list[DocumentFacts]  # documents of the period no shop order of the period explains

    @property
    def differences(self) -> list[str]:
        """Every difference, one line each, naming the order or the document."""
        lines = [f"Order {o.shop.number}: {d}" for o in self.orders for d in o.differences]
        lines += [
            f"{d.kind.value.capitalize()} {d.number or d.id} ({d.date}, reference '{d.reference}'): no shop "
            f"order of {self.period} has it"
            for d in self.unmatched
        ]
        return lines


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _pct(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


def order_number_of(doc: DocumentFacts) -> str:
    match = CREDIT_REFERENCE.match(doc.reference)
    return match.group("number") if match else doc.reference


def compare(period: str, shop: Iterable[ShopFacts], documents: Iterable[DocumentFacts]) -> BooksReport:
    """Pair the month's shop orders with the documents and list every difference."""
    checks = {s.number: OrderCheck(s) for s in shop}
    by_id = {doc_id: c for c in checks.values() for doc_id in c.shop.document_ids}
    unmatched: list[DocumentFacts] = []
    for doc in documents:
        check = by_id.get(doc.id) or checks.get(order_number_of(doc))
        if check is None:
            unmatched.append(doc)
        elif doc.kind is DocumentKind.CREDIT:
            check.credits.append(doc)
        else:
            check.sale.append(doc)
    for check in checks.values():
        check.differences = _differences(check)
    return BooksReport(period, sorted(checks.values(), key=lambda c: c.shop.order_id), unmatched)


def _differences(c: OrderCheck) -> list[str]:
    s = c.shop
    if not c.sale and s.open_document:
        return [
            f"not invoiced yet: eAccounting has {s.open_document} open (not in the books) for the shop's "
            f"{_money(s.total)}"
        ]
    if not c.sale:
        if s.status in ("cancelled", "failed", "pending", "on-hold", "checkout-draft") and not c.credits:
            return []  # nothing was sold
        why = (
            f" (Silta: {s.transfer_status}{': ' + s.transfer_reason if s.transfer_reason else ''})"
            if s.transfer_status
            else " (Silta has no record of it)"
        )
        return [f"no eAccounting document for the shop's {_money(s.total)}{why}"]
    out = []
    invoices = [d for d in c.sale if d.kind is DocumentKind.INVOICE]
    if len(invoices) > 1:
        out.append(
            "booked on " + ", ".join(f"invoice {d.number}" for d in invoices) + ": more than one invoice"
        )
    booked = c.booked_by_rate
    for rate in sorted(set(booked) | set(s.vat_by_rate), reverse=True):
        theirs, ours = s.vat_by_rate.get(rate, ZERO), booked.get(rate, (ZERO, ZERO))[1]
        if theirs != ours:
            out.append(f"VAT at {_pct(rate)} %: the shop {_money(theirs)}, eAccounting {_money(ours)}")
    if c.booked_total != s.total:
        out.append(f"total: the shop {_money(s.total)}, eAccounting {_money(c.booked_total)}")
    # A cancellation credits the whole invoice in eAccounting while the shop shows no refund: both say nothing sold
    cancelled = s.status in ("cancelled", "failed") and c.credited == c.booked_total
    if c.credited != s.refunded and not cancelled:
        out.append(
            f"credits: the shop refunded {_money(s.refunded)}, eAccounting credited {_money(c.credited)}"
        )
    return out


# ---------------------------------------------------------------------- the accountant's CSV
CSV_COLUMNS = [
    "order",
    "shop status",
    "shop total",
    "shop VAT",
    "shop VAT by rate",
    "shop refunded",
    "documents",
    "booked net",
    "booked VAT",
    "booked total",
    "booked by rate",
    "credited",
    "differences",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def csv_cell(value: object) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula (CSV injection): such text gets a quote;
    plain numbers (a negative amount) stay numbers."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) and not NUMBER.match(text) else text


def _rates(values: Mapping[Decimal, object]) -> str:
    return "; ".join(f"{_pct(r)} %: {v}" for r, v in sorted(values.items(), reverse=True))


def to_rows(report: BooksReport) -> list[dict[str, str]]:
    """The report as rows of text (``CSV_COLUMNS``): the page and the CSV show the same."""
    rows = []
    for c in report.orders:
        s, booked = c.shop, c.booked_by_rate
        values = [
            s.number,
            s.status,
            _money(s.total),
            _money(s.vat),
            _rates({r: _money(v) for r, v in s.vat_by_rate.items()}),
            _money(s.refunded),
            ", ".join(f"{d.kind.value} {d.number or d.id}" for d in c.sale + c.credits),
            _money(sum((n for n, _ in booked.values()), ZERO)),
            _money(sum((v for _, v in booked.values()), ZERO)),
            _money(c.booked_total),
            _rates({r: f"{_money(n)} + {_money(v)}" for r, (n, v) in booked.items()}),
            _money(c.credited),
            " | ".join(c.differences),
        ]
        rows.append(dict(zip(CSV_COLUMNS, values, strict=True)))
    for d in report.unmatched:
        values = [
            "",
            "",
            "",
            "",
            "",
            "",
            f"{d.kind.value} {d.number or d.id}",
            _money(d.net),
            _money(d.vat),
            _money(d.total),
            _rates({r: f"{_money(n)} + {_money(v)}" for r, (n, v) in d.by_rate.items()}),
            "",
            f"no shop order of {report.period} has it (reference '{d.reference}')",
        ]
        rows.append(dict(zip(CSV_COLUMNS, values, strict=True)))
    return rows


def to_csv(rows: list[dict[str, str]]) -> str:
    """The accountant's CSV of ``to_rows``, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()
