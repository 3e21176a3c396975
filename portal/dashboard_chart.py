"""The dashboard's 14-day chart: what reached eAccounting, what waits and what failed, per day.

Drawn on the server as SVG (no script, CSP-safe): a y axis with round numbers, a label per day and a
legend that says what each colour is. Its numbers come from the dashboard's grouped queries
(dashboard.tenant_rows), so the chart adds no query per company.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

CHART_DAYS = 14
PLOT_HEIGHT = 60  # px of the tallest bar
BAR_WIDTH = 5
LEFT = 30  # px for the y axis' numbers
TOP = 6  # room for the top tick's number
BOTTOM = 16  # px for the day labels


@dataclass(frozen=True)
class Series:
    key: str  # the CSS class of its bars and swatch, and its data-* attribute
    label: "StrOrPromise"  # the legend's words (lazy: read in the reader's language)

    def describe(self, n: int) -> str:
        """'3 orders transferred' for a day's tooltip (plural by the number)."""
        words = {
            "transferred": lambda: ngettext("%(n)s order transferred", "%(n)s orders transferred", n),
            "conversions": lambda: ngettext(
                "%(n)s webshop order converted", "%(n)s webshop orders converted", n
            ),
            "waiting": lambda: ngettext("%(n)s order began to wait", "%(n)s orders began to wait", n),
            "errors": lambda: ngettext("%(n)s error", "%(n)s errors", n),
        }[self.key]()
        return words % {"n": number_format(n, use_l10n=True, force_grouping=True)}


TRANSFERRED = Series("transferred", _("Orders transferred to eAccounting"))
CONVERSIONS = Series("conversions", _("Webshop orders converted to invoices"))
WAITING = Series("waiting", _("Orders that began to wait for a person"))
ERRORS = Series("errors", _("Errors"))
SERIES = (TRANSFERRED, CONVERSIONS, WAITING, ERRORS)


@dataclass
class Bar:
    series: Series
    value: int
    x: int = 0
    y: int = 0
    height: int = 0


@dataclass
class Day:
    day: date
    bars: list[Bar]
    x: int = 0  # left edge of the day's slot
    label_x: int = 0  # centre, for its label

    @property
    def title(self) -> str:
        counted = ", ".join(b.series.describe(b.value) for b in self.bars)
        return f"{date_format(self.day, 'SHORT_DATE_FORMAT')}: {counted}"

    @property
    def label(self) -> str:
        return str(self.day.day)

    def value(self, key: str) -> int:
        return next((b.value for b in self.bars if b.series.key == key), 0)


@dataclass
class Tick:
    value: int
    y: int

    @property
    def text(self) -> str:
        return number_format(self.value, use_l10n=True, force_grouping=True)


def nice_top(peak: int) -> int:
    """The y axis' top: the peak rounded up to 1, 2 or 5 times a power of ten (at least 2, so 0 … 2 has a middle)."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if top * step >= max(peak, 2):
                return top * step
        top *= 10


@dataclass
class Chart:
    series: list[Series]
    days: list[Day]
    ticks: list[Tick] = field(default_factory=list)
    width: int = 0
    height: int = TOP + PLOT_HEIGHT + BOTTOM
    plot_left: int = LEFT
    plot_top: int = TOP
    plot_bottom: int = TOP + PLOT_HEIGHT
    day_width: int = 0

    @classmethod
    def of(cls, days: list[date], series: list[Series], per_day: dict[str, dict[date, int]]) -> "Chart":
        """`per_day`: series key -> {day: count}. One bar per series per day, side by side."""
        day_width = len(series) * BAR_WIDTH + 6
        top = nice_top(max([0] + [n for key in per_day for n in per_day[key].values()]))
        shown = []
        for i, day in enumerate(days):
            x = LEFT + i * day_width
            bars = []
            for j, s in enumerate(series):
                value = per_day.get(s.key, {}).get(day, 0)
                # at least 1 px for a day with anything at all, so a single error is never invisible
                height = max(bool(value), round(value * PLOT_HEIGHT / top))
                bars.append(Bar(s, value, x + 3 + j * BAR_WIDTH, TOP + PLOT_HEIGHT - height, height))
            shown.append(Day(day, bars, x, x + day_width // 2))
        ticks = [Tick(v, TOP + PLOT_HEIGHT - round(v * PLOT_HEIGHT / top)) for v in (0, top // 2, top)]
        return cls(series, shown, ticks, width=LEFT + len(days) * day_width + 2, day_width=day_width)

    def total(self, key: str) -> int:
        return sum(d.value(key) for d in self.days)

    @property
    def totals(self) -> list[tuple[Series, int]]:
        return [(s, self.total(s.key)) for s in self.series]

    @property
    def summary(self) -> str:
        """'Last 14 days: 5 orders transferred, 2 errors' (the chart's text for screen readers and the caption)."""
        return ", ".join(s.describe(n) for s, n in self.totals)

    # the names the older template and tests know
    @property
    def total_orders(self) -> int:
        return self.total(TRANSFERRED.key) + self.total(CONVERSIONS.key)

    @property
    def total_errors(self) -> int:
        return self.total(ERRORS.key)


def series_for(is_visma_webshop: bool) -> list[Series]:
    """A WooCommerce company transfers orders (some wait); Visma Verkkokauppa's orders are converted."""
    return [CONVERSIONS, ERRORS] if is_visma_webshop else [TRANSFERRED, WAITING, ERRORS]
