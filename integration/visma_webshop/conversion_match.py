"""Telling whether a webshop order has become an invoice already: pure.

Nothing documented links the invoice that `POST /webshoporders/{id}/convert` makes back to
its webshop order, and whether a converted order stays listed is not documented either. So an
invoice is recognised by what both carry: the customer (e-mail, else name), the rows (article
number and quantity) and a date no earlier than the order's. Each invoice accounts for one
order only (the caller passes the invoices already claimed), so two identical orders need two
invoices: the count is right even when the attribution of twins is not.
"""

from collections import Counter
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from integration.eaccounting.documents import is_credit_invoice


def _quantity(value) -> str:
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except (InvalidOperation, TypeError):
        return str(value)


def fingerprint(order: dict) -> dict:
    """What a webshop order's invoice will show of it (JSON-ready)."""
    rows = sorted(
        (str(r.get("ArticleNumber") or ""), _quantity(r.get("Quantity"))) for r in order.get("Rows") or []
    )
    return {
        "email": (order.get("EmailAddress") or "").strip().lower(),
        "name": (order.get("Name") or "").strip().lower(),
        "rows": [list(r) for r in rows],
        "date": (order.get("OrderDate") or "")[:10],
    }


def _day(value) -> date | None:
    try:
        return datetime.fromisoformat(str(value)[:10]).date()
    except ValueError:
        return None


def matches(fp: dict, invoice: dict) -> bool:
    if is_credit_invoice(invoice):
        return False
    ordered, invoiced = _day(fp.get("date")), _day(invoice.get("InvoiceDate"))
    if ordered and invoiced and invoiced < ordered:
        return False
    email = (invoice.get("CustomerEmail") or "").strip().lower()
    names = {(invoice.get(k) or "").strip().lower() for k in ("InvoiceCustomerName", "CustomerName")} - {""}
    if fp["email"] and email:
        if email != fp["email"]:
            return False
    elif not fp["name"] or fp["name"] not in names:
        return False
    rows = Counter(
        (str(r.get("ArticleNumber") or ""), _quantity(r.get("Quantity")))
        for r in invoice.get("Rows") or []
        if not r.get("IsTextRow")
    )
    return rows == Counter(tuple(r) for r in fp["rows"])


def find(fp: dict, invoices: list[dict], claimed: set[str]) -> dict | None:
    """The earliest unclaimed invoice that is this order's, or None."""
    candidates = [i for i in invoices if i.get("Id") not in claimed and matches(fp, i)]
    return min(candidates, key=lambda i: (i.get("CreatedUtc") or "", i.get("Id") or ""), default=None)
