"""A run's counts in words, in the reader's language: "1 request to eAccounting", "10 skipped".

Runs store their counts under plain keys (the events' outcomes, requests per system); the words are
chosen when the page is read, so they follow the reader's language. A key this table does not know
(an older run's) is shown as it was stored.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import ngettext

# key -> the words for n of it (each %(n)s is the number, formatted in the reader's language)
WORDS: dict[str, Callable[[int], str]] = {
    "created": lambda n: ngettext("%(n)s created", "%(n)s created", n),
    "updated": lambda n: ngettext("%(n)s updated", "%(n)s updated", n),
    "hidden": lambda n: ngettext("%(n)s hidden", "%(n)s hidden", n),
    "restored": lambda n: ngettext("%(n)s brought back", "%(n)s brought back", n),
    "drift": lambda n: ngettext(
        "%(n)s changed in the shop, put back", "%(n)s changed in the shop, put back", n
    ),
    "skipped": lambda n: ngettext("%(n)s skipped", "%(n)s skipped", n),
    "failed": lambda n: ngettext("%(n)s failed", "%(n)s failed", n),
    "requests_eaccounting": lambda n: ngettext(
        "%(n)s request to eAccounting", "%(n)s requests to eAccounting", n
    ),
    "eaccounting_wait_seconds": lambda n: ngettext(
        "waited %(n)s second for eAccounting's request budget",
        "waited %(n)s seconds for eAccounting's request budget",
        n,
    ),
    "placed before conversion was switched on": lambda n: ngettext(
        "%(n)s order placed before the conversion was switched on",
        "%(n)s orders placed before the conversion was switched on",
        n,
    ),
}


def _number(value) -> str:
    return number_format(value, use_l10n=True, force_grouping=True)


def count_in_words(key: str, value) -> str:
    words = WORDS.get(key)
    if words is None:
        return f"{key.replace('_', ' ')} {value}"
    amount = value if isinstance(value, int) else Decimal(str(value))
    plural_of = int(amount) if amount == int(amount) else 2  # 1.5 seconds is plural
    return words(plural_of) % {"n": _number(amount)}


def counts_in_words(counts: Mapping | None, *, timings: bool = True) -> list[str]:
    """The non-zero counts in words, outcomes first (in WORDS' order), then what the table does not know."""
    counts = counts or {}
    known = [k for k in WORDS if counts.get(k)]
    unknown = sorted(k for k, v in counts.items() if k not in WORDS and v)
    shown = [k for k in known + unknown if timings or not k.endswith("_seconds")]
    return [count_in_words(k, counts[k]) for k in shown]
