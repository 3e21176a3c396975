"""Which template articles a company needs in eAccounting, proposed from its own codings and units (pure).

Orders book shipping, payment fees, rounding and gift cards on template articles (see document_plan).
A new company has none suitable, so Silta proposes one service article per role: shipping and a payment
fee for each VAT rate the shop uses (the shop taxes them at the goods' rates), and one rounding and one
gift-card article at 0 % (rounding is no sale; a multi-purpose voucher is taxed when it is spent). An
article of the proposed number already in eAccounting is offered instead of a new one: nothing is made twice.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

from ..eaccounting.references import Choice

ZERO = Decimal(0)
PREFERRED_UNIT_CODES = ("KPL", "PCS", "ST", "STK")  # "piece", as activation picks it


class Role(StrEnum):
    SHIPPING = "shipping"
    PAYMENT_FEE = "payment_fee"
    ROUNDING = "rounding"
    GIFT_CARD = "gift_card"


@dataclass(frozen=True)
class Existing:
    """An article already in eAccounting (the local copy)."""

    article_id: str
    number: str
    name: str


@dataclass(frozen=True)
class ProposedArticle:
    role: Role
    vat_rate: Decimal
    number: str
    name: str
    coding: Choice
    unit: Choice
    existing: Existing | None = None  # an article of this number is there already: it is used as it is

    @property
    def body(self) -> dict:
        """The article as eAccounting's POST /articles takes it: a service article, not stock, never for sale
        in a Visma webshop, price 0 (the order row carries the amount)."""
        return {
            "Number": self.number,
            "Name": self.name,
            "CodingId": self.coding.id,
            "UnitId": self.unit.id,
            "IsActive": True,
            "IsStock": False,
            "SendToWebshop": False,
            "NetPrice": 0,
            "GrossPrice": 0,
        }


@dataclass
class Proposal:
    articles: list[ProposedArticle] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what stops a role, in words that say what to fix

    @property
    def to_create(self) -> list[ProposedArticle]:
        return [a for a in self.articles if a.existing is None]


def pct(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


def number_for(role: Role, rate: Decimal) -> str:
    """SHIP-25.5, FEE-14, ROUNDING, GIFTCARD: short (≤ 40), readable, the same in every company."""
    return {
        Role.SHIPPING: f"SHIP-{pct(rate)}",
        Role.PAYMENT_FEE: f"FEE-{pct(rate)}",
        Role.ROUNDING: "ROUNDING",
        Role.GIFT_CARD: "GIFTCARD",
    }[role]


def name_for(role: Role, rate: Decimal) -> str:
    """In the language of the person proposing them (≤ 50 characters, eAccounting's limit)."""
    rate_text = pct(rate)
    names = {
        Role.SHIPPING: _("Shipping %(rate)s %%") % {"rate": rate_text},
        Role.PAYMENT_FEE: _("Payment fee %(rate)s %%") % {"rate": rate_text},
        Role.ROUNDING: _("Rounding"),
        Role.GIFT_CARD: _("Gift card / voucher"),
    }
    return names[role][:50]


def pick_unit(units: Iterable[Choice]) -> Choice | None:
    units = list(units)
    by_code = {u.code.upper(): u for u in units}
    return next((by_code[c] for c in PREFERRED_UNIT_CODES if c in by_code), units[0] if units else None)


def pick_coding(codings: Iterable[Choice], rate: Decimal) -> Choice | None:
    """A service coding at the rate; a goods coding at the rate when eAccounting has no service one."""
    at_rate = [c for c in codings if c.vat_rate is not None and c.vat_rate == rate]
    return next((c for c in at_rate if c.is_service), at_rate[0] if at_rate else None)


def propose(
    rates: Iterable[Decimal],
    *,
    payment_methods: bool,
    codings: list[Choice],
    units: list[Choice],
    existing_by_number: Mapping[str, Existing],
) -> Proposal:
    """`rates`: the VAT rates the shop uses (percent); `payment_methods`: the shop has any (fees need articles)."""
    proposal = Proposal()
    unit = pick_unit(units)
    if unit is None:
        proposal.problems.append(
            _(
                "eAccounting has no units: add one (e.g. “kpl”) in eAccounting's settings, "
                "then read eAccounting's lists again."
            )
        )
        return proposal
    sales_rates = sorted({r for r in rates if r > ZERO}, reverse=True)
    if not sales_rates:
        proposal.problems.append(
            _("The shop's VAT rates are not known yet: they are read at the next order sync.")
        )
    wanted = [(Role.SHIPPING, r) for r in sales_rates]
    if payment_methods:
        wanted += [(Role.PAYMENT_FEE, r) for r in sales_rates]
    wanted += [(Role.ROUNDING, ZERO), (Role.GIFT_CARD, ZERO)]
    for role, rate in wanted:
        number = number_for(role, rate)
        coding = pick_coding(codings, rate)
        if coding is None:
            proposal.problems.append(
                _(
                    "eAccounting has no coding for %(rate)s %% VAT, so the article %(number)s cannot be made: add a "
                    "sales coding for %(rate)s %% in eAccounting, then read eAccounting's lists again."
                )
                % {"rate": pct(rate), "number": number}
            )
            continue
        proposal.articles.append(
            ProposedArticle(
                role, rate, number, name_for(role, rate), coding, unit, existing_by_number.get(number)
            )
        )
    return proposal
