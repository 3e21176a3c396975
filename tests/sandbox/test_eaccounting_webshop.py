"""The Visma Verkkokauppa surface of the eAccounting sandbox: webshop orders and their conversion into
paid invoices (both settings of what becomes of a converted order), conversion by hand, the company's
`VismaWebshopStatus`, the receipt counter, faults on convert, article labels. Every /v2 response is
checked against the contract (client-side by the session hook, server-side by the fixture)."""

import uuid

import pytest
import requests

from sandbox.eaccounting.app import create_app
from sandbox.eaccounting.testing import Sandbox

SANDBOX = "eaccounting"
SANDBOX_SETTINGS = {"demo_articles": 20}
CONVERT = "POST /v2/webshoporders/{webshopOrderId}/convert"


def ok(resp, status=200):
    assert resp.status_code == status, (
        f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text[:600]}"
    )
    return resp.json() if resp.content else None


def place(sb, cid, **kw):
    """A Visma Webshop order arrives in the company (control API)."""
    body = {
        "Name": "Maija Meikäläinen",
        "EmailAddress": "maija@example.fi",
        "OrderNumber": "VK-778899",
        "Rows": [{"ArticleNumber": "1001", "Quantity": 2}, {"ArticleNumber": "1002", "Quantity": 1}],
    }
    body.update(kw)
    return sb.control("POST", f"companies/{cid}/webshoporders", body)


def listed(api):
    return {w["Id"]: w for w in ok(api.get(api.v2("webshoporders")))["Data"]}


def invoices(api):
    return ok(api.get(api.v2("customerinvoices")))["Data"]


def strings(value):
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


@pytest.fixture
def api(sb):
    return sb.api()


@pytest.fixture
def cid(sb):
    return sb.companies()[0]["id"]  # the company sb.api() is bound to


# -- what becomes of a converted order ------------------------------------------------------------------
def test_removed_by_default_a_converted_order_is_gone(sb, api, cid):
    assert sb.control("GET", "settings")["webshop_converted_orders"] == "removed"
    w = place(sb, cid)
    assert w["Id"] in listed(api)
    inv_id = ok(api.post(api.v2(f"webshoporders/{w['Id']}/convert")), 201)
    assert isinstance(inv_id, str) and uuid.UUID(inv_id)
    assert w["Id"] not in listed(api)
    gone = api.get(api.v2(f"webshoporders/{w['Id']}"))
    assert gone.status_code == 404 and gone.json()["ErrorCode"] == 3000
    again = api.post(api.v2(f"webshoporders/{w['Id']}/convert"))
    assert again.status_code == 404 and again.json()["ErrorCode"] == 3000
    assert [i["Id"] for i in invoices(api)] == [inv_id]


def test_kept_a_converted_order_stays_and_a_second_convert_makes_another_paid_invoice(sb, api, cid):
    sb.settings(webshop_converted_orders="kept")
    w = place(sb, cid)
    before = ok(api.get(api.v2(f"webshoporders/{w['Id']}")))
    first = ok(api.post(api.v2(f"webshoporders/{w['Id']}/convert")), 201)
    assert ok(api.get(api.v2(f"webshoporders/{w['Id']}"))) == before
    assert listed(api)[w["Id"]] == before
    second = ok(api.post(api.v2(f"webshoporders/{w['Id']}/convert")), 201)
    assert second != first
    both = {i["Id"]: i for i in invoices(api)}
    assert set(both) == {first, second}
    assert all(i["PaymentStatus"] == 0 and i["RemainingAmount"] == 0 for i in both.values())
    assert both[first]["TotalAmount"] == both[second]["TotalAmount"] > 0


def test_the_setting_is_given_at_start_up_and_per_company(sb, api, cid):
    app = create_app({"demo": False, "webshop_converted_orders": "kept"})
    assert app.state.settings["webshop_converted_orders"] == "kept"
    app.reset(demo=False)
    assert app.state.settings["webshop_converted_orders"] == "kept"
    with pytest.raises(ValueError, match="webshop_converted_orders"):
        create_app({"demo": False, "webshop_converted_orders": "deleted"})
    r = requests.patch(
        f"{sb.base}/_sandbox/settings", json={"webshop_converted_orders": "deleted"}, timeout=10
    )
    assert r.status_code == 400 and "removed" in r.json()["DeveloperErrorMessage"]
    assert sb.control("GET", "settings")["webshop_converted_orders"] == "removed"
    # a company of its own: kept there, removed elsewhere
    sb.control("PATCH", f"companies/{cid}", {"settings": {"webshop_converted_orders": "kept"}})
    w = place(sb, cid)
    ok(api.post(api.v2(f"webshoporders/{w['Id']}/convert")), 201)
    assert w["Id"] in listed(api)
    assert sb.control(
        "PATCH", f"companies/{cid}", {"settings": {"webshop_converted_orders": "x"}}, expect=(400,)
    )
    # and through the control API's reset (which starts a fresh state)
    sb.control("POST", "reset", {"settings": {"webshop_converted_orders": "deleted"}}, expect=(400,))
    reset = sb.control("POST", "reset", {"settings": {"webshop_converted_orders": "kept"}})
    assert reset["settings"]["webshop_converted_orders"] == "kept"


def test_a_sandbox_started_with_kept_keeps_converted_orders():
    server = Sandbox({"demo_articles": 5, "webshop_converted_orders": "kept"})
    try:
        api = server.api()
        w = next(iter(listed(api).values()))
        ok(api.post(api.v2(f"webshoporders/{w['Id']}/convert")), 201)
        ok(api.post(api.v2(f"webshoporders/{w['Id']}/convert")), 201)
        assert w["Id"] in listed(api) and len(invoices(api)) == 2
    finally:
        server.close()


# -- the invoice conversion makes ----------------------------------------------------------------------
def test_the_invoice_carries_the_order_s_buyer_and_rows_and_no_link_to_the_order(sb, api, cid):
    terms = ok(api.get(api.v2("termsofpayments")))["Data"][0]["Id"]
    known = ok(
        api.post(
            api.v2("customers"),
            json={
                "Name": "M. Meikäläinen",
                "IsPrivatePerson": True,
                "IsActive": True,
                "InvoiceCity": "Turku",
                "InvoicePostalCode": "20100",
                "TermsOfPaymentId": terms,
                "EmailAddress": "maija@example.fi",
            },
        ),
        201,
    )
    w = place(sb, cid)
    order = ok(api.get(api.v2(f"webshoporders/{w['Id']}")))
    inv_id = ok(api.post(api.v2(f"webshoporders/{w['Id']}/convert")), 201)
    inv = ok(api.get(api.v2(f"customerinvoices/{inv_id}")))
    sb.contract.validate_schema("CustomerInvoiceApi", inv)
    assert inv["CustomerId"] == known["Id"]  # found by e-mail
    assert inv["CustomerName"] == inv["InvoiceCustomerName"] == "Maija Meikäläinen"
    assert inv["CustomerEmail"] == "maija@example.fi"
    assert inv["InvoiceDate"][:10] == sb.state.now_str()[:10]
    assert inv["PaymentStatus"] == 0 and inv["RemainingAmount"] == 0 and inv["PaymentDate"]
    assert [(r["ArticleNumber"], r["Quantity"], r["UnitPrice"]) for r in inv["Rows"]] == [
        (r["ArticleNumber"], r["Quantity"], r["PricePerUnitInvoiceCurrency"]) for r in order["Rows"]
    ]
    assert all(r["ArticleId"] for r in inv["Rows"])
    assert not [
        k for k in ("YourReference", "OurReference", "BuyersOrderReference") if inv.get(k) is not None
    ]
    texts = strings(inv)
    assert not [s for s in texts if "VK-778899" in s or s in (order["Number"], order["Id"])]
    assert inv_id == inv["Id"] and inv["CreatedFromOrderId"] is None and inv["CreatedFromDraftId"] is None


def test_an_unknown_buyer_becomes_a_new_customer(sb, api, cid):
    w = place(sb, cid, Name="Uusi Ostaja", EmailAddress="uusi.ostaja@example.fi")
    inv_id = ok(api.post(api.v2(f"webshoporders/{w['Id']}/convert")), 201)
    inv = ok(api.get(api.v2(f"customerinvoices/{inv_id}")))
    customer = ok(api.get(api.v2(f"customers/{inv['CustomerId']}")))
    assert customer["Name"] == "Uusi Ostaja" and customer["EmailAddress"] == "uusi.ostaja@example.fi"
    assert customer["IsPrivatePerson"] is True


# -- receipts and conversion by hand ----------------------------------------------------------------------
def test_each_conversion_e_mails_a_receipt_when_the_order_has_an_address(sb, api, cid):
    a, b, c = (
        place(sb, cid),
        place(sb, cid, EmailAddress=None),
        place(sb, cid, EmailAddress="toinen@example.fi"),
    )
    for w in (a, b):
        ok(api.post(api.v2(f"webshoporders/{w['Id']}/convert")), 201)
    assert sb.control("GET", "counters")["webshop"] == {"receipts e-mailed": 1}
    sb.control("POST", f"companies/{cid}/webshoporders/{c['Id']}/convert-by-hand")
    assert sb.control("GET", "counters")["webshop"] == {"receipts e-mailed": 2, "orders converted by hand": 1}
    sb.control("DELETE", "counters")
    assert sb.control("GET", "counters")["webshop"] == {}


def test_converted_by_hand_like_the_api_and_counted_apart(sb, api, cid):
    w = place(sb, cid)
    sb.control("DELETE", "requests")
    inv = sb.control("POST", f"companies/{cid}/webshoporders/{w['Id']}/convert-by-hand", expect=(201,))
    sb.contract.validate_schema("CustomerInvoiceApi", inv)
    assert (
        inv["PaymentStatus"] == 0
        and inv["CustomerName"] == "Maija Meikäläinen"
        and inv.get("YourReference") is None
    )
    assert sb.control("GET", "requests?path_prefix=/v2") == []  # no API call: nothing throttled or logged
    assert sb.control("GET", "counters")["webshop"]["orders converted by hand"] == 1
    assert api.get(api.v2(f"webshoporders/{w['Id']}")).status_code == 404
    assert [i["Id"] for i in invoices(api)] == [inv["Id"]]
    again = sb.control("POST", f"companies/{cid}/webshoporders/{w['Id']}/convert-by-hand", expect=(404,))
    assert again["ErrorCode"] == 3000
    sb.control("POST", f"companies/{cid}/webshoporders/{uuid.uuid4()}/convert-by-hand", expect=(404,))
    # kept: by hand and then through the API, two paid invoices for one order
    sb.settings(webshop_converted_orders="kept")
    k = place(sb, cid)
    sb.control("POST", f"companies/{cid}/webshoporders/{k['Id']}/convert-by-hand", expect=(201,))
    ok(api.post(api.v2(f"webshoporders/{k['Id']}/convert")), 201)
    assert k["Id"] in listed(api) and len(invoices(api)) == 3
    assert sb.control("GET", "counters")["webshop"]["orders converted by hand"] == 2


# -- VismaWebshopStatus ------------------------------------------------------------------------------
def test_webshop_status_is_set_by_control_and_read_only_in_the_api(sb, api, cid):
    assert ok(api.get(api.v2("companysettings")))["VismaWebshopStatus"] == 0
    # the demo's third company sells through Visma Verkkokauppa
    assert [c["webshop_status"] for c in sb.companies()] == [0, 0, 1]
    summary = sb.control("PUT", f"companies/{cid}/webshop-status", {"VismaWebshopStatus": 2})
    assert summary["webshop_status"] == 2
    settings = ok(api.get(api.v2("companysettings")))
    assert settings["VismaWebshopStatus"] == 2
    settings["VismaWebshopStatus"] = 1  # read-only in the spec: the API ignores it
    assert ok(api.put(api.v2("companysettings"), json=settings))["VismaWebshopStatus"] == 2
    for bad in (4, -1, "2", True, 2.0, None):
        r = requests.put(
            f"{sb.base}/_sandbox/companies/{cid}/webshop-status", json={"VismaWebshopStatus": bad}, timeout=10
        )
        assert r.status_code == 400, bad
        assert "0 (None), 1 (Enabled), 2 (Disabled), 3 (Requested)" in r.json()["DeveloperErrorMessage"]
    assert sb.control("PUT", f"companies/{cid}/webshop-status", {}, expect=(400,))
    assert sb.control(
        "PUT", f"companies/{uuid.uuid4()}/webshop-status", {"VismaWebshopStatus": 1}, expect=(404,)
    )
    assert ok(api.get(api.v2("companysettings")))["VismaWebshopStatus"] == 2


def test_a_company_is_created_with_a_webshop_status(sb):
    c = sb.control("POST", "companies", {"name": "Verkkokauppa Oy", "articles": 3, "webshop_status": 1})
    assert c["webshop_status"] == 1
    api = sb.api(c["id"])
    assert ok(api.get(api.v2("companysettings")))["VismaWebshopStatus"] == 1
    count = len(sb.companies())
    sb.control("POST", "companies", {"name": "Väärä Oy", "webshop_status": 7}, expect=(400,))
    assert len(sb.companies()) == count


# -- faults on convert -----------------------------------------------------------------------------
def test_a_dropped_convert_was_committed(sb, api, cid):
    w = place(sb, cid)
    sb.settings(drop_after_commit_next=1)
    with pytest.raises(requests.ConnectionError):
        api.post(api.v2(f"webshoporders/{w['Id']}/convert"))
    assert sb.control("GET", "requests?path_prefix=/v2/webshoporders")[-1]["status"] == "dropped"
    assert sb.control("GET", "counters")["faults"][CONVERT + " dropped"] == 1
    made = invoices(api)
    assert len(made) == 1 and made[0]["PaymentStatus"] == 0 and made[0]["CustomerEmail"] == "maija@example.fi"
    assert api.get(api.v2(f"webshoporders/{w['Id']}")).status_code == 404  # removed: a retry finds nothing
    assert api.post(api.v2(f"webshoporders/{w['Id']}/convert")).status_code == 404
    assert len(invoices(api)) == 1


def test_a_dropped_convert_of_a_kept_order_retried_blindly_is_paid_twice(sb, api, cid):
    sb.settings(webshop_converted_orders="kept")
    w = place(sb, cid)
    sb.settings(drop_after_commit_next=1)
    with pytest.raises(requests.ConnectionError):
        api.post(api.v2(f"webshoporders/{w['Id']}/convert"))
    assert w["Id"] in listed(api) and len(invoices(api)) == 1
    ok(api.post(api.v2(f"webshoporders/{w['Id']}/convert")), 201)
    assert len(invoices(api)) == 2


def test_a_convert_refused_by_a_fault_or_the_rate_limit_changes_nothing(sb, api, cid):
    a, b = place(sb, cid), place(sb, cid)
    sb.settings(force_500=1)
    assert api.post(api.v2(f"webshoporders/{a['Id']}/convert")).status_code in (500, 503)
    assert a["Id"] in listed(api) and invoices(api) == []
    sb.control("DELETE", "counters")  # also empties the rate-limit windows
    sb.settings(rate_limit=1, rate_window=60)
    ok(api.post(api.v2(f"webshoporders/{a['Id']}/convert")), 201)
    r = api.post(api.v2(f"webshoporders/{b['Id']}/convert"))
    assert r.status_code == 429 and r.json()["ErrorCode"] == 4010
    assert sb.control("GET", "counters")["throttled"][CONVERT] == 1
    assert len(sb.control("GET", f"companies/{cid}/resources/invoices")) == 1
    assert b["Id"] in {w["Id"] for w in sb.control("GET", f"companies/{cid}/resources/webshoporders")}


# -- article labels and the webshop-related article fields ------------------------------------------------
def test_article_labels_are_served_and_round_trip_on_articles(sb, api):
    sb.contract.seen.clear()
    new = ok(
        api.post(api.v2("articlelabels"), json={"Name": "Verkkokauppa", "Description": "Näkyy kaupassa"}), 201
    )
    sale = ok(api.post(api.v2("articlelabels"), json={"Name": "Ale"}), 201)
    assert sale["Description"] is None and uuid.UUID(new["Id"])
    assert ok(api.get(api.v2(f"articlelabels/{new['Id']}"))) == new
    assert {x["Id"] for x in ok(api.get(api.v2("articlelabels")))["Data"]} == {new["Id"], sale["Id"]}
    assert ok(api.post(api.v2("articlelabels"), json={"Description": "ei nimeä"}), 400)["ErrorCode"] == 2000
    assert ok(api.post(api.v2("articlelabels"), json={"Name": "x" * 51}), 400)["Errors"][0]["Field"] == "Name"
    codings = {
        (c["Type"], c["VatRate"]): c["Id"] for c in ok(api.get(api.v2("articleaccountcodings")))["Data"]
    }
    unit = ok(api.get(api.v2("units")))["Data"][0]["Id"]
    body = {
        "Number": "LBL-1",
        "Name": "Merkitty tuote",
        "CodingId": codings[("Goods", "25.5")],
        "UnitId": unit,
        "IsActive": True,
        "IsStock": True,
        "SendToWebshop": False,
        "ArticleLabels": [new, sale],
    }
    art = ok(api.post(api.v2("articles"), json=body), 201)
    assert art["ArticleLabels"] == [new, sale]
    assert art["IsStock"] is True and art["IsServiceArticle"] is False and art["SendToWebshop"] is False
    got = ok(api.get(api.v2(f"articles/{art['Id']}")))
    assert got["ArticleLabels"] == [new, sale]
    # what GET gave, PUT back, is kept as it was
    assert ok(api.put(api.v2(f"articles/{art['Id']}"), json=got))["ArticleLabels"] == [new, sale]
    renamed = ok(api.put(api.v2(f"articlelabels/{sale['Id']}"), json={"Name": "Alennus"}))
    assert ok(api.get(api.v2(f"articles/{art['Id']}")))["ArticleLabels"] == [new, renamed]
    assert api.delete(api.v2(f"articlelabels/{sale['Id']}")).status_code == 200
    assert ok(api.get(api.v2(f"articles/{art['Id']}")))["ArticleLabels"] == [new]
    assert api.get(api.v2(f"articlelabels/{sale['Id']}")).status_code == 404
    assert api.delete(api.v2(f"articlelabels/{sale['Id']}")).status_code == 404
    r = api.put(
        api.v2(f"articles/{art['Id']}"),
        json=dict(body, ArticleLabels=[{"Id": str(uuid.uuid4()), "Name": "?"}]),
    )
    assert r.status_code == 400 and r.json()["Errors"][0]["Field"] == "ArticleLabels[0].Id"
    svc = dict(body, Number="LBL-2", CodingId=codings[("Service", "25.5")], ArticleLabels=[])
    svc = ok(api.post(api.v2("articles"), json=svc), 201)
    assert svc["IsServiceArticle"] is True and svc["IsStock"] is False and svc["ArticleLabels"] == []
    assert {
        ("GET", "/articlelabels"),
        ("POST", "/articlelabels"),
        ("GET", "/articlelabels/{articlelabelid}"),
        ("PUT", "/articlelabels/{articleLabelId}"),
        ("DELETE", "/articlelabels/{articleLabelId}"),
    } <= sb.contract.seen
