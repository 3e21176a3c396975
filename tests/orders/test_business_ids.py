"""Business IDs and VAT numbers are checked before a customer is created (#17). Pure."""

import pytest

from integration.orders.business_ids import business_id_problem, vat_number_problem, y_tunnus_check_digit
from integration.orders.customer_plan import CustomerPlan, plan_customer
from tests.fixtures.customer_orders import RULES, billing, order


def test_the_check_digit_by_hand():
    # Weights 7, 9, 10, 5, 8, 4, 2; the sum modulo 11; 0 → 0, 1 → no valid ID, otherwise 11 − remainder.
    # 1234567: 7 + 18 + 30 + 20 + 40 + 24 + 14 = 153; 153 − 143 = 10 → 1
    assert y_tunnus_check_digit("1234567") == 1
    # 0737546 (0737546-2): 0 + 63 + 30 + 35 + 40 + 16 + 12 = 196; 196 − 187 = 9 → 2
    assert y_tunnus_check_digit("0737546") == 2
    # 0112038 (Nokia Oyj, 0112038-9): 0 + 9 + 10 + 10 + 0 + 12 + 16 = 57; 57 − 55 = 2 → 9
    assert y_tunnus_check_digit("0112038") == 9
    # 0000000: 0 → 0
    assert y_tunnus_check_digit("0000000") == 0
    # 0000006: 6 × 2 = 12; 12 − 11 = 1 → no valid ID
    assert y_tunnus_check_digit("0000006") is None


@pytest.mark.parametrize("value", ["1234567-1", "0737546-2", "0112038-9", "737546-2"])
def test_valid_business_ids(value):
    assert business_id_problem(value) == ""


@pytest.mark.parametrize(
    "value, problem",
    [
        (
            "1234567-8",
            "is not a valid Finnish business ID (Y-tunnus): its check digit does not match its first seven "
            "digits (a typo?)",
        ),
        (
            "0000006-1",
            "is not a valid Finnish business ID (Y-tunnus): no business ID begins with these seven digits",
        ),
        (
            "12345678",
            "is not written as a Finnish business ID (Y-tunnus): seven digits, a hyphen and a check digit, "
            "e.g. 1234567-1",
        ),
    ],
)
def test_invalid_business_ids(value, problem):
    assert business_id_problem(value) == problem


@pytest.mark.parametrize(
    "number",
    [
        "FI12345671",
        "SE556677889901",
        "DE123456789",
        "ATU12345678",
        "NL123456789B01",
        "EL123456789",
        "FR0X123456789",
        "IE1234567T",
        "ESX1234567X",
        "NO123456789MVA",
    ],
)
def test_plausible_vat_numbers(number):
    assert vat_number_problem(number) == ""  # NO: outside the EU, left to eAccounting


@pytest.mark.parametrize(
    "number, problem",
    [
        (
            "FI12345678",
            "is not a valid Finnish VAT number: its last digit does not check against the business ID in it "
            "(a typo?)",
        ),
        ("SE5566778899", "is not written as a SE VAT number, e.g. SE556677889901"),
        ("DE12345678", "is not written as a DE VAT number, e.g. DE123456789"),
        ("ATU1234567", "is not written as a AT VAT number"),
    ],
)
def test_implausible_vat_numbers(number, problem):
    assert vat_number_problem(number) == problem


def test_a_finnish_company_with_a_wrong_check_digit_waits_before_any_customer_is_made():
    plan = plan_customer(
        order(billing(company="Rakennus Oy"), meta={"_billing_business_id": "1234567-8"}), RULES
    )
    assert (plan).reasons == (
        (
            "The customer's business ID 1234567-8 is not a valid Finnish business ID (Y-tunnus): its check digit does "
            "not match its first seven digits (a typo?). Correct it in the shop order (the order's business ID field), "
            "then Retry.",
        )
    )
    assert isinstance(
        plan_customer(
            order(billing(company="Rakennus Oy"), meta={"_billing_business_id": "1234567-1"}), RULES
        ),
        CustomerPlan,
    )


def test_a_foreign_company_with_a_malformed_vat_number_waits():
    bill = billing(company="Företag AB", country="SE", city="Stockholm", postcode="11122")
    plan = plan_customer(order(bill, meta={"_billing_vat_number": "SE5566778899"}), RULES)
    assert plan.reasons == (
        "The customer's VAT number SE5566778899 is not written as a SE VAT number, e.g. SE556677889901. Correct it "
        "in the shop order (the order's VAT number field), then Retry.",
    )
    # A Swedish company's own national ID is not checked as a Finnish business ID
    ok = plan_customer(
        order(bill, meta={"_billing_business_id": "556677-8899", "_billing_vat_number": "SE556677889901"}),
        RULES,
    )
    assert isinstance(ok, CustomerPlan) and ok.vat_mode == "reverse_charge"
