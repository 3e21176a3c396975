"""WooCommerce's own order arithmetic as pure functions (no shop state, no I/O).

The sandbox computes every order total here, the way WooCommerce (9.x) does it, so the product meets
the shop's real figures, rounding quirks included:

* taxes: ``WC_Tax::calc_tax`` (exclusive and inclusive, compound rates), every rate's amount kept at
  6 decimals (``WC_ROUNDING_PRECISION``);
* rounding: ``wc_round_tax_total`` rounds half *down* when prices are entered with tax and half up
  otherwise (``WC_TAX_ROUNDING_MODE``); per line, or only on the order's sums when
  ``woocommerce_tax_round_at_subtotal`` is on;
* coupons: ``WC_Discounts`` in cents: items sorted by price, percent discounts floored per item with
  the remainder given a cent at a time in that order, fixed cart split evenly per unit, fixed
  product per unit, ``limit_usage_to_x_items``, ``exclude_sale_items``,
  ``woocommerce_calc_discounts_sequentially``; in a shop whose prices include tax a coupon applies
  to the gross prices and its tax is removed afterwards (``WC_Abstract_Order::set_item_discount_amounts``);
* order sums: ``WC_Abstract_Order::calculate_totals`` / ``update_taxes``.

Money in and out is ``Decimal``; amounts WooCommerce keeps unrounded stay unrounded here and are
rounded only where WooCommerce rounds (the REST answer prints them with 2 decimals).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

PRICE_DECIMALS = 2  # woocommerce_price_num_decimals
ROUNDING_PRECISION = 6  # WC_ROUNDING_PRECISION
ZERO = Decimal(0)
HUNDRED = Decimal(100)


class CouponType(enum.StrEnum):
    PERCENT = "percent"
    FIXED_CART = "fixed_cart"
    FIXED_PRODUCT = "fixed_product"


class NegativeFeeTax(enum.StrEnum):
    """How a negative fee (a discount) is taxed."""

    APPORTION = "apportion"  # WooCommerce core: spread over the order's tax classes by their costs
    OWN_CLASS = "own_class"  # at the fee's own tax class, as an order written by a plugin may carry it


@dataclass(frozen=True)
class TaxRate:
    id: int
    rate: Decimal  # percent, e.g. Decimal("25.5")
    compound: bool = False


@dataclass(frozen=True)
class Coupon:
    code: str
    discount_type: CouponType
    amount: Decimal
    limit_usage_to_x_items: int | None = None
    exclude_sale_items: bool = False


@dataclass(frozen=True)
class Settings:
    prices_include_tax: bool = False
    tax_round_at_subtotal: bool = False
    calc_discounts_sequentially: bool = False
    calc_taxes: bool = True
    negative_fee_tax: NegativeFeeTax = NegativeFeeTax.APPORTION


# ---------------------------------------------------------------------- rounding
def quantize(value: Decimal, places: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def round_price(value: Decimal) -> Decimal:
    """``NumberUtil::round(x, wc_get_price_decimals())``: half up."""
    return quantize(value, PRICE_DECIMALS)


def precise(value: Decimal) -> Decimal:
    """``WC_Tax::round``: 6 decimals, half up."""
    return quantize(value, ROUNDING_PRECISION)


def round_tax_total(value: Decimal, settings: Settings, places: int = PRICE_DECIMALS) -> Decimal:
    """``wc_round_tax_total``: half down when prices include tax, else half up."""
    return quantize(value, places, ROUND_HALF_DOWN if settings.prices_include_tax else ROUND_HALF_UP)


def line_tax(taxes: dict[int, Decimal], settings: Settings) -> Decimal:
    """An item's ``total_tax`` from its per-rate taxes (``WC_Order_Item_*::set_taxes``)."""
    if settings.tax_round_at_subtotal:
        return sum(taxes.values(), ZERO)
    return sum((round_tax_total(t, settings) for t in taxes.values()), ZERO)


# ---------------------------------------------------------------------- taxes
def calc_tax(price: Decimal, rates: Sequence[TaxRate], price_includes_tax: bool) -> dict[int, Decimal]:
    """``WC_Tax::calc_tax``: tax per rate id, 6 decimals; ``rates`` in priority order."""
    taxes: dict[int, Decimal] = {r.id: ZERO for r in rates}
    regular = [r for r in rates if not r.compound]
    compound = [r for r in rates if r.compound]
    if price_includes_tax:
        non_compound_price = price
        for r in reversed(compound):
            tax = non_compound_price - non_compound_price / (1 + r.rate / HUNDRED)
            taxes[r.id] += tax
            non_compound_price -= tax
        regular_factor = 1 + sum((r.rate for r in regular), ZERO) / HUNDRED
        for r in regular:
            taxes[r.id] += (r.rate / HUNDRED) / regular_factor * non_compound_price
    else:
        for r in regular:
            taxes[r.id] += price * r.rate / HUNDRED
        for r in compound:
            taxes[r.id] += (price + sum(taxes.values(), ZERO)) * r.rate / HUNDRED
    return {rid: precise(t) for rid, t in taxes.items()}


def price_excluding_tax(
    unit_price: Decimal, quantity: int, rates: Sequence[TaxRate], settings: Settings
) -> Decimal:
    """``wc_get_price_excluding_tax``: a line's subtotal from the price as entered (unrounded)."""
    line_price = unit_price * quantity
    if settings.prices_include_tax and settings.calc_taxes and rates:
        return line_price - sum(calc_tax(line_price, rates, True).values(), ZERO)
    return line_price


# ---------------------------------------------------------------------- coupons (WC_Discounts)
@dataclass
class DiscountItem:
    key: int | str
    quantity: int
    price: Decimal  # the whole line in cents (WC_Discounts' ``$item->price``)
    on_sale: bool = False


def to_cents(value: Decimal) -> Decimal:
    """``wc_add_number_precision``: cents, kept at 4 decimals."""
    return quantize(value * 100, ROUNDING_PRECISION - PRICE_DECIMALS)


class Discounts:
    """``WC_Discounts``: every amount in cents; ``discounts[code][item key]``."""

    def __init__(self, items: Iterable[DiscountItem], sequential: bool = False) -> None:
        # sort_by_price: dearest (price x quantity) first; PHP's sort keeps ties in order.
        self.items = sorted(items, key=lambda i: -(i.price * i.quantity))
        self.sequential = sequential
        self.discounts: dict[str, dict[int | str, Decimal]] = {}

    def discount_of(self, item: DiscountItem) -> Decimal:
        return sum((d.get(item.key, ZERO) for d in self.discounts.values()), ZERO)

    def discounted_price(self, item: DiscountItem) -> Decimal:
        """``get_discounted_price_in_cents``: absint(round(price - discounts))."""
        return abs(quantize(item.price - self.discount_of(item), 0))

    def by_item(self) -> dict[int | str, Decimal]:
        return {i.key: self.discount_of(i) for i in self.items}

    def by_coupon(self) -> dict[str, Decimal]:
        return {code: sum(d.values(), ZERO) for code, d in self.discounts.items()}

    def apply(self, coupon: Coupon) -> Decimal:
        self.discounts[coupon.code] = {i.key: ZERO for i in self.items}
        targets = [
            i
            for i in self.items
            if self.discounted_price(i) != 0 and i.quantity > 0 and self._valid_for(coupon, i)
        ]
        if coupon.discount_type == CouponType.PERCENT:
            return self._percent(coupon, targets)
        if coupon.discount_type == CouponType.FIXED_PRODUCT:
            return self._fixed_product(coupon, targets)
        return self._fixed_cart(coupon, targets)

    @staticmethod
    def _valid_for(coupon: Coupon, item: DiscountItem) -> bool:
        # is_valid_for_product() || is_valid_for_cart(): a cart coupon is valid for every item.
        if coupon.discount_type == CouponType.FIXED_CART:
            return True
        return not (coupon.exclude_sale_items and item.on_sale)

    def _add(self, coupon: Coupon, item: DiscountItem, amount: Decimal) -> None:
        self.discounts[coupon.code][item.key] += amount

    def _percent(self, coupon: Coupon, targets: list[DiscountItem]) -> Decimal:
        limit = coupon.limit_usage_to_x_items or 0
        total_discount = cart_total = ZERO
        applied = 0
        for item in targets:
            discounted = self.discounted_price(item)
            base = discounted if self.sequential else quantize(item.price, 0)
            qty = limit - applied if limit and limit - applied < item.quantity else item.quantity
            qty = max(0, qty)
            base = base / item.quantity * qty
            discount = (base * coupon.amount / HUNDRED).to_integral_value(ROUND_FLOOR)
            discount = quantize(min(discounted, discount), 0, ROUND_HALF_DOWN)  # wc_round_discount
            cart_total += base
            total_discount += discount
            applied += qty
            self._add(coupon, item, discount)
        # The whole cart's discount, rounded (half down), against the floored per-item sum.
        cart_discount = quantize(cart_total * coupon.amount / HUNDRED, 0, ROUND_HALF_DOWN)
        if total_discount < cart_discount:
            total_discount += self._remainder(coupon, targets, cart_discount - total_discount)
        return total_discount

    def _fixed_product(
        self, coupon: Coupon, targets: list[DiscountItem], amount: Decimal | None = None
    ) -> Decimal:
        amount = amount if amount else to_cents(coupon.amount)
        limit = coupon.limit_usage_to_x_items or 0
        total_discount = ZERO
        applied = 0
        for item in targets:
            discounted = self.discounted_price(item)
            if limit:
                qty = max(0, limit - applied if limit - applied < item.quantity else item.quantity)
                discount = min(amount, item.price / item.quantity) * qty
            else:
                qty = item.quantity
                discount = amount * qty
            discount = min(discounted, discount)
            total_discount += discount
            applied += qty
            self._add(coupon, item, discount)
        return total_discount

    def _fixed_cart(
        self, coupon: Coupon, targets: list[DiscountItem], amount: Decimal | None = None
    ) -> Decimal:
        amount = amount if amount else to_cents(coupon.amount)
        targets = [i for i in targets if i.price > 0]  # filter_products_with_price
        count = sum(i.quantity for i in targets)
        if not count:
            return ZERO
        per_item = (amount / count).to_integral_value(ROUND_FLOOR)  # absint(): down to the cent
        total_discount = ZERO
        if per_item > 0:
            total_discount = self._fixed_product(coupon, targets, per_item)
            if 0 < total_discount < amount:
                total_discount += self._fixed_cart(coupon, targets, amount - total_discount)
        elif amount > 0:
            total_discount += self._remainder(coupon, targets, amount)
        return total_discount

    def _remainder(self, coupon: Coupon, targets: list[DiscountItem], amount: Decimal) -> Decimal:
        """``apply_coupon_remainder``: one cent per unit, items in order, until ``amount`` is given."""
        total = ZERO
        for item in targets:
            for _ in range(item.quantity):
                cent = min(self.discounted_price(item), Decimal(1))
                total += cent
                self._add(coupon, item, cent)
                if total >= amount:
                    return total
        return total


# ---------------------------------------------------------------------- order
@dataclass(frozen=True)
class LineItem:
    key: int | str
    quantity: int
    subtotal: Decimal  # excluding tax, as WooCommerce stores it (may carry more than 2 decimals)
    rates: tuple[TaxRate, ...] = ()  # empty: not taxable
    on_sale: bool = False


@dataclass(frozen=True)
class FeeItem:
    key: int | str
    total: Decimal  # excluding tax (WooCommerce taxes fees on top)
    rates: tuple[TaxRate, ...] = ()


@dataclass(frozen=True)
class ShippingPart:
    cost: Decimal  # excluding tax
    rates: tuple[TaxRate, ...] = ()


@dataclass(frozen=True)
class ShippingItem:
    key: int | str
    parts: tuple[ShippingPart, ...]  # one part, or the goods' rates when a plugin splits shipping tax


@dataclass
class LineResult:
    key: int | str
    subtotal: Decimal
    total: Decimal
    subtotal_taxes: dict[int, Decimal]
    total_taxes: dict[int, Decimal]
    subtotal_tax: Decimal
    total_tax: Decimal


@dataclass
class ChargeResult:
    """A fee or shipping line after tax."""

    key: int | str
    total: Decimal
    taxes: dict[int, Decimal]
    total_tax: Decimal


@dataclass
class CouponResult:
    code: str
    discount: Decimal
    discount_tax: Decimal


@dataclass
class TaxRow:
    rate_id: int
    tax_total: Decimal
    shipping_tax_total: Decimal


@dataclass
class OrderTotals:
    lines: list[LineResult]
    fees: list[ChargeResult]
    shipping: list[ChargeResult]
    coupons: list[CouponResult]
    tax_rows: list[TaxRow]
    subtotal: Decimal
    discount_total: Decimal
    discount_tax: Decimal
    shipping_total: Decimal
    shipping_tax: Decimal
    cart_tax: Decimal
    total_tax: Decimal
    total: Decimal
    fees_total: Decimal = field(default=ZERO)


def _rates(rates: Sequence[TaxRate], settings: Settings) -> Sequence[TaxRate]:
    return rates if settings.calc_taxes else ()


def _items_sum(values: Iterable[Decimal], settings: Settings) -> Decimal:
    """``get_rounded_items_total``: each item rounded to the cent unless rounding at subtotal."""
    if settings.tax_round_at_subtotal:
        return sum(values, ZERO)
    return sum((round_price(v) for v in values), ZERO)


def _merge(into: dict[int, Decimal], taxes: dict[int, Decimal]) -> None:
    for rid, t in taxes.items():
        into[rid] = into.get(rid, ZERO) + t


def calculate(
    lines: Sequence[LineItem],
    settings: Settings,
    coupons: Sequence[Coupon] = (),
    fees: Sequence[FeeItem] = (),
    shipping: Sequence[ShippingItem] = (),
) -> OrderTotals:
    """An order's totals as ``WC_Abstract_Order::recalculate_coupons`` + ``calculate_totals`` give them."""
    incl = settings.prices_include_tax and settings.calc_taxes
    # Subtotal taxes first: in a VAT-inclusive shop the coupons see subtotal + subtotal tax.
    sub_taxes = {li.key: calc_tax(li.subtotal, _rates(li.rates, settings), False) for li in lines}
    sub_tax = {li.key: line_tax(sub_taxes[li.key], settings) for li in lines}

    discounts = Discounts(
        (
            DiscountItem(
                li.key, li.quantity, to_cents(li.subtotal + (sub_tax[li.key] if incl else ZERO)), li.on_sale
            )
            for li in lines
        ),
        sequential=settings.calc_discounts_sequentially,
    )
    for c in coupons:
        discounts.apply(c)
    by_item = discounts.by_item()

    results: list[LineResult] = []
    for li in lines:
        rates = _rates(li.rates, settings)
        amount = by_item.get(li.key, ZERO) / 100
        if incl and rates:
            # Unrounded taxes so the totals come out as in the cart (set_item_discount_amounts).
            amount -= sum(calc_tax(amount, rates, True).values(), ZERO)
        total = max(ZERO, li.subtotal - amount)
        total_taxes = calc_tax(total, rates, False)
        subtotal_taxes = sub_taxes[li.key]
        if sum(subtotal_taxes.values(), ZERO) < sum(total_taxes.values(), ZERO):
            subtotal_taxes = dict(total_taxes)  # "Subtotal cannot be less than total!"
        results.append(
            LineResult(
                li.key,
                li.subtotal,
                total,
                subtotal_taxes,
                total_taxes,
                line_tax(subtotal_taxes, settings),
                line_tax(total_taxes, settings),
            )
        )

    coupon_results = _coupon_results(discounts, lines, settings)

    cart_subtotal = _items_sum((r.subtotal for r in results), settings)
    cart_total = _items_sum((r.total for r in results), settings)
    shipping_results = []
    for s in shipping:
        taxes: dict[int, Decimal] = {}
        for part in s.parts:
            _merge(taxes, calc_tax(part.cost, _rates(part.rates, settings), False))
        cost = sum((p.cost for p in s.parts), ZERO)
        shipping_results.append(ChargeResult(s.key, cost, taxes, line_tax(taxes, settings)))
    shipping_total = sum((round_price(s.total) for s in shipping_results), ZERO)

    fee_results = []
    fees_total = ZERO
    for f in fees:
        fee_total = f.total
        if fee_total < 0:
            # A discount fee never takes the order below zero.
            max_discount = -round_price(cart_total + fees_total + shipping_total)
            if fee_total < max_discount and max_discount < 0:
                fee_total = max_discount
        fees_total += fee_total
        if fee_total < 0 and settings.negative_fee_tax == NegativeFeeTax.APPORTION:
            taxes = _apportioned_taxes(fee_total, lines, results, fees, shipping_results, settings)
        else:
            taxes = calc_tax(fee_total, _rates(f.rates, settings), False)
        fee_results.append(ChargeResult(f.key, fee_total, taxes, line_tax(taxes, settings)))

    # update_taxes: per-rate sums, each item's tax rounded first unless rounding at subtotal.
    def row_part(t: Decimal) -> Decimal:
        return t if settings.tax_round_at_subtotal else round_tax_total(t, settings)

    cart_taxes: dict[int, Decimal] = {}
    for r in results:
        _merge(cart_taxes, {rid: row_part(t) for rid, t in r.total_taxes.items()})
    for fr in fee_results:
        _merge(cart_taxes, {rid: row_part(t) for rid, t in fr.taxes.items()})
    shipping_taxes: dict[int, Decimal] = {}
    for sr in shipping_results:
        _merge(shipping_taxes, {rid: row_part(t) for rid, t in sr.taxes.items()})
    rows = [
        TaxRow(
            rid,
            round_tax_total(cart_taxes.get(rid, ZERO), settings),
            round_tax_total(shipping_taxes.get(rid, ZERO), settings),
        )
        for rid in list(cart_taxes) + [rid for rid in shipping_taxes if rid not in cart_taxes]
    ]
    cart_tax = sum(cart_taxes.values(), ZERO)
    shipping_tax = sum(shipping_taxes.values(), ZERO)

    subtotal_tax_raw = sum((sum(r.subtotal_taxes.values(), ZERO) for r in results), ZERO)
    total_tax_raw = sum((sum(r.total_taxes.values(), ZERO) for r in results), ZERO)
    return OrderTotals(
        lines=results,
        fees=fee_results,
        shipping=shipping_results,
        coupons=coupon_results,
        tax_rows=rows,
        subtotal=round_price(cart_subtotal),
        discount_total=round_price(cart_subtotal - cart_total),
        discount_tax=round_tax_total(subtotal_tax_raw - total_tax_raw, settings),
        shipping_total=shipping_total,
        shipping_tax=round_price(shipping_tax),
        cart_tax=round_price(cart_tax),
        total_tax=round_price(cart_tax + shipping_tax),  # set_total_tax rounds: "this is a total entry"
        total=round_price(cart_total + fees_total + shipping_total + cart_tax + shipping_tax),
        fees_total=fees_total,
    )


def _apportioned_taxes(
    amount: Decimal,
    lines: Sequence[LineItem],
    results: Sequence[LineResult],
    fees: Sequence[FeeItem],
    shipping: Sequence[ChargeResult],
    settings: Settings,
) -> dict[int, Decimal]:
    """``WC_Order_Item_Fee::calculate_taxes`` for a negative fee: its tax is spread over the tax classes of
    the order's items, fees and shipping in proportion to their (non-negative) totals; shipping counts
    for the first line's class (``woocommerce_shipping_tax_class`` "inherit"). The fee's own class is
    not used."""
    if not settings.calc_taxes:
        return {}
    classes = list(dict.fromkeys(li.rates for li in lines if li.rates))  # get_items_tax_classes
    costs: dict[tuple[TaxRate, ...] | None, Decimal] = dict.fromkeys(classes, ZERO)
    costs[None] = ZERO  # "non-taxable"

    def add(rates: tuple[TaxRate, ...] | None, total: Decimal) -> None:
        if total >= 0:
            costs[rates or None] = costs.get(rates or None, ZERO) + total

    for li, r in zip(lines, results, strict=True):
        add(li.rates, r.total)
    for f in fees:
        add(f.rates, f.total)
    for s in shipping:
        add(classes[0] if classes else None, s.total)
    total_costs = sum(costs.values(), ZERO)
    taxes: dict[int, Decimal] = {}
    if total_costs:
        for rates, cost in costs.items():
            if rates is not None and cost:
                _merge(taxes, calc_tax(amount * cost / total_costs, rates, False))
    return taxes


def _coupon_results(
    discounts: Discounts, lines: Sequence[LineItem], settings: Settings
) -> list[CouponResult]:
    """``set_coupon_discount_amounts``: each coupon's discount (excluding tax) and the tax it removed."""
    by_key = {li.key: li for li in lines}
    out = []
    for code, per_item in discounts.discounts.items():
        amount = sum(per_item.values(), ZERO) / 100
        discount_tax = ZERO
        for key, cents in per_item.items():
            rates = _rates(by_key[key].rates, settings)
            if not rates:
                continue
            taxes = sum(calc_tax(cents / 100, rates, settings.prices_include_tax).values(), ZERO)
            discount_tax += taxes if settings.tax_round_at_subtotal else round_tax_total(taxes, settings)
        if settings.prices_include_tax and settings.calc_taxes:
            amount -= discount_tax
        out.append(CouponResult(code, amount, discount_tax))
    return out
