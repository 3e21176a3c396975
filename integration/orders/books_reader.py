"""Reads one company's month from both systems for the books check (``books_check``). Never writes to either.

Shop: every order created in the month (Finnish calendar, as ``document_date``), read page by page from the
orders changed since the month began. eAccounting: every customer invoice and credit invoice dated in the
month (``InvoiceDate``; scanned when eAccounting refuses the filter), with its VAT specification — the books.
An order whose document is still an open sales order or draft is not in the books yet: the check says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal

from ..eaccounting.client import EAccountingClient
from ..eaccounting.errors import QueryRejected
from ..eaccounting.resources import _decimal, read_field
from ..models import OrderTransfer, Tenant
from ..webshops import for_connection
from ..webshops.base import ShopOrder
from . import reference
from .books_check import BooksReport, DocumentFacts, DocumentKind, ShopFacts, compare
from .document_plan import HELSINKI, document_date, receipt_vat_by_rate

Progress = Callable[[int, int, str], None]  # done, total, what


def month_bounds(period: str) -> tuple[date, date]:
    """ "2026-03" → (2026-03-01, 2026-04-01); ValueError for anything else."""
    year, month = (int(x) for x in period.split("-"))
    if not (1 <= month <= 12 and 2000 <= year <= 2999) or len(period) != 7:
        raise ValueError(f"{period!r} is not a month (YYYY-MM)")
    first = date(year, month, 1)
    return first, date(year + month // 12, month % 12 + 1, 1)


def read(tenant: Tenant, period: str, progress: Progress | None = None) -> BooksReport:
    first, after = month_bounds(period)
    report = progress or (lambda done, total, what: None)
    shop = for_connection(tenant.webshop_connection)
    client = EAccountingClient(tenant.eaccounting_connection)
    rates = reference.tax_rates(tenant, shop)
    report(0, 3, "reading the shop's orders")
    since = datetime.combine(first, time(), HELSINKI).astimezone(UTC)
    orders = [o for o in shop.orders(modified_after=since) if _created_in(o, first, after)]
    report(1, 3, "reading eAccounting's invoices")
    invoices = [document_facts(i) for i in _invoices(client, first, after)]
    report(2, 3, "comparing")
    transfers = {
        t.shop_order_id: t
        for t in OrderTransfer.objects.filter(tenant=tenant, shop_order_id__in=[o.id for o in orders])
    }
    facts = [shop_facts(o, rates, transfers.get(o.id)) for o in orders]
    result = compare(period, facts, invoices)
    report(3, 3, "done")
    return result


def _created_in(order: ShopOrder, first: date, after: date) -> bool:
    try:
        return first <= document_date(order) < after
    except ValueError:
        return False


def _invoices(client: EAccountingClient, first: date, after: date) -> list[dict]:
    try:
        return list(
            client.listing(
                "/customerinvoices",
                filter=f"InvoiceDate ge {first.isoformat()} and InvoiceDate lt {after.isoformat()}",
            )
        )
    except QueryRejected:  # not every filter is documented as supported: read them all and choose here
        return [
            i
            for i in client.listing("/customerinvoices")
            if first.isoformat() <= str(read_field(i, "InvoiceDate") or "")[:10] < after.isoformat()
        ]


def shop_facts(order: ShopOrder, rates: dict[int, Decimal], transfer: OrderTransfer | None) -> ShopFacts:
    by_rate = {p: vat for p, vat in receipt_vat_by_rate(order, rates).items() if vat}
    status, reason, open_document = "", "", ""
    ids: frozenset[str] = frozenset()
    if transfer is not None:
        status, reason = str(transfer.get_status_display()), transfer.reason
        ids = frozenset(
            x
            for x in (
                transfer.invoice_id,
                transfer.document_id if transfer.document_kind == "invoice" else "",
            )
            if x
        )
        if transfer.document_id and transfer.document_kind in ("order", "draft") and not transfer.invoice_id:
            kind = DocumentKind.ORDER if transfer.document_kind == "order" else DocumentKind.DRAFT
            open_document = f"{kind.value} {transfer.document_number or transfer.document_id}"
    return ShopFacts(
        order.id,
        order.number,
        order.status,
        order.total,
        order.total_tax,
        by_rate,
        order.refunded_total,
        status,
        reason,
        ids,
        open_document,
    )


def document_facts(data: dict) -> DocumentFacts:
    """A customer invoice as booked; a credit's (negative) amounts as magnitudes."""
    credit = bool(read_field(data, "IsCreditInvoice"))
    sign = -1 if credit else 1
    by_rate: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for spec in read_field(data, "VatSpecification") or []:
        rate = _decimal(read_field(spec, "VatPercent"))
        net, vat = by_rate.get(rate, (Decimal(0), Decimal(0)))
        by_rate[rate] = (
            net + sign * _decimal(read_field(spec, "AmountInvoiceCurrency")),
            vat + sign * _decimal(read_field(spec, "VatAmountInvoiceCurrency")),
        )
    if not by_rate:  # no specification given: the totals, at an unknown rate
        by_rate[Decimal(-1)] = (
            sign * _decimal(read_field(data, "TotalAmount")),
            sign * _decimal(read_field(data, "TotalVatAmount")),
        )
    return DocumentFacts(
        kind=DocumentKind.CREDIT if credit else DocumentKind.INVOICE,
        id=str(read_field(data, "Id") or ""),
        number=str(read_field(data, "InvoiceNumber") or ""),
        reference=str(read_field(data, "YourReference") or ""),
        date=str(read_field(data, "InvoiceDate") or "")[:10],
        by_rate=by_rate,
    )
