"""The books check's comparison and CSV (pure), and its page's isolation (#17)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from integration import tasks
from integration.models import BooksCheck
from integration.orders.books_check import (
    DocumentFacts,
    DocumentKind,
    ShopFacts,
    compare,
    csv_cell,
    to_csv,
    to_rows,
)

D = Decimal


def shop(
    number="1001", total="79.90", vat="10.97", rates=None, refunded="0", status="completed", **kw
) -> ShopFacts:
    rates = rates or {D("25.5"): D("2.91"), D("14"): D("8.06")}
    return ShopFacts(
        int(number) if number.isdigit() else 0, number, status, D(total), D(vat), rates, D(refunded), **kw
    )


def invoice(
    reference="1001", by_rate=None, kind=DocumentKind.INVOICE, number="5", id="inv-5"
) -> DocumentFacts:
    by_rate = by_rate or {D("25.5"): (D("11.42"), D("2.91")), D("14"): (D("57.51"), D("8.06"))}
    return DocumentFacts(kind, id, number, reference, "2026-03-02", by_rate)


def test_an_order_booked_as_the_shop_says_has_no_difference():
    # 11.42 + 2.91 + 57.51 + 8.06 = 79.90, VAT 10.97: the shop's
    report = compare("2026-03", [shop()], [invoice()])
    assert report.differences == []
    assert report.orders[0].booked_total == D("79.90")


def test_every_difference_is_named():
    changed = invoice(by_rate={D("25.5"): (D("11.42"), D("2.93")), D("14"): (D("57.51"), D("8.06"))})
    credit = invoice(
        "1001 refund 601", {D("25.5"): (D("1.14"), D("0.29"))}, DocumentKind.CREDIT, "6", "inv-6"
    )
    stray = invoice("9999", number="7", id="inv-7")
    report = compare(
        "2026-03", [shop(refunded="8.00"), shop("1002", status="processing")], [changed, credit, stray]
    )
    assert report.differences == [
        "Order 1001: VAT at 25.5 %: the shop 2.91, eAccounting 2.93",
        "Order 1001: total: the shop 79.90, eAccounting 79.92",
        "Order 1001: credits: the shop refunded 8.00, eAccounting credited 1.43",
        "Order 1002: no eAccounting document for the shop's 79.90 (Silta has no record of it)",
        "Invoice 7 (2026-03-02, reference '9999'): no shop order of 2026-03 has it",
    ]


def test_a_document_is_paired_by_the_transfers_record_and_an_open_sales_order_is_named():
    renamed = invoice(reference="changed by hand", id="inv-9")
    report = compare(
        "2026-03",
        [
            shop(document_ids=frozenset({"inv-9"})),
            shop("1002", open_document="sales order 12", transfer_status="Done"),
        ],
        [renamed],
    )
    assert report.differences == [
        "Order 1002: not invoiced yet: eAccounting has sales order 12 open (not in the books) for the shop's 79.90",
    ]


def test_a_cancelled_order_credited_in_full_agrees():
    credit = invoice(
        "1001", kind=DocumentKind.CREDIT, number="6", id="inv-6"
    )  # eAccounting's void copies the reference
    assert compare("2026-03", [shop(status="cancelled")], [invoice(), credit]).differences == []
    assert compare("2026-03", [shop(status="cancelled")], []).differences == []  # never booked, nothing sold


def test_the_csv_is_safe_to_open_in_a_spreadsheet():
    assert csv_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert (
        csv_cell("-5.00") == "-5.00" and csv_cell("@SUM(A1)") == "'@SUM(A1)" and csv_cell("+358") == "'+358"
    )
    report = compare("2026-03", [shop(number="=1+1")], [invoice(reference="=1+1")])
    text = to_csv(to_rows(report))
    lines = text.splitlines()
    assert lines[0].startswith("order,shop status,shop total,shop VAT")
    assert lines[1].startswith(
        "'=1+1,completed,79.90,10.97,25.5 %: 2.91; 14 %: 8.06,0.00,invoice 5,68.93,10.97,79.90"
    )


# ---------------------------------------------------------------------- the page: owners and members only
@pytest.fixture
def done_check(db, tenant_a):
    rows = to_rows(compare("2026-03", [shop()], [invoice()]))
    return BooksCheck.objects.create(
        tenant=tenant_a,
        period="2026-03",
        status=BooksCheck.Status.DONE,
        rows=rows,
        csv=to_csv(rows),
        orders=1,
    )


@pytest.mark.django_db
def test_the_owner_sees_the_check_its_csv_and_can_start_one(
    client, owner_a, tenant_a, done_check, django_capture_on_commit_callbacks
):
    from django_q.models import OrmQ

    client.force_login(owner_a)
    page = client.get(reverse("books_check", args=[tenant_a.slug]), {"period": "2026-03"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "No differences" in html and "79.90" in html
    csv = client.get(reverse("books_check_csv", args=[tenant_a.slug, done_check.pk]))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "books-check-" in csv["Content-Disposition"] and b"1001,completed,79.90" in csv.content
    progress = client.get(reverse("books_check_progress", args=[tenant_a.slug, done_check.pk])).json()
    assert progress["status"] == "done"
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("books_check_run", args=[tenant_a.slug]), {"period": "2026-04"})
    assert started.status_code == 302 and started["Location"].endswith("?period=2026-04")
    new = BooksCheck.objects.get(tenant=tenant_a, period="2026-04")
    assert new.status == "running" and new.requested_by == "owner_a"
    assert [t.task["args"] for t in OrmQ.objects.all() if t.task["func"] == tasks.books_check.path] == [
        (new.pk,)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["member_b", "outsider"])
def test_others_get_404_everywhere(client, request, who, tenant_a, done_check):
    client.force_login(request.getfixturevalue(who))
    slug = tenant_a.slug
    for url in (
        reverse("books_check", args=[slug]),
        reverse("books_check_csv", args=[slug, done_check.pk]),
        reverse("books_check_progress", args=[slug, done_check.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("books_check_run", args=[slug]), {"period": "2026-03"}).status_code == 404
    assert BooksCheck.objects.count() == 1


@pytest.mark.django_db
def test_a_member_of_the_company_may_use_it_and_not_reach_another_companys_check(
    client, django_user_model, tenant_a, tenant_b, done_check
):
    from integration.models import Membership

    member = django_user_model.objects.create_user("member_a", password="x", is_staff=True)
    Membership.objects.create(tenant=tenant_a, user=member, role=Membership.Role.MEMBER)
    client.force_login(member)
    assert client.get(reverse("books_check", args=[tenant_a.slug])).status_code == 200
    other = BooksCheck.objects.create(tenant=tenant_b, period="2026-03", status="done", csv="secret")
    # Another company's check through this company's address: not found
    assert client.get(reverse("books_check_csv", args=[tenant_a.slug, other.pk])).status_code == 404
    assert client.get(reverse("books_check_csv", args=[tenant_b.slug, other.pk])).status_code == 404


@pytest.mark.django_db
def test_the_dashboard_links_each_company_to_its_books_check(client, owner_a, tenant_a, tenant_b):
    client.force_login(owner_a)
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("books_check", args=[tenant_a.slug]) in page
    assert reverse("books_check", args=[tenant_b.slug]) not in page
