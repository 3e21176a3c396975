"""The pure parts of a Visma Verkkokauppa tenant: the availability plan, invoice matching, the status check."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integration.eaccounting.resources import CompanySettings
from integration.visma_webshop import conversion_match, status
from integration.visma_webshop.availability_plan import ArticleFacts, Mark, Rules, plan, why_not


def art(number, *, active=True, stock=True, service=False, labels=(), available=True):
    return ArticleFacts(
        id=f"id-{number}",
        number=number,
        name=f"Tuote {number}",
        is_active=active,
        is_stock=stock,
        is_service=service,
        labels=tuple(labels),
        available=available,
    )


RULES = Rules(
    only_active=True,
    only_stock_items=True,
    exclude_services=True,
    labels=("Verkko",),
    excluded_numbers=("TOIMITUS",),
)


@pytest.mark.parametrize(
    "article, reason",
    [
        (art("A1", labels=["verkko"]), ""),
        (art("TOIMITUS", labels=["Verkko"]), "its number is on the never-for-sale list"),
        (art("A2", active=False, labels=["Verkko"]), "it is inactive"),
        (art("A3", service=True, labels=["Verkko"]), "it is a service article"),
        (art("A4", stock=False, labels=["Verkko"]), "it is not a stock article"),
        (art("A5", labels=["Outlet"]), "it has none of the labels Verkko"),
    ],
)
def test_each_rule_keeps_out_with_its_reason(article, reason):
    assert why_not(RULES, article) == reason


def test_no_labels_in_the_rules_means_any_article():
    assert why_not(Rules(), art("A1")) == ""


def test_plan_changes_only_what_differs_both_ways():
    articles = [
        art("A1", labels=["Verkko"], available=False),
        art("A2", active=False, labels=["Verkko"]),
        art("A3", labels=["Verkko"]),
    ]
    result = plan(RULES, articles, {})
    assert [(c.number, c.available) for c in result.changes] == [("A1", True), ("A2", False)]
    assert [a.number for a in result.agree] == ["A3"]
    assert result.changes[1].reason == "not for sale: it is inactive"


def test_a_flag_changed_by_hand_is_held_not_fought():
    articles = [art("A1", labels=["Verkko"], available=False)]  # Silta set it available; a person took it out
    result = plan(RULES, articles, {"id-A1": Mark(available=True)})
    assert result.changes == []
    assert [(h.number, h.available, h.wanted) for h in result.held] == [("A1", False, True)]


def test_a_held_article_stays_held_until_it_agrees_then_is_released():
    held = {"id-A1": Mark(available=False, held_by_hand=True)}
    assert plan(RULES, [art("A1", labels=["Verkko"], available=False)], held).held
    result = plan(RULES, [art("A1", labels=["Verkko"], available=True)], held)
    assert result.released == ["id-A1"] and not result.held and not result.changes


def test_a_hand_change_that_agrees_with_the_rules_is_simply_accepted():
    result = plan(RULES, [art("A2", active=False, labels=["Verkko"], available=False)], {"id-A2": Mark(True)})
    assert not result.held and not result.changes and result.agree


facts = st.builds(
    art,
    st.text("ABC123", min_size=1, max_size=4),
    active=st.booleans(),
    stock=st.booleans(),
    service=st.booleans(),
    labels=st.lists(st.sampled_from(["Verkko", "Outlet"]), max_size=2),
    available=st.booleans(),
)


@given(st.lists(facts, max_size=20, unique_by=lambda a: a.id))
def test_applying_the_plan_leaves_nothing_to_change(articles):
    """Idempotence: after the changes are made (and marked), planning again changes nothing."""
    first = plan(RULES, articles, {})
    after = {c.article_id: c.available for c in first.changes}
    applied = [ArticleFacts(**{**a.__dict__, "available": after.get(a.id, a.available)}) for a in articles]
    marks = {a.id: Mark(a.available) for a in applied}
    again = plan(RULES, applied, marks)
    assert again.changes == [] and again.held == []


# --- recognising a webshop order's invoice ----------------------------------------

ORDER = {
    "Id": "w1",
    "Name": "Maija Meikäläinen",
    "EmailAddress": "Maija@Example.fi",
    "OrderDate": "2026-11-20T10:00:00",
    "Rows": [{"ArticleNumber": "A1", "Quantity": 2.0}, {"ArticleNumber": "B2", "Quantity": 1}],
}


def invoice(**over):
    base = {
        "Id": "i1",
        "InvoiceDate": "2026-11-21",
        "CustomerEmail": "maija@example.fi",
        "CustomerName": "Maija Meikäläinen",
        "IsCreditInvoice": False,
        "CreatedUtc": "2026-11-21T08:00:00Z",
        "Rows": [
            {"ArticleNumber": "B2", "Quantity": 1.0},
            {"ArticleNumber": "A1", "Quantity": 2},
            {"IsTextRow": True, "Text": "Kiitos"},
        ],
    }
    return {**base, **over}


def test_the_invoice_of_an_order_is_recognised_by_customer_rows_and_date():
    fp = conversion_match.fingerprint(ORDER)
    assert conversion_match.matches(fp, invoice())


@pytest.mark.parametrize(
    "different",
    [
        {"CustomerEmail": "toinen@example.fi"},
        {"InvoiceDate": "2026-11-19"},
        {"IsCreditInvoice": True},
        {"Rows": [{"ArticleNumber": "A1", "Quantity": 1}, {"ArticleNumber": "B2", "Quantity": 1}]},
    ],
)
def test_another_invoice_is_not_taken_for_it(different):
    assert not conversion_match.matches(conversion_match.fingerprint(ORDER), invoice(**different))


def test_without_an_e_mail_the_name_decides():
    fp = conversion_match.fingerprint({**ORDER, "EmailAddress": None})
    assert conversion_match.matches(fp, invoice(CustomerEmail=None))
    assert not conversion_match.matches(
        fp, invoice(CustomerEmail=None, CustomerName="Matti", InvoiceCustomerName="Matti")
    )


def test_one_invoice_accounts_for_one_order_only():
    fp = conversion_match.fingerprint(ORDER)
    first, second = (
        invoice(Id="i1", CreatedUtc="2026-11-21T08:00:00Z"),
        invoice(Id="i2", CreatedUtc="2026-11-22T08:00:00Z"),
    )
    assert conversion_match.find(fp, [second, first], set())["Id"] == "i1"  # the earliest
    assert conversion_match.find(fp, [second, first], {"i1"})["Id"] == "i2"
    assert conversion_match.find(fp, [second, first], {"i1", "i2"}) is None


# --- the webshop link's status in words --------------------------------------------


def company(status_value):
    return CompanySettings.from_api(
        {
            "Name": "Kauppa Oy",
            "VismaWebshopStatus": status_value,
            "CurrencyCode": "EUR",
            "CountryCode": "FI",
            "ActivatedModules": [],
        }
    )


@pytest.mark.parametrize(
    "value, words",
    [
        (0, "has no Visma Verkkokauppa link"),
        (2, "turned off in eAccounting"),
        (3, "requested but is not active yet"),
        (None, "did not say"),
        (7, "did not say"),
    ],
)
def test_every_status_but_enabled_blocks_activation_with_its_reason(value, words):
    result = status.check(company(value))
    assert not result.ok and words in result.blockers[0]


def test_enabled_activates_and_says_what_silta_does_and_does_not():
    result = status.check(company(1))
    assert result.ok
    assert any("Silta does not touch the webshop" in n for n in result.notes)
