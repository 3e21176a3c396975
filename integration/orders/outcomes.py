"""What every order planner may answer instead of a plan: why the order waits, as codes and parameters.

A reason is stored as its code and parameters (``OrderTransfer.reason_code``) and rendered in the reader's
language when a page shows it; ``Reason.english`` is the text kept in ``reason`` for logs and CSV. Each code
has one message template; a parameter named in ``PIECE_PARAMS`` holds the key of a translatable piece of
words (what the reason is about, a field's name, …) that is rendered first, with the same parameters.
The fix each code offers (the page that clears it) is the portal's: ``portal/admin/wait_fixes.py``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_noop as _


class WaitReason(StrEnum):
    """Every reason the product gives for an order (or a refund of it) to wait."""

    # the order's rows
    NO_TEMPLATE_ARTICLE = "no_template_article"
    NO_ARTICLE_FOR_SKU = "no_article_for_sku"
    NO_SKU = "no_sku"
    BAD_QUANTITY = "bad_quantity"
    UNKNOWN_TAX_RATE = "unknown_tax_rate"
    ARTICLE_VAT_DIFFERS = "article_vat_differs"
    LINE_NOT_IN_CENTS = "line_not_in_cents"
    LINES_NOT_IN_CENTS = "lines_not_in_cents"
    GIFT_CARD_ARTICLE_MISSING = "gift_card_article_missing"
    GIFT_CARD_ARTICLE_HAS_VAT = "gift_card_article_has_vat"
    DISCOUNT_AT_FOREIGN_RATE = "discount_at_foreign_rate"
    # the order's totals
    VAT_DIFFERS = "vat_differs"
    VAT_TOTAL_DIFFERS = "vat_total_differs"
    TOTAL_DIFFERS = "total_differs"
    NO_ROUNDING_ARTICLE = "no_rounding_article"
    ROUNDING_ARTICLE_HAS_VAT = "rounding_article_has_vat"
    # the customer and the document's fields
    FOREIGN_CURRENCY = "foreign_currency"
    INVALID_BUSINESS_ID = "invalid_business_id"
    INVALID_VAT_NUMBER = "invalid_vat_number"
    NO_POSTCODE_OR_CITY = "no_postcode_or_city"
    NO_EMAIL = "no_email"
    NO_USABLE_EMAIL = "no_usable_email"
    NO_CUSTOMER_NAME = "no_customer_name"
    NO_COMPANY_NAME = "no_company_name"
    FIELD_TOO_LONG = "field_too_long"
    EACCOUNTING_REFUSED = "eaccounting_refused"
    # a step after the transfer
    PAYMENT_NO_BANK_ACCOUNT = "payment_no_bank_account"
    REFUND_ORDER_NOT_INVOICED = "refund_order_not_invoiced"
    # a refund (credit invoice)
    REFUND_ARTICLE_VAT_DIFFERS = "refund_article_vat_differs"
    REFUND_LINE_NOT_IN_ORDER = "refund_line_not_in_order"
    REFUND_BAD_QUANTITY = "refund_bad_quantity"
    REFUND_CHARGE_NOT_BOOKED = "refund_charge_not_booked"
    REFUND_ARTICLE_MISSING = "refund_article_missing"
    REFUND_VAT_DIFFERS = "refund_vat_differs"
    REFUND_TOTAL_DIFFERS = "refund_total_differs"
    REFUND_NO_ROUNDING_ARTICLE = "refund_no_rounding_article"
    REFUND_ROUNDING_HAS_VAT = "refund_rounding_has_vat"


TEMPLATES: dict[WaitReason, str] = {
    WaitReason.NO_TEMPLATE_ARTICLE: _(
        "%(subject)s at %(rate)s %%: no template article — set one in Shop methods, then Retry"
    ),
    WaitReason.NO_ARTICLE_FOR_SKU: _(
        "%(subject)s: no eAccounting article with this number — make the article in eAccounting (or give the "
        "product the number of an existing article as its SKU), then Retry"
    ),
    WaitReason.NO_SKU: _(
        "%(subject)s: the product has no SKU and no linked eAccounting article — give it the article's number "
        "as its SKU, then Retry"
    ),
    WaitReason.BAD_QUANTITY: _(
        "%(subject)s: a quantity of %(quantity)s cannot be booked — correct the line's quantity in the shop order, "
        "then Retry"
    ),
    WaitReason.UNKNOWN_TAX_RATE: _(
        "%(subject)s: the shop's tax rate %(rate_id)s is unknown to Silta — check the shop's tax rates, then Retry"
    ),
    WaitReason.ARTICLE_VAT_DIFFERS: _(
        "%(subject)s: eAccounting article %(article)s (%(article_name)s) has %(article_rate)s %% VAT but the "
        "shop charged %(shop_rate)s %% — correct the article or the shop's tax class, then Retry"
    ),
    WaitReason.LINE_NOT_IN_CENTS: _(
        "%(subject)s: no two-decimal unit price makes the line's %(charged)s %(currency)s from %(quantity)s "
        "units (%(quantity)s × %(unit)s = %(booked)s) — book this line as 1 × %(charged)s: choose “Book lines "
        "as one unit” for this order (eAccounting then counts 1 unit out of stock, not %(quantity)s)"
    ),
    WaitReason.LINES_NOT_IN_CENTS: _(
        "%(count)s line(s) cannot be made to the cent from quantity × unit price with a 4-decimal discount "
        "(line %(line)s: %(quantity)s × %(unit)s less %(discount)s %% is %(booked)s, the receipt says "
        "%(charged)s) — book them as 1 × their total: choose “Book lines as one unit” for this order"
    ),
    WaitReason.GIFT_CARD_ARTICLE_MISSING: _(
        "%(subject)s is a payment, not a discount: it needs a gift card template — set one in the order "
        "settings, then Retry"
    ),
    WaitReason.GIFT_CARD_ARTICLE_HAS_VAT: _(
        "%(subject)s is a payment, not a sale, but the gift card article %(article)s (%(article_name)s) has "
        "%(article_rate)s %% VAT: it would lower output VAT the order never charged — give it a 0 %% "
        "balance-sheet coding (e.g. a liability for gift cards sold) in eAccounting, or choose such an article "
        "in the order settings, then Retry"
    ),
    WaitReason.DISCOUNT_AT_FOREIGN_RATE: _(
        "%(subject)s: a discount of %(amount)s %(currency)s is taxed at %(rates)s, a rate none of the order's "
        "goods carry, so it would lower VAT the order never charged — give the fee the tax class of the goods "
        "it discounts in the shop (or book the order by hand), then Retry"
    ),
    WaitReason.VAT_DIFFERS: _(
        "VAT at %(rate)s %%: the customer's receipt says %(theirs)s %(currency)s, eAccounting would book "
        "%(ours)s — Silta books no VAT difference (allowed: %(tolerance)s, the order settings' VAT tolerance). "
        "Check the shop's tax rounding setting and this order's prices; book the order in eAccounting by hand "
        "if the shop's figures are right"
    ),
    WaitReason.VAT_TOTAL_DIFFERS: _(
        "VAT in total: the customer's receipt says %(theirs)s %(currency)s, its lines' taxes and eAccounting "
        "%(ours)s — Silta books no VAT difference (allowed: %(tolerance)s, the order settings' VAT tolerance). "
        "Check the order in the shop, then Retry"
    ),
    WaitReason.TOTAL_DIFFERS: _(
        "The order's total %(total)s %(currency)s (VAT %(vat)s) differs from what eAccounting would book, "
        "%(ours)s (VAT %(ours_vat)s), by more than the rounding limit %(limit)s%(rules)s"
    ),
    WaitReason.NO_ROUNDING_ARTICLE: _(
        "The order's total %(total)s %(currency)s differs from what eAccounting would book, %(ours)s, by "
        "%(difference)s: within the rounding limit, but no rounding article is set — set one in the order "
        "settings, then Retry"
    ),
    WaitReason.ROUNDING_ARTICLE_HAS_VAT: _(
        "The order's total %(total)s %(currency)s differs from what eAccounting would book, %(ours)s, by "
        "%(difference)s, but the rounding article %(article)s (%(article_name)s) has %(article_rate)s %% VAT: a "
        "rounding row may correct the total, never VAT — give it a 0 %% coding in eAccounting or choose a 0 %% "
        "article in the order settings, then Retry"
    ),
    WaitReason.FOREIGN_CURRENCY: _(
        "The order is in %(currency)s but the company keeps its books in %(company_currency)s: orders in other "
        "currencies are not transferred. Enter this one in eAccounting by hand."
    ),
    WaitReason.INVALID_BUSINESS_ID: _(
        "The customer's business ID %(value)s %(problem)s. Correct it in the shop order (the order's business ID "
        "field), then Retry."
    ),
    WaitReason.INVALID_VAT_NUMBER: _(
        "The customer's VAT number %(value)s %(problem)s. Correct it in the shop order (the order's VAT number "
        "field), then Retry."
    ),
    WaitReason.NO_POSTCODE_OR_CITY: _(
        "The order has no billing postcode or city; eAccounting needs both for a new customer. Add them in the "
        "shop order%(hint)s, then Retry."
    ),
    WaitReason.NO_EMAIL: _(
        "The order has no e-mail address; Silta finds private customers by their e-mail. Add one in the shop "
        "order%(hint)s, then Retry."
    ),
    WaitReason.NO_USABLE_EMAIL: _(
        "The order has no usable e-mail address; Silta finds private customers by their e-mail. Add one in the "
        "shop order%(hint)s, then Retry."
    ),
    WaitReason.NO_CUSTOMER_NAME: _(
        "The order has no customer name. Add it in the shop order%(hint)s, then Retry."
    ),
    WaitReason.NO_COMPANY_NAME: _(
        "The order has no company name. Add it in the shop order%(hint)s, then Retry."
    ),
    WaitReason.FIELD_TOO_LONG: _(
        "The %(field)s is %(length)s characters; eAccounting allows %(limit)s. Shorten it in %(where)s, then Retry."
    ),
    WaitReason.EACCOUNTING_REFUSED: _(
        "eAccounting refused the document: %(error)s. Fix the cause, then Retry (or wait for the next run)."
    ),
    WaitReason.PAYMENT_NO_BANK_ACCOUNT: _(
        "Payment method %(method)s: no eAccounting bank account receives its payments — choose one in Shop "
        "methods, then Retry"
    ),
    WaitReason.REFUND_ORDER_NOT_INVOICED: _(
        "Refund %(refund)s waits for the order's invoice: Silta invoices the order when it is completed in the "
        "shop. Complete the order in the shop, then Retry"
    ),
    WaitReason.REFUND_ARTICLE_VAT_DIFFERS: _(
        "%(subject)s: eAccounting article %(article)s (%(article_name)s) has %(article_rate)s %% VAT but the shop "
        "refunded %(shop_rate)s %% — a refund cannot be changed in the shop: if the article is right, credit the "
        "refund in eAccounting by hand and mark it so on this page"
    ),
    WaitReason.REFUND_LINE_NOT_IN_ORDER: _(
        "%(subject)s refunds %(which)s, which is not among the transferred order's lines — credit it in "
        "eAccounting by hand"
    ),
    WaitReason.REFUND_BAD_QUANTITY: _(
        "%(subject)s: a refund of %(quantity)s for %(amount)s %(currency)s cannot be credited"
    ),
    WaitReason.REFUND_CHARGE_NOT_BOOKED: _(
        "%(subject)s pays back %(amount)s %(currency)s on a %(what)s line the transferred order did not book — "
        "credit it in eAccounting by hand"
    ),
    WaitReason.REFUND_ARTICLE_MISSING: _(
        "Refund %(refund)s: %(amount)s %(currency)s at %(rate)s %% VAT%(split)s is not on any refunded line "
        "(shipping, a fee or a goodwill amount) and needs a refund article with %(rate)s %% VAT — set a refund "
        "article in the order settings, then Retry"
    ),
    WaitReason.REFUND_VAT_DIFFERS: _(
        "Refund %(refund)s: VAT at %(rate)s %%: the shop paid back %(theirs)s %(currency)s, eAccounting would "
        "credit %(ours)s — Silta books no VAT difference (allowed: %(tolerance)s, the order settings' VAT "
        "tolerance); credit it in eAccounting by hand"
    ),
    WaitReason.REFUND_TOTAL_DIFFERS: _(
        "Refund %(refund)s: the shop refunded %(amount)s %(currency)s but eAccounting would credit %(ours)s (VAT "
        "%(ours_vat)s), a difference over the rounding limit %(limit)s%(rules)s"
    ),
    WaitReason.REFUND_NO_ROUNDING_ARTICLE: _(
        "Refund %(refund)s: the shop refunded %(amount)s %(currency)s but eAccounting would credit %(ours)s, "
        "%(difference)s apart: within the rounding limit, but no rounding article is set — set one in the order "
        "settings, then Retry"
    ),
    WaitReason.REFUND_ROUNDING_HAS_VAT: _(
        "Refund %(refund)s: the shop refunded %(amount)s %(currency)s but eAccounting would credit %(ours)s, "
        "%(difference)s apart, and the rounding article %(article)s (%(article_name)s) has %(article_rate)s %% "
        "VAT: a rounding row may correct the total, never VAT — give it a 0 %% coding in eAccounting or choose a "
        "0 %% article in the order settings, then Retry"
    ),
}

# Pieces of words a reason's parameter may name (by key); each is rendered with the reason's own parameters.
PIECE_PARAMS = ("subject", "which", "what", "field", "where", "hint", "rules", "split", "problem")
PIECES: dict[str, str] = {
    "line": _("Line %(line)s (%(name)s, SKU %(sku)s)"),
    "line_no_sku": _("Line %(line)s (%(name)s)"),
    "shipping": _("Shipping '%(title)s' (%(key)s)"),
    "fee": _("Fee '%(name)s' (payment method %(method)s)"),
    "gift_card": _("Gift card or store credit '%(name)s' (%(amount)s %(currency)s)"),
    "refund_line": _("Refund %(refund)s line %(line)s (%(name)s)"),
    "refund_shipping": _("Refund %(refund)s shipping '%(name)s'"),
    "refund_fee": _("Refund %(refund)s fee '%(name)s'"),
    "rounding_row": _("Rounding"),
    "refund_by_hand": _(
        " — check the refund in the shop; if it is right, credit it in eAccounting by hand and mark the refund so "
        "on this page"
    ),
    "business_id_format": _(
        "is not written as a Finnish business ID (Y-tunnus): seven digits, a hyphen and a check digit, e.g. 1234567-1"
    ),
    "business_id_no_such": _(
        "is not a valid Finnish business ID (Y-tunnus): no business ID begins with these seven digits"
    ),
    "business_id_check": _(
        "is not a valid Finnish business ID (Y-tunnus): its check digit does not match its first seven digits "
        "(a typo?)"
    ),
    "vat_number_format": _("is not written as a %(prefix)s VAT number"),
    "vat_number_format_example": _("is not written as a %(prefix)s VAT number, e.g. %(example)s"),
    "vat_number_check": _(
        "is not a valid Finnish VAT number: its last digit does not check against the business ID in it (a typo?)"
    ),
    "order_line": _("order line %(item)s"),
    "unnamed_line": _("an order line it does not name"),
    "shipping_word": _("shipping"),
    "fee_word": _("fee"),
    "collective": _(", or set a collective webshop customer in the order settings"),
    "reverse_charge": _(
        " — eAccounting applies its own VAT rules to this reverse charge order; check the customer's country "
        "and VAT number"
    ),
    "export": _(
        " — eAccounting applies its own VAT rules to this export order; check the customer's country and VAT "
        "number"
    ),
    "oss": _(
        " — eAccounting applies its own VAT rules to this OSS order; check the customer's country and VAT number"
    ),
    "customer_rules": _(" — eAccounting applies its own VAT rules to this customer"),
    "total_advice": _(
        ". Check the order in the shop; if its total is right, raise the rounding limit in the order settings (the "
        "difference is booked on the rounding article) or enter the order in eAccounting by hand, then Retry"
    ),
    "split": _(" (of %(part)s, split by VAT rate as the order was sold)"),
    "shop_order": _("the shop order"),
    "order_meta": _("the shop's order meta"),
    "Name": _("customer name"),
    "CompanyName": _("company name"),
    "InvoiceAddress1": _("billing street address"),
    "InvoiceAddress2": _("billing second address line"),
    "InvoicePostalCode": _("billing postcode"),
    "InvoiceCity": _("billing city"),
    "EmailAddress": _("e-mail address"),
    "CorporateIdentityNumber": _("business ID"),
    "VatNumber": _("VAT number"),
    "DeliveryCustomerName": _("delivery name"),
    "DeliveryAddress1": _("delivery street address"),
    "DeliveryAddress2": _("second delivery address line"),
    "DeliveryPostalCode": _("delivery postcode"),
    "DeliveryCity": _("delivery city"),
    "DeliveryCountryCode": _("delivery country"),
}


def _same(text: str) -> str:
    return text


class _Params(dict):
    """A reason's parameters; one a template of a later version names but an older row lacks reads as "…"."""

    def __missing__(self, key: str) -> str:
        return "…"


def row_name(label: Mapping[str, str], fallback: str, translate: Callable[[str], str] = _same) -> str:
    """A planned row's name from its label (the piece of words a reason about it would use); ``fallback`` (the
    stored English) for rows planned before labels. A part of a split charge names its rate."""
    piece = label.get("subject", "")
    if piece not in PIECES:
        return fallback
    name = translate(PIECES[piece]) % dict(label)
    return f"{name} ({label['part']} %)" if label.get("part") else name


@dataclass(frozen=True)
class Reason:
    """One reason to wait: its code and the parameters its template names (all text)."""

    code: WaitReason
    params: Mapping[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:  # params is a dict: hash what it holds
        return hash((self.code, tuple(sorted(self.params.items()))))

    def render(self, translate: Callable[[str], str] = _same) -> str:
        """The sentence, each template passed through ``translate`` (gettext: the reader's language)."""
        values = _Params(self.params)
        for name in PIECE_PARAMS:
            piece = values.get(name)
            if piece is not None:
                values[name] = translate(PIECES[piece]) % values if piece in PIECES else piece
        return translate(TEMPLATES[self.code]) % values

    def english(self) -> str:
        return self.render()

    def as_json(self) -> dict[str, object]:
        return {"code": str(self.code), "params": dict(self.params)}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> "Reason | None":
        """None for a code this version no longer knows (the row's stored text is shown instead)."""
        code, params = data.get("code"), data.get("params") or {}
        if code not in set(WaitReason) or not isinstance(params, dict):
            return None
        return cls(WaitReason(str(code)), {str(k): str(v) for k, v in params.items()})


def reason(code: WaitReason, **params: object) -> Reason:
    return Reason(code, {k: "" if v is None else str(v) for k, v in params.items()})


@dataclass(frozen=True)
class Waiting:
    """The order cannot be transferred yet; each reason is one a shop owner can act on."""

    why: tuple[Reason, ...]
    rows: tuple[
        object, ...
    ] = ()  # the rows planned before it had to stop (document_plan.PlannedRow): what is known

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reasons in English (the text kept for logs and CSV)."""
        return tuple(r.english() for r in self.why)
