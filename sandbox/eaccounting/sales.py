"""Sales documents: orders, invoice drafts, invoices (credit, payments, void), webshop orders; stock effects."""

from collections import defaultdict
from datetime import timedelta

from . import schemas
from .amounts import D, money, qty, round2, vat_fraction, vat_out
from .articles import move_stock
from .customers import get_customer, save_customer
from .http import ApiError, not_found, validation_error
from .state import fmt_dt, new_id

ROW_SCHEMA = {
    "order": "OrderRowApi",
    "draft": "CustomerInvoiceDraftRowApi",
    "invoice": "CustomerInvoiceRowApi",
}
DOC_SCHEMA = {"order": "OrderApi", "draft": "CustomerInvoiceDraftApi", "invoice": "CustomerInvoiceApi"}
ADDRESS = ("InvoiceAddress1", "InvoiceAddress2", "InvoicePostalCode", "InvoiceCity", "InvoiceCountryCode")
NAME_CODE = {"DeliveryMethodId": ("DeliveryMethodName", "DeliveryMethodCode")}
EU = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())


def _pick(schema, data):
    ps = schemas.props(schema)
    return {k: v for k, v in data.items() if k in ps}


def _day(value, state):
    """An input date(-time) as an RFC 3339 midnight-or-time UTC string; default today."""
    d = schemas.parse_datetime(value) if value else None
    if d is None:
        d = state.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return fmt_dt(d)


# -- rows and totals -------------------------------------------------------------------------------
def calc_rows(state, company, rows_in, includes_vat, kind, credit=False, zero_rated=False):
    rows, errors = [], []
    totals = {"net": D(0), "vat": D(0), "by_rate": defaultdict(lambda: [D(0), D(0)])}
    for i, r in enumerate(rows_in or []):
        field = f"Rows[{i}]"
        text_row = bool(r.get("IsTextRow")) if kind != "invoice" else not r.get("ArticleId")
        art = None
        if not text_row:
            if r.get("ArticleId"):
                art = company.articles.get(r["ArticleId"])
            elif r.get("ArticleNumber") and kind != "invoice":
                art = company.find_article_by_number(r["ArticleNumber"])
            if art is None:
                errors.append(
                    {
                        "Field": field + ".ArticleId",
                        "ErrorCode": "InvalidValue",
                        "Message": "The article does not exist.",
                    }
                )
                continue
        g = {
            "Id": new_id(),
            "LineNumber": r.get("LineNumber", i) if kind != "invoice" else i,
            "IsTextRow": text_row,
            "Text": r.get("Text"),
            "IsDiscountInFixedAmount": False,
            "DiscountFixedAmount": None,
            "WorkCostType": r.get("WorkCostType", 0),
            "IsWorkCost": bool(r.get("IsWorkCost")),
            "WorkHours": r.get("WorkHours"),
            "MaterialCosts": r.get("MaterialCosts"),
            "EligibleForReverseChargeOnVat": bool(r.get("EligibleForReverseChargeOnVat")),
            "ReversedConstructionServicesVatFree": bool(r.get("ReversedConstructionServicesVatFree")),
            "IsVatFree": bool(r.get("IsVatFree")),
            "ProjectId": r.get("ProjectId"),
            "CostCenterItemId1": r.get("CostCenterItemId1"),
            "CostCenterItemId2": r.get("CostCenterItemId2"),
            "CostCenterItemId3": r.get("CostCenterItemId3"),
            "GreenTechnologyType": r.get("GreenTechnologyType", 0),
            "DeliveredQuantity": r.get("DeliveredQuantity", 0.0),
            "DiscountPercentage": r.get("DiscountPercentage", 0.0),
        }
        if text_row:
            g.update(
                {
                    "ArticleId": None,
                    "ArticleNumber": None,
                    "IsServiceArticle": False,
                    "UnitId": None,
                    "UnitPrice": 0.0,
                    "Quantity": 0.0,
                    "Amount": 0.0,
                    "AmountNoVat": 0.0,
                    "PercentVat": 0.0,
                    "VatRate": None,
                    "PurchasePrice": 0.0,
                    "FreightCosts": 0.0,
                    "Text": r.get("Text") or "",
                }
            )
            rows.append(_pick(ROW_SCHEMA[kind], g))
            continue
        coding, unit = company.codings[art["CodingId"]], company.units[art["UnitId"]]
        vat_free = g["IsVatFree"] or zero_rated
        f = D(0) if vat_free else vat_fraction(coding)
        price = r.get("UnitPrice")
        if price is None:
            price = art["GrossPrice"] if includes_vat else art["NetPrice"]
        q = D(r.get("Quantity", 1))
        if credit and q > 0:
            q = -q
        amount = round2(q * D(price) * (1 - D(g["DiscountPercentage"])))
        if includes_vat:
            net = round2(amount / (1 + f))
            vat = amount - net
        else:
            net, vat = amount, round2(amount * f)
        percent = D(0) if vat_free else D(coding["_vat"])
        totals["net"] += net
        totals["vat"] += vat
        totals["by_rate"][percent][0] += net
        totals["by_rate"][percent][1] += vat
        margin = net - round2(q * D(art["PurchasePrice"]))
        g.update(
            {
                "ArticleId": art["Id"],
                "ArticleNumber": art["Number"],
                "IsServiceArticle": art["IsServiceArticle"],
                "UnitId": unit["Id"],
                "UnitName": unit["Name"],
                "UnitAbbreviation": unit["Abbreviation"],
                "UnitAbbreviationEnglish": unit["AbbreviationEnglish"],
                "Text": r.get("Text") or art["Name"],
                "UnitPrice": money(price),
                "Quantity": qty(q),
                "Amount": float(amount),
                "AmountNoVat": float(net),
                "PercentVat": vat_out(state, company, percent),
                "VatRate": vat_out(state, company, percent),
                "VatRateId": coding["VatRate"],
                "PurchasePrice": art["PurchasePrice"],
                "FreightCosts": art["FreightCosts"],
                "_stock": float(q) if art["IsStock"] else 0.0,
                "ContributionMargin": {
                    "Amount": float(margin),
                    "Percentage": float(round2(margin / net * 100)) if net else None,
                },
            }
        )
        row = _pick(ROW_SCHEMA[kind], g)
        row["_stock"] = g["_stock"]
        rows.append(row)
    if errors:
        raise validation_error(errors)
    return rows, totals


def zero_rated(company, customer):
    """The sandbox's VAT rule for foreign customers (the spec is silent; see README): an EU company
    with a VAT number in another member state is reverse charged, a customer outside the EU is
    exported to (unless ForceBookkeepVat); both at 0 %. Consumers in the EU pay the home rate."""
    home = company.settings.get("CountryCode") or "FI"
    country = (customer.get("InvoiceCountryCode") or home).upper()
    if country == home:
        return False
    if country in EU:
        return not customer["IsPrivatePerson"] and bool(customer.get("VatNumber"))
    return not customer.get("ForceBookkeepVat")


def _apply_customer(state, company, doc, data, kind):
    customer = company.customers.get(data.get("CustomerId"))
    if customer is None:
        raise validation_error(
            [{"Field": "CustomerId", "ErrorCode": "InvalidValue", "Message": "The customer does not exist."}]
        )
    includes_vat = customer["IsPrivatePerson"] and bool(state.setting("private_prices_include_vat", company))
    doc.update(
        {
            "CustomerId": customer["Id"],
            "CustomerNumber": customer["CustomerNumber"],
            "CustomerName": customer["Name"],
            "CustomerIsPrivatePerson": customer["IsPrivatePerson"],
            "IncludesVat": includes_vat,
        }
    )
    doc["InvoiceCustomerName"] = data.get("InvoiceCustomerName") or customer["Name"]
    props = schemas.props(DOC_SCHEMA[kind])
    for k in ADDRESS:
        if not data.get(k) or props[k].get("readOnly"):
            doc[k] = customer.get(k)
    if not doc.get("TermsOfPaymentId"):
        doc["TermsOfPaymentId"] = customer["TermsOfPaymentId"]
    if kind == "invoice":
        doc["CustomerEmail"] = customer.get("EmailAddress")
        doc["ElectronicAddress"] = customer.get("ElectronicAddress")
    return customer, includes_vat


def _delivery_method(company, doc, data):
    dm = company.deliverymethods.get(data.get("DeliveryMethodId") or "")
    if dm:
        doc["DeliveryMethodName"], doc["DeliveryMethodCode"] = dm["Name"], dm["Code"]


# -- orders ------------------------------------------------------------------------------------------
def recompute_reservations(state, company):
    reserving = set(state.settings.get("reserving_order_statuses") or (1, 2, 3))
    before = dict(company.reserved)
    company.reserved.clear()
    for o in company.orders.values():
        if o["Status"] in reserving:
            for r in o.get("Rows") or []:
                if r.get("_stock"):
                    company.reserved[r["ArticleId"]] += r["_stock"]
    if state.setting("stock_bumps_changed_utc", company):
        now = state.now_str()
        for aid in set(before) | set(company.reserved):
            if before.get(aid, 0) != company.reserved.get(aid, 0) and aid in company.articles:
                company.articles[aid]["ChangedUtc"] = now


def get_doc(store, doc_id, what):
    d = store.get(doc_id)
    if d is None:
        raise not_found(what)
    return d


def save_order(state, company, body, existing=None):
    errors = schemas.validate("OrderApi", body)
    if errors:
        raise validation_error(errors)
    if existing is not None and existing["Status"] == 4:
        raise ApiError(400, 4002, "An invoiced order can not be updated.")
    if body["Status"] == 4:
        raise validation_error(
            [
                {
                    "Field": "Status",
                    "ErrorCode": "InvalidValue",
                    "Message": "Orders become Invoiced (4) only by conversion to an invoice.",
                }
            ]
        )
    data = schemas.writable("OrderApi", body)
    now = state.now_str()
    o = {
        "EuThirdParty": False,
        "ReverseChargeOnConstructionServices": False,
        "RotReducedInvoicingType": 0,
        "HouseWorkAmount": 0.0,
        "HouseWorkAutomaticDistribution": False,
        "UsesGreenTechnology": False,
        "SalesDocumentAttachments": [],
        "MessageThreads": [],
        "Notes": [],
        "Persons": [],
        "MaxAllowedTaxReductionAmount": 0.0,
        "RotReducedInvoicingPercent": 0.0,
        "DeliveryTermId": None,
        "DeliveryMethodId": None,
        "CreatedFromQuoteId": None,
        "BackgroundId": None,
        "ShippedDateTime": None,
    }
    o.update(data)
    o["OrderDate"] = _day(data.get("OrderDate"), state)
    customer, includes_vat = _apply_customer(state, company, o, data, "order")
    _delivery_method(company, o, data)
    rows, t = calc_rows(
        state, company, data.get("Rows"), includes_vat, "order", zero_rated=zero_rated(company, customer)
    )
    o["Rows"] = rows
    delivered = o["Status"] == 3
    o.update(
        {
            "Amount": float(t["net"]),
            "VatAmount": float(t["vat"]),
            "RoundingsAmount": 0.0,
            "DeliveredAmount": float(t["net"]) if delivered else 0.0,
            "DeliveredVatAmount": float(t["vat"]) if delivered else 0.0,
            "DeliveredRoundingsAmount": 0.0,
            "IsNotDelivered": not delivered,
            "ModifiedUtc": now,
            "ContributionMargin": {"Amount": None, "Percentage": None},
        }
    )
    if existing is None:
        o.update({"Id": new_id(), "CreatedUtc": now, "Number": company.next("order")})
        company.orders[o["Id"]] = o
    else:
        for k in ("Id", "CreatedUtc", "Number", "MessageThreads", "Notes", "SalesDocumentAttachments"):
            o[k] = existing[k]
        existing.clear()
        existing.update(o)
        o = existing
    recompute_reservations(state, company)
    return o


def set_order_status(state, company, order, to):
    allowed = {3: (1, 2), 2: (3,)}[to]
    if order["Status"] not in allowed:
        raise ApiError(400, 4002, f"The order has status {order['Status']} and can not be set to {to}.")
    order["Status"] = to
    shipped = to == 3
    order["ShippedDateTime"] = state.now_str() if shipped else None
    order["IsNotDelivered"] = not shipped
    order["DeliveredAmount"] = order["Amount"] if shipped else 0.0
    order["DeliveredVatAmount"] = order["VatAmount"] if shipped else 0.0
    for r in order.get("Rows") or []:
        if "DeliveredQuantity" in r:
            r["DeliveredQuantity"] = r.get("Quantity", 0.0) if shipped else 0.0
    order["ModifiedUtc"] = state.now_str()
    recompute_reservations(state, company)
    return order


def delete_order(state, company, order_id):
    o = get_doc(company.orders, order_id, "Order")
    if o["Status"] in (3, 4):
        raise ApiError(400, 4001, "A shipped or invoiced order can not be deleted.")
    del company.orders[order_id]
    recompute_reservations(state, company)


def _rows_for_invoice(rows):
    out = []
    for r in rows or []:
        if r.get("IsTextRow") or not r.get("ArticleId"):
            out.append({"Text": r.get("Text")})
        else:
            out.append(
                {k: r.get(k) for k in ("ArticleId", "Text", "UnitPrice", "Quantity", "DiscountPercentage")}
            )
    return out


def convert_order(state, company, order):
    if order["Status"] == 4:
        raise ApiError(400, 4002, "The order is already invoiced.")
    body = {
        k: order.get(k)
        for k in (
            "CustomerId",
            "EuThirdParty",
            "RotReducedInvoicingType",
            "YourReference",
            "OurReference",
            "BuyersOrderReference",
            "TermsOfPaymentId",
            "DeliveryDate",
            "DeliveryCustomerName",
            "DeliveryAddress1",
            "DeliveryAddress2",
            "DeliveryPostalCode",
            "DeliveryCity",
            "DeliveryCountryCode",
        )
        + ADDRESS
    }
    body["Rows"] = _rows_for_invoice(order["Rows"])
    inv = create_invoice(state, company, body, extra={"CreatedFromOrderId": order["Id"]})
    order["Status"] = 4
    order["ModifiedUtc"] = state.now_str()
    recompute_reservations(state, company)
    return inv


# -- drafts ------------------------------------------------------------------------------------------
def save_draft(state, company, body, existing=None):
    errors = schemas.validate("CustomerInvoiceDraftApi", body)
    if errors:
        raise validation_error(errors)
    data = schemas.writable("CustomerInvoiceDraftApi", body)
    d = {
        "IsCreditInvoice": False,
        "RotReducedInvoicingAmount": 0.0,
        "RotReducedInvoicingAutomaticDistribution": False,
        "Persons": [],
        "SalesDocumentAttachments": [],
        "MessageThreads": [],
        "Notes": [],
        "MaxAllowedTaxReductionAmount": 0.0,
        "ReverseChargeOnConstructionServices": False,
        "ReplaceUnitPriceWhenZero": False,
        "UsesGreenTechnology": False,
        "InvoiceCurrencyCode": "EUR",
    }
    d.update(data)
    for key in ("InvoiceDate", "DeliveryDate", "DueDate"):
        if data.get(key):
            d[key] = _day(data[key], state)
    customer, includes_vat = _apply_customer(state, company, d, data, "draft")
    _delivery_method(company, d, data)
    rows, t = calc_rows(
        state,
        company,
        data.get("Rows"),
        includes_vat,
        "draft",
        credit=d["IsCreditInvoice"],
        zero_rated=zero_rated(company, customer),
    )
    d["Rows"] = rows
    d.update(
        {
            "TotalAmount": float(t["net"]),
            "TotalVatAmount": float(t["vat"]),
            "TotalRoundings": 0.0,
            "TotalAmountBaseCurrency": float(t["net"]),
            "TotalVatAmountBaseCurrency": float(t["vat"]),
            "ContributionMargin": {"Amount": None, "Percentage": None},
        }
    )
    if existing is None:
        d.update({"Id": new_id(), "CreatedUtc": state.now_str()})
        company.drafts[d["Id"]] = d
        return d
    for k in ("Id", "CreatedUtc", "MessageThreads", "Notes", "SalesDocumentAttachments"):
        d[k] = existing[k]
    existing.clear()
    existing.update(d)
    return existing


def convert_draft(state, company, draft, keep_date=False):
    body = {
        k: draft.get(k)
        for k in (
            "CustomerId",
            "EuThirdParty",
            "RotReducedInvoicingType",
            "IsCreditInvoice",
            "YourReference",
            "OurReference",
            "BuyersOrderReference",
            "TermsOfPaymentId",
            "DueDate",
            "DeliveryDate",
            "InvoiceAddress1",
            "InvoiceAddress2",
            "DeliveryCustomerName",
            "DeliveryAddress1",
            "DeliveryAddress2",
            "DeliveryPostalCode",
            "DeliveryCity",
            "DeliveryCountryCode",
        )
    }
    if keep_date:
        body["InvoiceDate"] = draft.get("InvoiceDate")
    body["Rows"] = _rows_for_invoice(draft["Rows"])
    for r in body["Rows"]:
        if r.get("Quantity") is not None and draft["IsCreditInvoice"]:
            r["Quantity"] = abs(r["Quantity"])
    inv = create_invoice(state, company, body, extra={"CreatedFromDraftId": draft["Id"]})
    del company.drafts[draft["Id"]]
    return inv


# -- invoices ----------------------------------------------------------------------------------------
def reference_number(n):
    base = str(n)
    weights = (7, 3, 1)
    s = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(base)))
    return base + str((10 - s % 10) % 10)


def _check_lock(state, company, date_str, code, what):
    locked = state.setting("accounting_locked_to", company)
    if locked and date_str and date_str[:10] <= str(locked)[:10]:
        raise ApiError(
            400,
            code,
            f"The {what} date {date_str[:10]} is in a locked accounting period (locked to {str(locked)[:10]}).",
        )


def create_invoice(state, company, body, extra=None, paid=False):
    errors = schemas.validate("CustomerInvoiceApi", body)
    if errors:
        raise validation_error(errors)
    data = schemas.writable("CustomerInvoiceApi", body)
    now = state.now_str()
    inv = {
        "IsCreditInvoice": False,
        "CurrencyRate": None,
        "CreatedByUserId": None,
        "SetOffAmountInvoiceCurrency": 0.0,
        "MaxAllowedTaxReductionAmount": 0.0,
        "RotReducedInvoicingPercent": 0.0,
        "Persons": [],
        "RotReducedInvoicingAutomaticDistribution": False,
        "SalesDocumentAttachments": [],
        "MessageThreads": [],
        "Notes": [],
        "HasAutoInvoiceError": False,
        "IsNotDelivered": False,
        "ReverseChargeOnConstructionServices": False,
        "ReferringInvoiceId": None,
        "CreatedFromOrderId": None,
        "CreatedFromQuoteId": None,
        "CreatedFromDraftId": None,
        "ReversedConstructionVatInvoicing": False,
        "SendType": 0,
        "PaymentReminderIssued": False,
        "PaymentRemindersCount": 0,
        "LastPaymentReminderSentDate": None,
        "UsesGreenTechnology": False,
        "IsSold": False,
        "FactoringInvoiceStatus": 0,
        "PaymentDate": None,
        "CreditedBy": [],
        "IsQuickInvoice": False,
        "IsCollectiveInvoice": False,
        "CollectiveCustomerInvoiceRowsRelationToOrders": [],
        "ReplaceUnitPriceWhenZero": False,
        "TaxDeductionStatus": 0,
        "CurrencyCode": "EUR",
    }
    inv.update(data)
    inv.update(extra or {})
    inv["InvoiceDate"] = _day(data.get("InvoiceDate"), state)
    _check_lock(state, company, inv["InvoiceDate"], 4013, "invoice")
    customer, includes_vat = _apply_customer(state, company, inv, data, "invoice")
    terms = company.terms.get(inv["TermsOfPaymentId"])
    if terms is None:
        raise validation_error(
            [
                {
                    "Field": "TermsOfPaymentId",
                    "ErrorCode": "InvalidValue",
                    "Message": "Unknown terms of payment.",
                }
            ]
        )
    if not data.get("DueDate"):
        inv["DueDate"] = fmt_dt(
            schemas.parse_datetime(inv["InvoiceDate"]) + timedelta(days=terms["NumberOfDays"])
        )
    else:
        inv["DueDate"] = _day(data["DueDate"], state)
    if inv.get("DeliveryDate"):
        inv["DeliveryDate"] = _day(inv["DeliveryDate"], state)
    rows, t = calc_rows(
        state,
        company,
        data.get("Rows"),
        includes_vat,
        "invoice",
        credit=inv["IsCreditInvoice"],
        zero_rated=zero_rated(company, customer),
    )
    total = t["net"] + t["vat"]
    number = company.next("invoice")
    inv.update(
        {
            "Id": new_id(),
            "Rows": rows,
            "TotalAmount": float(t["net"]),
            "TotalVatAmount": float(t["vat"]),
            "TotalRoundings": 0.0,
            "TotalAmountInvoiceCurrency": float(t["net"]),
            "TotalVatAmountInvoiceCurrency": float(t["vat"]),
            "VatSpecification": [
                {
                    "AmountInvoiceCurrency": float(n),
                    "VatAmountInvoiceCurrency": float(v),
                    "VatPercent": vat_out(state, company, p),
                }
                for p, (n, v) in sorted(t["by_rate"].items())
            ],
            "InvoiceNumber": number,
            "PaymentReferenceNumber": reference_number(number),
            "VoucherNumber": f"M {company.next('voucher')}",
            "VoucherId": new_id(),
            "RemainingAmount": 0.0 if paid else float(total),
            "RemainingAmountInvoiceCurrency": 0.0 if paid else float(total),
            "PaymentStatus": 0 if paid or total == 0 else 1,
            "PaymentDate": now if paid else None,
            "CreatedUtc": now,
            "ModifiedUtc": now,
            "ContributionMargin": {"Amount": None, "Percentage": None},
            "_total": float(total),
        }
    )
    company.invoices[inv["Id"]] = inv
    for r in rows:
        if r.get("_stock"):
            move_stock(state, company, r["ArticleId"], -D(r["_stock"]))
    return inv


def invoice_view(state, company, inv):
    out = dict(inv)
    if out["PaymentStatus"] == 1 and out.get("DueDate") and out["DueDate"] < state.now_str()[:10]:
        out["PaymentStatus"] = 2
    return schemas.emit("CustomerInvoiceApi", out)


def add_payment(state, company, inv, body):
    errors = schemas.validate("InvoicePaymentApi", body)
    if errors:
        raise validation_error(errors)
    data = schemas.writable("InvoicePaymentApi", body)
    data["PaymentDate"] = _day(data.get("PaymentDate"), state)
    _check_lock(state, company, data["PaymentDate"], 4026, "payment")
    if inv["CreditedBy"]:
        raise ApiError(400, 4002, "The invoice has been credited.")
    remaining = D(inv["RemainingAmount"]) - D(data["PaymentAmount"])
    inv["RemainingAmount"] = inv["RemainingAmountInvoiceCurrency"] = money(remaining)
    if remaining <= 0 or data.get("PaymentType") == 2:
        inv["PaymentStatus"], inv["PaymentDate"] = 0, data["PaymentDate"]
    inv["ModifiedUtc"] = state.now_str()
    payment = {
        "CompanyBankAccountId": data["CompanyBankAccountId"],
        "PaymentDate": data["PaymentDate"],
        "Reference": data.get("Reference"),
        "PaymentAmount": money(data["PaymentAmount"]),
        "PaymentCurrency": data["PaymentCurrency"],
        "DomesticPaymentAmount": money(data.get("DomesticPaymentAmount", data["PaymentAmount"])),
        "BankFeeAmount": money(data.get("BankFeeAmount", 0)),
        "PaymentType": data["PaymentType"],
        "FactoringFeeAmount": money(data.get("FactoringFeeAmount", 0)),
        "FactoringFeeAccountNumber": data.get("FactoringFeeAccountNumber", 0),
        "BankTransactionId": new_id(),
    }
    company.payments[payment["BankTransactionId"]] = dict(payment, _invoice=inv["Id"])
    return payment


def void_invoice(state, company, inv, update_stock=False):
    if (
        D(inv["RemainingAmount"]) != D(inv["_total"])
        or inv["CreditedBy"]
        or inv["ReferringInvoiceId"]
        or inv["IsQuickInvoice"]
        or inv["IsSold"]
    ):
        raise ApiError(400, 4002, "The invoice has payments or credit relationships and can not be voided.")
    _check_lock(state, company, state.now_str(), 4013, "void")
    credit = dict(inv)
    now = state.now_str()
    credit.update(
        {
            "Id": new_id(),
            "IsCreditInvoice": True,
            "ReferringInvoiceId": inv["Id"],
            "CreditedBy": [],
            "InvoiceNumber": company.next("invoice"),
            "VoucherId": new_id(),
            "CreatedUtc": now,
            "ModifiedUtc": now,
            "RemainingAmount": 0.0,
            "RemainingAmountInvoiceCurrency": 0.0,
            "PaymentStatus": 0,
            "PaymentDate": now,
            "_total": -inv["_total"],
        }
    )
    credit["PaymentReferenceNumber"] = reference_number(credit["InvoiceNumber"])
    credit["VoucherNumber"] = f"M {company.next('voucher')}"
    credit["Rows"] = [
        dict(
            r,
            Id=new_id(),
            Quantity=-r.get("Quantity", 0.0),
            Amount=-r.get("Amount", 0.0),
            AmountNoVat=-r.get("AmountNoVat", 0.0),
        )
        for r in inv["Rows"]
    ]
    for k in ("TotalAmount", "TotalVatAmount", "TotalAmountInvoiceCurrency", "TotalVatAmountInvoiceCurrency"):
        credit[k] = -inv[k]
    credit["VatSpecification"] = [
        {k: (-v if k != "VatPercent" else v) for k, v in s.items()} for s in inv["VatSpecification"]
    ]
    company.invoices[credit["Id"]] = credit
    inv.update(
        {
            "CreditedBy": [{"CreditInvoiceId": credit["Id"]}],
            "RemainingAmount": 0.0,
            "RemainingAmountInvoiceCurrency": 0.0,
            "PaymentStatus": 0,
            "ModifiedUtc": now,
        }
    )
    if update_stock:
        for r in inv["Rows"]:
            if r.get("_stock"):
                move_stock(state, company, r["ArticleId"], D(r["_stock"]))
    return credit


# -- webshop orders ------------------------------------------------------------------------------------
def make_webshop_order(state, company, data, rng=None):
    rows, total = [], D(0)
    for r in data.get("Rows") or []:
        art = company.find_article_by_number(r.get("ArticleNumber"))
        if art is None:
            raise validation_error(
                [{"Field": "Rows.ArticleNumber", "ErrorCode": "InvalidValue", "Message": "Unknown article."}]
            )
        coding, unit = company.codings[art["CodingId"]], company.units[art["UnitId"]]
        q = D(r.get("Quantity", 1))
        price = D(r.get("PricePerUnitInvoiceCurrency", art["GrossPrice"]))
        s = round2(q * price)
        total += s
        rows.append(
            {
                "Id": new_id(rng),
                "ArticleName": art["Name"],
                "ArticleNumber": art["Number"],
                "PricePerUnitInvoiceCurrency": float(price),
                "Quantity": float(q),
                "UnitAbbreviation": unit["Abbreviation"],
                "Sum": float(s),
                "PercentVat": vat_out(state, company, coding["_vat"]),
            }
        )
    # numbered in order of arrival: converted orders may leave the list, their numbers are not reused
    company.webshop_order_seq = n = getattr(company, "webshop_order_seq", 5000) + 1
    w = {
        "Id": new_id(rng),
        "BaseCurrencyCode": "EUR",
        "Name": data.get("Name", "Verkkokauppa-asiakas"),
        "Number": str(n),
        "OrderCurrencyCode": "EUR",
        "OrderDate": data.get("OrderDate") or state.now_str(),
        "OrderNumber": data.get("OrderNumber", f"WS-{n}"),
        "Note": data.get("Note"),
        "TotalAmountBaseCurrency": float(total),
        "TotalAmountOrderCurrency": float(total),
        "CustomerIsPrivatePerson": data.get("CustomerIsPrivatePerson", True),
        "Rows": rows,
        "CustomerAddress1": data.get("CustomerAddress1", "Kauppakatu 1"),
        "CustomerAddress2": None,
        "CustomerPostalCode": data.get("CustomerPostalCode", "00100"),
        "CustomerCity": data.get("CustomerCity", "Helsinki"),
        "CustomerCountry": "Finland",
        "CustomerCountryCode": "FI",
        "CustomerVatNo": None,
        "CorporateIdentityNumber": data.get("CorporateIdentityNumber"),
        "EmailAddress": data.get("EmailAddress"),
        "Telephone": None,
        "ContactPersonMobile": None,
        "MessageThreads": [],
        "Notes": [],
    }
    company.webshoporders[w["Id"]] = w
    return w


def convert_webshop_order(state, company, w, by_hand=False):
    """A webshop order into a paid invoice, e-mailed to the customer (the spec's words on convert).

    Nothing documented links the invoice back to the order, so none of its fields carries the
    order's number or id. What becomes of the order is the `webshop_converted_orders` setting."""
    rows = []
    for i, r in enumerate(w["Rows"] or []):
        art = company.find_article_by_number(r["ArticleNumber"])
        if art is None:
            raise validation_error(
                [
                    {
                        "Field": f"Rows[{i}].ArticleNumber",
                        "ErrorCode": "InvalidValue",
                        "Message": f"The article '{r['ArticleNumber']}' does not exist.",
                    }
                ]
            )
        rows.append(
            {"ArticleId": art["Id"], "Quantity": r["Quantity"], "UnitPrice": r["PricePerUnitInvoiceCurrency"]}
        )
    customer = next(
        (
            c
            for c in company.customers.values()
            if w.get("EmailAddress") and c.get("EmailAddress") == w["EmailAddress"]
        ),
        None,
    )
    if customer is None:
        customer = save_customer(
            state,
            company,
            {
                "Name": (w["Name"] or "Verkkokauppa-asiakas")[:50],
                "IsPrivatePerson": w["CustomerIsPrivatePerson"],
                "IsActive": True,
                "InvoiceCity": w["CustomerCity"] or "-",
                "InvoicePostalCode": w["CustomerPostalCode"] or "-",
                "InvoiceAddress1": w["CustomerAddress1"],
                "EmailAddress": w["EmailAddress"],
                "TermsOfPaymentId": next(iter(company.terms)),
            },
        )
    inv = create_invoice(
        state,
        company,
        {
            "CustomerId": customer["Id"],
            "EuThirdParty": False,
            "RotReducedInvoicingType": 0,
            "Rows": rows,
            "InvoiceDate": state.now_str()[:10],
        },
        paid=True,
    )
    # The receipt goes to the buyer named on the order, whatever the matched customer record says.
    inv["CustomerName"] = inv["InvoiceCustomerName"] = w["Name"] or customer["Name"]
    inv["CustomerEmail"] = w["EmailAddress"]
    if w["EmailAddress"]:
        state.counters["webshop"]["receipts e-mailed"] += 1
    if by_hand:
        state.counters["webshop"]["orders converted by hand"] += 1
    if state.setting("webshop_converted_orders", company) == "removed":
        del company.webshoporders[w["Id"]]
    return inv


def customer_of(company, doc):
    return get_customer(company, doc["CustomerId"])
