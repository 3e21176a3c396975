"""Customers: create, full-replace, delete, view."""

from . import schemas
from .amounts import D, money
from .http import ApiError, not_found, validation_error
from .state import new_id

NULLABLE = (
    "GLN",
    "EmailAddressOrder",
    "EmailAddressQuote",
    "PayToAccountId",
    "LastInvoiceDate",
    "TaxDeductionNumber",
    "PropertyType",
    "PropertyReference",
    "Iban",
    "IsDirectDebitEnabled",
    "DiscountAgreementId",
    "CustomerNumber",
    "CorporateIdentityNumber",
    "ContactPersonEmail",
    "ContactPersonMobile",
    "ContactPersonName",
    "ContactPersonPhone",
    "CurrencyCode",
    "EmailAddress",
    "InvoiceAddress1",
    "InvoiceAddress2",
    "InvoiceCountryCode",
    "DeliveryAddress1",
    "DeliveryAddress2",
    "DeliveryCity",
    "DeliveryCountryCode",
    "DeliveryPostalCode",
    "DeliveryCustomerName",
    "DeliveryMethodId",
    "DeliveryTermId",
    "Note",
    "WebshopCustomerNumber",
    "MobilePhone",
    "Telephone",
    "VatNumber",
    "WwwAddress",
    "IsNorthernIreland",
    "EdiGlnNumber",
    "SalesDocumentLanguage",
    "ElectronicAddress",
    "ElectronicReference",
    "EdiServiceDelivererId",
    "AutoInvoiceActivationEmailSentDate",
    "AutoInvoiceRegistrationRequestSentDate",
    "SalesPriceListId",
)


def customer_defaults():
    c = {k: None for k in NULLABLE}
    c.update(
        {
            "CustomerLabels": [],
            "MessageThreads": [],
            "Notes": [],
            "IsFutureInvoiceDateAllowed": False,
            "ReverseChargeOnConstructionServices": False,
            "DiscountPercentage": 0.0,
            "ForceBookkeepVat": False,
            "EmailAddresses": [],
            "DeliveryBasedVat": False,
            "CurrencyCode": "EUR",
            "InvoiceCountryCode": "FI",
        }
    )
    return c


def get_customer(company, customer_id):
    c = company.customers.get(customer_id)
    if c is None:
        raise not_found("Customer")
    return c


def customer_view(state, company, c):
    out = dict(c)
    unpaid = sum(
        (D(i["RemainingAmount"]) for i in company.invoices.values() if i["CustomerId"] == c["Id"]), D(0)
    )
    out["UnpaidInvoicesAmount"] = money(unpaid)
    dates = [
        i["InvoiceDate"] for i in company.invoices.values() if i["CustomerId"] == c["Id"] and i["InvoiceDate"]
    ]
    out["LastInvoiceDate"] = max(dates) if dates else None
    return schemas.emit("CustomerApi", out)


def save_customer(state, company, body, existing=None):
    errors = schemas.validate("CustomerApi", body)
    if errors:
        raise validation_error(errors)
    terms = company.terms.get(body["TermsOfPaymentId"])
    if terms is None:
        raise validation_error(
            [
                {
                    "Field": "TermsOfPaymentId",
                    "ErrorCode": "InvalidValue",
                    "Message": "The terms of payment do not exist.",
                }
            ]
        )
    data = schemas.writable("CustomerApi", body)
    data.pop("TermsOfPayment", None)  # derived from TermsOfPaymentId
    number = data.get("CustomerNumber")
    if number:
        for other in company.customers.values():
            if other["CustomerNumber"] == number and (existing is None or other["Id"] != existing["Id"]):
                raise ApiError(
                    400,
                    4000,
                    f"A customer with number '{number}' already exists.",
                    [
                        {
                            "Field": "CustomerNumber",
                            "ErrorCode": "Conflict",
                            "Message": "Customer number must be unique.",
                        }
                    ],
                )
    c = customer_defaults()
    c.update(data)
    if existing is None:
        c["Id"] = new_id()
        c["CustomerNumber"] = number or str(company.next("customer"))
    else:
        c["Id"], c["MessageThreads"], c["Notes"] = (
            existing["Id"],
            existing["MessageThreads"],
            existing["Notes"],
        )
        c["CustomerNumber"] = number or existing["CustomerNumber"]
    c["TermsOfPayment"] = dict(terms)
    c["ChangedUtc"] = state.now_str()
    if existing is not None:
        existing.clear()
        existing.update(c)
        return existing
    company.customers[c["Id"]] = c
    return c


def delete_customer(state, company, customer_id):
    get_customer(company, customer_id)
    used = any(
        d["CustomerId"] == customer_id
        for kind in (company.invoices, company.orders, company.drafts)
        for d in kind.values()
    )
    if used:
        raise ApiError(
            400, 4001, "The customer has transactions and can not be deleted. Set IsActive to false instead."
        )
    del company.customers[customer_id]
