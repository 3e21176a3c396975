"""Acceptance 2 of #17: over generated WooCommerce orders (rates 25.5/14/10/0, gross and net shops, percent and
fixed coupons, shipping, fees incl. negative, 1–300 lines, refunds of any subset) the planners either book
documents whose VAT per rate and totals equal the shop's to the cent — the sale, and each credit where the shop
states the refunded tax — or hold with a reason. Never a booked difference. Pure."""

from decimal import Decimal

from hypothesis import HealthCheck, event, example, given, settings

from integration.orders.credit_plan import CreditContext, CreditPlan, plan_credit, rows_by_line_id
from integration.orders.document_plan import DocumentPlan, RowKind, Waiting, plan_document
from tests.fixtures.examples import examples
from tests.fixtures.woo_orders import RATES, REFUNDS, ROUND, Spec, build, context, specs

D = Decimal


def vat_by_rate(rows) -> dict[Decimal, Decimal]:
    out: dict[Decimal, Decimal] = {}
    for r in rows:
        out[r.vat_rate] = out.get(r.vat_rate, D(0)) + r.vat
    return {rate: vat for rate, vat in out.items() if vat}


def shop_vat(parts) -> dict[Decimal, Decimal]:
    out: dict[Decimal, Decimal] = {}
    for taxes in parts:
        for t in taxes:
            out[RATES[t.rate_id]] = out.get(RATES[t.rate_id], D(0)) + t.total
    return {rate: vat for rate, vat in out.items() if vat}


@settings(
    max_examples=examples(400),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(specs)
@example(
    Spec(
        gross_shop=True,
        private=True,
        lines=[(1 + i % 4, 1 + i % 5, 95 + 37 * i) for i in range(300)],
        coupon=("percent", 15),
        shipping_cents=690,
        fee=("discount", 500),
        refunds=[(frozenset({0, 1, 2}), True, False, 0), (frozenset(), False, True, 800)],
    )
)  # 300 lines
@example(
    Spec(
        gross_shop=False,
        private=False,
        lines=[(1 + i % 4, 1 + i % 3, 1 + 113 * i) for i in range(300)],
        coupon=("fixed", 2500),
        shipping_cents=1290,
        fee=("fee", 350),
        refunds=[(frozenset(range(5)), True, True, 100)],
    )
)
def test_every_order_is_booked_to_the_cent_or_held_with_a_reason(spec: Spec):
    order, refunds = build(spec)
    ctx = context(includes_vat=spec.private)
    plan = plan_document(order, ctx)
    if isinstance(plan, Waiting):
        assert plan.reasons and all(reason.strip() for reason in plan.reasons)
        event("sale held")
        return
    event("sale booked")
    assert isinstance(plan, DocumentPlan)
    expected = shop_vat(
        [x.taxes for x in order.line_items]
        + [s.taxes for s in order.shipping_lines]
        + [f.taxes for f in order.fee_lines]
    )
    assert vat_by_rate(plan.rows) == expected
    assert plan.total == order.total and plan.vat == order.total_tax
    assert sum((r.net + r.vat for r in plan.rows), D(0)) == order.total
    credit_ctx = CreditContext(
        includes_vat=ctx.includes_vat,
        vat_mode=ctx.vat_mode,
        order_lines=rows_by_line_id(order, plan),
        tax_rate_percent=RATES,
        refund_articles=REFUNDS,
        rounding_article=ROUND,
        rounding_limit=ctx.rounding_limit,
        currency="EUR",
        sale_rows=plan.rows,
    )
    for refund in refunds:
        credit = plan_credit(refund, credit_ctx)
        if isinstance(credit, Waiting):
            assert credit.reasons
            event("credit held")
            continue
        event("credit booked")
        assert isinstance(credit, CreditPlan)
        assert credit.total == refund.amount  # what the shop paid back, to the cent
        # Where the shop states the refunded tax (lines, shipping, fees), the credit's VAT per rate is it
        stated = shop_vat([[t for t in x.taxes] for x in refund.line_items])
        for charge in refund.charges:
            for rate, vat in shop_vat([charge.taxes]).items():
                stated[rate] = stated.get(rate, D(0)) - vat  # charges' taxes are positive
        stated = {r: -v for r, v in stated.items() if v}
        credited = vat_by_rate([r for r in credit.rows if r.kind not in (RowKind.REFUND, RowKind.ROUNDING)])
        assert credited == stated
