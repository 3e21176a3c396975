"""Which eAccounting customer a web order gets, rule by rule (pure: no database, no network)."""

from dataclasses import replace

import pytest

from integration.orders.customer_plan import (
    CustomerKey,
    CustomerPlan,
    normalise_email,
    normalise_vat_number,
    plan_customer,
)
from integration.orders.outcomes import Waiting
from integration.webshops.base import Address
from sandbox.eaccounting import schemas
from tests.fixtures.customer_orders import COLLECTIVE, RULES, TERMS, billing, order


def assert_valid_customer_body(body: dict) -> None:
    """Only writable CustomerApi fields, each within the spec's limits."""
    writable = {k for k, p in schemas.props("CustomerApi").items() if not p.get("readOnly")}
    assert set(body) <= writable
    assert schemas.validate("CustomerApi", body) == []


# ---------------------------------------------------------------------- private persons
def test_new_private_person_is_found_by_email_and_created_with_the_billing_address():
    plan = plan_customer(order(), RULES)
    assert plan == CustomerPlan(
        is_private=True,
        keys=(CustomerKey("email", "maija@example.fi"),),
        body={
            "Name": "Maija Meikäläinen",
            "IsPrivatePerson": True,
            "IsActive": True,
            "TermsOfPaymentId": TERMS,
            "CurrencyCode": "EUR",
            "InvoicePostalCode": "33100",
            "InvoiceCity": "Tampere",
            "InvoiceCountryCode": "FI",
            "InvoiceAddress1": "Kauppakatu 1 A 2",
            "EmailAddress": "maija@example.fi",
            "Telephone": "+358 40 123 4567",
        },
        collective=False,
        vat_mode="domestic",
    )
    assert_valid_customer_body(plan.body)


def test_email_is_normalised_and_whitespace_collapsed():
    bill = billing(email="  Maija.Meikalainen@Example.FI ", first_name=" Maija  Liisa ", city=" Tampere ")
    plan = plan_customer(order(bill), RULES)
    assert plan.keys == (CustomerKey("email", "maija.meikalainen@example.fi"),)
    assert plan.body["EmailAddress"] == "maija.meikalainen@example.fi"
    assert (plan.body["Name"], plan.body["InvoiceCity"]) == ("Maija Liisa Meikäläinen", "Tampere")
    assert normalise_email(" A.B@X.FI\t") == "a.b@x.fi"


def test_a_different_shipping_address_becomes_the_delivery_address():
    ship = Address(
        first_name="Matti",
        last_name="Meikäläinen",
        address_1="Mökkitie 5",
        city="Ruovesi",
        postcode="34600",
        country="FI",
    )
    plan = plan_customer(order(ship=ship), RULES)
    assert {k: v for k, v in plan.body.items() if k.startswith("Delivery")} == {
        "DeliveryCustomerName": "Matti Meikäläinen",
        "DeliveryAddress1": "Mökkitie 5",
        "DeliveryPostalCode": "34600",
        "DeliveryCity": "Ruovesi",
        "DeliveryCountryCode": "FI",
    }
    assert_valid_customer_body(plan.body)
    same = Address(
        first_name="Maija",
        last_name="Meikäläinen",
        address_1="Kauppakatu 1 A 2",
        city="Tampere",
        postcode="33100",
        country="FI",
    )
    assert not any(k.startswith("Delivery") for k in plan_customer(order(ship=same), RULES).body)


def test_billing_company_name_alone_keeps_a_private_person_with_the_company_on_the_first_line():
    plan = plan_customer(order(billing(company="Meikäläisen Puutarha")), RULES)
    assert plan.is_private and plan.keys == (CustomerKey("email", "maija@example.fi"),)
    assert (plan.body["Name"], plan.body["InvoiceAddress1"], plan.body["InvoiceAddress2"]) == (
        "Maija Meikäläinen",
        "Meikäläisen Puutarha",
        "Kauppakatu 1 A 2",
    )
    # Both address lines in use: the company name is left out rather than cutting anything.
    full = plan_customer(order(billing(company="Meikäläisen Puutarha", address_2="Porras B")), RULES)
    assert (full.body["InvoiceAddress1"], full.body["InvoiceAddress2"]) == ("Kauppakatu 1 A 2", "Porras B")


# ---------------------------------------------------------------------- companies
def test_company_by_business_id():
    bill = billing(company="Rakennus  Oy", first_name="Pekka", last_name="Puhakka")
    plan = plan_customer(order(bill, meta={"_billing_business_id": " 1234567-1 "}), RULES)
    assert isinstance(plan, CustomerPlan) and not plan.is_private
    assert plan.keys == (CustomerKey("business_id", "1234567-1"),)
    assert plan.vat_mode == "domestic"
    b = plan.body
    assert (b["Name"], b["IsPrivatePerson"], b["CorporateIdentityNumber"], b["ContactPersonName"]) == (
        "Rakennus Oy",
        False,
        "1234567-1",
        "Pekka Puhakka",
    )
    assert "VatNumber" not in b
    assert_valid_customer_body(b)


def test_company_by_vat_number_only_in_another_eu_country_is_reverse_charged():
    bill = billing(company="Svensk Bygg AB", country="SE", city="Stockholm", postcode="111 22")
    plan = plan_customer(order(bill, meta={"vat_number": "se 5566 7788 9901"}), RULES)
    assert plan.keys == (CustomerKey("vat_number", "SE556677889901"),)
    assert plan.vat_mode == "reverse_charge"
    assert (plan.body["VatNumber"], plan.body["InvoiceCountryCode"]) == ("SE556677889901", "SE")
    assert "CorporateIdentityNumber" not in plan.body
    assert_valid_customer_body(plan.body)


def test_company_with_both_ids_is_matched_by_business_id_first():
    meta = {"billing_ytunnus": "1234567-1", "_billing_vat_number": "FI 1234 5671"}
    plan = plan_customer(order(billing(company="Rakennus Oy"), meta=meta), RULES)
    assert plan.keys == (CustomerKey("business_id", "1234567-1"), CustomerKey("vat_number", "FI12345671"))


def test_tenant_named_meta_keys_replace_the_defaults():
    rules = replace(RULES, business_id_keys=("y_tunnus_kentta",), vat_number_keys=())
    plan = plan_customer(order(billing(company="Oy Ab"), meta={"y_tunnus_kentta": "7654321-2"}), rules)
    assert plan.keys == (CustomerKey("business_id", "7654321-2"),)
    assert plan_customer(order(meta={"_billing_business_id": "7654321-2"}), rules).is_private


def test_vat_number_without_its_country_prefix_gets_it():
    assert normalise_vat_number("5566778899 01", "SE") == "SE556677889901"
    assert normalise_vat_number("123456789", "GR") == "EL123456789"
    assert normalise_vat_number("de-123.456.789") == "DE123456789"


def test_company_without_a_company_name_waits():
    plan = plan_customer(order(meta={"_billing_business_id": "1234567-1"}), COLLECTIVE)
    assert (plan).reasons == (("The order has no company name. Add it in the shop order, then Retry.",))


# ---------------------------------------------------------------------- VAT treatment
@pytest.mark.parametrize(
    "country, meta, company, mode",
    [
        ("FI", {}, "", "domestic"),
        ("DE", {}, "", "oss"),
        ("NO", {}, "", "export"),
        ("AX", {}, "", "export"),  # Åland is outside the EU VAT area
        ("DE", {"_billing_vat_number": "DE123456789"}, "Bau GmbH", "reverse_charge"),
        ("DE", {"_billing_business_id": "HRB 1234"}, "Bau GmbH", "oss"),  # no VAT number: not reverse charged
        ("US", {"_billing_vat_number": "US12-3456789"}, "Acme Inc", "export"),
    ],
)
def test_vat_mode_follows_country_person_and_vat_number(country, meta, company, mode):
    plan = plan_customer(order(billing(country=country, company=company), meta=meta), RULES)
    assert plan.vat_mode == mode


def test_private_person_shipping_abroad_has_delivery_based_vat():
    ship = Address(
        first_name="Maija",
        last_name="Meikäläinen",
        address_1="Hauptstraße 1",
        city="Berlin",
        postcode="10115",
        country="DE",
    )
    plan = plan_customer(order(ship=ship), RULES)
    assert plan.vat_mode == "oss"
    assert (plan.body["DeliveryBasedVat"], plan.body["DeliveryCountryCode"]) == (True, "DE")
    assert_valid_customer_body(plan.body)


# ---------------------------------------------------------------------- what cannot be created
def test_guest_order_without_an_address_waits():
    bill = billing(address_1="", postcode="", city="")
    assert (plan_customer(order(bill), RULES)).reasons == (
        (
            "The order has no billing postcode or city; eAccounting needs both for a new customer. Add them in the "
            "shop order, or set a collective webshop customer in the order settings, then Retry.",
        )
    )


def test_guest_order_without_an_address_uses_the_collective_customer_when_set():
    bill = billing(address_1="", postcode="", city="", email="")
    assert plan_customer(order(bill), COLLECTIVE) == CustomerPlan(True, (), {}, True, "domestic")


def test_collective_customer_never_takes_a_foreign_consumer_or_a_company():
    foreign = billing(country="DE", email="")
    assert plan_customer(order(foreign), COLLECTIVE).reasons == (
        "The order has no e-mail address; Silta finds private customers by their e-mail. Add one in the shop "
        "order, then Retry.",  # no collective hint: it would book a German consumer with Finnish VAT
    )
    company = billing(company="Rakennus Oy", postcode="", city="")
    assert isinstance(
        plan_customer(order(company, meta={"_billing_business_id": "1234567-1"}), COLLECTIVE), Waiting
    )


def test_private_person_without_email_waits():
    assert isinstance(plan_customer(order(billing(email="")), RULES), Waiting)
    assert plan_customer(order(billing(email="not-an-address")), RULES).reasons == (
        "The order has no usable e-mail address; Silta finds private customers by their e-mail. Add one in the "
        "shop order, or set a collective webshop customer in the order settings, then Retry.",
    )


def test_too_long_street_waits_with_its_length_and_the_limit():
    street = "Pitkäkatu 12 B 34, sisäpiha, portti 3, ovikoodi 4455, kolmas kerros"[:63]
    assert len(street) == 63
    assert (plan_customer(order(billing(address_1=street)), RULES)).reasons == (
        (
            "The billing street address is 63 characters; eAccounting allows 50. Shorten it in the shop order, "
            "then Retry.",
        )
    )


def test_every_overlong_field_is_reported():
    bill = billing(city="C" * 51, postcode="1" * 11, first_name="N" * 30, last_name="M" * 30)
    assert plan_customer(order(bill), RULES).reasons == (
        "The customer name is 61 characters; eAccounting allows 50. Shorten it in the shop order, then Retry.",
        "The billing postcode is 11 characters; eAccounting allows 10. Shorten it in the shop order, then Retry.",
        "The billing city is 51 characters; eAccounting allows 50. Shorten it in the shop order, then Retry.",
    )


def test_too_long_phone_is_dropped():
    plan = plan_customer(
        order(billing(phone="+358 40 123 4567 (iltaisin) tai +358 50 765 4321 (töissä)")), RULES
    )
    assert isinstance(plan, CustomerPlan)
    assert "Telephone" not in plan.body
    assert_valid_customer_body(plan.body)


def test_currency_other_than_the_companys_waits():
    plan = plan_customer(order(currency="SEK"), RULES)
    assert (plan).reasons == (
        (
            "The order is in SEK but the company keeps its books in EUR: orders in other currencies are not "
            "transferred. Enter this one in eAccounting by hand.",
        )
    )


def test_currency_mismatch_waits_even_for_the_collective_customer_and_all_reasons_are_kept():
    bill = billing(postcode="", city="")
    assert len(plan_customer(order(bill, currency="SEK"), COLLECTIVE).reasons) == 1
    reasons = plan_customer(order(billing(address_1="x" * 60, email=""), currency="USD"), RULES).reasons
    assert [r.split(" ")[:4] for r in reasons] == [
        ["The", "order", "is", "in"],
        ["The", "order", "has", "no"],
        ["The", "billing", "street", "address"],
    ]
