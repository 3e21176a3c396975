"""Refunded amounts that are not product lines are credited per VAT rate as the sale booked them (#17).

Pure: the planners on WooCommerce-shaped orders and refunds. Every figure is worked out by hand in the
docstrings and comments, with eAccounting's row rule: amount = round2(q × unit); with IncludesVat
net = round2(amount / (1 + rate)), VAT = amount − net; otherwise net = amount, VAT = round2(amount × rate).
"""

from dataclasses import replace
from decimal import Decimal

from integration.orders.credit_plan import CreditPlan, apportion, plan_credit
from integration.orders.document_plan import DocumentPlan, plan_document
from integration.webshops.base import ChargeKind, LineTax, RefundedCharge
from tests.fixtures.credit_orders import REFUND, by_rate, credit_ctx, refund, refund_line
from tests.fixtures.document_orders import CTX, FEE, fee, figures, line, order, ref, shipping

D = Decimal
FOOD_RATE = 2  # the shop's 14 % tax rate id (1: 25.5 %)
FEE_14 = ref(25, "LASKUTUS-14", "Laskutuslisä 14 %", "14")
FEES = replace(CTX, fee_templates={D("25.5"): FEE, D("14"): FEE_14})

# The order: 1 × Villasukat 12.90 at 25.5 % and 10 × Kahvi 5.90 at 14 %, in a tax-inclusive shop.
# Socks: 12.90 / 1.255 = 10.2789 → net 10.28, tax 2.62. Coffee: 59.00 / 1.14 = 51.7544 → net 51.75, tax 7.25.
# Shipping 6.90 net, taxed by the goods' rates in proportion to their net: 6.90 × 10.28 / 62.03 = 1.1435 → 1.14
# at 25.5 % (tax 0.29), 5.76 at 14 % (tax round2(0.8064) = 0.81): 1.43 and 6.57 gross, 8.00 in all.
# The order: 12.90 + 59.00 + 8.00 = 79.90, VAT 2.62 + 7.25 + 0.29 + 0.81 = 10.97.
MIXED = order(
    [line(101, 1, "10.28", "2.62"), line(102, 10, "51.75", "7.25", rate_id=FOOD_RATE)],
    [shipping("6.90", {1: "0.29", FOOD_RATE: "0.81"})],
)
assert (MIXED.total, MIXED.total_tax) == (D("79.90"), D("10.97"))


def test_the_mixed_order_books_as_the_shop_split_it():
    plan = plan_document(MIXED, CTX)
    assert isinstance(plan, DocumentPlan), plan
    # 12.90 → 10.28 + 2.62; 10 × 5.90 = 59.00 → 51.75 + 7.25; shipping 1.43 → round2(1.1394) = 1.14 + 0.29,
    # 6.57 → round2(5.7632) = 5.76 + 0.81
    assert by_rate(plan) == {D("25.5"): (D("11.42"), D("2.91")), D("14"): (D("57.51"), D("8.06"))}
    assert (plan.total, plan.vat) == (D("79.90"), D("10.97"))


def test_acceptance_amount_only_refund_of_8_is_credited_as_the_order_was_sold():
    """Acceptance 1: after completion the shop refunds 8.00 as an amount only (no lines).

    The sale booked 12.90 + 1.43 = 14.33 gross at 25.5 % and 59.00 + 6.57 = 65.57 at 14 %, 79.90 in all.
    25.5 %: 8.00 × 14.33 / 79.90 = 1.43479 → 1.43 (remainder 0.00479)
    14 %:   8.00 × 65.57 / 79.90 = 6.56521 → 6.56 (remainder 0.00521) + the cent left over → 6.57
    1.43 at 25.5 % → net round2(1.43 / 1.255 = 1.1394) = 1.14, VAT 0.29
    6.57 at 14 %   → net round2(6.57 / 1.14 = 5.7632) = 5.76, VAT 0.81
    VAT 0.29 + 0.81 = 1.10 (a single 25.5 % refund row would have credited 8.00 − 6.37 = 1.63).
    """
    plan = plan_credit(refund(amount="8.00"), credit_ctx(MIXED))
    assert isinstance(plan, CreditPlan), plan
    assert figures(plan) == [
        ("HYVITYS", D("1"), D("1.43"), D("0"), D("25.5"), D("1.14"), D("0.29")),
        ("HYVITYS-14", D("1"), D("6.57"), D("0"), D("14"), D("5.76"), D("0.81")),
    ]
    assert by_rate(plan) == {D("25.5"): (D("1.14"), D("0.29")), D("14"): (D("5.76"), D("0.81"))}
    assert (plan.net, plan.vat, plan.total) == (D("6.90"), D("1.10"), D("8.00"))


def test_without_a_14_percent_refund_article_the_sales_shipping_template_at_14_percent_credits_it():
    # The same split; the 14 % part goes on the shipping template the sale booked 14 % shipping on.
    plan = plan_credit(refund(amount="8.00"), credit_ctx(MIXED, refund_articles={D("25.5"): REFUND}))
    assert [(r.article.number, r.unit_price, r.vat_rate, r.net, r.vat) for r in plan.rows] == [
        ("HYVITYS", D("1.43"), D("25.5"), D("1.14"), D("0.29")),
        ("RAHTI-14", D("6.57"), D("14"), D("5.76"), D("0.81")),
    ]


def test_acceptance_a_shipping_line_refund_is_credited_as_the_shipping_was_split():
    """The whole shipping line back (6.90 + 1.10 tax; WooCommerce's refund names the shipping line).

    The sale booked the shipping 1.43 gross at 25.5 % and 6.57 at 14 %, on the shipping templates:
    8.00 × 1.43 / 8.00 = 1.43 and 6.57 exactly → 1.14 + 0.29 and 5.76 + 0.81.
    """
    charge = RefundedCharge(
        ChargeKind.SHIPPING,
        1,
        "Posti",
        D("6.90"),
        D("1.10"),
        (LineTax(1, D("0.29")), LineTax(FOOD_RATE, D("0.81"))),
    )
    plan = plan_credit(replace(refund(amount="8.00"), charges=[charge]), credit_ctx(MIXED))
    assert isinstance(plan, CreditPlan), plan
    assert figures(plan) == [
        ("RAHTI-25.5", D("1"), D("1.43"), D("0"), D("25.5"), D("1.14"), D("0.29")),
        ("RAHTI-14", D("1"), D("6.57"), D("0"), D("14"), D("5.76"), D("0.81")),
    ]
    assert [r.source for r in plan.rows] == [
        "refund of shipping Posti (25.5 %)",
        "refund of shipping Posti (14 %)",
    ]
    assert (plan.net, plan.vat, plan.total) == (D("6.90"), D("1.10"), D("8.00"))


def test_a_partial_shipping_refund_keeps_the_shippings_proportion():
    """Half the shipping back: 4.00 gross. 4.00 × 1.43 / 8.00 = 0.715 → 0.71 (remainder 0.005),
    4.00 × 6.57 / 8.00 = 3.285 → 3.28 (remainder 0.005): a tie, the cent goes to the first (25.5 %): 0.72, 3.28.
    0.72 → net round2(0.5737) = 0.57, VAT 0.15; 3.28 → net round2(2.8772) = 2.88, VAT 0.40."""
    charge = RefundedCharge(ChargeKind.SHIPPING, 1, "Posti", D("3.45"), D("0.55"))
    plan = plan_credit(replace(refund(amount="4.00"), charges=[charge]), credit_ctx(MIXED))
    assert [(r.article.number, r.unit_price, r.net, r.vat) for r in plan.rows] == [
        ("RAHTI-25.5", D("0.72"), D("0.57"), D("0.15")),
        ("RAHTI-14", D("3.28"), D("2.88"), D("0.40")),
    ]
    assert plan.total == D("4.00")


# The mixed order with a payment fee 4.00 net taxed at both rates: 2.00 + 0.51 at 25.5 %, 2.00 + 0.28 at 14 %.
WITH_FEE = order(
    [*MIXED.line_items],
    [*MIXED.shipping_lines],
    [fee("Laskutuslisä", "4.00", {1: "0.51", FOOD_RATE: "0.28"})],
)


def test_acceptance_a_fee_line_refund_is_credited_as_the_fee_was_split():
    """The fee back: 4.00 + 0.79 = 4.79. The sale booked it as 2.51 gross at 25.5 % (0.51 / 0.255 = 2.00 net)
    and 2.28 at 14 % on the fee templates; credited the same: 2.51 → round2(2.0000) = 2.00 + 0.51,
    2.28 → round2(2.0000) = 2.00 + 0.28."""
    assert isinstance(plan_document(WITH_FEE, FEES), DocumentPlan)
    charge = RefundedCharge(ChargeKind.FEE, 2, "Laskutuslisä", D("4.00"), D("0.79"))
    plan = plan_credit(replace(refund(amount="4.79"), charges=[charge]), credit_ctx(WITH_FEE, FEES))
    assert isinstance(plan, CreditPlan), plan
    assert figures(plan) == [
        ("LASKUTUS", D("1"), D("2.51"), D("0"), D("25.5"), D("2.00"), D("0.51")),
        ("LASKUTUS-14", D("1"), D("2.28"), D("0"), D("14"), D("2.00"), D("0.28")),
    ]
    assert (plan.net, plan.vat, plan.total) == (D("4.00"), D("0.79"), D("4.79"))


def test_a_line_a_shipping_refund_and_a_goodwill_amount_in_one_refund():
    """One coffee back (5.18 net + 0.72 tax = 5.90, a tenth of the line), the whole shipping (8.00) and
    2.00 goodwill: amount 15.90.
    Coffee: 5.90 → net round2(5.1754) = 5.18, VAT 0.72. Shipping as sold: 1.43 and 6.57.
    Goodwill 2.00 as the order: 2.00 × 14.33 / 79.90 = 0.3587 → 0.35 (rem 0.0087), 2.00 × 65.57 / 79.90 =
    1.6413 → 1.64 (rem 0.0013): the cent to 25.5 % → 0.36 (net round2(0.2869) = 0.29, VAT 0.07) and 1.64
    (net round2(1.4386) = 1.44, VAT 0.20)."""
    charge = RefundedCharge(ChargeKind.SHIPPING, 1, "Posti", D("6.90"), D("1.10"))
    r = replace(
        refund(refund_line(MIXED.line_items[1], 1, "5.18", "0.72", rate_id=FOOD_RATE), amount="15.90"),
        charges=[charge],
    )
    plan = plan_credit(r, credit_ctx(MIXED))
    assert [(r.article.number, r.unit_price, r.vat_rate, r.net, r.vat) for r in plan.rows] == [
        ("KAHVI-1", D("5.90"), D("14"), D("5.18"), D("0.72")),
        ("RAHTI-25.5", D("1.43"), D("25.5"), D("1.14"), D("0.29")),
        ("RAHTI-14", D("6.57"), D("14"), D("5.76"), D("0.81")),
        ("HYVITYS", D("0.36"), D("25.5"), D("0.29"), D("0.07")),
        ("HYVITYS-14", D("1.64"), D("14"), D("1.44"), D("0.20")),
    ]
    assert plan.total == D("15.90")


def test_a_shipping_refund_of_a_line_the_order_did_not_book_waits():
    charge = RefundedCharge(ChargeKind.SHIPPING, 77, "Matkahuolto", D("5.00"), D("1.28"))
    assert (plan_credit(replace(refund(amount="6.28"), charges=[charge]), credit_ctx(MIXED))).reasons == (
        (
            "Refund 601 shipping 'Matkahuolto' pays back 6.28 EUR on a shipping line the transferred order did not "
            "book — credit it in eAccounting by hand",
        )
    )


def test_a_company_credit_of_the_goodwill_amount_is_net_per_rate():
    """A company (net prices) gets the same 1.43 / 6.57 split: units round2(1.43 / 1.255 = 1.1394) = 1.14
    (VAT round2(0.2907) = 0.29) and round2(6.57 / 1.14 = 5.7632) = 5.76 (VAT round2(0.8064) = 0.81): 8.00."""
    plan = plan_credit(refund(amount="8.00"), credit_ctx(MIXED, replace(CTX, includes_vat=False)))
    assert [(r.unit_price, r.net, r.vat) for r in plan.rows] == [
        (D("1.14"), D("1.14"), D("0.29")),
        (D("5.76"), D("5.76"), D("0.81")),
    ]
    assert plan.total == D("8.00")


def test_apportion_sums_to_the_amount_and_gives_the_cents_to_the_largest_remainders():
    assert apportion(D("8.00"), {"a": D("14.33"), "b": D("65.57")}) == {"a": D("1.43"), "b": D("6.57")}
    assert apportion(D("0.01"), {"a": D("1"), "b": D("1")}) == {"a": D("0.01")}  # a tie: the first
    assert apportion(D("1.00"), {"a": D("1"), "b": D("1"), "c": D("1")}) == {
        "a": D("0.34"),
        "b": D("0.33"),
        "c": D("0.33"),
    }
    assert apportion(D("-3.00"), {"a": D("-1"), "b": D("-2")}) == {"a": D("-1.00"), "b": D("-2.00")}
    assert apportion(D("5.00"), {"a": D("0"), "b": D("-1"), "c": D("2")}) == {"c": D("5.00")}
    assert apportion(D("5.00"), {}) == {}
