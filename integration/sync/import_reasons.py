"""The sync's reasons (the first sync's and the article sync's): stored in English (ImportItem.reason, a sync
event's reason), shown in the reader's language.

A stored reason is one or more of these texts, %-filled and joined by "; ", its first letter in capitals
(import_plan._reject). They are marked with gettext_noop where they are made, so the catalogues have them;
``in_language`` takes a stored reason apart again, translates each piece by its template and fills in the same
values. A piece it does not know (an error's own text, a row older than a template) is shown as it is.
"""

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

# Product checks (import_values.check_product)
NO_SKU = gettext_noop("no SKU")
SKU_TOO_LONG = gettext_noop("SKU longer than %(max)s characters (%(length)s)")
NO_NAME = gettext_noop("no name")
NAME_TOO_LONG = gettext_noop("name longer than %(max)s characters (%(length)s)")
PARENT_TAX_CLASS = gettext_noop("its tax class is its parent product's, which is unknown")
NO_VAT_RATE = gettext_noop("the shop's tax class “%(tax_class)s” has no VAT rate mapped to it")
NO_PRICE = gettext_noop("no price")
NEGATIVE_PRICE = gettext_noop("a negative price (%(price)s)")
PRICE_DECIMALS = gettext_noop("price %(price)s has more than two decimals")
PRICE_TOO_HIGH = gettext_noop("price above eAccounting's maximum of 99,000,000")
# The plan (import_plan)
SAME_SKU = gettext_noop("the same SKU is used by other products in the shop too (%(products)s)")
NO_TEMPLATE_GOODS = gettext_noop(
    "no article template for goods at %(rate)s %% VAT, so no account coding for it"
)
NO_TEMPLATE_SERVICE = gettext_noop(
    "no article template for service at %(rate)s %% VAT, so no account coding for it"
)
VAT_DIFFERS = gettext_noop("its VAT rate differs from the article's, and there is %(reason)s")
NO_UNIT = gettext_noop("the article has no unit, and there is %(reason)s")
NO_ARTICLE_NUMBER = gettext_noop("no article number")
TEMPLATE_ARTICLE = gettext_noop("a template article (used on shipping or payment fee rows)")
INACTIVE = gettext_noop("inactive")
NOT_IN_WEBSHOP = gettext_noop("not available in webshop")
SKU_IN_SHOP = gettext_noop(
    "the shop already has a product with this SKU (letter case aside) that is not imported as this "
    "article: see the products that cannot be imported"
)
# Where the shop tells no product's rate (import_plan, from rates_from_orders): the item's note
RATE_FROM_ORDERS = gettext_noop("VAT %(rate)s %%, as the shop's recent orders charged it")
RATE_LATEST = gettext_noop(
    "VAT %(rate)s %%, as the shop's latest order charged it (earlier orders: %(earlier)s %%)"
)
RATE_ASSUMED = gettext_noop(
    "VAT %(rate)s %% assumed (the standard rate): not sold in the shop's recent orders"
)
# Checked again on Yes (import_plan.recheck)
PRODUCT_GONE = gettext_noop("The product is no longer in the shop.")
SKU_CHANGED = gettext_noop("Its SKU was changed in the shop after the preview (now “%(sku)s”).")
ARTICLE_CREATED = gettext_noop(
    "An article with number %(number)s was created in eAccounting after the preview."
)
ARTICLE_GONE = gettext_noop("The article is no longer in eAccounting.")
ARTICLE_NUMBER_CHANGED = gettext_noop(
    "The article's number was changed in eAccounting after the preview (now %(number)s)."
)
ARTICLE_CHANGED = gettext_noop("The article was changed in eAccounting after the preview.")
NO_LONGER = gettext_noop("It can no longer be imported: %(reason)s")
CHANGED_AFTER = gettext_noop("Changed after the preview (%(fields)s).")
CHANGED = gettext_noop("Changed after the preview.")
NUMBER_CHANGED = gettext_noop("Its number was changed in eAccounting after the preview (now %(number)s).")
IS_NOW = gettext_noop("It is now %(reason)s.")
SHOP_HAS_SKU = gettext_noop("The shop now has a product with SKU %(sku)s (#%(product)s).")
# Applying and undoing (first_sync)
GOES_ON = gettext_noop("%(done)s of %(total)s done in this run; the next run goes on.")
PUT_BACK = gettext_noop("overwritten values put back")
DEACTIVATED = gettext_noop("created by the import: deactivated (eAccounting's API cannot delete articles)")

# The article sync (article_plan, article_sync)
TEMPLATE_ARTICLE_USE = gettext_noop("used as a template article")
INACTIVE_IN_EACCOUNTING = gettext_noop("inactive in eAccounting")
DELETED_IN_SHOP = gettext_noop("deleted in the shop: not created again")
HIDDEN_BECAUSE = gettext_noop("hidden in the shop (%(reason)s)")
STOCK_ENTERED = gettext_noop("stock entered in eAccounting, which leads it from now on")
AVAILABLE_AGAIN = gettext_noop("available again: brought back as %(status)s")
FOUND_BY_NUMBER = gettext_noop("found in the shop by its article number: linked")
UP_TO_DATE = gettext_noop("up to date")
UP_TO_DATE_SHOWN = gettext_noop("up to date (the shop already shows the new values)")
CREATED_AS_DRAFT = gettext_noop(
    "new in eAccounting: created hidden (draft) so texts and images can be added first"
)
HIDDEN_WAS = gettext_noop("%(reason)s: hidden in the shop (was %(status)s)")
CHANGED_IN_EACCOUNTING = gettext_noop("changed in eAccounting: %(fields)s")
PUT_BACK_FIELDS = gettext_noop("changed in the shop, put back: %(fields)s")
DRIFT_PUT_BACK = gettext_noop("changed in the shop; put back")
MASS_PRICE_CHANGE_WAITS = gettext_noop("waiting for confirmation of a mass price change")
DRY_RUN = gettext_noop("dry run: %(reason)s")

TEMPLATES = tuple(v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str))
NESTED = "reason"  # a placeholder that holds reasons of its own: translated too
FIELDS = "fields"  # a placeholder that holds field labels (article_plan.LABELS), comma-separated
FIELD_LABELS = {  # the shop product's fields Silta owns, in words
    "sku": gettext_noop("article number"),
    "name": gettext_noop("name"),
    "regular_price": gettext_noop("price"),
    "tax_class": gettext_noop("VAT rate (tax class)"),
    "tax_status": gettext_noop("tax status"),
    "manage_stock": gettext_noop("stock item"),
    "stock_quantity": gettext_noop("stock"),
    "unit": gettext_noop("unit"),
    "status": gettext_noop("status"),
}
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    def pattern(template: str) -> re.Pattern[str]:
        body, last = "", 0
        for m in PLACEHOLDER.finditer(template):
            body += re.escape(template[last : m.start()])
            body += "%" if m.group(0) == "%%" else f"(?P<{m.group(1)}>.+?)"
            last = m.end()
        return re.compile(body + re.escape(template[last:]), re.IGNORECASE | re.S)

    # the longest first: "It can no longer be imported: …" before its pieces
    return tuple((t, pattern(t)) for t in sorted(TEMPLATES, key=len, reverse=True))


def _piece(text: str, whole: bool = False) -> str | None:
    """`text` translated by the template it is, or None. `whole`: only the templates that may hold a "; "
    themselves (a placeholder would otherwise swallow the reasons after it)."""
    for template, pattern in _patterns():
        if whole and "; " not in template and f"%({NESTED})s" not in template:
            continue
        m = pattern.fullmatch(text)
        if m:
            values = {k: _value(k, v) for k, v in m.groupdict().items()}
            return gettext(template) % values if values else gettext(template)
    return None


def _value(name: str, value: str) -> str:
    if name == NESTED:
        return in_language(value)
    if name == FIELDS:
        return ", ".join(gettext(label) for label in value.split(", "))
    return value


def in_language(stored: str) -> str:
    """A stored reason in the active language; what is not one of ours stays as it is."""
    if not stored:
        return stored
    whole = _piece(stored, whole=True)
    if whole is None:
        pieces = stored.split("; ")
        whole = "; ".join(p if (t := _piece(p)) is None else t for p in pieces)
    return whole[:1].upper() + whole[1:] if stored[:1].isupper() else whole
