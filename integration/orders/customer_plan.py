"""Which eAccounting customer a web order belongs to, and the customer to create if none matches.

Pure (no database, no network, no settings). The caller looks the customer up by ``keys`` in order
and creates it from ``body`` only when none matches (README, *Web orders, shop → eAccounting*).

Decisions:

- A company is an order with a business ID or a VAT number in the order meta (WooCommerce has no such
  field; the tenant names the keys, common checkout plugins' keys are the defaults). Companies are
  found by business ID, then VAT number; private persons by e-mail.
- A billing company name alone does not make a company: without an ID it could not be invoiced as
  one nor matched again. The order is a private person's; the company name goes on the first address
  line (the street moves to the second) when that line is free, and is left out otherwise.
- Names and addresses are only cleaned (whitespace collapsed), never cut: a name, street, postcode or
  city over eAccounting's limit makes the order wait with the field, its length and the limit. Phone
  numbers and the contact person are not essential: dropped when too long.
- The tenant's collective "webshop customer" takes a domestic private order that cannot make a
  customer of its own (no address, e-mail or name). Never a company's (its ID and VAT treatment
  matter) nor a foreign consumer's (the collective customer would book domestic VAT).
- This applies to every order, registered or guest: the plan is made before the lookup, so a
  returning customer whose order lacks an address waits (or goes to the collective customer) too.
- A company's business ID (a Finnish one, when the billing country is Finland: check digit) and VAT number
  (its country's format) are checked before any lookup or create (``business_ids``): a typo waits with
  the cause and the fix rather than making a customer eAccounting cannot invoice as that company.
- VAT treatment (``vat_mode``): a private person's follows the delivery country (where the goods go);
  when that differs from the billing country ``DeliveryBasedVat`` tells eAccounting so. A company's
  follows its billing country; an EU company abroad without a VAT number is treated like a consumer
  ("oss"), and the document's totals check holds the order if eAccounting disagrees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from integration.webshops.base import Address, ShopOrder

from .business_ids import business_id_fault, vat_number_fault
from .outcomes import Reason, Waiting, WaitReason, reason

DEFAULT_BUSINESS_ID_KEYS = (
    "_billing_business_id",
    "billing_business_id",
    "_billing_ytunnus",
    "billing_ytunnus",
    "_billing_y_tunnus",
    "_billing_company_id",
    "billing_company_id",
    "business_id",
)
DEFAULT_VAT_NUMBER_KEYS = (
    "_billing_vat_number",
    "billing_vat_number",
    "_vat_number",
    "vat_number",
    "_billing_eu_vat_number",
    "VAT Number",
    "_billing_vat",
    "billing_vat",
)
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)  # WooCommerce's ISO codes (Greece is GR; its VAT prefix EL). Åland (AX) is outside the EU VAT area.
VAT_PREFIX = {"GR": "EL"}

# CustomerApi limits (sandbox/contracts/eaccounting/openapi-v2.json)
NAME, ADDRESS, POSTCODE, CITY, EMAIL, PHONE, ID_NUMBER = 50, 50, 10, 50, 255, 50, 20
DELIVERY_NAME, CONTACT_NAME = 100, 100


@dataclass(frozen=True)
class CustomerRules:
    company_country: str
    company_currency: str
    business_id_keys: tuple[str, ...]
    vat_number_keys: tuple[str, ...]
    terms_of_payment_id: str
    collective_customer_id: str  # "" = none


@dataclass(frozen=True)
class CustomerKey:
    kind: str  # "email" | "business_id" | "vat_number"
    value: str  # normalised


@dataclass(frozen=True)
class CustomerPlan:
    is_private: bool
    keys: tuple[CustomerKey, ...]  # look up in this order
    body: dict  # CustomerApi create body; {} for the collective customer
    collective: bool
    vat_mode: str  # as PlanContext.vat_mode


# ---------------------------------------------------------------------- normalising
def clean(value: Any) -> str:
    return " ".join(str(value or "").split())


def normalise_email(value: Any) -> str:
    return "".join(str(value or "").split()).lower()


def normalise_business_id(value: Any) -> str:
    return "".join(str(value or "").split())


def normalise_vat_number(value: Any, country: str = "") -> str:
    """Upper case, letters and digits only; a number typed without its country prefix gets it."""
    number = re.sub(r"[^0-9A-Za-z]", "", str(value or "")).upper()
    if number[:1].isdigit() and country.upper() in EU_COUNTRIES:
        number = VAT_PREFIX.get(country.upper(), country.upper()) + number
    return number


def vat_mode(country: str, *, is_private: bool, has_vat_number: bool, company_country: str) -> str:
    if not country or country == company_country:
        return "domestic"
    if country in EU_COUNTRIES:
        return "oss" if is_private or not has_vat_number else "reverse_charge"
    return "export"


def _meta_value(meta: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and clean(value):
            return clean(value)
    return ""


def _person(a: Address) -> str:
    return clean(f"{a.first_name} {a.last_name}")


def _has_address(a: Address) -> bool:
    return bool(clean(a.address_1) or clean(a.postcode) or clean(a.city))


# ---------------------------------------------------------------------- the plan
def plan_customer(order: ShopOrder, rules: CustomerRules) -> CustomerPlan | Waiting:
    """The customer keys and create body for ``order``, or every reason it must wait."""
    reasons: list[Reason] = []
    if order.currency.upper() != rules.company_currency.upper():
        reasons.append(
            reason(
                WaitReason.FOREIGN_CURRENCY, currency=order.currency, company_currency=rules.company_currency
            )
        )
    b, s, home = order.billing, order.shipping, rules.company_country.upper()
    billing_country = clean(b.country).upper() or home
    delivery_country = (clean(s.country).upper() if _has_address(s) else "") or billing_country
    business_id = normalise_business_id(_meta_value(order.meta, rules.business_id_keys))
    vat_number = normalise_vat_number(_meta_value(order.meta, rules.vat_number_keys), billing_country)
    is_private = not (business_id or vat_number)
    if business_id and billing_country == "FI" and (fault := business_id_fault(business_id)):
        reasons.append(reason(WaitReason.INVALID_BUSINESS_ID, value=business_id, problem=fault))
    if vat_number:
        fault, params = vat_number_fault(vat_number)
        if fault:
            reasons.append(reason(WaitReason.INVALID_VAT_NUMBER, value=vat_number, problem=fault, **params))
    mode = vat_mode(
        delivery_country if is_private else billing_country,
        is_private=is_private,
        has_vat_number=bool(vat_number),
        company_country=home,
    )

    email = normalise_email(b.email)
    email = email if "@" in email else ""  # not an address: as good as none
    name = (_person(b) or clean(b.company)) if is_private else clean(b.company)
    gaps = []  # what is missing
    if not (clean(b.postcode) and clean(b.city)):
        gaps.append(WaitReason.NO_POSTCODE_OR_CITY)
    if not email and is_private:
        gaps.append(WaitReason.NO_USABLE_EMAIL if clean(b.email) else WaitReason.NO_EMAIL)
    if not name:
        gaps.append(WaitReason.NO_CUSTOMER_NAME if is_private else WaitReason.NO_COMPANY_NAME)
    if gaps:
        collective_helps = is_private and mode == "domestic"
        if collective_helps and rules.collective_customer_id:
            return Waiting(tuple(reasons)) if reasons else CustomerPlan(True, (), {}, True, mode)
        hint = "collective" if collective_helps else ""
        reasons += [reason(gap, hint=hint) for gap in gaps]

    body: dict[str, Any] = {
        "Name": name,
        "IsPrivatePerson": is_private,
        "IsActive": True,
        "TermsOfPaymentId": rules.terms_of_payment_id,
        "CurrencyCode": order.currency.upper(),
        "InvoicePostalCode": clean(b.postcode),
        "InvoiceCity": clean(b.city),
        "InvoiceCountryCode": billing_country,
    }
    lines = [clean(b.address_1), clean(b.address_2)]
    company = clean(b.company)
    if (
        is_private
        and company
        and company != name
        and not lines[1]
        and len(company) <= ADDRESS
        and len(lines[0]) <= ADDRESS
    ):
        lines = [company, lines[0]]
    _put(body, "InvoiceAddress1", lines[0])
    _put(body, "InvoiceAddress2", lines[1])
    _put(body, "EmailAddress", email)
    _put(body, "Telephone", clean(b.phone) if len(clean(b.phone)) <= PHONE else "")
    if not is_private:
        _put(body, "CorporateIdentityNumber", business_id)
        _put(body, "VatNumber", vat_number)
        contact = _person(b)
        _put(body, "ContactPersonName", contact if len(contact) <= CONTACT_NAME else "")
    if _has_address(s) and _delivery(s, home) != _delivery(b, home):
        body.update(_delivery(s, home))
        if is_private and delivery_country != billing_country:
            body["DeliveryBasedVat"] = True
    reasons += _too_long(body, is_private)
    if reasons:
        return Waiting(tuple(reasons))
    keys = (
        (CustomerKey("email", email),)
        if is_private
        else tuple(
            CustomerKey(k, v) for k, v in (("business_id", business_id), ("vat_number", vat_number)) if v
        )
    )
    return CustomerPlan(is_private, keys, body, False, mode)


def _put(body: dict, key: str, value: str) -> None:
    if value:
        body[key] = value


def _delivery(a: Address, home: str) -> dict[str, str]:
    fields = {
        "DeliveryCustomerName": ", ".join(x for x in (clean(a.company), _person(a)) if x),
        "DeliveryAddress1": clean(a.address_1),
        "DeliveryAddress2": clean(a.address_2),
        "DeliveryPostalCode": clean(a.postcode),
        "DeliveryCity": clean(a.city),
        "DeliveryCountryCode": clean(a.country).upper() or home,
    }
    return {k: v for k, v in fields.items() if v}


LIMITS = (  # field (its words for the shop owner: outcomes.PIECES), limit
    ("Name", NAME),
    ("InvoiceAddress1", ADDRESS),
    ("InvoiceAddress2", ADDRESS),
    ("InvoicePostalCode", POSTCODE),
    ("InvoiceCity", CITY),
    ("EmailAddress", EMAIL),
    ("CorporateIdentityNumber", ID_NUMBER),
    ("VatNumber", ID_NUMBER),
    ("DeliveryCustomerName", DELIVERY_NAME),
    ("DeliveryAddress1", ADDRESS),
    ("DeliveryAddress2", ADDRESS),
    ("DeliveryPostalCode", POSTCODE),
    ("DeliveryCity", CITY),
)


def _too_long(body: dict, is_private: bool) -> list[Reason]:
    out = []
    for key, limit in LIMITS:
        value = body.get(key) or ""
        if len(value) > limit:
            where = "order_meta" if key in ("CorporateIdentityNumber", "VatNumber") else "shop_order"
            out.append(
                reason(
                    WaitReason.FIELD_TOO_LONG,
                    field="CompanyName" if key == "Name" and not is_private else key,
                    length=len(value),
                    limit=limit,
                    where=where,
                )
            )
    return out
