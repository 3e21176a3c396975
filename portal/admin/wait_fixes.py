"""Why a web order waits, in the reader's language, and for each reason the one fix: the exact page that clears
it (a shop method, the order settings, an article, the product or the order in the shop) or the choice on the
order's own page ("Book lines as one unit"). Every WaitReason has its entry (tests/orders/test_wait_advice.py
follows each fix and presses Retry)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from integration.models import AccountingArticle, OrderSettings, OrderStep, OrderTransfer, ShopMethod
from integration.orders.outcomes import Reason, WaitReason

StrOrPromise = str | Promise
BOOK_AS_ONE_UNIT = "book_as_one_unit"  # the POSTs the order's page offers
BOOKED_BY_HAND = "booked_by_hand"


@dataclass(frozen=True)
class Fix:
    label: str  # the button's words
    url: str = ""  # a page to open (may be the shop's own admin)
    action: str = ""  # or a POST on the order's own page


@dataclass(frozen=True)
class ShownReason:
    text: str
    fix: Fix | None
    code: str = ""


# A reason's short name: the list's column and its filter.
SHORT: dict[WaitReason, "StrOrPromise"] = {
    WaitReason.NO_TEMPLATE_ARTICLE: gettext_lazy("Method has no template article"),
    WaitReason.NO_ARTICLE_FOR_SKU: gettext_lazy("No article with the SKU"),
    WaitReason.NO_SKU: gettext_lazy("Product has no SKU"),
    WaitReason.BAD_QUANTITY: gettext_lazy("Quantity cannot be booked"),
    WaitReason.UNKNOWN_TAX_RATE: gettext_lazy("Unknown tax rate"),
    WaitReason.ARTICLE_VAT_DIFFERS: gettext_lazy("Article's VAT differs"),
    WaitReason.LINE_NOT_IN_CENTS: gettext_lazy("Unit price not in cents"),
    WaitReason.LINES_NOT_IN_CENTS: gettext_lazy("Lines not in cents"),
    WaitReason.GIFT_CARD_ARTICLE_MISSING: gettext_lazy("No gift card article"),
    WaitReason.GIFT_CARD_ARTICLE_HAS_VAT: gettext_lazy("Gift card article has VAT"),
    WaitReason.DISCOUNT_AT_FOREIGN_RATE: gettext_lazy("Discount at another VAT rate"),
    WaitReason.VAT_DIFFERS: gettext_lazy("VAT differs from the receipt"),
    WaitReason.VAT_TOTAL_DIFFERS: gettext_lazy("VAT total differs"),
    WaitReason.TOTAL_DIFFERS: gettext_lazy("Total differs"),
    WaitReason.NO_ROUNDING_ARTICLE: gettext_lazy("No rounding article"),
    WaitReason.ROUNDING_ARTICLE_HAS_VAT: gettext_lazy("Rounding article has VAT"),
    WaitReason.FOREIGN_CURRENCY: gettext_lazy("Another currency"),
    WaitReason.INVALID_BUSINESS_ID: gettext_lazy("Invalid business ID"),
    WaitReason.INVALID_VAT_NUMBER: gettext_lazy("Invalid VAT number"),
    WaitReason.NO_POSTCODE_OR_CITY: gettext_lazy("No postcode or city"),
    WaitReason.NO_EMAIL: gettext_lazy("No e-mail address"),
    WaitReason.NO_USABLE_EMAIL: gettext_lazy("Unusable e-mail address"),
    WaitReason.NO_CUSTOMER_NAME: gettext_lazy("No customer name"),
    WaitReason.NO_COMPANY_NAME: gettext_lazy("No company name"),
    WaitReason.FIELD_TOO_LONG: gettext_lazy("Field too long"),
    WaitReason.EACCOUNTING_REFUSED: gettext_lazy("eAccounting refused"),
    WaitReason.PAYMENT_NO_BANK_ACCOUNT: gettext_lazy("Payment method has no bank account"),
    WaitReason.REFUND_ORDER_NOT_INVOICED: gettext_lazy("Refund: order not invoiced"),
    WaitReason.REFUND_ARTICLE_VAT_DIFFERS: gettext_lazy("Refund: article's VAT differs"),
    WaitReason.REFUND_LINE_NOT_IN_ORDER: gettext_lazy("Refund: line not in the order"),
    WaitReason.REFUND_BAD_QUANTITY: gettext_lazy("Refund: quantity cannot be credited"),
    WaitReason.REFUND_CHARGE_NOT_BOOKED: gettext_lazy("Refund: charge not booked"),
    WaitReason.REFUND_ARTICLE_MISSING: gettext_lazy("No refund article"),
    WaitReason.REFUND_VAT_DIFFERS: gettext_lazy("Refund: VAT differs"),
    WaitReason.REFUND_TOTAL_DIFFERS: gettext_lazy("Refund: total differs"),
    WaitReason.REFUND_NO_ROUNDING_ARTICLE: gettext_lazy("Refund: no rounding article"),
    WaitReason.REFUND_ROUNDING_HAS_VAT: gettext_lazy("Refund: rounding article has VAT"),
}


# ---------------------------------------------------------------------- the pages a fix opens
def _shop(transfer: OrderTransfer) -> str:
    connection = getattr(transfer.tenant, "webshop_connection", None)
    if connection is None or connection.platform != "woocommerce" or not connection.base_url:
        return ""
    return connection.base_url.rstrip("/")


def _in_shop(transfer: OrderTransfer, path: str) -> str:
    base = _shop(transfer)
    return f"{base}{path}" if base else ""


def shop_order(transfer: OrderTransfer, reason: Reason) -> Fix | None:
    url = _in_shop(transfer, f"/wp-admin/post.php?post={transfer.shop_order_id}&action=edit")
    return Fix(gettext("Open the order in the shop"), url) if url else None


def shop_product(transfer: OrderTransfer, reason: Reason) -> Fix | None:
    product = reason.params.get("product", "")
    url = _in_shop(transfer, f"/wp-admin/post.php?post={product}&action=edit") if product else ""
    return Fix(gettext("Open the product in the shop"), url) if url else None


def shop_tax_rates(transfer: OrderTransfer, reason: Reason) -> Fix | None:
    url = _in_shop(transfer, "/wp-admin/admin.php?page=wc-settings&tab=tax")
    return Fix(gettext("Open the shop's tax rates"), url) if url else None


def shop_method(transfer: OrderTransfer, reason: Reason) -> Fix | None:
    """The shipping or payment method the row needs a template article on (Shop methods)."""
    kind, key = (
        ("shipping", reason.params.get("key", ""))
        if reason.params.get("subject") == "shipping"
        else ("payment", reason.params.get("payment", ""))
    )
    methods = ShopMethod.objects.filter(tenant_id=transfer.tenant_id, kind=kind)
    method = (
        methods.filter(key=key).first() or methods.filter(key__startswith=f"{key.split(':')[0]}:").first()
    )
    if method is None:
        return Fix(gettext("Open Shop methods"), reverse("admin:integration_shopmethod_changelist"))
    return Fix(
        gettext("Choose the template article on %(method)s") % {"method": method.title or method.key},
        reverse("admin:integration_shopmethod_change", args=[method.pk]),
    )


def payment_bank_account(transfer: OrderTransfer, reason: Reason) -> Fix | None:
    """The payment method whose payments need an eAccounting bank account (Shop methods)."""
    methods = ShopMethod.objects.filter(tenant_id=transfer.tenant_id, kind="payment")
    method = methods.filter(key=reason.params.get("payment", "")).first()
    if method is None:
        return Fix(gettext("Open Shop methods"), reverse("admin:integration_shopmethod_changelist"))
    return Fix(
        gettext("Choose the bank account on %(method)s") % {"method": method.title or method.key},
        reverse("admin:integration_shopmethod_change", args=[method.pk]),
    )


def order_settings(transfer: OrderTransfer, reason: Reason) -> Fix | None:
    settings = OrderSettings.objects.filter(tenant_id=transfer.tenant_id).first()
    if settings is None:
        return Fix(gettext("Open Order settings"), reverse("admin:integration_ordersettings_changelist"))
    return Fix(
        gettext("Open Order settings"), reverse("admin:integration_ordersettings_change", args=[settings.pk])
    )


def customer_data(transfer: OrderTransfer, reason: Reason) -> Fix | None:
    """Missing customer data: the collective customer (order settings) where it would do, else the shop order."""
    if reason.params.get("hint") == "collective":
        return order_settings(transfer, reason)
    return shop_order(transfer, reason)


def accounting_article(transfer: OrderTransfer, reason: Reason) -> Fix | None:
    article = AccountingArticle.objects.filter(
        tenant_id=transfer.tenant_id, number=reason.params.get("article", "")
    ).first()
    if article is None:
        return None
    return Fix(
        gettext("See article %(number)s") % {"number": article.number},
        reverse("admin:integration_accountingarticle_change", args=[article.pk]),
    )


def book_as_one_unit(transfer: OrderTransfer, reason: Reason) -> Fix | None:
    return Fix(gettext("Book lines as one unit"), action=BOOK_AS_ONE_UNIT)


def by_hand(transfer: OrderTransfer, reason: Reason) -> Fix | None:
    """No fix in Silta by design: the reason says what to enter in eAccounting; this ends the wait."""
    return Fix(gettext("Mark as entered in eAccounting by hand"), action=BOOKED_BY_HAND)


def in_eaccounting(transfer: OrderTransfer, reason: Reason) -> Fix | None:
    return None  # the cause is in eAccounting (e.g. a locked period): the reason names it, then Retry


FIXES: dict[WaitReason, Callable[[OrderTransfer, Reason], Fix | None]] = {
    WaitReason.NO_TEMPLATE_ARTICLE: shop_method,
    WaitReason.NO_ARTICLE_FOR_SKU: shop_product,
    WaitReason.NO_SKU: shop_product,
    WaitReason.BAD_QUANTITY: shop_order,
    WaitReason.UNKNOWN_TAX_RATE: shop_tax_rates,
    WaitReason.ARTICLE_VAT_DIFFERS: accounting_article,
    WaitReason.LINE_NOT_IN_CENTS: book_as_one_unit,
    WaitReason.LINES_NOT_IN_CENTS: book_as_one_unit,
    WaitReason.GIFT_CARD_ARTICLE_MISSING: order_settings,
    WaitReason.GIFT_CARD_ARTICLE_HAS_VAT: order_settings,
    WaitReason.DISCOUNT_AT_FOREIGN_RATE: shop_order,
    WaitReason.VAT_DIFFERS: order_settings,
    WaitReason.VAT_TOTAL_DIFFERS: shop_order,
    WaitReason.TOTAL_DIFFERS: order_settings,
    WaitReason.NO_ROUNDING_ARTICLE: order_settings,
    WaitReason.ROUNDING_ARTICLE_HAS_VAT: order_settings,
    WaitReason.FOREIGN_CURRENCY: by_hand,
    WaitReason.INVALID_BUSINESS_ID: shop_order,
    WaitReason.INVALID_VAT_NUMBER: shop_order,
    WaitReason.NO_POSTCODE_OR_CITY: customer_data,
    WaitReason.NO_EMAIL: customer_data,
    WaitReason.NO_USABLE_EMAIL: customer_data,
    WaitReason.NO_CUSTOMER_NAME: customer_data,
    WaitReason.NO_COMPANY_NAME: shop_order,
    WaitReason.FIELD_TOO_LONG: shop_order,
    WaitReason.EACCOUNTING_REFUSED: in_eaccounting,
    WaitReason.PAYMENT_NO_BANK_ACCOUNT: payment_bank_account,
    WaitReason.REFUND_ORDER_NOT_INVOICED: shop_order,
    WaitReason.REFUND_ARTICLE_VAT_DIFFERS: by_hand,
    WaitReason.REFUND_LINE_NOT_IN_ORDER: by_hand,
    WaitReason.REFUND_BAD_QUANTITY: by_hand,
    WaitReason.REFUND_CHARGE_NOT_BOOKED: by_hand,
    WaitReason.REFUND_ARTICLE_MISSING: order_settings,
    WaitReason.REFUND_VAT_DIFFERS: by_hand,
    WaitReason.REFUND_TOTAL_DIFFERS: by_hand,
    WaitReason.REFUND_NO_ROUNDING_ARTICLE: order_settings,
    WaitReason.REFUND_ROUNDING_HAS_VAT: order_settings,
}


# ---------------------------------------------------------------------- reading a row's reasons
def reasons(codes: list | None) -> list[Reason]:
    """The stored reasons a version of Silta still knows."""
    out = []
    for item in codes or []:
        found = Reason.from_json(item) if isinstance(item, dict) else None
        if found is not None:
            out.append(found)
    return out


def shown(row: OrderTransfer | OrderStep) -> list[ShownReason]:
    """Why the order (or one of its steps) waits or was held, in the active language, each with its fix; a row
    from before codes shows its stored text."""
    transfer = row.transfer if isinstance(row, OrderStep) else row
    found = reasons(row.reason_codes)
    if found:
        return [ShownReason(r.render(gettext), FIXES[r.code](transfer, r), str(r.code)) for r in found]
    return [ShownReason(line, None) for line in (row.reason or "").splitlines() if line.strip()]


def short(codes: list | None, fallback: str = "") -> str:
    """The list's column: the first reason's short name (and how many more), or the stored text's first words."""
    found = reasons(codes)
    if not found:
        return (fallback or "").splitlines()[0][:60] if fallback else ""
    more = len(found) - 1
    text = str(SHORT[found[0].code])
    return gettext("%(reason)s (+%(more)d)") % {"reason": text, "more": more} if more else text
