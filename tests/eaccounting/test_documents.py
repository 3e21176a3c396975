"""eAccounting's sales documents read into typed states (pure: no network)."""

from decimal import Decimal

from integration.eaccounting.documents import Document, DocumentKind, OrderStatus, is_credit_invoice
from integration.eaccounting.resources import read_field


def test_fields_are_read_case_insensitively():
    assert read_field({"isCreditInvoice": True}, "IsCreditInvoice") is True
    assert read_field({}, "Status", 0) == 0


def test_an_order_still_open_may_be_changed_and_a_shipped_one_not():
    for status, open_ in ((1, True), (2, True), (3, False), (4, False), (None, False), (9, False)):
        order = Document.from_api(
            DocumentKind.ORDER, {"Id": "o", "Number": "7", "Amount": 10, "VatAmount": 2.55, "Status": status}
        )
        assert order.is_open_order is open_
        assert order.order_status == (OrderStatus(status) if status in (1, 2, 3, 4) else None)
    assert Document.from_api(DocumentKind.ORDER, {"Id": "o", "Status": 2}).total == Decimal(0)


def test_a_credit_invoice_is_told_apart():
    credit = Document.from_api(
        DocumentKind.INVOICE,
        {
            "Id": "c",
            "InvoiceNumber": 12,
            "TotalAmount": -10,
            "TotalVatAmount": -2.55,
            "IsCreditInvoice": True,
        },
    )
    assert credit.is_credit and credit.number == "12" and credit.total == Decimal("-12.55")
    assert not credit.is_open_order  # an invoice is never an open order
    assert not is_credit_invoice({"IsCreditInvoice": False}) and not is_credit_invoice({})


def test_kinds_are_the_stored_strings_with_words_for_people():
    assert DocumentKind("draft") is DocumentKind.DRAFT and DocumentKind.ORDER == "order"
    assert DocumentKind.words_for("order") == "sales order" and DocumentKind.words_for("") == ""


def test_the_order_transfers_document_choices_are_the_document_kinds():
    from integration.eaccounting.documents import DocumentKind
    from integration.models.orders import DOCUMENT_KINDS

    assert [value for value, _words in DOCUMENT_KINDS] == [k.value for k in DocumentKind]
