"""A planned row's source ("line 3: Villasukat", "shipping Posti (14 %)", "fee …", "gift card", "rounding",
"refund of …") in the reader's language.

The source is stored in English inside an order's plan and read back by the credit planner (credit_plan.py
compares it), so it stays as it is; only its words are translated when a page shows it. A source of another
shape is shown as it is.
"""

import re

from django.utils.translation import gettext as _

SHAPES = (
    (
        re.compile(r"refund of (?P<source>.+)", re.S),
        lambda m: _("refund of %(source)s") % {"source": in_language(m["source"])},
    ),
    (re.compile(r"line (?P<n>\d+): (?P<name>.*)", re.S), lambda m: _("line %(n)s: %(name)s") % m.groupdict()),
    (
        re.compile(r"shipping (?P<title>.*) \((?P<rate>[\d.,]+) %\)", re.S),
        lambda m: _("shipping %(title)s (%(rate)s %%)") % m.groupdict(),
    ),
    (re.compile(r"fee (?P<text>.*)", re.S), lambda m: _("fee %(text)s") % m.groupdict()),
    (re.compile(r"gift card"), lambda m: _("gift card")),
    (re.compile(r"rounding"), lambda m: _("rounding")),
)


def in_language(source: str) -> str:
    for pattern, words in SHAPES:
        m = pattern.fullmatch(source or "")
        if m:
            return words(m)
    return source
