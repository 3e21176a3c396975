"""Sales documents and customers in eAccounting: create, find by our reference, convert.

eAccounting has no idempotency keys, so a create whose answer was lost is followed by a
lookup (`find_by_reference`) before anything is created again. Filtering on `YourReference`
is not documented as supported (docs/eaccounting-unknowns.md, *Filters*); when eAccounting refuses it, recent
documents are read by creation time and matched on the reference here.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .client import EAccountingClient, odata_datetime, odata_string
from .errors import NotFound, QueryRejected
from .resources import _decimal, read_field


class DocumentKind(enum.StrEnum):
    """The sales documents Silta makes (stored as these strings on order transfers and in order settings)."""

    ORDER = "order"  # a sales order: reserves stock, invoiced later
    DRAFT = "draft"  # an invoice draft
    INVOICE = "invoice"  # a booked invoice (made as a draft, then converted)

    @property
    def words(self) -> str:
        return {"order": "sales order", "draft": "invoice draft", "invoice": "invoice"}[self.value]

    @classmethod
    def words_for(cls, stored: str) -> str:
        """The words for a kind as stored on a row ("" or an unknown value: as it is)."""
        return cls(stored).words if stored in cls._value2member_map_ else stored


class OrderStatus(enum.IntEnum):
    """A sales order's `Status` (OrderApi)."""

    DRAFT = 1
    ONGOING = 2
    SHIPPED = 3
    INVOICED = 4


OPEN_ORDER = (OrderStatus.DRAFT, OrderStatus.ONGOING)  # may still be changed with a PUT

# kind -> (path, net total field, VAT field, number field)
KINDS: dict[DocumentKind, tuple[str, str, str, str | None]] = {
    DocumentKind.ORDER: ("/orders", "Amount", "VatAmount", "Number"),
    DocumentKind.DRAFT: ("/customerinvoicedrafts", "TotalAmount", "TotalVatAmount", None),
    DocumentKind.INVOICE: ("/customerinvoices", "TotalAmount", "TotalVatAmount", "InvoiceNumber"),
}
LOOKUP_SLACK = timedelta(minutes=10)


def is_credit_invoice(data: Mapping[str, Any]) -> bool:
    """An invoice that credits another (eAccounting's `IsCreditInvoice`)."""
    return bool(read_field(data, "IsCreditInvoice"))


@dataclass
class Document:
    kind: DocumentKind
    id: str
    number: str
    net: Decimal
    vat: Decimal
    includes_vat: bool
    your_reference: str
    customer_id: str
    raw: dict
    is_credit: bool = False  # invoices: a credit invoice
    order_status: OrderStatus | None = None  # sales orders: where the order stands

    @property
    def total(self) -> Decimal:
        return self.net + self.vat

    @property
    def is_open_order(self) -> bool:
        """A sales order that may still be changed (not shipped or invoiced)."""
        return self.kind is DocumentKind.ORDER and self.order_status in OPEN_ORDER

    @classmethod
    def from_api(cls, kind: DocumentKind, data: dict) -> "Document":
        _, net, vat, number = KINDS[kind]
        return cls(
            kind=kind,
            id=read_field(data, "Id"),
            number=str(read_field(data, number) or "") if number else "",
            net=_decimal(read_field(data, net)),
            vat=_decimal(read_field(data, vat)),
            includes_vat=bool(read_field(data, "IncludesVat")),
            your_reference=read_field(data, "YourReference") or "",
            customer_id=read_field(data, "CustomerId") or "",
            raw=data,
            is_credit=is_credit_invoice(data),
            order_status=_order_status(read_field(data, "Status")) if kind is DocumentKind.ORDER else None,
        )


def _order_status(value: Any) -> OrderStatus | None:
    try:
        return OrderStatus(value)
    except ValueError:
        return None


def create(client: EAccountingClient, kind: DocumentKind, body: dict) -> Document:
    """An invoice is made as a draft (and converted once its totals agree)."""
    made = DocumentKind.DRAFT if kind is DocumentKind.INVOICE else kind
    return Document.from_api(made, client.post(KINDS[made][0], body))


def replace(client: EAccountingClient, document: Document, body: dict) -> Document:
    """PUT the document again (open orders and drafts only), e.g. with prices on the other VAT basis."""
    return Document.from_api(document.kind, client.put(f"{KINDS[document.kind][0]}/{document.id}", body))


def convert_draft(client: EAccountingClient, draft_id: str) -> Document:
    """The draft becomes a booked invoice (dated as the draft: the order's date, not today)."""
    data = client.post(
        f"/customerinvoicedrafts/{draft_id}/convert", None, params={"keepOriginalDraftDate": "true"}
    )
    return Document.from_api(DocumentKind.INVOICE, data)


def convert_order(client: EAccountingClient, order_id: str) -> Document:
    """The sales order becomes an invoice (eAccounting counts the stock down); not sent by Silta."""
    return Document.from_api(DocumentKind.INVOICE, client.post(f"/orders/{order_id}/convert", None))


def get(client: EAccountingClient, kind: DocumentKind, document_id: str) -> Document:
    return Document.from_api(kind, client.get(f"{KINDS[kind][0]}/{document_id}"))


def delete(client: EAccountingClient, kind: DocumentKind, document_id: str) -> bool:
    """Remove an open sales order or a draft (releasing a reservation); False when it was gone already."""
    try:
        client.delete(f"{KINDS[kind][0]}/{document_id}")
    except NotFound:
        return False
    return True


def void_invoice(client: EAccountingClient, invoice_id: str) -> None:
    """eAccounting credits the invoice in full (a credit invoice) and puts the stock back."""
    client.post(f"/customerinvoices/{invoice_id}/void", None, params={"updateStock": "true"})


def credited_by(invoice: Document) -> str:
    """The id of the credit invoice that credits `invoice`, or ""."""
    credits = read_field(invoice.raw, "CreditedBy") or []
    return next((read_field(c, "CreditInvoiceId") or "" for c in credits), "")


def register_payment(client: EAccountingClient, invoice_id: str, body: dict) -> dict:
    return client.post(f"/customerinvoices/{invoice_id}/payments", body)


def remaining(invoice: Document) -> Decimal:
    return _decimal(read_field(invoice.raw, "RemainingAmount"))


def create_invoice(client: EAccountingClient, body: dict) -> Document:
    """A booked invoice directly (here: credit invoices for refunds)."""
    return Document.from_api(DocumentKind.INVOICE, client.post("/customerinvoices", body))


def find_by_reference(
    client: EAccountingClient, kind: DocumentKind, reference: str, created_after: datetime
) -> list[Document]:
    """Documents of `kind` carrying our reference, created after `created_after` (minus some slack)."""
    path = KINDS[kind][0]
    try:
        items = list(client.listing(path, filter=f"YourReference eq {odata_string(reference)}", orderby=None))
    except QueryRejected:
        since = odata_datetime(created_after - LOOKUP_SLACK)
        items = [
            i
            for i in client.listing(path, filter=f"CreatedUtc gt {since}")
            if read_field(i, "YourReference") == reference
        ]
    return [Document.from_api(kind, i) for i in items]


# --- customers -------------------------------------------------------------------
def create_customer(client: EAccountingClient, body: dict) -> dict:
    return client.post("/customers", body)


def find_customers(client: EAccountingClient, field: str, value: str) -> list[dict]:
    return client.find("/customers", field, value)


def customers_changed_since(client: EAccountingClient, since: datetime | None):
    return client.changed_since("/customers", since, orderby="CustomerNumber")  # customers have no CreatedUtc
