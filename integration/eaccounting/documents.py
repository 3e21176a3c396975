"""Sales documents and customers in eAccounting: create, find by our reference, convert.

eAccounting has no idempotency keys, so a create whose answer was lost is followed by a
lookup (`find_by_reference`) before anything is created again. Filtering on `YourReference`
is not documented as supported (docs/eaccounting-unknowns.md, *Filters*); when eAccounting refuses it, recent
documents are read by creation time and matched on the reference here.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from .client import EAccountingClient, odata_datetime, odata_string
from .errors import NotFound, QueryRejected
from .resources import _decimal, _get

# kind -> (path, net total field, VAT field, number field)
KINDS = {
    "order": ("/orders", "Amount", "VatAmount", "Number"),
    "draft": ("/customerinvoicedrafts", "TotalAmount", "TotalVatAmount", None),
    "invoice": ("/customerinvoices", "TotalAmount", "TotalVatAmount", "InvoiceNumber"),
}
LOOKUP_SLACK = timedelta(minutes=10)


@dataclass
class Document:
    kind: str
    id: str
    number: str
    net: Decimal
    vat: Decimal
    includes_vat: bool
    your_reference: str
    customer_id: str
    raw: dict

    @property
    def total(self) -> Decimal:
        return self.net + self.vat

    @classmethod
    def from_api(cls, kind: str, data: dict) -> "Document":
        _, net, vat, number = KINDS[kind]
        return cls(
            kind=kind, id=_get(data, "Id"), number=str(_get(data, number) or "") if number else "",
            net=_decimal(_get(data, net)), vat=_decimal(_get(data, vat)),
            includes_vat=bool(_get(data, "IncludesVat")), your_reference=_get(data, "YourReference") or "",
            customer_id=_get(data, "CustomerId") or "", raw=data,
        )


def create(client: EAccountingClient, kind: str, body: dict) -> Document:
    path = KINDS["draft" if kind == "invoice" else kind][0]
    return Document.from_api("draft" if kind == "invoice" else kind, client.post(path, body))


def replace(client: EAccountingClient, document: Document, body: dict) -> Document:
    """PUT the document again (open orders and drafts only), e.g. with prices on the other VAT basis."""
    return Document.from_api(document.kind, client.put(f"{KINDS[document.kind][0]}/{document.id}", body))


def convert_draft(client: EAccountingClient, draft_id: str) -> Document:
    """The draft becomes a booked invoice (dated as the draft: the order's date, not today)."""
    data = client.post(f"/customerinvoicedrafts/{draft_id}/convert", None,
                       params={"keepOriginalDraftDate": "true"})
    return Document.from_api("invoice", data)


def convert_order(client: EAccountingClient, order_id: str) -> Document:
    """The sales order becomes an invoice (eAccounting counts the stock down); not sent by Silta."""
    return Document.from_api("invoice", client.post(f"/orders/{order_id}/convert", None))


def get(client: EAccountingClient, kind: str, document_id: str) -> Document:
    return Document.from_api(kind, client.get(f"{KINDS[kind][0]}/{document_id}"))


def delete(client: EAccountingClient, kind: str, document_id: str) -> bool:
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
    credits = _get(invoice.raw, "CreditedBy") or []
    return next((_get(c, "CreditInvoiceId") or "" for c in credits), "")


def register_payment(client: EAccountingClient, invoice_id: str, body: dict) -> dict:
    return client.post(f"/customerinvoices/{invoice_id}/payments", body)


def remaining(invoice: Document) -> Decimal:
    return _decimal(_get(invoice.raw, "RemainingAmount"))


def create_invoice(client: EAccountingClient, body: dict) -> Document:
    """A booked invoice directly (here: credit invoices for refunds)."""
    return Document.from_api("invoice", client.post("/customerinvoices", body))


def find_by_reference(client: EAccountingClient, kind: str, reference: str, created_after: datetime) -> list[Document]:
    """Documents of `kind` carrying our reference, created after `created_after` (minus some slack)."""
    path = KINDS[kind][0]
    try:
        items = list(client.listing(path, filter=f"YourReference eq {odata_string(reference)}", orderby=None))
    except QueryRejected:
        since = odata_datetime(created_after - LOOKUP_SLACK)
        items = [i for i in client.listing(path, filter=f"CreatedUtc gt {since}") if _get(i, "YourReference") == reference]
    return [Document.from_api(kind, i) for i in items]


# --- customers -------------------------------------------------------------------
def create_customer(client: EAccountingClient, body: dict) -> dict:
    return client.post("/customers", body)


def find_customers(client: EAccountingClient, field: str, value: str) -> list[dict]:
    return client.find("/customers", field, value)


def customers_changed_since(client: EAccountingClient, since: datetime | None):
    return client.changed_since("/customers", since, orderby="CustomerNumber")  # customers have no CreatedUtc
