"""The eAccounting credit invoice for one WooCommerce refund: its rows and expected totals, or why it waits.

Pure (no database, no network, no settings), like ``document_plan``: the caller gathers the original
order's planned rows and the tenant's articles into a ``CreditContext``.

Why the rows look as they do:

- A refunded line is credited on the article the order line was booked on (``order_lines``: the original
  plan's rows by WooCommerce order line id, see ``rows_by_line_id``), at the amount the shop refunded per
  unit — not the list price: coupons are already in the refunded amount, so the row has no discount.
- Unit prices follow the original document: gross when it ``IncludesVat`` (and VAT is charged), else net.
- WooCommerce refund lines carry negative quantities and amounts; the credit rows are positive. eAccounting
  turns a credit invoice's quantities negative itself (``IsCreditInvoice``).
- A refund line with quantity 0 but an amount is a price-only refund of that line: quantity 1 at the amount.
- Everything else is credited per VAT rate in the proportion the sale booked it, so output VAT goes back at
  the rates it was declared at (a refund article at one rate would over-credit that rate and under-credit
  the others): a refunded shipping or fee line as the sale's rows of that line were split (on the same
  template articles); the part of the refund's ``amount`` no refunded line explains (a goodwill or
  amount-only refund: the shop does not say what it is for) as the whole sale was, on the refund article
  of each rate (``refund_articles``), or the sale's template article at that rate when there is none.
- The credit's total is compared with the refund's amount: a difference within the limit goes to the
  rounding article, anything larger waits with both figures.
- ``ReferringInvoiceId`` is read-only in eAccounting: the link to the original invoice is our own record
  and the ``YourReference`` text (``credit_reference``).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TypeVar

from integration.orders.document_plan import (
    CENT,
    FOUR_DP,
    HELSINKI,
    ONE,
    TEXT_LIMIT,
    VAT_MODES,
    ZERO,
    ZERO_RATED,
    ArticleRef,
    DocumentPlan,
    PlannedRow,
    RowKind,
    _money,
    _text,
    discount_for_api,
    pct,
    round2,
    row_amounts,
    row_discount,
    shop_rate,
)
from integration.orders.outcomes import Reason, Waiting, WaitReason, reason
from integration.webshops.base import ChargeKind, LineTax, OrderLine, RefundedCharge, ShopOrder, ShopRefund

REFERENCE_LIMIT = 100  # CustomerInvoiceApi.YourReference
BUYERS_REFERENCE_LIMIT = 35  # CustomerInvoiceApi.BuyersOrderReference
SOLD = (
    RowKind.LINE,
    RowKind.SHIPPING,
    RowKind.FEE,
)  # what a goodwill amount is split by (not payments, rounding)
TEMPLATES = (RowKind.SHIPPING, RowKind.FEE)
ROW_KIND = {ChargeKind.SHIPPING: RowKind.SHIPPING, ChargeKind.FEE: RowKind.FEE}
K = TypeVar("K", bound=Hashable)


# ---------------------------------------------------------------------- shapes
@dataclass(frozen=True)
class CreditContext:
    """Everything the credit plan needs besides the refund.

    ``includes_vat``: the original document's ``IncludesVat``; ``vat_mode`` as in ``PlanContext``.
    ``order_lines``: the original order's planned product rows by WooCommerce order line id
    (``rows_by_line_id``); ``sale_rows``: all the original document's rows (refunded shipping, fees and
    amounts are split as they were). ``refund_articles`` book the part of a refund no refunded line
    explains, by their VAT percent.
    """

    includes_vat: bool
    vat_mode: str
    order_lines: Mapping[int, PlannedRow]
    tax_rate_percent: Mapping[int, Decimal]
    refund_articles: Mapping[Decimal, ArticleRef]
    rounding_article: ArticleRef | None
    rounding_limit: Decimal
    currency: str
    sale_rows: tuple[PlannedRow, ...] = ()
    vat_tolerance: Decimal = ZERO  # as PlanContext's: how far a credit's VAT per rate may be from the shop's

    def __post_init__(self) -> None:
        if self.vat_mode not in VAT_MODES:
            raise ValueError(f"vat_mode must be one of {VAT_MODES}, not {self.vat_mode!r}")


@dataclass(frozen=True)
class CreditPlan:
    """The credit invoice's rows and totals, as magnitudes: eAccounting books them negative.

    Every row is positive except a rounding row, which is negative when the rows credit more than the
    shop refunded."""

    rows: tuple[PlannedRow, ...]
    net: Decimal
    vat: Decimal
    total: Decimal  # net + VAT, positive
    refund_amount: Decimal  # the shop's refund amount (VAT included)
    rounding: Decimal  # the rounding row's net + VAT; 0 when there is none


# ---------------------------------------------------------------------- the plan
def rows_by_line_id(order: ShopOrder, plan: DocumentPlan) -> dict[int, PlannedRow]:
    """The original plan's product rows by WooCommerce order line id.

    ``plan_document`` emits one row per order line first, in the order's line order (a line without a
    row makes the order wait, so a ``DocumentPlan`` has them all), then shipping, fees and rounding.
    """
    if len(plan.rows) < len(order.line_items):
        raise ValueError(f"the plan has {len(plan.rows)} rows for {len(order.line_items)} order lines")
    out: dict[int, PlannedRow] = {}
    for n, (line, row) in enumerate(zip(order.line_items, plan.rows, strict=False), 1):
        if row.source != f"line {n}: {_text(line.name)}":
            raise ValueError(f"row {n} of the plan is {row.source!r}, not order {order.number}'s line {n}")
        out[line.id] = row
    return out


def plan_credit(refund: ShopRefund, ctx: CreditContext) -> CreditPlan | Waiting:
    """The rows and expected totals of the credit invoice for ``refund``, or every reason it must wait."""
    p = _Credit(refund, ctx)
    for n, line in enumerate(refund.line_items, 1):
        p.line(n, line)
    for charge in refund.charges:
        p.charge(charge)
    p.amount_only()
    return p.finish()


def apportion(amount: Decimal, weights: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """``amount`` (cents) split in proportion to ``weights``; the parts sum to ``amount`` exactly.

    Each part is rounded down to the cent, then the cents left over go to the largest remainders (ties:
    the first key) — the split an accountant gets by hand. Keys whose weight is not positive get nothing;
    all weights negative (e.g. a discount fee) count as their magnitudes."""
    if sum(weights.values(), ZERO) < 0:
        weights = {k: -w for k, w in weights.items()}
    positive = {k: w for k, w in weights.items() if w > 0}
    total = sum(positive.values(), ZERO)
    if not positive:
        return {}
    sign = -1 if amount < 0 else 1
    magnitude = abs(amount)
    exact = {k: magnitude * w / total for k, w in positive.items()}
    parts = {k: v.quantize(CENT, rounding=ROUND_DOWN) for k, v in exact.items()}
    left = int((magnitude - sum(parts.values(), ZERO)) / CENT)
    order = sorted(positive, key=lambda k: exact[k] - parts[k], reverse=True)  # stable: ties keep key order
    for k in order[:left]:
        parts[k] += CENT
    return {k: sign * v for k, v in parts.items() if v}


def credit_reference(order_number: str, refund_id: int) -> str:
    """YourReference of the credit: "1234 refund 567" (the refund id is always kept whole)."""
    suffix = f" refund {refund_id}"
    return order_number[: REFERENCE_LIMIT - len(suffix)] + suffix


def credit_rows_body(plan: CreditPlan) -> list[dict]:
    """The rows as ``CustomerInvoiceRowApi`` JSON: writable fields only (ArticleNumber, IsTextRow, IsWorkCost
    and LineNumber are read-only there), positive quantities."""
    return [
        {
            "ArticleId": r.article.id,
            "Quantity": float(r.quantity),
            "UnitPrice": float(r.unit_price),
            "DiscountPercentage": discount_for_api(r.discount),
            "Text": r.text[:TEXT_LIMIT],
        }
        for r in plan.rows
    ]


def credit_body(
    refund: ShopRefund, plan: CreditPlan, customer_id: str, order_number: str, invoice_date: date
) -> dict:
    """The ``CustomerInvoiceApi`` body (POST /customerinvoices) of the credit invoice."""
    return {
        "IsCreditInvoice": True,
        "CustomerId": customer_id,
        "EuThirdParty": False,
        "RotReducedInvoicingType": 0,
        "YourReference": credit_reference(order_number, refund.id),
        "BuyersOrderReference": order_number[:BUYERS_REFERENCE_LIMIT],
        "InvoiceDate": invoice_date.isoformat(),
        "Rows": credit_rows_body(plan),
    }


def refund_date(refund: ShopRefund) -> date:
    """The refund's date in Finland (Europe/Helsinki), the VAT period the credit belongs to."""
    moment = refund.date_created_gmt
    if moment is None:
        raise ValueError(f"refund {refund.id} has no creation date")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HELSINKI).date()


# ---------------------------------------------------------------------- helpers
class _Credit:
    """Collects the rows and every reason to wait; ``complete`` is False once an amount lacks its row."""

    def __init__(self, refund: ShopRefund, ctx: CreditContext):
        self.refund, self.ctx = refund, ctx
        self.rows: list[PlannedRow] = []
        self.reasons: list[Reason] = []
        self.complete = True
        self.gross = ctx.includes_vat and ctx.vat_mode not in ZERO_RATED  # price basis of the rows
        self.covered = ZERO  # what the refund lines refund, VAT included
        self.stated: dict[Decimal, Decimal] = {}  # the refunded VAT per rate the shop states (lines, charges)
        self.stated_rows: list[PlannedRow] = []  # the rows crediting what the shop stated the VAT of

    def missing(self, why: Reason) -> None:
        self.reasons.append(why)
        self.complete = False

    def add(
        self,
        article: ArticleRef,
        quantity: Decimal,
        unit_price: Decimal,
        rate: Decimal,
        text: str,
        source: str,
        kind: RowKind = RowKind.LINE,
        discount: Decimal = ZERO,
    ) -> PlannedRow:
        net, vat = row_amounts(quantity, unit_price, discount, rate, self.ctx.includes_vat)
        row = PlannedRow(article, quantity, unit_price, discount, text, source, rate, net, vat, kind)
        self.rows.append(row)
        return row

    def shop_rate(self, taxes: list[LineTax], label: dict[str, str]) -> Decimal | None:
        """The VAT percent the shop refunded on a line (None: no tax refunded)."""
        return shop_rate(taxes, self.ctx.tax_rate_percent, label, self.reasons)

    def line_rate(self, original: PlannedRow, shop_rate: Decimal | None, label: dict[str, str]) -> Decimal:
        """The percent eAccounting applies to a credited line, as ``document_plan`` decides it."""
        mode, article = self.ctx.vat_mode, original.article
        if mode in ZERO_RATED:
            return ZERO
        if mode == "oss":
            return original.vat_rate if shop_rate is None else shop_rate
        if shop_rate is not None and shop_rate != article.vat_rate:
            self.reasons.append(
                reason(
                    WaitReason.REFUND_ARTICLE_VAT_DIFFERS,
                    **label,
                    article=article.number,
                    article_name=article.name,
                    article_rate=pct(article.vat_rate),
                    shop_rate=pct(shop_rate),
                )
            )
        return article.vat_rate

    # -------------------------------------------------------------- the refund's parts
    def line(self, n: int, line: OrderLine) -> None:
        refunded = -(line.total + line.total_tax)  # positive: what the shop paid back for this line
        self.covered += refunded
        name = _text(line.name)
        label = {"subject": "refund_line", "refund": str(self.refund.id), "line": str(n), "name": name}
        item_id = line.refunded_item_id
        original = self.ctx.order_lines.get(item_id) if item_id is not None else None
        if original is None:
            which = "order_line" if item_id is not None else "unnamed_line"
            self.missing(reason(WaitReason.REFUND_LINE_NOT_IN_ORDER, **label, which=which, item=item_id))
            return
        quantity = (-line.quantity).quantize(FOUR_DP, rounding=ROUND_HALF_UP)
        if quantity < 0 or refunded < 0:
            self.missing(
                reason(
                    WaitReason.REFUND_BAD_QUANTITY,
                    **label,
                    quantity=-line.quantity,
                    amount=_money(refunded),
                    currency=self.ctx.currency,
                )
            )
            return
        if quantity == 0 and line.total == 0 and line.total_tax == 0:
            return  # nothing refunded on this line
        source = f"refund of {original.source}"
        if quantity == 0:  # a price-only refund of the line
            quantity, source = ONE, source + " (price only)"
        shop_rate = self.shop_rate(line.taxes, label)
        rate = self.line_rate(original, shop_rate, label)
        for t in line.taxes:  # what the shop says it paid back in VAT, per rate (positive)
            percent = self.ctx.tax_rate_percent.get(t.rate_id)
            if percent is not None and t.total:
                self.stated[percent] = self.stated.get(percent, ZERO) - t.total
        target = refunded if self.gross else -line.total
        unit, discount = round2(target / quantity), ZERO
        listed = round2(quantity * original.unit_price)
        if round2(quantity * unit) != target and listed >= target:
            # No unit price makes the amount: the sale's unit with the discount that lands on it, when one does
            # (else the rounded unit, and the totals and VAT checks tell the cent)
            fitting = row_discount(quantity, original.unit_price, listed, target)
            if ZERO <= fitting <= ONE and round2(quantity * original.unit_price * (ONE - fitting)) == target:
                unit, discount = original.unit_price, fitting
        self.stated_rows.append(
            self.add(original.article, quantity, unit, rate, original.text, source, discount=discount)
        )

    def unit(self, gross: Decimal, rate: Decimal) -> Decimal:
        """The unit price of a one-unit row that should come to ``gross``."""
        return gross if self.gross else round2(gross / (ONE + rate / 100))

    def charge(self, charge: RefundedCharge) -> None:
        """A refunded shipping or fee line: split as the sale's rows of that line were, on their articles."""
        self.covered += charge.gross
        for t in charge.taxes:
            percent = self.ctx.tax_rate_percent.get(t.rate_id)
            if percent is not None and t.total:
                self.stated[percent] = self.stated.get(percent, ZERO) + t.total
        kind = ROW_KIND[charge.kind]
        what = "shipping" if kind is RowKind.SHIPPING else "fee"
        label = {
            "subject": f"refund_{what}",
            "refund": str(self.refund.id),
            "name": _text(charge.name) or what,
        }
        sold = [r for r in self.ctx.sale_rows if r.kind is kind]
        if charge.order_line_id is not None:
            sold = [r for r in sold if r.line_id == charge.order_line_id]
        elif len({r.line_id for r in sold}) > 1:
            sold = []  # which of the order's lines it pays back is unknown
        if not sold:
            self.missing(
                reason(
                    WaitReason.REFUND_CHARGE_NOT_BOOKED,
                    **label,
                    amount=_money(charge.gross),
                    currency=self.ctx.currency,
                    what=f"{what}_word",
                )
            )
            return
        weights: dict[tuple[ArticleRef, Decimal], Decimal] = {}
        texts: dict[tuple[ArticleRef, Decimal], PlannedRow] = {}
        for r in sold:
            weights[(r.article, r.vat_rate)] = weights.get((r.article, r.vat_rate), ZERO) + r.gross
            texts.setdefault((r.article, r.vat_rate), r)
        for (article, rate), part in apportion(charge.gross, weights).items():
            original = texts[(article, rate)]
            row = self.add(
                article, ONE, self.unit(part, rate), rate, original.text, f"refund of {original.source}", kind
            )
            if charge.taxes:
                self.stated_rows.append(row)

    def amount_only(self) -> None:
        part = self.refund.amount - self.covered
        if part <= 0:
            return  # nothing beyond the lines; lines refunding more than the amount show in the totals
        sold = [r for r in self.ctx.sale_rows if r.kind in SOLD]
        weights: dict[Decimal, Decimal] = {}
        for r in sold:
            weights[r.vat_rate] = weights.get(r.vat_rate, ZERO) + r.gross
        parts = apportion(part, weights) if sold else {}
        if not parts:  # nothing sold to split by (a sale of gift cards only): the refund article's own rate
            rate = ZERO if self.ctx.vat_mode in ZERO_RATED else None
            article = next(iter(self.ctx.refund_articles.values()), None)
            parts = {rate if rate is not None else (article.vat_rate if article else ZERO): part}
        several = len(parts) > 1
        for rate, amount in parts.items():
            article = self.refund_article(rate, sold)
            if article is None:
                self.missing(
                    reason(
                        WaitReason.REFUND_ARTICLE_MISSING,
                        refund=self.refund.id,
                        amount=_money(amount),
                        currency=self.ctx.currency,
                        rate=pct(rate),
                        split="split" if several else "",
                        part=_money(part),
                    )
                )
                continue
            text = f"{article.name} ({pct(rate)} %)" if several else article.name
            source = f"refund amount ({pct(rate)} %)" if several else "refund amount"
            self.add(article, ONE, self.unit(amount, rate), rate, text, source, RowKind.REFUND)

    def refund_article(self, rate: Decimal, sold: list[PlannedRow]) -> ArticleRef | None:
        """The article that credits an amount at ``rate`` (the percent eAccounting applies): the refund article
        of that rate (in OSS: of the home rate of the goods sold at it; zero-rated: any), else the sale's
        shipping or fee template at that rate."""
        articles, mode = self.ctx.refund_articles, self.ctx.vat_mode
        if mode in ZERO_RATED and articles:
            return next(iter(articles.values()))
        homes = [rate] if mode == "domestic" else [r.article.vat_rate for r in sold if r.vat_rate == rate]
        for home in homes:
            if home in articles:
                return articles[home]
        return next((r.article for r in sold if r.kind in TEMPLATES and r.vat_rate == rate), None)

    # -------------------------------------------------------------- totals
    def sums(self) -> tuple[Decimal, Decimal]:
        return sum((r.net for r in self.rows), ZERO), sum((r.vat for r in self.rows), ZERO)

    def check_vat(self) -> None:
        """Where the shop states what VAT it paid back (refunded lines, shipping, fees), the credit's VAT per rate
        must be it (within the VAT tolerance): a rounding row never moves VAT. The amount-only part has no VAT of
        the shop's to compare: it is split as the sale was."""
        if self.ctx.vat_mode in ZERO_RATED:
            return
        credited: dict[Decimal, Decimal] = {}
        for row in self.stated_rows:
            credited[row.vat_rate] = credited.get(row.vat_rate, ZERO) + row.vat
        cur, tolerance = self.ctx.currency, self.ctx.vat_tolerance
        for rate in sorted(set(credited) | set(self.stated), reverse=True):
            ours, theirs = credited.get(rate, ZERO), self.stated.get(rate, ZERO)
            if abs(ours - theirs) > tolerance:
                self.reasons.append(
                    reason(
                        WaitReason.REFUND_VAT_DIFFERS,
                        refund=self.refund.id,
                        rate=pct(rate),
                        theirs=_money(theirs),
                        currency=cur,
                        ours=_money(ours),
                        tolerance=_money(tolerance),
                    )
                )

    def finish(self) -> CreditPlan | Waiting:
        r, ctx, cur = self.refund, self.ctx, self.ctx.currency
        net, vat = self.sums()
        rounding = ZERO
        if self.complete and not self.rows and r.amount == 0:
            # A refund of nothing (WooCommerce refuses one, Shopify has restock-only refunds): nothing to credit,
            # nothing for a person to do; the step completes without a document (lifecycle).
            return CreditPlan((), ZERO, ZERO, ZERO, r.amount, ZERO)
        if self.complete:
            if (
                not self.reasons
            ):  # a line's own reason (e.g. another rate than its article's) explains the VAT
                self.check_vat()
            diff = r.amount - (net + vat)
            if abs(diff) > ctx.rounding_limit:
                self.reasons.append(
                    reason(
                        WaitReason.REFUND_TOTAL_DIFFERS,
                        refund=r.id,
                        amount=_money(r.amount),
                        currency=cur,
                        ours=_money(net + vat),
                        ours_vat=_money(vat),
                        limit=_money(ctx.rounding_limit),
                        rules="refund_by_hand" if ctx.vat_mode == "domestic" else "customer_rules",
                    )
                )
            elif diff and ctx.rounding_article is None:
                self.reasons.append(
                    reason(
                        WaitReason.REFUND_NO_ROUNDING_ARTICLE,
                        refund=r.id,
                        amount=_money(r.amount),
                        currency=cur,
                        ours=_money(net + vat),
                        difference=_money(diff),
                    )
                )
            elif (
                diff
                and (art := ctx.rounding_article) is not None
                and art.vat_rate
                and ctx.vat_mode == "domestic"
            ):
                # as document_plan: a rounding row may correct the total, never VAT
                self.reasons.append(
                    reason(
                        WaitReason.REFUND_ROUNDING_HAS_VAT,
                        refund=r.id,
                        amount=_money(r.amount),
                        currency=cur,
                        ours=_money(net + vat),
                        difference=_money(diff),
                        article=art.number,
                        article_name=art.name,
                        article_rate=pct(art.vat_rate),
                    )
                )
            elif diff and (art := ctx.rounding_article) is not None:  # None: the branch above
                # 0 %: in domestic mode the article's own (checked above), otherwise as document_plan's rounding row
                row = self.add(art, ONE, diff, ZERO, art.name, "rounding", RowKind.ROUNDING)
                rounding = row.net + row.vat
                net, vat = self.sums()
        if self.reasons:
            return Waiting(tuple(dict.fromkeys(self.reasons)))
        return CreditPlan(tuple(self.rows), net, vat, net + vat, r.amount, rounding)
