"""Is a customer's business ID or VAT number plausible? Checked before a customer is created (pure).

A typo in an ID makes a customer eAccounting cannot invoice as a company (and a reverse-charge
invoice without a valid VAT number is wrong VAT): the order waits with the cause and the fix instead.

- A Finnish business ID (Y-tunnus) is seven digits, a hyphen and a check digit: the digits weighted
  7, 9, 10, 5, 8, 4, 2, summed, modulo 11; remainder 0 → check digit 0, remainder 1 → no valid ID
  has those digits, otherwise 11 − remainder. Old six-digit IDs are written with a leading zero.
- A VAT number is checked against its country's format (the EU's published VIES formats); a Finnish
  one (FI + the business ID's eight digits) also by the check digit. Numbers of countries outside the
  table (outside the EU) are left to eAccounting.
"""

from __future__ import annotations

import re

from .outcomes import PIECES

WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
Y_TUNNUS = re.compile(r"^(\d{6,7})-(\d)$")

# The EU's VAT number formats, by the number's prefix (VIES; Greece is EL, Northern Ireland XI).
VAT_FORMATS: dict[str, str] = {
    "AT": r"ATU\d{8}",
    "BE": r"BE[01]\d{9}",
    "BG": r"BG\d{9,10}",
    "CY": r"CY\d{8}[A-Z]",
    "CZ": r"CZ\d{8,10}",
    "DE": r"DE\d{9}",
    "DK": r"DK\d{8}",
    "EE": r"EE\d{9}",
    "EL": r"EL\d{9}",
    "ES": r"ES[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"FI\d{8}",
    "FR": r"FR[A-HJ-NP-Z0-9]{2}\d{9}",
    "HR": r"HR\d{11}",
    "HU": r"HU\d{8}",
    "IE": r"IE(\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])",
    "IT": r"IT\d{11}",
    "LT": r"LT(\d{9}|\d{12})",
    "LU": r"LU\d{8}",
    "LV": r"LV\d{11}",
    "MT": r"MT\d{8}",
    "NL": r"NL\d{9}B\d{2}",
    "PL": r"PL\d{10}",
    "PT": r"PT\d{9}",
    "RO": r"RO\d{2,10}",
    "SE": r"SE\d{10}01",
    "SI": r"SI\d{8}",
    "SK": r"SK\d{10}",
    "XI": r"XI(\d{9}|\d{12}|GD\d{3}|HA\d{3})",
}
EXAMPLES = {"FI": "FI12345671", "SE": "SE556677889901", "DE": "DE123456789", "EE": "EE123456789"}


def y_tunnus_check_digit(digits: str) -> int | None:
    """The check digit of a business ID's seven digits; None when no valid ID has them (remainder 1)."""
    remainder = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def business_id_fault(value: str) -> str:
    """Why ``value`` is not a valid Finnish business ID: the key of its words (outcomes.PIECES); "" when it is."""
    match = Y_TUNNUS.match(value)
    if match is None:
        return "business_id_format"
    digits, check = match.group(1).zfill(7), int(match.group(2))
    expected = y_tunnus_check_digit(digits)
    if expected is None:
        return "business_id_no_such"
    if expected != check:
        return "business_id_check"
    return ""


def business_id_problem(value: str) -> str:
    """The same in English words; "" when it is valid."""
    fault = business_id_fault(value)
    return PIECES[fault] if fault else ""


def vat_number_fault(number: str) -> tuple[str, dict[str, str]]:
    """Why ``number`` (normalised: upper case, letters and digits, with its prefix) is not a plausible EU VAT
    number: the key of its words (outcomes.PIECES) and their parameters; ("", {}) when it is, or when its country
    is not in the table."""
    prefix = number[:2]
    pattern = VAT_FORMATS.get(prefix)
    if pattern is None:
        return "", {}
    if not re.fullmatch(pattern, number):
        if prefix in EXAMPLES:
            return "vat_number_format_example", {"prefix": prefix, "example": EXAMPLES[prefix]}
        return "vat_number_format", {"prefix": prefix}
    if prefix == "FI" and business_id_fault(f"{number[2:9]}-{number[9]}"):
        return "vat_number_check", {}
    return "", {}


def vat_number_problem(number: str) -> str:
    """The same in English words; "" when it is plausible."""
    fault, params = vat_number_fault(number)
    return PIECES[fault] % params if fault else ""
