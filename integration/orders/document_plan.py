"""The eAccounting sales document for one web order: its rows and expected totals, or why it waits.

Pure (no database, no network, no settings): the caller gathers article links, templates and the
customer's VAT treatment into a ``PlanContext``, so previews, tests and the transfer share one path.

Why the rows look as they do (GUIDE §1 F5, §2):

- A line's unit price comes from WooCommerce's *subtotal* (before coupons); its coupons become the
  row's ``DiscountPercentage`` = 1 − total/subtotal. That carries percentage and fixed-amount coupons
  alike, and the invoice shows the list price and the discount.
- Unit prices are gross when the eAccounting document ``IncludesVat`` (private persons), net
  otherwise. WooCommerce's ``subtotal``/``total`` are net even in a tax-inclusive shop.
- Shipping and fees are split by the VAT rates WooCommerce taxed them at (in Finland shipping follows
  the goods' VAT), each part on the template article for that rate.
- A negative fee without tax is a gift card or store credit: a payment on its own article, never a
  discount.
- The expected totals follow eAccounting's row arithmetic (``row_amounts``) and are compared with the
  shop's: a difference within the limit goes to the rounding article, anything larger holds the order
  with both figures. Nothing is booked silently. A VAT difference within the limit is accepted as it is
  (eAccounting computes VAT itself; a rounding row cannot move VAT alone).
- OSS rows carry the destination rate, but templates are domestic articles: a shipping or fee part at a
  foreign rate uses the template of the home rate of the goods the shop taxed at that rate.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from integration.webshops.base import FeeLine, LineTax, OrderLine, ShippingLine, ShopOrder

ZERO = Decimal("0")
ONE = Decimal("1")
CENT = Decimal("0.01")
FOUR_DP = Decimal("0.0001")
HELSINKI = ZoneInfo("Europe/Helsinki")  # the VAT period an order belongs to is the Finnish calendar's
VAT_MODES = ("domestic", "reverse_charge", "export", "oss")
ZERO_RATED = frozenset({"reverse_charge", "export"})  # eAccounting books these at 0 %
TEXT_LIMIT = 2000  # OrderRowApi.Text
SET_TEMPLATE = "set one in Delivery and payment methods"
SET_SETTING = "set one in the order settings"

# OrderRowApi.DiscountPercentage is documented as "Percentage discount on the row. Format: 4 decimals".
# Our sandbox reads it as a fraction (0.1 = 10 %). If the real API proves to want percent, flip this.
DISCOUNT_IS_FRACTION = True


def discount_for_api(fraction: Decimal) -> float:
    """A row discount (a fraction, 0.1 = 10 %) as eAccounting's ``DiscountPercentage`` wants it."""
    return float(fraction if DISCOUNT_IS_FRACTION else fraction * 100)


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def row_amounts(
    quantity: Decimal, unit_price: Decimal, discount: Decimal, vat_percent: Decimal, includes_vat: bool
) -> tuple[Decimal, Decimal]:
    """(net, VAT) of one row as eAccounting computes it (the sandbox's ``calc_rows``)."""
    amount = round2(quantity * unit_price * (ONE - discount))
    rate = vat_percent / 100
    if includes_vat:
        net = round2(amount / (ONE + rate))
        return net, amount - net
    return amount, round2(amount * rate)


# ---------------------------------------------------------------------- shapes
@dataclass(frozen=True)
class ArticleRef:
    id: str
    number: str
    name: str
    vat_rate: Decimal  # percent, e.g. Decimal("25.5")


@dataclass(frozen=True)
class PlanContext:
    """Everything the plan needs besides the order.

    ``includes_vat``: the eAccounting customer's ``IncludesVat`` (row prices are gross).
    ``vat_mode``: what eAccounting will do with VAT for this customer: "domestic" (the article's
    rate), "reverse_charge" (EU company with a VAT number in another member state: 0 %), "export"
    (outside the EU: 0 %), "oss" (EU private person abroad: the destination rate, assumed to be the
    shop's rate for the line). ``shipping_templates``: method key ("method_id:instance_id" or
    "method_id") → VAT percent → template article; ``fee_templates``: the order's payment method's
    fee articles by VAT percent.
    """

    company_country: str
    includes_vat: bool
    vat_mode: str
    articles_by_product: Mapping[int, ArticleRef]
    articles_by_number: Mapping[str, ArticleRef]
    tax_rate_percent: Mapping[int, Decimal]
    shipping_templates: Mapping[str, Mapping[Decimal, ArticleRef]]
    fee_templates: Mapping[Decimal, ArticleRef]
    gift_card_article: ArticleRef | None
    rounding_article: ArticleRef | None
    rounding_limit: Decimal

    def __post_init__(self):
        if self.vat_mode not in VAT_MODES:
            raise ValueError(f"vat_mode must be one of {VAT_MODES}, not {self.vat_mode!r}")


class RowKind(StrEnum):
    """What a planned row books: a credit splits refunded shipping and fees as the sale's rows of that kind."""

    LINE = "line"
    SHIPPING = "shipping"
    FEE = "fee"
    GIFT_CARD = "gift_card"
    ROUNDING = "rounding"
    REFUND = "refund"  # on a credit: an amount no refunded line explains


@dataclass(frozen=True)
class PlannedRow:
    article: ArticleRef
    quantity: Decimal
    unit_price: Decimal  # gross when the document includes VAT, else net
    discount: Decimal  # a fraction, 4 decimals
    text: str
    source: str  # plain words: "line 3: Villasukat", "shipping Posti (14 %)", "gift card", "rounding"
    vat_rate: Decimal  # the percent eAccounting will apply
    net: Decimal
    vat: Decimal
    kind: RowKind = RowKind.LINE
    line_id: int | None = None  # the shop's order line (product, shipping or fee) the row books

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@dataclass(frozen=True)
class DocumentPlan:
    rows: tuple[PlannedRow, ...]
    net: Decimal
    vat: Decimal
    total: Decimal
    shop_total: Decimal
    shop_vat: Decimal
    rounding: Decimal  # the rounding row's net + VAT; 0 when there is none


@dataclass(frozen=True)
class Waiting:
    """The order cannot be transferred yet; each reason is a sentence a shop owner can act on."""

    reasons: tuple[str, ...]


# ---------------------------------------------------------------------- the plan
def plan_document(order: ShopOrder, ctx: PlanContext) -> DocumentPlan | Waiting:
    """The rows and expected totals of ``order`` in eAccounting, or every reason it must wait."""
    p = _Planner(order, ctx)
    for n, line in enumerate(order.line_items, 1):
        p.line(n, line)
    for s in order.shipping_lines:
        p.shipping(s)
    for f in order.fee_lines:
        p.fee(f)
    return p.finish()


def order_rows_body(plan: DocumentPlan) -> list[dict]:
    """The planned rows as eAccounting ``OrderRowApi`` JSON (``VatRate`` is read-only: not sent)."""
    return [
        {
            "LineNumber": i,
            "ArticleId": r.article.id,
            "ArticleNumber": r.article.number,
            "Quantity": float(r.quantity),
            "UnitPrice": float(r.unit_price),
            "DiscountPercentage": discount_for_api(r.discount),
            "Text": r.text[:TEXT_LIMIT],
            "IsTextRow": False,
            "IsWorkCost": False,
            "EligibleForReverseChargeOnVat": False,
        }
        for i, r in enumerate(plan.rows)
    ]


def document_date(order: ShopOrder) -> date:
    """The order's date in Finland (Europe/Helsinki), so a month-end order lands in its VAT period."""
    moment = order.date_created_gmt or order.date_modified_gmt
    if moment is None:
        raise ValueError(f"order {order.number} has no creation date")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HELSINKI).date()


# ---------------------------------------------------------------------- helpers
def _text(value: str) -> str:
    """A WooCommerce name as plain text: HTML entities decoded ("&amp;" → "&"), whitespace collapsed."""
    return " ".join(html.unescape(value or "").split())


def pct(rate: Decimal) -> str:
    """25.50 → "25.5", 10 → "10"."""
    return format(rate.normalize(), "f")


def _money(value: Decimal) -> str:
    return f"{round2(value):.2f}"


def shop_rate(taxes: list[LineTax], percent_by_id: Mapping[int, Decimal], label: str, reasons: list[str]) -> Decimal | None:
    """The VAT percent the shop charged (or refunded) on a line, from its taxes; None: no tax.
    An unknown tax rate id adds a reason."""
    rate, seen = ZERO, False
    for t in taxes:
        if t.total == 0 and not t.subtotal:
            continue
        percent = percent_by_id.get(t.rate_id)
        if percent is None:
            reasons.append(_Planner._unknown_rate(label, t.rate_id))
            continue
        rate, seen = rate + percent, True
    return rate if seen else None


def _template(by_key: Mapping[str, Mapping[Decimal, ArticleRef]], keys: list[str], rate: Decimal):
    for key in keys:
        article = (by_key.get(key) or {}).get(rate)
        if article is not None:
            return article
    return None


class _Planner:
    """Collects the rows and every reason to wait; ``complete`` is False once an amount lacks its row
    (then comparing totals would only add a misleading figure)."""

    def __init__(self, order: ShopOrder, ctx: PlanContext):
        self.order, self.ctx = order, ctx
        self.rows: list[PlannedRow] = []
        self.reasons: list[str] = []
        self.complete = True
        self.gross = ctx.includes_vat and ctx.vat_mode not in ZERO_RATED  # price basis of the rows
        self.home_rate: dict[Decimal, Decimal] = {}  # shop rate → the article VAT of the goods taxed at it

    def missing(self, reason: str) -> None:
        self.reasons.append(reason)
        self.complete = False

    def ea_rate(self, article: ArticleRef, shop_rate: Decimal) -> Decimal:
        if self.ctx.vat_mode in ZERO_RATED:
            return ZERO
        return shop_rate if self.ctx.vat_mode == "oss" else article.vat_rate

    def add(self, article, quantity, unit_price, discount, text, source, *, shop_rate, label,
            kind: RowKind = RowKind.LINE, line_id: int | None = None) -> PlannedRow:  # fmt: skip
        """One row; in domestic mode the article's VAT must be the rate the shop charged."""
        if self.ctx.vat_mode == "domestic" and shop_rate is not None and shop_rate != article.vat_rate:
            self.reasons.append(
                f"{label}: eAccounting article {article.number} ({article.name}) has {pct(article.vat_rate)} % VAT "
                f"but the shop charged {pct(shop_rate)} % — correct the article or the shop's tax class, then Retry"
            )
        rate = self.ea_rate(article, shop_rate or ZERO)
        net, vat = row_amounts(quantity, unit_price, discount, rate, self.ctx.includes_vat)
        row = PlannedRow(article, quantity, unit_price, discount, text, source, rate, net, vat, kind, line_id)
        self.rows.append(row)
        return row

    def shop_rate(self, taxes: list[LineTax], label: str) -> Decimal | None:
        """The VAT percent the shop charged on a line (None: no tax charged)."""
        return shop_rate(taxes, self.ctx.tax_rate_percent, label, self.reasons)

    def split(self, total: Decimal, taxes: list[LineTax], label: str):
        """(VAT percent, net, tax) parts of a shipping or fee line, or None when a rate is unknown.

        Each taxed rate's net is its tax / rate; the last takes the remainder so the nets sum to the
        line's total, unless the shop listed a 0 % rate: then the remainder is the 0 % part.
        """
        by_rate: dict[Decimal, Decimal] = {}
        zero_listed = False
        for t in taxes:
            percent = self.ctx.tax_rate_percent.get(t.rate_id)
            if percent is None:
                self.missing(self._unknown_rate(label, t.rate_id))
                return None
            if percent == 0:
                zero_listed = True
            elif t.total != 0:
                by_rate[percent] = by_rate.get(percent, ZERO) + t.total
        if not by_rate:
            return [(ZERO, total, ZERO)] if total != 0 else []
        parts, rest = [], total
        for i, (percent, tax) in enumerate(by_rate.items()):
            last = i == len(by_rate) - 1 and not zero_listed
            net = rest if last else round2(tax / (percent / 100))
            parts.append((percent, net, tax))
            rest -= net
        if rest != 0:
            parts.append((ZERO, rest, ZERO))
        return parts

    @staticmethod
    def _unknown_rate(label: str, rate_id: int) -> str:
        return f"{label}: the shop's tax rate {rate_id} is unknown to Silta — check the shop's tax rates, then Retry"

    # -------------------------------------------------------------- the order's parts
    def line(self, n: int, line: OrderLine) -> None:
        ctx, name, sku = self.ctx, _text(line.name), line.sku.strip()
        label = f"Line {n} ({name}, SKU {sku})" if sku else f"Line {n} ({name})"
        shop_rate = self.shop_rate(line.taxes, label)
        article = ctx.articles_by_product.get(line.variation_id or line.product_id)
        if article is None and sku:
            article = ctx.articles_by_number.get(sku)
        if article is None:
            self.missing(f"{label}: no eAccounting article with this number" if sku else
                         f"{label}: the product has no SKU and no linked eAccounting article — give it the "
                         f"article's number as its SKU, then Retry")  # fmt: skip
            return
        quantity = line.quantity.quantize(FOUR_DP, rounding=ROUND_HALF_UP)
        if quantity <= 0:
            self.missing(f"{label}: a quantity of {line.quantity} cannot be booked")
            return
        subtotal, subtotal_tax = line.subtotal, line.subtotal_tax
        if line.total > subtotal:  # an order edited to cost more than its list price: no negative discount
            subtotal, subtotal_tax = line.total, line.total_tax
        unit = round2((subtotal + (subtotal_tax if self.gross else ZERO)) / quantity)
        discount = ZERO
        if subtotal != 0 and line.total != subtotal:
            discount = (ONE - line.total / subtotal).quantize(FOUR_DP, rounding=ROUND_HALF_UP)
        self.add(article, quantity, unit, discount, name, f"line {n}: {name}", shop_rate=shop_rate, label=label,
                 line_id=line.id)
        if shop_rate is not None:
            self.home_rate.setdefault(shop_rate, article.vat_rate)

    def shipping(self, s: ShippingLine) -> None:
        title = _text(s.method_title) or s.method_id
        instance = str(s.meta.get("instance_id") or "").strip()  # parse.py keeps meta_data only
        keys = [f"{s.method_id}:{instance}", s.method_id] if instance else [s.method_id]
        label = f"Shipping '{title}' ({keys[0]})"
        self._split_rows(s.total, s.taxes, label, title, RowKind.SHIPPING, s.id,
                         lambda rate: _template(self.ctx.shipping_templates, keys, rate))  # fmt: skip

    def fee(self, f: FeeLine) -> None:
        name = _text(f.name) or "fee"
        if f.total < 0 and (f.tax_status == "none" or f.total_tax == 0):
            label = f"Gift card or store credit '{name}' ({_money(-f.total)} {self.order.currency})"
            article = self.ctx.gift_card_article
            if article is None:
                self.missing(f"{label} is a payment, not a discount: it needs a gift card template — {SET_SETTING}")
                return
            self.add(article, ONE, f.total, ZERO, name, "gift card", shop_rate=ZERO, label=label,
                     kind=RowKind.GIFT_CARD, line_id=f.id)
            return
        method = self.order.payment_method_title or self.order.payment_method or "none"
        label = f"Fee '{name}' (payment method {method})"
        self._split_rows(f.total, f.taxes, label, name, RowKind.FEE, f.id, self.ctx.fee_templates.get)

    def _split_rows(self, total, taxes, label, title, kind: RowKind, line_id: int, template_for) -> None:
        parts = self.split(total, taxes, label)
        for rate, net, tax in parts or []:
            article = template_for(rate)
            if article is None and self.ctx.vat_mode == "oss" and rate in self.home_rate:
                # Templates are domestic articles (no 19 % article in a Finnish company): take the one for
                # the home rate of the goods the shop taxed at this destination rate.
                article = template_for(self.home_rate[rate])
            if article is None:
                self.missing(f"{label} at {pct(rate)} %: no template article — {SET_TEMPLATE}")
                continue
            several = len(parts) > 1
            text = f"{title} ({pct(rate)} %)" if several else title
            source = f"shipping {title} ({pct(rate)} %)" if kind is RowKind.SHIPPING else f"fee {text}"
            unit = net + tax if self.gross else net
            self.add(article, ONE, unit, ZERO, text, source, shop_rate=rate, label=f"{label} at {pct(rate)} %",
                     kind=kind, line_id=line_id)

    # -------------------------------------------------------------- totals
    def sums(self) -> tuple[Decimal, Decimal]:
        return sum((r.net for r in self.rows), ZERO), sum((r.vat for r in self.rows), ZERO)

    def differs(self, total: Decimal, vat: Decimal) -> str:
        o, ctx = self.order, self.ctx
        reason = (
            f"The order's total {_money(o.total)} {o.currency} (VAT {_money(o.total_tax)}) differs from what "
            f"eAccounting would book, {_money(total)} (VAT {_money(vat)}), by more than the rounding limit "
            f"{_money(ctx.rounding_limit)}"
        )
        if ctx.vat_mode != "domestic":
            what = {"reverse_charge": "reverse charge", "export": "export", "oss": "OSS"}[ctx.vat_mode]
            reason += (f" — eAccounting applies its own VAT rules to this {what} order; check the customer's "
                       f"country and VAT number")  # fmt: skip
        return reason

    def finish(self) -> DocumentPlan | Waiting:
        o, ctx = self.order, self.ctx
        net, vat = self.sums()
        rounding = ZERO
        if self.complete:
            diff = o.total - (net + vat)
            if abs(diff) > ctx.rounding_limit or abs(o.total_tax - vat) > ctx.rounding_limit:
                self.reasons.append(self.differs(net + vat, vat))
            elif diff and ctx.rounding_article is None:
                self.reasons.append(
                    f"The order's total {_money(o.total)} {o.currency} differs from what eAccounting would book, "
                    f"{_money(net + vat)}, by {_money(diff)}: within the rounding limit, but no rounding article "
                    f"is set — {SET_SETTING}, then Retry"
                )
            elif diff:
                art = ctx.rounding_article
                rate = self.ea_rate(art, ZERO)
                unit = diff if ctx.includes_vat else round2(diff / (ONE + rate / 100))
                row = self.add(art, ONE, unit, ZERO, art.name, "rounding", shop_rate=None, label="Rounding",
                               kind=RowKind.ROUNDING)
                rounding = row.net + row.vat
                net, vat = self.sums()
                if net + vat != o.total:
                    self.reasons.append(
                        f"A rounding row of {_money(unit)} on article {art.number} ({pct(art.vat_rate)} % VAT) "
                        f"would leave eAccounting's total at {_money(net + vat)} {o.currency} against the shop's "
                        f"{_money(o.total)} — use a rounding article with 0 % VAT"
                    )
                elif abs(o.total_tax - vat) > ctx.rounding_limit:
                    self.reasons.append(self.differs(net + vat, vat))
        if self.reasons:
            return Waiting(tuple(dict.fromkeys(self.reasons)))
        return DocumentPlan(tuple(self.rows), net, vat, net + vat, o.total, o.total_tax, rounding)
