"""The /v2 API: every operation validated against Visma's OpenAPI document, listing, $filter, errors,
amounts and stock. Every /v2 response in this module passes through the contract validator."""

import uuid

import pytest

OPERATIONS = {
    ("GET", "/companysettings"),
    ("PUT", "/companysettings"),
    ("GET", "/units"),
    ("GET", "/units/{id}"),
    ("GET", "/articleaccountcodings"),
    ("GET", "/articleaccountcodings/{articleAccountCodingId}"),
    ("GET", "/vatcodes"),
    ("GET", "/vatcodes/{id}"),
    ("GET", "/termsofpayments"),
    ("GET", "/termsofpayments/{id}"),
    ("GET", "/deliverymethods"),
    ("POST", "/deliverymethods"),
    ("GET", "/deliverymethods/{deliveryMethodId}"),
    ("GET", "/articles"),
    ("POST", "/articles"),
    ("GET", "/articles/{articleId}"),
    ("PUT", "/articles/{articleId}"),
    ("GET", "/customers"),
    ("POST", "/customers"),
    ("GET", "/customers/{customerId}"),
    ("PUT", "/customers/{customerId}"),
    ("DELETE", "/customers/{customerId}"),
    ("GET", "/orders"),
    ("POST", "/orders"),
    ("GET", "/orders/{id}"),
    ("PUT", "/orders/{id}"),
    ("DELETE", "/orders/{id}"),
    ("POST", "/orders/{id}/convert"),
    ("POST", "/orders/{id}/completed"),
    ("POST", "/orders/{id}/voided"),
    ("GET", "/customerinvoicedrafts"),
    ("POST", "/customerinvoicedrafts"),
    ("GET", "/customerinvoicedrafts/{invoiceDraftId}"),
    ("PUT", "/customerinvoicedrafts/{customerInvoiceDraftId}"),
    ("DELETE", "/customerinvoicedrafts/{customerInvoiceDraftId}"),
    ("POST", "/customerinvoicedrafts/{customerInvoiceDraftId}/convert"),
    ("GET", "/customerinvoices"),
    ("POST", "/customerinvoices"),
    ("GET", "/customerinvoices/{invoiceId}"),
    ("POST", "/customerinvoices/{invoiceId}/payments"),
    ("POST", "/customerinvoices/{invoiceId}/void"),
    ("GET", "/webshoporders"),
    ("GET", "/webshoporders/{webshopOrderId}"),
    ("POST", "/webshoporders/{webshopOrderId}/convert"),
}


SANDBOX = "eaccounting"
SANDBOX_SETTINGS = {"demo_articles": 120}


@pytest.fixture
def api(sb):
    return sb.api()


class Ref:
    """Reference data of the session's company, looked up through the API."""

    def __init__(self, api):
        def data(path):
            return api.get(api.v2(path), params={"$pagesize": 50}).json()["Data"]

        self.codings = {(c["Type"], c["VatRate"]): c["Id"] for c in data("articleaccountcodings")}
        self.units = {u["Abbreviation"]: u["Id"] for u in data("units")}
        self.terms = data("termsofpayments")[0]["Id"]
        self.customers = data("customers")


def article(ref, number, **kw):
    body = {
        "Number": number,
        "Name": f"Testituote {number}",
        "CodingId": ref.codings[("Goods", "25.5")],
        "UnitId": ref.units["kpl"],
        "IsActive": True,
        "NetPrice": 10.0,
    }
    body.update(kw)
    return {k: v for k, v in body.items() if v is not None or k == "Note"}


def customer(ref, private=False, **kw):
    body = {
        "Name": "Testi Oy",
        "IsPrivatePerson": private,
        "IsActive": True,
        "InvoiceCity": "Helsinki",
        "InvoicePostalCode": "00100",
        "TermsOfPaymentId": ref.terms,
        "CorporateIdentityNumber": "1234567-1",
    }
    body.update(kw)
    return body


def order(cid, rows, status=2, **kw):
    body = {
        "CustomerId": cid,
        "CurrencyCode": "EUR",
        "EuThirdParty": False,
        "ReverseChargeOnConstructionServices": False,
        "RotReducedInvoicingType": 0,
        "Status": status,
        "Rows": [
            {
                "LineNumber": i,
                "ArticleId": a,
                "Quantity": q,
                "IsTextRow": False,
                "IsWorkCost": False,
                "EligibleForReverseChargeOnVat": False,
            }
            for i, (a, q) in enumerate(rows)
        ],
    }
    body.update(kw)
    return body


def invoice(cid, rows, **kw):
    body = {
        "CustomerId": cid,
        "EuThirdParty": False,
        "RotReducedInvoicingType": 0,
        "Rows": [{"ArticleId": a, "Quantity": q} for a, q in rows],
    }
    body.update(kw)
    return body


def draft(cid, rows, **kw):
    body = {
        "CustomerId": cid,
        "EuThirdParty": False,
        "RotReducedInvoicingType": 0,
        "Rows": [
            {"ArticleId": a, "Quantity": q, "IsTextRow": False, "ReversedConstructionServicesVatFree": False}
            for a, q in rows
        ],
    }
    body.update(kw)
    return body


def ok(resp, status=200):
    assert resp.status_code == status, (
        f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text[:600]}"
    )
    return resp.json() if resp.content else None


# -- contract sweep ----------------------------------------------------------------------------------
def test_every_operation_answers_within_the_contract(sb):
    api = sb.api(validate_requests=True)  # requests are validated as well: our bodies must be spec-valid
    sb.contract.seen.clear()
    ref = Ref(api)
    v2 = api.v2
    settings = ok(api.get(v2("companysettings")))
    settings["Phone"] = "040 1234567"
    assert ok(api.put(v2("companysettings"), json=settings))["Phone"] == "040 1234567"
    for path in ("units", "articleaccountcodings", "vatcodes", "termsofpayments", "deliverymethods"):
        first = ok(api.get(v2(path)))["Data"][0]
        ok(api.get(v2(f"{path}/{first['Id']}")))
    dm = ok(api.post(v2("deliverymethods"), json={"Name": "Kuriiri", "Code": "KUR"}))
    ok(api.get(v2(f"deliverymethods/{dm['Id']}")))
    a = ok(api.post(v2("articles"), json=article(ref, "SWEEP-1", IsStock=True)), 201)
    a2 = ok(
        api.put(v2(f"articles/{a['Id']}"), json=dict(article(ref, "SWEEP-1"), Name="Uusi nimi", IsStock=True))
    )
    assert a2["Name"] == "Uusi nimi" and a2["CreatedUtc"] == a["CreatedUtc"]
    ok(api.get(v2(f"articles/{a['Id']}")))
    ok(api.get(v2("articles"), params={"$filter": "Number eq 'SWEEP-1'"}))
    c = ok(api.post(v2("customers"), json=customer(ref)), 201)
    ok(api.put(v2(f"customers/{c['Id']}"), json=customer(ref, Name="Testi Ab Oy")))
    ok(api.get(v2(f"customers/{c['Id']}")))
    doomed = ok(api.post(v2("customers"), json=customer(ref, Name="Poistettava")), 201)
    assert api.delete(v2(f"customers/{doomed['Id']}")).status_code == 200
    o = ok(api.post(v2("orders"), json=order(c["Id"], [(a["Id"], 2)])), 201)
    ok(api.put(v2(f"orders/{o['Id']}"), json=order(c["Id"], [(a["Id"], 3)], YourReference="WEB-1")))
    ok(api.get(v2(f"orders/{o['Id']}")))
    ok(api.get(v2("orders")))
    assert ok(api.post(v2(f"orders/{o['Id']}/completed")))["Status"] == 3
    assert ok(api.post(v2(f"orders/{o['Id']}/voided")))["Status"] == 2
    inv = ok(api.post(v2(f"orders/{o['Id']}/convert"), json={}))
    assert inv["CreatedFromOrderId"] == o["Id"]
    o2 = ok(api.post(v2("orders"), json=order(c["Id"], [(a["Id"], 1)], status=1)), 201)
    assert api.delete(v2(f"orders/{o2['Id']}")).status_code == 200
    d = ok(api.post(v2("customerinvoicedrafts"), json=draft(c["Id"], [(a["Id"], 1)])), 201)
    ok(api.put(v2(f"customerinvoicedrafts/{d['Id']}"), json=draft(c["Id"], [(a["Id"], 2)])))
    ok(api.get(v2(f"customerinvoicedrafts/{d['Id']}")))
    ok(api.get(v2("customerinvoicedrafts")))
    d_inv = ok(api.post(v2(f"customerinvoicedrafts/{d['Id']}/convert"), json={}), 201)
    assert d_inv["CreatedFromDraftId"] == d["Id"]
    d2 = ok(api.post(v2("customerinvoicedrafts"), json=draft(c["Id"], [(a["Id"], 1)])), 201)
    assert api.delete(v2(f"customerinvoicedrafts/{d2['Id']}")).status_code == 200
    i = ok(api.post(v2("customerinvoices"), json=invoice(c["Id"], [(a["Id"], 1)])), 201)
    ok(api.get(v2(f"customerinvoices/{i['Id']}")))
    ok(api.get(v2("customerinvoices"), params={"modifiedSinceUtc": "2020-01-01T00:00:00Z"}))
    pay = {
        "CompanyBankAccountId": str(uuid.uuid4()),
        "PaymentAmount": i["RemainingAmount"],
        "PaymentCurrency": "EUR",
        "PaymentType": 2,
        "PaymentDate": "2030-01-01T00:00:00Z",
    }
    ok(
        api.post(
            v2(f"customerinvoices/{d_inv['Id']}/payments"),
            json=dict(pay, PaymentAmount=d_inv["RemainingAmount"]),
        ),
        201,
    )
    assert api.post(v2(f"customerinvoices/{i['Id']}/void")).status_code == 200
    w = ok(api.get(v2("webshoporders")))["Data"][0]
    ok(api.get(v2(f"webshoporders/{w['Id']}")))
    inv_id = ok(api.post(v2(f"webshoporders/{w['Id']}/convert")), 201)
    assert ok(api.get(v2(f"customerinvoices/{inv_id}")))["PaymentStatus"] == 0
    missing = OPERATIONS - sb.contract.seen
    assert not missing, f"operations never validated: {sorted(missing)}"


def test_error_answers_are_contract_shaped(api, sb):
    ref = Ref(api)
    r = api.get(api.v2(f"articles/{uuid.uuid4()}"))
    assert r.status_code == 404 and r.json()["ErrorCode"] == 3000
    r = api.delete(api.v2(f"articles/{uuid.uuid4()}"))
    assert r.status_code == 405
    r = api.post(api.v2("articles"), json={"Name": "x"})
    body = r.json()
    assert r.status_code == 400 and body["ErrorCode"] == 2000
    assert {e["Field"] for e in body["Errors"]} >= {"Number", "CodingId", "UnitId", "IsActive"}
    r = api.post(api.v2("articles"), data="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["ErrorCode"] == 2000
    r = api.post(api.v2("customers"), json=customer(ref, TermsOfPaymentId=str(uuid.uuid4())))
    assert r.status_code == 400 and r.json()["Errors"][0]["Field"] == "TermsOfPaymentId"


# -- articles --------------------------------------------------------------------------------------
def test_article_name_longer_than_50_is_2000(api):
    ref = Ref(api)
    r = api.post(api.v2("articles"), json=article(ref, "LONG", Name="x" * 51))
    assert r.status_code == 400
    body = r.json()
    assert (
        body["ErrorCode"] == 2000
        and body["Errors"][0]["Field"] == "Name"
        and "50" in body["Errors"][0]["Message"]
    )
    assert api.post(api.v2("articles"), json=article(ref, "OK50", Name="x" * 50)).status_code == 201


def test_duplicate_article_number_is_4000(api):
    ref = Ref(api)
    ok(api.post(api.v2("articles"), json=article(ref, "DUP-1")), 201)
    r = api.post(api.v2("articles"), json=article(ref, "DUP-1"))
    assert r.status_code == 400 and r.json()["ErrorCode"] == 4000
    other = ok(api.post(api.v2("articles"), json=article(ref, "DUP-2")), 201)
    r = api.put(api.v2(f"articles/{other['Id']}"), json=article(ref, "DUP-1"))
    assert r.status_code == 400 and r.json()["ErrorCode"] == 4000


def test_article_prices_and_read_only_fields(api):
    ref = Ref(api)
    a = ok(
        api.post(
            api.v2("articles"),
            json=article(
                ref,
                "P1",
                NetPrice=10.0,
                Id=str(uuid.uuid4()),
                CreatedUtc="2000-01-01T00:00:00Z",
                StockBalanceReserved=99,
            ),
        ),
        201,
    )
    assert (
        a["GrossPrice"] == 12.55
        and a["CodingName"] == "Tavaramyynti 25,5 %"
        and a["UnitAbbreviation"] == "kpl"
    )
    assert not a["CreatedUtc"].startswith("2000") and a["StockBalanceReserved"] == 0
    food = ok(
        api.post(
            api.v2("articles"),
            json=article(ref, "P2", CodingId=ref.codings[("Goods", "14")], NetPrice=None, GrossPrice=11.40),
        ),
        201,
    )
    assert food["NetPrice"] == 10.0
    svc = ok(
        api.post(
            api.v2("articles"),
            json=article(
                ref, "P3", CodingId=ref.codings[("Service", "25.5")], UnitId=ref.units["h"], IsStock=True
            ),
        ),
        201,
    )
    assert svc["IsServiceArticle"] is True and svc["IsStock"] is False
    # PUT is a full replace: an omitted optional field goes back to its default
    ok(api.put(api.v2(f"articles/{a['Id']}"), json=article(ref, "P1", Note="muistiinpano")))
    b = ok(api.put(api.v2(f"articles/{a['Id']}"), json=article(ref, "P1")))
    assert b["Note"] is None
    # no DELETE for articles
    assert api.delete(api.v2(f"articles/{a['Id']}")).status_code == 405


def test_vat_rate_percent_switch(sb, api):
    codings = ok(api.get(api.v2("articleaccountcodings")))["Data"]
    assert {c["VatRatePercent"] for c in codings} == {25.5, 14.0, 10.0, 0.0}
    assert {c["Type"] for c in codings} == {"Goods", "Service"}
    sb.settings(vat_rate_as_fraction=True)
    codings = ok(api.get(api.v2("articleaccountcodings")))["Data"]
    assert {c["VatRatePercent"] for c in codings} == {0.255, 0.14, 0.10, 0.0}


# -- paging -----------------------------------------------------------------------------------------
def _all_pages(api, path, size=None, **params):
    page, seen, metas = 1, [], []
    while True:
        q = dict(params, **{"$page": page})
        if size:
            q["$pagesize"] = size
        body = ok(api.get(api.v2(path), params=q))
        metas.append(body["Meta"])
        seen += body["Data"]
        if page >= body["Meta"]["TotalNumberOfPages"]:
            return seen, metas
        page += 1


def test_paging_default_50_and_max_clamped(api):
    body = ok(api.get(api.v2("articles")))
    assert body["Meta"]["PageSize"] == 50 and len(body["Data"]) == 50
    assert body["Meta"]["TotalNumberOfResults"] == 120 and body["Meta"]["TotalNumberOfPages"] == 3
    assert body["Meta"]["ServerTimeUtc"].endswith("Z")
    body = ok(api.get(api.v2("articles"), params={"$pagesize": 500}))
    assert body["Meta"]["PageSize"] == 50 and len(body["Data"]) == 50
    rows, metas = _all_pages(api, "articles", 7)
    assert len(rows) == 120 and len({a["Id"] for a in rows}) == 120 and metas[-1]["CurrentPage"] == 18
    beyond = ok(api.get(api.v2("articles"), params={"$page": 99}))
    assert beyond["Data"] == [] and beyond["Meta"]["CurrentPage"] == 99
    assert api.get(api.v2("articles"), params={"$page": 0}).json()["ErrorCode"] == 6000


def test_paging_with_max_500(sb, api):
    sb.settings(page_size_max=500)
    sb.control("POST", f"companies/{_company_id(sb, api)}/articles", {"count": 1000, "seed": 3})
    body = ok(api.get(api.v2("articles"), params={"$pagesize": 1000}))
    assert (
        body["Meta"]["PageSize"] == 500
        and len(body["Data"]) == 500
        and body["Meta"]["TotalNumberOfPages"] == 3
    )
    rows, _ = _all_pages(api, "articles", 500)
    assert len({a["Id"] for a in rows}) == 1120


# -- $filter / $orderby -----------------------------------------------------------------------------
def test_filter_changed_since_and_orderby(api):
    rows = ok(api.get(api.v2("articles"), params={"$pagesize": 50}))["Data"]
    stamps = sorted(a["ChangedUtc"] for a in rows)
    mid = stamps[25]
    for literal in (mid, mid.replace("Z", "0000Z")):  # also 7 fractional digits like .NET
        got, _ = _all_pages(
            api, "articles", **{"$filter": f"ChangedUtc gt {literal}", "$orderby": "ChangedUtc asc"}
        )
        assert got and all(a["ChangedUtc"] > mid for a in got)
        assert [a["ChangedUtc"] for a in got] == sorted(a["ChangedUtc"] for a in got)
    desc = ok(api.get(api.v2("articles"), params={"$orderby": "Number desc"}))["Data"]
    assert [a["Number"] for a in desc] == sorted((a["Number"] for a in desc), reverse=True)


def test_filter_equality_strings_booleans_and(api):
    ref = Ref(api)
    ok(api.post(api.v2("articles"), json=article(ref, "A1", IsActive=False)), 201)
    got = ok(api.get(api.v2("articles"), params={"$filter": "Number eq 'A1'"}))["Data"]
    assert [a["Number"] for a in got] == ["A1"]
    got = ok(api.get(api.v2("articles"), params={"$filter": "Number eq 'A1' and IsActive eq false"}))["Data"]
    assert len(got) == 1
    got = ok(api.get(api.v2("articles"), params={"$filter": "Number eq 'A1' and IsActive eq true"}))["Data"]
    assert got == []
    got = ok(api.get(api.v2("articles"), params={"$filter": "startswith(Number,'A')"}))["Data"]
    assert [a["Number"] for a in got] == ["A1"]
    c = ref.customers[0]
    for field in ("EmailAddress", "CustomerNumber"):
        got = ok(api.get(api.v2("customers"), params={"$filter": f"{field} eq '{c[field]}'"}))["Data"]
        assert [x["Id"] for x in got] == [c["Id"]]
    firm = next(x for x in ref.customers if not x["IsPrivatePerson"])
    for field in ("CorporateIdentityNumber", "VatNumber"):
        got = ok(api.get(api.v2("customers"), params={"$filter": f"{field} eq '{firm[field]}'"}))["Data"]
        assert firm["Id"] in [x["Id"] for x in got]


def test_filter_on_orders_your_reference_and_modified(sb, api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "F1")), 201)
    o = ok(
        api.post(
            api.v2("orders"), json=order(ref.customers[0]["Id"], [(a["Id"], 1)], YourReference="WEB-77")
        ),
        201,
    )
    got = ok(api.get(api.v2("orders"), params={"$filter": "YourReference eq 'WEB-77'"}))["Data"]
    assert [x["Id"] for x in got] == [o["Id"]]
    got = ok(api.get(api.v2("orders"), params={"$filter": "ModifiedUtc ge 2020-01-01T00:00:00Z"}))["Data"]
    assert len(got) == 1
    both = "Number eq 'F1' or Number eq 'nope'"
    assert len(ok(api.get(api.v2("articles"), params={"$filter": both}))["Data"]) == 1
    sb.settings(unverified_filters_rejected=True)
    for path, flt in (
        ("orders", "YourReference eq 'WEB-77'"),
        ("orders", "ModifiedUtc gt 2020-01-01T00:00:00Z"),
        ("articles", both),
    ):
        r = api.get(api.v2(path), params={"$filter": flt})
        assert r.status_code == 400 and r.json()["ErrorCode"] == 6000
    assert (
        api.get(api.v2("articles"), params={"$filter": "ChangedUtc gt 2020-01-01T00:00:00Z"}).status_code
        == 200
    )


@pytest.mark.parametrize(
    "flt,code",
    [
        ("Bogus eq 1", 6000),
        ("Number eq", 6000),
        ("Number foo 'x'", 6000),
        ("ChangedUtc gt 2024-13-45T99:00:00Z", 6001),
        ("ChangedUtc gt 2024-1-1", 6001),
        ("Number eq 'unterminated", 6000),
        ("IsActive eq 'yes'", 6000),
    ],
)
def test_bad_filters(api, flt, code):
    r = api.get(api.v2("articles"), params={"$filter": flt})
    assert r.status_code == 400 and r.json()["ErrorCode"] == code


def test_bad_orderby_is_6000(api):
    r = api.get(api.v2("articles"), params={"$orderby": "Nope asc"})
    assert r.status_code == 400 and r.json()["ErrorCode"] == 6000


# -- amounts ------------------------------------------------------------------------------------------
def test_invoice_amounts_company_customer_excl_vat(api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "M1", NetPrice=19.99)), 201)
    b = ok(
        api.post(
            api.v2("articles"), json=article(ref, "M2", NetPrice=3.33, CodingId=ref.codings[("Goods", "14")])
        ),
        201,
    )
    c = ok(api.post(api.v2("customers"), json=customer(ref)), 201)
    inv = ok(api.post(api.v2("customerinvoices"), json=invoice(c["Id"], [(a["Id"], 3), (b["Id"], 7)])), 201)
    assert inv["IncludesVat"] is False
    assert [r["Amount"] for r in inv["Rows"]] == [59.97, 23.31]
    assert inv["TotalAmount"] == 83.28
    assert inv["TotalVatAmount"] == round(round(59.97 * 0.255, 2) + round(23.31 * 0.14, 2), 2)
    assert inv["RemainingAmount"] == round(inv["TotalAmount"] + inv["TotalVatAmount"], 2)
    assert {v["VatPercent"] for v in inv["VatSpecification"]} == {25.5, 14.0}
    assert inv["InvoiceNumber"] > 0 and inv["PaymentStatus"] == 1


def test_invoice_amounts_private_customer_incl_vat_and_credit(api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "V1", NetPrice=10.0)), 201)
    c = ok(
        api.post(
            api.v2("customers"),
            json=customer(ref, private=True, Name="Maija Meikäläinen", CorporateIdentityNumber=None),
        ),
        201,
    )
    inv = ok(api.post(api.v2("customerinvoices"), json=invoice(c["Id"], [(a["Id"], 2)])), 201)
    assert (
        inv["IncludesVat"] is True
        and inv["Rows"][0]["UnitPrice"] == 12.55
        and inv["Rows"][0]["Amount"] == 25.10
    )
    assert inv["TotalAmount"] == 20.0 and inv["TotalVatAmount"] == 5.10 and inv["RemainingAmount"] == 25.10
    credit = ok(
        api.post(api.v2("customerinvoices"), json=invoice(c["Id"], [(a["Id"], 2)], IsCreditInvoice=True)), 201
    )
    assert (
        credit["IsCreditInvoice"] is True
        and credit["TotalAmount"] == -20.0
        and credit["RemainingAmount"] == -25.10
    )


def test_payments_and_void_rules(api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "PAY1", NetPrice=100.0)), 201)
    c = ok(api.post(api.v2("customers"), json=customer(ref)), 201)
    inv = ok(api.post(api.v2("customerinvoices"), json=invoice(c["Id"], [(a["Id"], 1)])), 201)
    pay = {
        "CompanyBankAccountId": str(uuid.uuid4()),
        "PaymentAmount": 50.0,
        "PaymentCurrency": "EUR",
        "PaymentType": 1,
    }
    p = ok(api.post(api.v2(f"customerinvoices/{inv['Id']}/payments"), json=pay), 201)
    assert uuid.UUID(p["BankTransactionId"])
    after = ok(api.get(api.v2(f"customerinvoices/{inv['Id']}")))
    assert after["RemainingAmount"] == 75.5 and after["PaymentStatus"] == 1
    assert api.post(api.v2(f"customerinvoices/{inv['Id']}/void")).status_code == 400  # has payments
    ok(
        api.post(
            api.v2(f"customerinvoices/{inv['Id']}/payments"),
            json=dict(pay, PaymentAmount=75.5, PaymentType=2),
        ),
        201,
    )
    assert ok(api.get(api.v2(f"customerinvoices/{inv['Id']}")))["PaymentStatus"] == 0
    r = api.post(api.v2(f"customerinvoices/{inv['Id']}/payments"), json={"PaymentAmount": 1})
    assert r.status_code == 400 and r.json()["ErrorCode"] == 2000


def test_locked_period(sb, api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "L1")), 201)
    c = ok(api.post(api.v2("customers"), json=customer(ref)), 201)
    sb.settings(accounting_locked_to="2025-06-30")
    assert ok(api.get(api.v2("companysettings")))["AccountingLockedTo"].startswith("2025-06-30")
    r = api.post(api.v2("customerinvoices"), json=invoice(c["Id"], [(a["Id"], 1)], InvoiceDate="2025-06-01"))
    assert r.status_code == 400 and r.json()["ErrorCode"] == 4013
    inv = ok(
        api.post(api.v2("customerinvoices"), json=invoice(c["Id"], [(a["Id"], 1)], InvoiceDate="2025-07-01")),
        201,
    )
    pay = {
        "CompanyBankAccountId": str(uuid.uuid4()),
        "PaymentAmount": 1.0,
        "PaymentCurrency": "EUR",
        "PaymentType": 1,
        "PaymentDate": "2025-06-15",
    }
    r = api.post(api.v2(f"customerinvoices/{inv['Id']}/payments"), json=pay)
    assert r.status_code == 400 and r.json()["ErrorCode"] == 4026


@pytest.mark.slow
def test_modified_since_on_invoices(api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "MS1")), 201)
    c = ok(api.post(api.v2("customers"), json=customer(ref)), 201)
    first = ok(api.post(api.v2("customerinvoices"), json=invoice(c["Id"], [(a["Id"], 1)])), 201)
    mark = ok(api.get(api.v2("customerinvoices")))["Meta"]["ServerTimeUtc"]
    import time

    time.sleep(0.01)
    second = ok(api.post(api.v2("customerinvoices"), json=invoice(c["Id"], [(a["Id"], 1)])), 201)
    got = ok(api.get(api.v2("customerinvoices"), params={"modifiedSinceUtc": mark}))["Data"]
    assert [i["Id"] for i in got] == [second["Id"]] and first["Id"] != second["Id"]
    r = api.get(api.v2("customerinvoices"), params={"modifiedSinceUtc": "eilen"})
    assert r.status_code == 400 and r.json()["ErrorCode"] == 6001


# -- stock ----------------------------------------------------------------------------------------------
def _stock(api, aid):
    a = ok(api.get(api.v2(f"articles/{aid}")))
    return a["StockBalance"], a["StockBalanceReserved"], a["StockBalanceAvailable"]


def _company_id(sb, api):
    name = ok(api.get(api.v2("companysettings")))["Name"]
    return next(c["id"] for c in sb.companies() if c["name"] == name)


def test_an_article_edited_by_hand_moves_its_changed_time_and_nothing_else(sb, api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "H1")), 201)
    edited = sb.control("PATCH", f"companies/{_company_id(sb, api)}/articles/H1", {"Name": "Käsin muutettu"})
    assert edited["Name"] == "Käsin muutettu" and edited["ChangedUtc"] >= a["ChangedUtc"]
    read = ok(api.get(api.v2(f"articles/{a['Id']}")))
    assert (read["Name"], read["NetPrice"], read["ChangedUtc"]) == (
        "Käsin muutettu",
        a["NetPrice"],
        edited["ChangedUtc"],
    )
    sb.control("PATCH", f"companies/{_company_id(sb, api)}/articles/H1", {"NetPrice": 1}, expect=(400,))
    sb.control("PATCH", f"companies/{_company_id(sb, api)}/articles/H1", {"Name": "x" * 51}, expect=(400,))
    sb.control("PATCH", f"companies/{_company_id(sb, api)}/articles/NOPE", {"Name": "x"}, expect=(404,))


def test_stock_module_on_reservations_and_decrements(sb, api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "S1", IsStock=True, StockBalance=500)), 201)
    assert a["IsStock"] is True and a["StockBalance"] == 0  # read-only with the stock module
    sb.control("POST", f"companies/{_company_id(sb, api)}/stock", {"article_id": a["Id"], "balance": 10})
    cust = ref.customers[0]["Id"]
    o = ok(api.post(api.v2("orders"), json=order(cust, [(a["Id"], 3)])), 201)
    assert _stock(api, a["Id"]) == (10.0, 3.0, 7.0)
    ok(api.put(api.v2(f"orders/{o['Id']}"), json=order(cust, [(a["Id"], 4)])))
    assert _stock(api, a["Id"]) == (10.0, 4.0, 6.0)
    inv = ok(api.post(api.v2(f"orders/{o['Id']}/convert"), json={}))
    assert ok(api.get(api.v2(f"orders/{o['Id']}")))["Status"] == 4
    assert _stock(api, a["Id"]) == (6.0, 0.0, 6.0)
    ok(api.post(api.v2("customerinvoices"), json=invoice(cust, [(a["Id"], 1.5)])), 201)
    assert _stock(api, a["Id"]) == (4.5, 0.0, 4.5)
    assert (
        api.post(api.v2(f"customerinvoices/{inv['Id']}/void"), params={"updateStock": "true"}).status_code
        == 200
    )
    assert _stock(api, a["Id"]) == (8.5, 0.0, 8.5)
    d = ok(api.post(api.v2("customerinvoicedrafts"), json=draft(cust, [(a["Id"], 2)])), 201)
    assert _stock(api, a["Id"])[0] == 8.5  # drafts do not touch stock
    ok(api.post(api.v2(f"customerinvoicedrafts/{d['Id']}/convert")), 201)
    assert _stock(api, a["Id"])[0] == 6.5
    # a stock article with a balance can not become non-stock or a service
    body = article(ref, "S1", IsStock=False)
    assert api.put(api.v2(f"articles/{a['Id']}"), json=body).json()["ErrorCode"] == 5003
    body = article(ref, "S1", IsStock=True, CodingId=ref.codings[("Service", "25.5")])
    assert api.put(api.v2(f"articles/{a['Id']}"), json=body).json()["ErrorCode"] == 5004


def test_stock_movements_and_changed_utc_switch(sb, api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "S2", IsStock=True)), 201)
    cust = ref.customers[0]["Id"]
    ok(api.post(api.v2("customerinvoices"), json=invoice(cust, [(a["Id"], 1)])), 201)
    after = ok(api.get(api.v2(f"articles/{a['Id']}")))
    assert after["StockBalance"] == -1.0 and after["ChangedUtc"] == a["ChangedUtc"]
    sb.settings(stock_bumps_changed_utc=True)
    ok(api.post(api.v2("customerinvoices"), json=invoice(cust, [(a["Id"], 1)])), 201)
    assert ok(api.get(api.v2(f"articles/{a['Id']}")))["ChangedUtc"] > a["ChangedUtc"]


def test_stock_module_off_balance_is_writable(sb, api):
    sb.settings(stock_module=False)
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "S3", StockBalance=12.5, IsStock=True)), 201)
    assert a["StockBalance"] == 12.5 and a["IsStock"] is False
    a = ok(api.put(api.v2(f"articles/{a['Id']}"), json=article(ref, "S3", StockBalance=-2)))
    assert a["StockBalance"] == -2.0 and a["StockBalanceManuallyChangedUtc"]
    assert "Stock" not in ok(api.get(api.v2("companysettings")))["ActivatedModules"]


def test_order_rules(api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "O1")), 201)
    cust = ref.customers[0]["Id"]
    o = ok(api.post(api.v2("orders"), json=order(cust, [(a["Id"], 1)])), 201)
    ok(api.post(api.v2(f"orders/{o['Id']}/completed")))
    assert api.delete(api.v2(f"orders/{o['Id']}")).json()["ErrorCode"] == 4001
    ok(api.post(api.v2(f"orders/{o['Id']}/convert")))
    assert api.put(api.v2(f"orders/{o['Id']}"), json=order(cust, [(a["Id"], 1)])).json()["ErrorCode"] == 4002
    assert api.post(api.v2(f"orders/{o['Id']}/convert")).status_code == 400
    r = api.post(api.v2("orders"), json=order(cust, [(str(uuid.uuid4()), 1)]))
    assert r.status_code == 400 and r.json()["Errors"][0]["Field"] == "Rows[0].ArticleId"


def test_customer_delete_refused_with_transactions(api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "C1")), 201)
    c = ok(api.post(api.v2("customers"), json=customer(ref)), 201)
    ok(api.post(api.v2("customerinvoices"), json=invoice(c["Id"], [(a["Id"], 1)])), 201)
    r = api.delete(api.v2(f"customers/{c['Id']}"))
    assert r.status_code == 400 and r.json()["ErrorCode"] == 4001
    assert ok(api.get(api.v2(f"customers/{c['Id']}")))["UnpaidInvoicesAmount"] == 12.55


def test_companies_are_isolated(sb):
    ids = [c["id"] for c in sb.companies()]
    names = set()
    for cid in ids:
        s = sb.api(cid)
        names.add(ok(s.get(s.v2("companysettings")))["Name"])
        cins = ok(s.get(s.v2("companysettings")))["CorporateIdentityNumber"]
        assert cins
    assert len(names) == 3
    s0, s1 = sb.api(ids[0]), sb.api(ids[1])
    a0 = ok(s0.get(s0.v2("articles")))["Data"][0]
    assert s1.get(s1.v2(f"articles/{a0['Id']}")).status_code == 404


def test_get_then_put_round_trips(sb):
    """Read-modify-write: a GET body PUT back unchanged is valid (read-only fields are ignored)."""
    api = sb.api(validate_requests=True)
    ref = Ref(api)
    a = ok(api.get(api.v2("articles")))["Data"][0]
    back = ok(api.put(api.v2(f"articles/{a['Id']}"), json=a))
    assert {k: v for k, v in back.items() if k != "ChangedUtc"} == {
        k: v for k, v in a.items() if k != "ChangedUtc"
    }
    assert back["ChangedUtc"] >= a["ChangedUtc"]
    c = ref.customers[0]
    back = ok(api.put(api.v2(f"customers/{c['Id']}"), json=c))
    assert back["Name"] == c["Name"] and back["CustomerNumber"] == c["CustomerNumber"]
    o = ok(api.post(api.v2("orders"), json=order(c["Id"], [(a["Id"], 2)])), 201)
    back = ok(api.put(api.v2(f"orders/{o['Id']}"), json=o))
    assert back["Amount"] == o["Amount"] and back["Number"] == o["Number"] and len(back["Rows"]) == 1
    d = ok(
        api.post(
            api.v2("customerinvoicedrafts"),
            json=draft(c["Id"], [(a["Id"], 2)], InvoiceAddress1="Toinen katu 2"),
        ),
        201,
    )
    assert d["InvoiceAddress1"] == "Toinen katu 2"
    back = ok(api.put(api.v2(f"customerinvoicedrafts/{d['Id']}"), json=d))
    assert back["TotalAmount"] == d["TotalAmount"] and back["InvoiceAddress1"] == "Toinen katu 2"


def test_text_rows_and_discounts(api):
    ref = Ref(api)
    a = ok(api.post(api.v2("articles"), json=article(ref, "T1", NetPrice=100.0)), 201)
    c = ok(api.post(api.v2("customers"), json=customer(ref)), 201)
    body = invoice(c["Id"], [(a["Id"], 2)])
    body["Rows"][0]["DiscountPercentage"] = 0.1
    body["Rows"].append({"Text": "Kiitos tilauksesta!"})
    inv = ok(api.post(api.v2("customerinvoices"), json=body), 201)
    assert inv["Rows"][0]["Amount"] == 180.0 and inv["Rows"][1]["IsTextRow"] is True
    assert inv["Rows"][1]["VatRate"] is None and inv["TotalAmount"] == 180.0 and inv["TotalVatAmount"] == 45.9


def test_contract_validator_catches_invented_fields(sb):
    from sandbox.eaccounting.contract import ContractError

    url = "http://sandbox/v2/units"
    good = {
        "Meta": {
            "CurrentPage": 1,
            "PageSize": 50,
            "TotalNumberOfPages": 1,
            "TotalNumberOfResults": 1,
            "ServerTimeUtc": "2025-01-01T00:00:00.000Z",
        },
        "Data": [{"Id": str(uuid.uuid4()), "Name": "kpl"}],
    }
    import json

    sb.contract.validate_response("GET", url, 200, json.dumps(good).encode(), "application/json")
    bad = json.loads(json.dumps(good))
    bad["Data"][0]["Invented"] = True
    with pytest.raises(ContractError):
        sb.contract.validate_response("GET", url, 200, json.dumps(bad).encode(), "application/json")
    with pytest.raises(ContractError):
        sb.contract.validate_response(
            "GET", f"{url}/{uuid.uuid4()}", 404, b'{"ErrorCode": "x"}', "application/json"
        )
    with pytest.raises(ContractError):
        sb.contract.validate_request("POST", "http://sandbox/v2/articles", json.dumps({"Name": "x"}))
