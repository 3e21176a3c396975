"""WooCommerce-shaped orders and refunds built with WooCommerce's arithmetic, for the property test (#17).

The rules (tax rounded per line, ``woocommerce_tax_round_at_subtotal`` off; written from WooCommerce's
behaviour, not its code):

- Prices with tax (a gross shop): a line's gross is price × quantity; its tax gross − gross / (1 + r), rounded
  to the cent; net = gross − tax. A coupon takes its share off the gross (a percentage coupon rounds each
  line's discount; a fixed cart coupon is spread over the lines in proportion to their gross, cents left over
  to the first lines), and the line's tax is worked out again from the discounted gross.
- Prices without tax (a net shop): net = price × quantity, tax = net × r rounded; coupons take off the net.
- Shipping (a net cost) follows the goods in Finland: split by the goods' nets per rate, highest rate first,
  each part rounded, the last taking the rest (the tax plugin's rule); each part's tax = part × r rounded.
- A fee has a net amount and its class's rate; a negative taxed fee (a discount) is spread over the goods'
  rates like shipping; a negative untaxed fee is a gift card.
- A refund pays back whole lines (line, shipping, fee: their net and tax, negative) and/or an amount only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from hypothesis import strategies as st

from integration.orders.document_plan import ArticleRef, PlanContext
from integration.webshops.base import (
    Address,
    ChargeKind,
    FeeLine,
    LineTax,
    OrderLine,
    RefundedCharge,
    ShippingLine,
    ShopOrder,
    ShopRefund,
)

D = Decimal
CENT = D("0.01")
RATES = {1: D("25.5"), 2: D("14"), 3: D("10"), 4: D("0")}
RATE_ID = {v: k for k, v in RATES.items()}


def r2(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def ref(n: int, number: str, rate: Decimal) -> ArticleRef:
    return ArticleRef(f"00000000-0000-4000-8000-{n:012d}", number, number, rate)


GOODS = {rid: ref(rid, f"GOODS-{rid}", rate) for rid, rate in RATES.items()}  # product id = rate id
SHIP = {rate: ref(10 + rid, f"SHIP-{rid}", rate) for rid, rate in RATES.items()}
FEES = {rate: ref(20 + rid, f"FEE-{rid}", rate) for rid, rate in RATES.items()}
REFUNDS = {rate: ref(30 + rid, f"REFUND-{rid}", rate) for rid, rate in RATES.items()}
GIFT = ref(40, "GIFT", D("0"))
ROUND = ref(41, "ROUND", D("0"))


def context(includes_vat: bool) -> PlanContext:
    return PlanContext(
        company_country="FI", includes_vat=includes_vat, vat_mode="domestic", articles_by_product=GOODS,
        articles_by_number={a.number: a for a in GOODS.values()}, tax_rate_percent=RATES,
        shipping_templates={"flat_rate": SHIP}, fee_templates=FEES, gift_card_article=GIFT,
        rounding_article=ROUND, rounding_limit=D("0.05"),
    )  # fmt: skip


def _tax(rate_id: int, total: Decimal, subtotal: Decimal | None = None) -> list[LineTax]:
    return [LineTax(rate_id, total, subtotal)]


def _gross_tax(gross: Decimal, rate: Decimal) -> Decimal:
    return r2(gross - gross / (1 + rate / 100))


def _spread(amount: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``amount`` over ``weights``: each part rounded down to the cent, the cents left to the first."""
    total = sum(weights, D(0))
    if total <= 0:
        return [D(0)] * len(weights)
    parts = [(amount * w / total).quantize(CENT, rounding=ROUND_DOWN) for w in weights]
    left = int((amount - sum(parts, D(0))) / CENT)
    for i in range(len(parts)):
        if left <= 0:
            break
        if weights[i] > 0:
            parts[i] += CENT
            left -= 1
    return parts


def _by_goods(cost: Decimal, goods: dict[Decimal, Decimal]) -> list[tuple[Decimal, Decimal]]:
    """(rate, net) parts of a cost split by the goods' nets, highest rate first, the last taking the rest."""
    base = sum(goods.values(), D(0))
    rates = sorted(goods, reverse=True)
    if base <= 0 or len(rates) == 1:
        return [(rates[0], cost)]
    parts, rest = [], cost
    for rate in rates[:-1]:
        part = r2(cost * goods[rate] / base)
        parts.append((rate, part))
        rest -= part
    parts.append((rates[-1], rest))
    return parts


@dataclass(frozen=True)
class Spec:
    gross_shop: bool
    private: bool
    lines: list[tuple[int, int, int]]  # (rate id, quantity, unit price in cents)
    coupon: tuple[str, int]  # ("none"|"percent"|"fixed", percent or cents)
    shipping_cents: int  # 0: no shipping
    fee: tuple[str, int]  # ("none"|"fee"|"discount"|"gift", cents)
    refunds: list[tuple[frozenset[int], bool, bool, int]]  # (line indexes, shipping?, fee?, extra cents)


specs = st.builds(
    Spec,
    gross_shop=st.booleans(),
    private=st.booleans(),
    lines=st.lists(st.tuples(st.sampled_from(list(RATES)), st.integers(1, 5), st.integers(1, 20000)),
                   min_size=1, max_size=300),  # fmt: skip
    coupon=st.one_of(st.just(("none", 0)), st.tuples(st.just("percent"), st.sampled_from([5, 10, 15, 20, 25, 33, 50])),
                     st.tuples(st.just("fixed"), st.integers(1, 5000))),  # fmt: skip
    shipping_cents=st.one_of(st.just(0), st.integers(1, 3000)),
    fee=st.one_of(st.just(("none", 0)), st.tuples(st.sampled_from(["fee", "discount", "gift"]), st.integers(1, 2000))),
    refunds=st.lists(st.tuples(st.frozensets(st.integers(0, 299), max_size=5), st.booleans(), st.booleans(),
                               st.integers(0, 1000)), max_size=3),  # fmt: skip
)


def build(spec: Spec) -> tuple[ShopOrder, list[ShopRefund]]:
    """The order WooCommerce would make of ``spec``, and its refunds."""
    listed = [D(price) / 100 * q for _, q, price in spec.lines]  # gross in a gross shop, net in a net shop
    discounts = [D(0)] * len(listed)
    kind, value = spec.coupon
    if kind == "percent":
        discounts = [r2(x * value / 100) for x in listed]
    elif kind == "fixed":
        discounts = _spread(min(D(value) / 100, sum(listed, D(0))), listed)
    lines, goods = [], {}
    for i, ((rid, q, _price), amount, off) in enumerate(zip(spec.lines, listed, discounts, strict=True)):
        rate = RATES[rid]
        if spec.gross_shop:
            sub_tax = _gross_tax(amount, rate)
            tot_tax = _gross_tax(amount - off, rate)
            subtotal, total = amount - sub_tax, amount - off - tot_tax
        else:
            subtotal, total = amount, amount - off
            sub_tax, tot_tax = r2(subtotal * rate / 100), r2(total * rate / 100)
        lines.append(OrderLine(
            id=1000 + i, name=f"Goods {i}", product_id=rid, variation_id=0, quantity=D(q), sku=f"GOODS-{rid}",
            price=subtotal / q, subtotal=subtotal, subtotal_tax=sub_tax, total=total, total_tax=tot_tax,
            tax_class="", taxes=_tax(rid, tot_tax, sub_tax),
        ))  # fmt: skip
        goods[rate] = goods.get(rate, D(0)) + total
    ships = []
    if spec.shipping_cents:
        parts = _by_goods(D(spec.shipping_cents) / 100, goods)
        taxes = [LineTax(RATE_ID[rate], r2(net * rate / 100)) for rate, net in parts]
        ships.append(ShippingLine(1, "flat_rate", "Posti", D(spec.shipping_cents) / 100,
                                  sum((t.total for t in taxes), D(0)), taxes, {"instance_id": ""}))  # fmt: skip
    fees = []
    fee_kind, cents = spec.fee
    if fee_kind == "fee":
        rate = max(goods)
        net = D(cents) / 100
        fees.append(FeeLine(2, "Laskutuslisä", "", "taxable", net, r2(net * rate / 100),
                            _tax(RATE_ID[rate], r2(net * rate / 100))))  # fmt: skip
    elif fee_kind == "discount":
        net = -min(D(cents) / 100, sum(goods.values(), D(0)))
        taxes = [LineTax(RATE_ID[rate], r2(part * rate / 100)) for rate, part in _by_goods(net, goods)]
        fees.append(FeeLine(2, "Alennus", "", "taxable", net, sum((t.total for t in taxes), D(0)), taxes))
    elif fee_kind == "gift":
        fees.append(FeeLine(2, "Lahjakortti", "", "none", -D(cents) / 100, D(0), []))
    parts = [*lines, *ships, *fees]
    tax = sum((p.total_tax for p in parts), D(0))
    total = sum((p.total for p in parts), D(0)) + tax
    order = ShopOrder(
        id=501, number="1001", status="completed", currency="EUR",
        date_created_gmt=datetime(2026, 3, 2, 10, 0, tzinfo=UTC), date_modified_gmt=None, date_paid_gmt=None,
        prices_include_tax=spec.gross_shop, total=total, total_tax=tax, shipping_total=D(0), shipping_tax=D(0),
        discount_total=D(0), discount_tax=D(0), customer_id=0, customer_note="", billing=Address(),
        shipping=Address(), payment_method="invoice", payment_method_title="Lasku", transaction_id="",
        line_items=lines, shipping_lines=ships, fee_lines=fees,
    )  # fmt: skip
    return order, _refunds(spec, order)


def _refunds(spec: Spec, order: ShopOrder) -> list[ShopRefund]:
    out, used = [], set()
    for n, (indexes, ship, fee, extra) in enumerate(spec.refunds):
        chosen = [order.line_items[i] for i in sorted(indexes) if i < len(order.line_items) and i not in used]
        used |= {order.line_items.index(x) for x in chosen}
        refund_lines = [OrderLine(
            id=9000 + x.id, name=x.name, product_id=x.product_id, variation_id=0, quantity=-x.quantity, sku=x.sku,
            price=-x.price, subtotal=-x.total, subtotal_tax=-x.total_tax, total=-x.total, total_tax=-x.total_tax,
            tax_class="", taxes=[LineTax(t.rate_id, -t.total, -t.total) for t in x.taxes], refunded_item_id=x.id,
        ) for x in chosen]  # fmt: skip
        charges = []
        if ship and order.shipping_lines and "ship" not in used:
            used.add("ship")
            s = order.shipping_lines[0]
            charges.append(RefundedCharge(ChargeKind.SHIPPING, s.id, s.method_title, s.total, s.total_tax, tuple(s.taxes)))
        if fee and order.fee_lines and order.fee_lines[0].tax_status == "taxable" and "fee" not in used:
            used.add("fee")
            f = order.fee_lines[0]
            charges.append(RefundedCharge(ChargeKind.FEE, f.id, f.name, f.total, f.total_tax, tuple(f.taxes)))
        amount = (sum((-(x.total + x.total_tax) for x in refund_lines), D(0))
                  + sum((c.gross for c in charges), D(0)) + D(extra) / 100)  # fmt: skip
        if amount <= 0:
            continue
        out.append(ShopRefund(id=600 + n, order_id=order.id, amount=amount, reason="",
                              date_created_gmt=datetime(2026, 3, 9, 10, 0, tzinfo=UTC), line_items=refund_lines,
                              charges=charges))  # fmt: skip
    return out
