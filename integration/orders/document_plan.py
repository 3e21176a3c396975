"""The eAccounting sales document for one web order: its rows and expected totals, or why it waits.

Pure (no database, no network, no settings): the caller gathers article links, templates and the
customer's VAT treatment into a ``PlanContext``, so previews, tests and the transfer share one path.

Why the rows look as they do (README, *Web orders, shop → eAccounting*):

- A line's unit price comes from WooCommerce's *subtotal* (before coupons); its coupons become the
  row's ``DiscountPercentage``: on the document's basis (gross figures for gross rows), the 4-decimal
  discount nearest 1 − total/subtotal that makes the row's amount the shop's line total to the cent.
  That carries percentage and fixed-amount coupons alike, and the invoice shows the list price and
  the discount.
- Unit prices are gross when the eAccounting document ``IncludesVat`` (private persons), net
  otherwise. WooCommerce's ``subtotal``/``total`` are net even in a tax-inclusive shop.
- Shipping and fees are split by the VAT rates WooCommerce taxed them at (in Finland shipping follows
  the goods' VAT), each part on the template article for that rate; the net per rate is the shop's own
  split where its taxes show it (``split``).
- A negative fee without tax is a gift card or store credit: a payment on its own article, never a
  discount.
- The expected totals follow eAccounting's row arithmetic (``row_amounts``) and are compared with the
  customer's receipt. Nothing is booked silently: VAT per rate must be the receipt's (within the order
  settings' ``vat_tolerance``, default 0), else the order holds with both figures — a rounding row cannot
  move VAT; a total difference within ``rounding_limit`` goes on the rounding article, which must be 0 %,
  anything larger holds with both figures.
- OSS rows carry the destination rate, but templates are domestic articles: a shipping or fee part at a
  foreign rate uses the template of the home rate of the goods the shop taxed at that rate.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from integration.webshops.base import FeeLine, LineTax, OrderLine, ShippingLine, ShopOrder

from .outcomes import Reason, Waiting, WaitReason, reason

# The version of these planning rules (and customer_plan's VAT treatment). Bump it with any change that
# plans the same shop order into another document: a transfer's stored document fingerprint is then known
# to come from older rules, and a changed shop order is updated or held without comparing with it.
PLAN_VERSION = 1

ZERO = Decimal("0")
ONE = Decimal("1")
CENT = Decimal("0.01")
FOUR_DP = Decimal("0.0001")
HELSINKI = ZoneInfo("Europe/Helsinki")  # the VAT period an order belongs to is the Finnish calendar's
VAT_MODES = ("domestic", "reverse_charge", "export", "oss")
ZERO_RATED = frozenset({"reverse_charge", "export"})  # eAccounting books these at 0 %
TEXT_LIMIT = 2000  # OrderRowApi.Text
Label = dict[str, str]  # what a reason is about: a piece of words (outcomes.PIECES) and its parameters

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


def row_discount(quantity: Decimal, unit: Decimal, listed: Decimal, charged: Decimal) -> Decimal:
    """The row's discount (a fraction, 4 decimals) that makes eAccounting's row amount the shop's ``charged``.

    The plain ratio 1 − charged / listed, rounded to 4 decimals, can land a cent away on a large row; the
    nearest 4-decimal discount that lands on the cent is taken instead (none: the ratio, and the totals
    check tells the difference)."""
    if listed == 0 or charged == listed:
        return ZERO
    ratio = (ONE - charged / listed).quantize(FOUR_DP, rounding=ROUND_HALF_UP)
    for step in range(0, 100):
        for candidate in {ratio + step * FOUR_DP, ratio - step * FOUR_DP}:
            if ZERO <= candidate <= ONE and round2(quantity * unit * (ONE - candidate)) == charged:
                return candidate
    return ratio


def _largest_remainders(total: Decimal, weights: Mapping[Decimal, Decimal]) -> dict[Decimal, Decimal]:
    base = sum(weights.values(), ZERO)
    exact = {k: total * w / base for k, w in weights.items()}
    parts = {k: v.quantize(CENT, rounding=ROUND_DOWN) for k, v in exact.items()}
    left = int((total - sum(parts.values(), ZERO)) / CENT)
    for k in sorted(weights, key=lambda k: exact[k] - parts[k], reverse=True)[: max(left, 0)]:
        parts[k] += CENT
    return parts


def _taxes_match(nets: Mapping[Decimal, Decimal], taxes: Mapping[Decimal, Decimal]) -> bool:
    """Is every part's tax, as the shop computes it from the net, what the shop charged?"""
    return all(round2(nets[r] * r / 100) == taxes[r] for r in taxes)


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
    vat_tolerance: Decimal = (
        ZERO  # how far eAccounting's VAT per rate may be from the receipt's (order settings)
    )
    lines_as_one_unit: bool = False  # a person chose it for this order (OrderTransfer.lines_as_one_unit)

    def __post_init__(self) -> None:
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
    # what the row books, as a piece of words (outcomes.PIECES: its "subject" key) and its parameters, for pages
    # in the reader's language; ``source`` is the same in English for logs
    label: tuple[tuple[str, str], ...] = ()

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


def shop_rate(
    taxes: list[LineTax], percent_by_id: Mapping[int, Decimal], label: Label, reasons: list[Reason]
) -> Decimal | None:
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


def _template(
    by_key: Mapping[str, Mapping[Decimal, ArticleRef]], keys: list[str], rate: Decimal
) -> ArticleRef | None:
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
        self.reasons: list[Reason] = []
        self.complete = True
        self.gross = ctx.includes_vat and ctx.vat_mode not in ZERO_RATED  # price basis of the rows
        self.home_rate: dict[Decimal, Decimal] = {}  # shop rate → the article VAT of the goods taxed at it
        self.inexact: list[
            dict[str, str]
        ] = []  # lines a quantity × unit × 4-decimal discount cannot make to the cent

    def missing(self, why: Reason) -> None:
        self.reasons.append(why)
        self.complete = False

    def ea_rate(self, article: ArticleRef, shop_rate: Decimal) -> Decimal:
        if self.ctx.vat_mode in ZERO_RATED:
            return ZERO
        return shop_rate if self.ctx.vat_mode == "oss" else article.vat_rate

    def add(
        self,
        article: ArticleRef,
        quantity: Decimal,
        unit_price: Decimal,
        discount: Decimal,
        text: str,
        source: str,
        *,
        shop_rate: Decimal | None,
        label: Label,
        kind: RowKind = RowKind.LINE,
        line_id: int | None = None,
    ) -> PlannedRow:
        """One row; in domestic mode the article's VAT must be the rate the shop charged."""
        if self.ctx.vat_mode == "domestic" and shop_rate is not None and shop_rate != article.vat_rate:
            self.reasons.append(
                reason(
                    WaitReason.ARTICLE_VAT_DIFFERS,
                    **label,
                    article=article.number,
                    article_name=article.name,
                    article_rate=pct(article.vat_rate),
                    shop_rate=pct(shop_rate),
                )
            )
        rate = self.ea_rate(article, shop_rate or ZERO)
        net, vat = row_amounts(quantity, unit_price, discount, rate, self.ctx.includes_vat)
        words = {**label, "subject": "rounding_row"} if kind is RowKind.ROUNDING else label
        row = PlannedRow(
            article,
            quantity,
            unit_price,
            discount,
            text,
            source,
            rate,
            net,
            vat,
            kind,
            line_id,
            tuple(sorted(words.items())),
        )
        self.rows.append(row)
        return row

    def shop_rate(self, taxes: list[LineTax], label: Label) -> Decimal | None:
        """The VAT percent the shop charged on a line (None: no tax charged)."""
        return shop_rate(taxes, self.ctx.tax_rate_percent, label, self.reasons)

    def split(
        self, total: Decimal, taxes: list[LineTax], label: Label
    ) -> list[tuple[Decimal, Decimal, Decimal]] | None:
        """(VAT percent, net, tax) parts of a shipping or fee line, or None when a rate is unknown.

        WooCommerce lists the tax per rate but not the net it taxed. The net split is the shop's own where
        the tax shows which: shipping follows the goods, so the goods' nets per rate split it (as the shop's
        tax plugin does, each part rounded and the last taking the rest, or by largest remainders); a split
        is the shop's when every part's tax is what the shop charged on it. Failing that, each rate's net is
        its tax / rate (the last taking the rest) and the VAT check at the end tells any difference.
        A 0 % rate the shop listed takes what the taxed parts leave.
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
        nets = None
        listed = {**by_rate, ZERO: ZERO} if zero_listed else dict(by_rate)
        if len(listed) > 1:
            nets = next((c for c in self.goods_splits(total, listed) if _taxes_match(c, listed)), None)
        if nets is None:
            nets, rest = {}, total
            for i, (percent, tax) in enumerate(by_rate.items()):
                last = i == len(by_rate) - 1 and not zero_listed
                nets[percent] = rest if last else round2(tax / (percent / 100))
                rest -= nets[percent]
        parts = [(percent, nets[percent], tax) for percent, tax in by_rate.items()]
        rest = total - sum((nets[p] for p in by_rate), ZERO)
        if rest != 0:
            parts.append((ZERO, rest, ZERO))
        return parts

    def goods_splits(
        self, total: Decimal, by_rate: Mapping[Decimal, Decimal]
    ) -> list[dict[Decimal, Decimal]]:
        """Ways a shop splits ``total`` by the goods' nets at the rates it taxed (highest rate first)."""
        goods: dict[Decimal, Decimal] = {}
        for line in self.order.line_items:
            listed = [p for t in line.taxes if (p := self.ctx.tax_rate_percent.get(t.rate_id)) is not None]
            rate = sum(set(listed), ZERO) if listed else None  # a 0 % line lists its rate with no tax
            if rate is not None and rate in by_rate:
                goods[rate] = goods.get(rate, ZERO) + line.total
        base = sum(goods.values(), ZERO)
        if set(goods) != set(by_rate) or base <= 0:
            return []
        ordered = sorted(goods, reverse=True)
        sequential, rest = {}, total
        for rate in ordered[:-1]:
            sequential[rate] = round2(total * goods[rate] / base)
            rest -= sequential[rate]
        sequential[ordered[-1]] = rest
        return [sequential, _largest_remainders(total, {r: goods[r] for r in ordered})]

    @staticmethod
    def _unknown_rate(label: Label, rate_id: int) -> Reason:
        return reason(WaitReason.UNKNOWN_TAX_RATE, **label, rate_id=rate_id)

    # -------------------------------------------------------------- the order's parts
    def line(self, n: int, line: OrderLine) -> None:
        ctx, name, sku = self.ctx, _text(line.name), line.sku.strip()
        label: Label = {"subject": "line" if sku else "line_no_sku", "line": str(n), "name": name, "sku": sku}
        shop_rate = self.shop_rate(line.taxes, label)
        article = ctx.articles_by_product.get(line.variation_id or line.product_id)
        if article is None and sku:
            article = ctx.articles_by_number.get(sku)
        if article is None:
            self.missing(
                reason(
                    WaitReason.NO_ARTICLE_FOR_SKU if sku else WaitReason.NO_SKU,
                    **label,
                    product=line.variation_id or line.product_id,
                )
            )
            return
        quantity = line.quantity.quantize(FOUR_DP, rounding=ROUND_HALF_UP)
        if quantity <= 0:
            self.missing(reason(WaitReason.BAD_QUANTITY, **label, quantity=line.quantity))
            return
        subtotal, subtotal_tax = line.subtotal, line.subtotal_tax
        if line.total > subtotal:  # an order edited to cost more than its list price: no negative discount
            subtotal, subtotal_tax = line.total, line.total_tax
        # The row's figures on the document's basis: gross rows take the gross ratio (a net ratio applied to a
        # gross price lands a cent away from the receipt).
        listed = subtotal + (subtotal_tax if self.gross else ZERO)
        charged = line.total + (line.total_tax if self.gross else ZERO)
        unit = round2(listed / quantity)
        discount = row_discount(quantity, unit, listed, charged)
        booked, text = round2(quantity * unit * (ONE - discount)), name
        if booked != charged and round2(charged / quantity) * quantity == charged:
            # No 4-decimal discount lands on a large row: the discounted unit price does, without the list price
            unit, discount, booked = round2(charged / quantity), ZERO, charged
        if booked != charged and (ctx.lines_as_one_unit or abs(booked - charged) > ctx.rounding_limit):
            if not ctx.lines_as_one_unit:
                self.missing(
                    reason(
                        WaitReason.LINE_NOT_IN_CENTS,
                        **label,
                        charged=_money(charged),
                        currency=self.order.currency,
                        quantity=pct(quantity),
                        unit=unit,
                        booked=_money(booked),
                    )
                )
                return
            text = f"{name} ({pct(quantity)} pcs)"
            quantity, unit, discount = ONE, charged, ZERO
        elif booked != charged:  # within the rounding limit: the totals check decides, and may offer one unit
            self.inexact.append(
                {
                    "line": str(n),
                    "quantity": pct(quantity),
                    "unit": str(unit),
                    "discount": pct(discount * 100),
                    "booked": _money(booked),
                    "charged": _money(charged),
                }
            )
        self.add(
            article,
            quantity,
            unit,
            discount,
            text,
            f"line {n}: {name}",
            shop_rate=shop_rate,
            label=label,
            line_id=line.id,
        )
        if shop_rate is not None:
            self.home_rate.setdefault(shop_rate, article.vat_rate)

    def shipping(self, s: ShippingLine) -> None:
        title = _text(s.method_title) or s.method_id
        instance = str(s.meta.get("instance_id") or "").strip()  # parse.py keeps meta_data only
        keys = [f"{s.method_id}:{instance}", s.method_id] if instance else [s.method_id]
        label: Label = {"subject": "shipping", "title": title, "key": keys[0]}
        self._split_rows(
            s.total,
            s.taxes,
            label,
            title,
            RowKind.SHIPPING,
            s.id,
            lambda rate: _template(self.ctx.shipping_templates, keys, rate),
        )

    def fee(self, f: FeeLine) -> None:
        name = _text(f.name) or "fee"
        # A negative fee the shop took no VAT off is a payment (a gift card, store credit). WooCommerce itself
        # apportions VAT over a negative fee's order even when the fee is marked "no tax"
        # (WC_Order_Item_Fee::calculate_taxes): the receipt then lowered VAT, so it is a discount, whatever the
        # fee's tax status says.
        if f.total < 0 and f.total_tax == 0 and not self.fee_rates(f):
            label: Label = {
                "subject": "gift_card",
                "name": name,
                "amount": _money(-f.total),
                "currency": self.order.currency,
            }
            article = self.ctx.gift_card_article
            if article is None:
                self.missing(reason(WaitReason.GIFT_CARD_ARTICLE_MISSING, **label))
                return
            if article.vat_rate != 0:
                self.missing(
                    reason(
                        WaitReason.GIFT_CARD_ARTICLE_HAS_VAT,
                        **label,
                        article=article.number,
                        article_name=article.name,
                        article_rate=pct(article.vat_rate),
                    )
                )
                return
            self.add(
                article,
                ONE,
                f.total,
                ZERO,
                name,
                "gift card",
                shop_rate=ZERO,
                label=label,
                kind=RowKind.GIFT_CARD,
                line_id=f.id,
            )
            return
        method = self.order.payment_method_title or self.order.payment_method or "none"
        label = {"subject": "fee", "name": name, "method": method, "payment": self.order.payment_method}
        if f.total < 0:  # a discount taxed at a rate no goods carry would lower VAT the order never charged
            foreign = sorted(r for r in self.fee_rates(f) if r not in self.home_rate)
            if foreign:
                rates = ", ".join(f"{pct(r)} %" for r in foreign)
                self.missing(
                    reason(
                        WaitReason.DISCOUNT_AT_FOREIGN_RATE,
                        **label,
                        amount=_money(-(f.total + f.total_tax)),
                        currency=self.order.currency,
                        rates=rates,
                    )
                )
                return
        self._split_rows(f.total, f.taxes, label, name, RowKind.FEE, f.id, self.ctx.fee_templates.get)

    def fee_rates(self, f: FeeLine) -> set[Decimal]:
        return {
            p for t in f.taxes if t.total != 0 and (p := self.ctx.tax_rate_percent.get(t.rate_id)) is not None
        }

    def _split_rows(
        self,
        total: Decimal,
        taxes: list[LineTax],
        label: Label,
        title: str,
        kind: RowKind,
        line_id: int,
        template_for: Callable[[Decimal], ArticleRef | None],
    ) -> None:
        parts = self.split(total, taxes, label)
        for rate, net, tax in parts or []:
            article = template_for(rate)
            if article is None and self.ctx.vat_mode == "oss" and rate in self.home_rate:
                # Templates are domestic articles (no 19 % article in a Finnish company): take the one for
                # the home rate of the goods the shop taxed at this destination rate.
                article = template_for(self.home_rate[rate])
            if article is None:
                self.missing(reason(WaitReason.NO_TEMPLATE_ARTICLE, **label, rate=pct(rate)))
                continue
            several = len(parts or []) > 1
            text = f"{title} ({pct(rate)} %)" if several else title
            source = f"shipping {title} ({pct(rate)} %)" if kind is RowKind.SHIPPING else f"fee {text}"
            unit = net + tax if self.gross else net
            self.add(
                article,
                ONE,
                unit,
                ZERO,
                text,
                source,
                shop_rate=rate,
                label={**label, "part": pct(rate)} if several else label,
                kind=kind,
                line_id=line_id,
            )

    # -------------------------------------------------------------- totals
    def sums(self) -> tuple[Decimal, Decimal]:
        return sum((r.net for r in self.rows), ZERO), sum((r.vat for r in self.rows), ZERO)

    def differs(self, total: Decimal, vat: Decimal) -> Reason:
        o, ctx = self.order, self.ctx
        return reason(
            WaitReason.TOTAL_DIFFERS,
            total=_money(o.total),
            currency=o.currency,
            vat=_money(o.total_tax),
            ours=_money(total),
            ours_vat=_money(vat),
            limit=_money(ctx.rounding_limit),
            rules="total_advice" if ctx.vat_mode == "domestic" else ctx.vat_mode,
        )

    def shop_vat_by_rate(self) -> dict[Decimal, Decimal]:
        return receipt_vat_by_rate(self.order, self.ctx.tax_rate_percent)

    def check_vat(self) -> None:
        """eAccounting's VAT per rate must be the receipt's (within the order settings' VAT tolerance, default
        0): a rounding row can correct the total, never VAT, so a VAT difference holds the order."""
        if self.ctx.vat_mode in ZERO_RATED:
            return  # eAccounting books 0 %: the totals check names the difference
        planned: dict[Decimal, Decimal] = {}
        for r in self.rows:
            planned[r.vat_rate] = planned.get(r.vat_rate, ZERO) + r.vat
        shop = self.shop_vat_by_rate()
        cur, tolerance = self.order.currency, self.ctx.vat_tolerance
        before = len(self.reasons)
        for rate in sorted(set(planned) | set(shop), reverse=True):
            ours, theirs = planned.get(rate, ZERO), shop.get(rate, ZERO)
            if abs(ours - theirs) > tolerance:
                self.reasons.append(
                    reason(
                        WaitReason.VAT_DIFFERS,
                        rate=pct(rate),
                        theirs=_money(theirs),
                        currency=cur,
                        ours=_money(ours),
                        tolerance=_money(tolerance),
                    )
                )
        ours = sum(planned.values(), ZERO)
        # Every rate agrees with the receipt's tax lines; its VAT total may still be a cent or so off their sum:
        # a shop that rounds tax at the subtotal rounds each rate's sum and the total of the unrounded sums
        # separately (WooCommerce's update_taxes), up to half a cent per rate. That is no VAT difference.
        pieces = sum(1 for t in self.order.tax_totals for v in (t.tax_total, t.shipping_tax_total) if v)
        pieces = pieces or len(shop)  # each rate's goods and shipping tax are rounded on their own
        slack = CENT * ((pieces + 1) // 2) if pieces > 1 else ZERO
        if len(self.reasons) == before and abs(ours - self.order.total_tax) > tolerance + slack:
            self.reasons.append(
                reason(
                    WaitReason.VAT_TOTAL_DIFFERS,
                    theirs=_money(self.order.total_tax),
                    currency=cur,
                    ours=_money(ours),
                    tolerance=_money(tolerance),
                )
            )

    def finish(self) -> DocumentPlan | Waiting:
        o, ctx = self.order, self.ctx
        net, vat = self.sums()
        rounding = ZERO
        differs = False  # a VAT or total difference no rounding row may take: the one-unit choice may help
        if self.complete:
            before = len(self.reasons)
            self.check_vat()
            differs = len(self.reasons) > before
            diff = o.total - (net + vat)
            art = ctx.rounding_article
            if abs(diff) > ctx.rounding_limit:
                differs = True
                self.reasons.append(self.differs(net + vat, vat))
            elif diff and art is None:
                self.reasons.append(
                    reason(
                        WaitReason.NO_ROUNDING_ARTICLE,
                        total=_money(o.total),
                        currency=o.currency,
                        ours=_money(net + vat),
                        difference=_money(diff),
                    )
                )
            elif diff and art is not None and art.vat_rate != 0:
                self.reasons.append(
                    reason(
                        WaitReason.ROUNDING_ARTICLE_HAS_VAT,
                        total=_money(o.total),
                        currency=o.currency,
                        ours=_money(net + vat),
                        difference=_money(diff),
                        article=art.number,
                        article_name=art.name,
                        article_rate=pct(art.vat_rate),
                    )
                )
            elif diff and art is not None:
                unit = diff
                row = self.add(
                    art,
                    ONE,
                    unit,
                    ZERO,
                    art.name,
                    "rounding",
                    shop_rate=None,
                    label={},
                    kind=RowKind.ROUNDING,
                )
                rounding = row.net + row.vat
                net, vat = self.sums()
        if differs and self.inexact:
            self.reasons.append(
                reason(WaitReason.LINES_NOT_IN_CENTS, count=len(self.inexact), **self.inexact[0])
            )
        if self.reasons:
            return Waiting(tuple(dict.fromkeys(self.reasons)), tuple(self.rows))
        return DocumentPlan(tuple(self.rows), net, vat, net + vat, o.total, o.total_tax, rounding)


def snapshot(order: ShopOrder, outcome: DocumentPlan | Waiting, rate_percent: Mapping[int, Decimal]) -> dict:
    """What the order's page shows of a plan, as JSON: the rows (those known when it waits), VAT per rate planned
    beside the customer's receipt, and the totals."""
    rows = (
        outcome.rows
        if isinstance(outcome, DocumentPlan)
        else [r for r in outcome.rows if isinstance(r, PlannedRow)]
    )
    planned: dict[Decimal, Decimal] = {}
    for r in rows:
        planned[r.vat_rate] = planned.get(r.vat_rate, ZERO) + r.vat
    receipt = receipt_vat_by_rate(order, rate_percent)
    return {
        "complete": isinstance(outcome, DocumentPlan),
        "rows": [
            {
                "source": r.source,
                "label": dict(r.label),
                "article": r.article.number,
                "quantity": pct(r.quantity),
                "unit_price": str(r.unit_price),
                "discount": pct(r.discount * 100),
                "vat_rate": pct(r.vat_rate),
                "net": _money(r.net),
                "vat": _money(r.vat),
            }
            for r in rows
        ],
        "vat": [
            {
                "rate": pct(rate),
                "planned": _money(planned.get(rate, ZERO)),
                "receipt": _money(receipt.get(rate, ZERO)),
            }
            for rate in sorted(set(planned) | set(receipt), reverse=True)
        ],
        "net": _money(sum((r.net for r in rows), ZERO)),
        "vat_total": _money(sum((r.vat for r in rows), ZERO)),
        "total": _money(sum((r.gross for r in rows), ZERO)),
        "shop_total": _money(order.total),
        "shop_vat": _money(order.total_tax),
    }


def receipt_vat_by_rate(order: ShopOrder, rate_percent: Mapping[int, Decimal]) -> dict[Decimal, Decimal]:
    """The VAT per percent on the customer's receipt: the order's own tax lines where the shop sends them;
    otherwise rebuilt as WooCommerce makes them by default (each item's tax rounded to the cent, then
    summed per rate). The planner and the books check both read the receipt through this."""
    out: dict[Decimal, Decimal] = {}
    if order.tax_totals:
        for line in order.tax_totals:
            percent = rate_percent.get(line.rate_id)
            if percent is not None:
                out[percent] = out.get(percent, ZERO) + line.tax_total + line.shipping_tax_total
        return out
    for taxes in (
        [x.taxes for x in order.line_items]
        + [s.taxes for s in order.shipping_lines]
        + [f.taxes for f in order.fee_lines]
    ):
        for t in taxes:
            percent = rate_percent.get(t.rate_id)
            if percent is not None:
                out[percent] = out.get(percent, ZERO) + round2(t.total)
    return out
