"""WooCommerce's own unit-test cases, run against the sandbox's arithmetic (sandbox/woocommerce/totals.py).

Every case names the WooCommerce test it comes from (file in the woocommerce/woocommerce repository,
test function, data-provider case) and carries its inputs and expected figures as WooCommerce states
them; the test code is ours. Where a WooCommerce test builds a cart, the same items and coupons are
run through the order arithmetic: WC_Discounts is the same class for both.
"""

from decimal import Decimal as D

import pytest

from sandbox.woocommerce.totals import (
    Coupon,
    CouponType,
    DiscountItem,
    Discounts,
    FeeItem,
    LineItem,
    NegativeFeeTax,
    Settings,
    ShippingItem,
    ShippingPart,
    TaxRate,
    calc_tax,
    calculate,
    price_excluding_tax,
    to_cents,
)

DISCOUNTS_PHP = "plugins/woocommerce/tests/legacy/unit-tests/discounts/discounts.php"
TOTALS_PHP = "plugins/woocommerce/tests/legacy/unit-tests/totals/totals.php"
ABSTRACT_ORDER_TEST = "plugins/woocommerce/tests/php/includes/abstracts/class-wc-abstract-order-test.php"
ORDER_COUPONS_PHP = "plugins/woocommerce/tests/legacy/unit-tests/order/coupons.php"

P, FC, FP = CouponType.PERCENT, CouponType.FIXED_CART, CouponType.FIXED_PRODUCT


def cp(kind: CouponType, amount: str, limit: int | None = None, code: str = "test") -> Coupon:
    return Coupon(code, kind, D(amount), limit)


# WC_Tests_Discounts::calculations_test_provider (DISCOUNTS_PHP), every case: 20 % VAT on a
# prices-exclusive shop; cart = [(price, qty)], coupons in the order given, expected_total_discount.
CALCULATIONS = [
    # (case, cart, coupons, sequential, expected_total_discount)
    (0, [("10", 1)], [cp(P, "20")], False, "2"),
    (1, [("10", 2)], [cp(FC, "10")], False, "10"),
    (2, [("10", 1), ("10", 1)], [cp(FC, "10")], False, "10"),
    (3, [("10", 1)] * 3, [cp(FC, "10")], False, "10"),
    (4, [("10", 2), ("10", 3), ("10", 2)], [cp(FC, "10")], False, "10"),
    (5, [("10", 1)] * 11, [cp(FC, "10")], False, "10"),
    (6, [("1", 1)] * 3, [cp(FC, "1")], False, "1"),
    (7, [("10", 2)], [cp(P, "10", 1)], False, "1"),
    (8, [("10", 2), ("10", 2)], [cp(P, "10", 1)], False, "1"),
    # 'Test multiple coupons. No limits. Not discounting sequentially.'
    (9, [("10", 2), ("5", 1)], [cp(P, "10"), cp(P, "20", code="test1")], False, "7.5"),
    # 'Test multiple coupons. One coupon has limit up to one item. Not discounting sequentially.'
    (10, [("10", 2), ("5", 1)], [cp(P, "10", 1), cp(P, "20", code="test1")], False, "6"),
    # 'Test multiple coupons. No limits. Discounting sequentially.'
    (11, [("10", 2), ("5", 1)], [cp(P, "10"), cp(P, "20", code="test1")], True, "7"),
    (12, [("1.80", 10), ("13.95", 3)], [cp(P, "10"), cp(P, "20", code="test1")], True, "16.75"),
    # 'Test multiple coupons. One coupon has limit up to 5 item. Discounting non-sequentially.'
    (13, [("10", 3), ("5", 3)], [cp(P, "30", 5), cp(P, "20", code="test1")], False, "21"),
    # 'Test multiple coupons. One coupon has limit up to 5 item. Discounting sequentially.'
    (14, [("10", 3), ("5", 3)], [cp(P, "20", code="test1"), cp(P, "30", 5)], True, "18.60"),
    # '... Discounting sequentially. Multiple zero-dollar items.'
    (
        15,
        [("1.80", 3), ("13.95", 3)] + [("0", 1)] * 5,
        [cp(P, "30", 5), cp(P, "20", code="test1")],
        True,
        "20.35",
    ),
    # 'Test single fixed product coupon on one item.'
    (16, [("13.95", 3)], [cp(FP, "10")], False, "30"),
    # '... Coupon greater than item cost.'
    (17, [("13.95", 3)], [cp(FP, "20")], False, "41.85"),
    # '... Limit to one item.'
    (18, [("13.95", 3)], [cp(FP, "10", 1)], False, "10"),
    # '... Limit to one item. Price greater than product.'
    (19, [("13.95", 3)], [cp(FP, "15", 1)], False, "13.95"),
    # '... Limit to same number of items as product. Price same as product.'
    (20, [("13.95", 3)], [cp(FP, "13.95", 3)], False, "41.85"),
    # 'Test single fixed product coupon on two items. No limit.'
    (21, [("13.95", 3), ("1.80", 5)], [cp(FP, "10")], False, "39"),
    # '... Limit to same number of items as first product.'
    (22, [("13.95", 3), ("1.80", 5)], [cp(FP, "10", 3)], False, "30"),
    # '... Limit to number greater than first product but less than total quantities.'
    (23, [("13.95", 3), ("1.80", 5)], [cp(FP, "10", 5)], False, "33.60"),
    # '... Amount less than price of either product.'
    (24, [("13.95", 3), ("1.80", 5)], [cp(FP, "1", 5)], False, "5"),
    # '... Limit to number greater than both product quantities combined. Amount less than price ...'
    (25, [("13.95", 3), ("1.80", 5)], [cp(FP, "1", 10)], False, "8"),
    # '... Limit to two items. ... sorted according to legacy method ... greatest price * quantity.'
    (26, [("1.80", 5), ("13.95", 3)], [cp(FP, "10", 2)], False, "20"),
    # '... to illustrate type conversion precision bug.'
    (27, [("8.95", 1)], [cp(FP, "10")], False, "8.95"),
    # 'Test multiple coupons with limits of 1.'
    (
        28,
        [("10", 4)],
        [cp(FP, "10", 1, "one"), cp(FP, "10", 1, "two"), cp(P, "100", 1, "three")],
        False,
        "30",
    ),
]


def cart_items(cart: list[tuple[str, int]], on_sale: tuple[int, ...] = ()) -> list[DiscountItem]:
    # set_items_from_cart: price = product price x quantity, in cents.
    return [
        DiscountItem(k, qty, to_cents(D(price) * qty), k in on_sale) for k, (price, qty) in enumerate(cart)
    ]


def total_discount(discounts: Discounts) -> D:
    return sum(discounts.by_coupon().values(), D(0)) / 100


@pytest.mark.parametrize(
    "case,cart,coupons,sequential,expected", CALCULATIONS, ids=[f"case{c[0]}" for c in CALCULATIONS]
)
def test_calculations(case, cart, coupons, sequential, expected):
    """DISCOUNTS_PHP WC_Tests_Discounts::test_calculations, calculations_test_provider case ``case``."""
    discounts = Discounts(cart_items(cart), sequential=sequential)
    for c in coupons:
        discounts.apply(c)
    assert total_discount(discounts) == D(expected)


@pytest.mark.parametrize("kind,expected", [(P, "9"), (FC, "0"), (FP, "0")])
def test_apply_coupon(kind, expected):
    """DISCOUNTS_PHP WC_Tests_Discounts::test_apply_coupon: a 10.00 product, coupon amount 10,
    get_discounted_price() 9 (percent), 0 (fixed_cart), 0 (fixed_product)."""
    discounts = Discounts(cart_items([("10", 1)]))
    discounts.apply(cp(kind, "10"))
    assert discounts.discounted_price(discounts.items[0]) / 100 == D(expected)


# WC_Tests_Discounts::test_is_coupon_valid_*_sale_items: a 20.00 product and one at 20.00 on sale for 10.00.
SALE_CART = [("20", 1), ("10", 1)]


@pytest.mark.parametrize(
    "kind,amount,exclude_sale,expected",
    [
        (P, "10", False, "3.0"),  # test_is_coupon_valid_percent_sale_items: '10% off $20 + 10% off $10'
        (P, "10", True, "2.0"),  # test_is_coupon_valid_percent_sale_items: '10% off $20'
        (FC, "5", False, "5.0"),  # test_is_coupon_valid_fixed_cart_sale_items: '$5 fixed cart discount'
        (
            FP,
            "5",
            False,
            "10.0",
        ),  # test_is_coupon_valid_fixed_product_sale_items: '$5 discount for 2 products'
        (FP, "5", True, "5.0"),  # test_is_coupon_valid_fixed_product_sale_items: '$5 discount for 1 product'
    ],
)
def test_sale_items(kind, amount, exclude_sale, expected):
    """DISCOUNTS_PHP WC_Tests_Discounts::test_is_coupon_valid_{percent,fixed_cart,fixed_product}_sale_items."""
    discounts = Discounts(cart_items(SALE_CART, on_sale=(1,)))
    discounts.apply(Coupon("c", kind, D(amount), exclude_sale_items=exclude_sale))
    assert total_discount(discounts) == D(expected)


# ---------------------------------------------------------------------- order and cart totals
VAT20 = TaxRate(1, D("20"))
EXCL = Settings(prices_include_tax=False)


def line(key, price, qty, rates=(VAT20,), settings=EXCL):
    return LineItem(key, qty, price_excluding_tax(D(price), qty, rates, settings), tuple(rates))


def _totals_php(settings: Settings):
    # WC_Tests_Totals::setUp: 20 % VAT (shipping too), products 10.00 x1, 10.00 x2 and a 10.00 variation x1,
    # a 10 % coupon, fees 10 and 20 (taxable) and 10 (not taxable), flat rate shipping 10.
    lines = [line(1, "10", 1), line(2, "10", 2), line(3, "10", 1)]
    fees = [FeeItem("fee", D(10), (VAT20,)), FeeItem("fee2", D(20), (VAT20,)), FeeItem("fee3", D(10))]
    ship = [ShippingItem("flat_rate", (ShippingPart(D(10), (VAT20,)),))]
    return calculate(lines, settings, [cp(P, "10", code="test-coupon-10")], fees, ship)


def test_get_totals():
    """TOTALS_PHP WC_Tests_Totals::test_get_totals (and test_cart_totals' sums)."""
    t = _totals_php(EXCL)
    assert sum(f.total for f in t.fees) == D("40.00")
    assert sum(f.total_tax for f in t.fees) == D("6.00")
    assert t.subtotal == D("40.00")
    assert sum(r.subtotal_tax for r in t.lines) == D("8.00")
    assert sum(r.total for r in t.lines) == D("36.00")
    assert sum(r.total_tax for r in t.lines) == D("7.20")
    assert t.total == D("101.20")
    assert (t.shipping_total, t.shipping_tax) == (D(10), D(2))
    assert (t.discount_total, t.discount_tax) == (D("4.00"), D("0.80"))
    assert t.cart_tax + t.shipping_tax == D("15.20") and t.cart_tax == D(
        "13.20"
    )  # tax_total 13.20 + shipping 2


def test_get_totals_tax_exempt_customer():
    """TOTALS_PHP WC_Tests_Totals::test_get_totals_tax_exempt_customer (no tax charged)."""
    t = _totals_php(Settings(calc_taxes=False))
    assert sum(f.total for f in t.fees) == D("40.00") and sum(f.total_tax for f in t.fees) == 0
    assert (t.subtotal, sum(r.total for r in t.lines)) == (D("40.00"), D("36.00"))
    assert t.total == D("86.00")
    assert (t.shipping_total, t.shipping_tax, t.discount_total, t.discount_tax) == (D(10), 0, D("4.00"), 0)


VAT15 = TaxRate(1, D("15"))


@pytest.mark.parametrize(
    "round_at_subtotal,subtotal,total_tax,total",
    [
        (False, "1086.06", "162.90", "1248.96"),  # order_calculate_rounding_line
        (True, "1086.05", "162.91", "1248.96"),  # order_calculate_rounding_subtotal
    ],
)
def test_order_calculate_26582(round_at_subtotal, subtotal, total_tax, total):
    """ABSTRACT_ORDER_TEST WC_Abstract_Order_Test::test_order_calculate_26582: prices include 15 % tax,
    99.48 x 6 and 108.68 x 6, rounded per line and at subtotal."""
    s = Settings(prices_include_tax=True, tax_round_at_subtotal=round_at_subtotal)
    t = calculate([line(1, "99.48", 6, (VAT15,), s), line(2, "108.68", 6, (VAT15,), s)], s)
    assert (t.subtotal, t.total_tax, t.total) == (D(subtotal), D(total_tax), D(total))


def test_apply_coupon_for_correct_location_taxes():
    """ABSTRACT_ORDER_TEST WC_Abstract_Order_Test::test_apply_coupon_for_correct_location_taxes: prices
    include 25 % tax, rounding at subtotal, a 100.00 product; then a 10 % coupon on the gross price."""
    s = Settings(prices_include_tax=True, tax_round_at_subtotal=True)
    vat25 = (TaxRate(1, D("25")),)
    before = calculate([line(1, "100", 1, vat25, s)], s)
    assert (before.total, before.subtotal, before.total_tax) == (D(100), D(80), D(20))
    after = calculate([line(1, "100", 1, vat25, s)], s, [cp(P, "10", code="10off")])
    assert (after.discount_total, after.total, after.total_tax, after.discount_tax) == (
        D(8),
        D(90),
        D(18),
        D(2),
    )


def test_get_discount_to_display():
    """ABSTRACT_ORDER_TEST WC_Abstract_Order_Test::test_get_discount_to_display: prices exclude 20 % tax,
    a 10.00 product and WC_Helper_Coupon's default coupon (fixed_cart 1): discount 1 excl., 1.20 incl."""
    t = calculate([line(1, "10", 1)], EXCL, [cp(FC, "1")])
    assert t.discount_total == D(1) and t.discount_total + t.discount_tax == D("1.20")
    assert (t.coupons[0].discount, t.coupons[0].discount_tax) == (D(1), D("0.20"))


def test_inclusive_tax_rounding_on_totals():
    """ORDER_COUPONS_PHP WC_Tests_Order_Coupons::test_inclusive_tax_rounding_on_totals (#25091): prices
    include 20 % + 5 % compound tax, rounding at subtotal; 3.17 and 6.13 taxable, 9.53 not; 10 % coupon."""
    s = Settings(prices_include_tax=True, tax_round_at_subtotal=True)
    rates = (TaxRate(1, D("20")), TaxRate(2, D("5"), compound=True))
    lines = [line(1, "3.17", 1, rates, s), line(2, "6.13", 1, rates, s), line(3, "9.53", 1, (), s)]
    t = calculate(lines, s, [cp(P, "10", code="test-coupon-1")])
    assert (t.total, t.total_tax, t.discount_total) == (D("16.95"), D("1.73"), D("1.69"))


# WC_Tests_Order_Coupons::init_test: a 1000.00 product at 10 % VAT (stored subtotal 909.09 when prices include
# tax and taxes are on, else 1000), coupon items test-coupon-1 (fixed_cart 1.00) and a virtual coupon worth 200
# (recalculate_coupons turns a coupon it cannot load into a fixed_cart coupon of its stored discount [+ tax]);
# test-coupon-2 is 20 % off.
C1 = Coupon("test-coupon-1", FC, D("1.00"))
VIRTUAL = Coupon("this-is-a-virtal-coupon", FC, D("200"))
C2 = Coupon("test-coupon-2", P, D("20"))
ORDER_COUPONS = [
    # (test function, prices_include_tax, calc_taxes, coupons on the order, expected total)
    ("test_remove_coupon_from_order", True, True, [C1, VIRTUAL], "799.00"),
    ("test_remove_coupon_from_order", True, True, [C1], "999.00"),
    ("test_remove_coupon_from_order", True, True, [], "1000.00"),
    ("test_remove_coupon_from_order", True, True, [VIRTUAL], "800.00"),
    ("test_add_coupon_to_order", True, True, [C1, VIRTUAL, C2], "598.99"),
    ("test_remove_coupon_from_order_ex_tax", False, True, [C1, VIRTUAL], "878.90"),
    ("test_remove_coupon_from_order_ex_tax", False, True, [C1], "1098.90"),
    ("test_remove_coupon_from_order_ex_tax", False, True, [], "1100.00"),
    ("test_remove_coupon_from_order_ex_tax", False, True, [VIRTUAL], "880.00"),
    ("test_add_coupon_to_order_ex_tax", False, True, [C1, VIRTUAL, C2], "658.90"),  # ( 1000 - 401 ) * 1.1
    ("test_remove_coupon_from_order_no_tax", False, False, [C1, VIRTUAL], "799.00"),
    ("test_remove_coupon_from_order_no_tax", False, False, [C1], "999.00"),
    ("test_remove_coupon_from_order_no_tax", False, False, [VIRTUAL], "800.00"),
    ("test_add_coupon_to_order_no_tax", False, False, [C1, VIRTUAL, C2], "599.00"),
    ("test_remove_coupon_from_order_no_tax_inc_prices_on", True, False, [C1, VIRTUAL], "799.00"),
    ("test_remove_coupon_from_order_no_tax_inc_prices_on", True, False, [C1], "999.00"),
    ("test_remove_coupon_from_order_no_tax_inc_prices_on", True, False, [VIRTUAL], "800.00"),
    ("test_add_coupon_to_order_no_tax_inc_prices_on", True, False, [C1, VIRTUAL, C2], "599.00"),
]


@pytest.mark.parametrize(
    "function,incl,taxes,coupons,total",
    ORDER_COUPONS,
    ids=[f"{c[0]}-{'+'.join(x.code for x in c[3]) or 'none'}" for c in ORDER_COUPONS],
)
def test_order_coupons(function, incl, taxes, coupons, total):
    """ORDER_COUPONS_PHP WC_Tests_Order_Coupons::``function``: the order's total with these coupons."""
    s = Settings(prices_include_tax=incl, calc_taxes=taxes)
    subtotal = D("909.09") if incl and taxes else D("1000")
    t = calculate([LineItem(1, 1, subtotal, (TaxRate(1, D("10")),))], s, coupons)
    assert t.total == D(total)
    if C2 in coupons and taxes:
        # test_add_coupon_to_order(_ex_tax): the discount is 401 (get_total_discount, without tax when prices
        # exclude it, with it when they include it).
        assert t.discount_total + (t.discount_tax if incl else 0) == D(401)


def test_calc_tax_keeps_six_decimals():
    # Our own check of WC_Tax::calc_tax: a gross 10.00 at 25.5 % holds 2.031873 of tax, the net keeps
    # the rest unrounded, and the exclusive tax of that net is taken again at 6 decimals.
    rate = (TaxRate(1, D("25.5")),)
    assert calc_tax(D("10.00"), rate, True) == {1: D("2.031873")}
    net = price_excluding_tax(D("10.00"), 1, rate, Settings(prices_include_tax=True))
    assert net == D("7.968127")
    assert calc_tax(net, rate, False) == {1: D("2.031872")}


def test_negative_fee_tax_is_apportioned_over_the_orders_tax_classes():
    # WooCommerce's source, not a test of theirs: WC_Order_Item_Fee::calculate_taxes / get_tax_class_costs
    # (plugins/woocommerce/includes/class-wc-order-item-fee.php) spread a negative fee's tax over the tax
    # classes of the order's items, fees and shipping by cost; shipping counts for the first line's class.
    std, food = (TaxRate(1, D("25.5")),), (TaxRate(2, D("14")),)
    lines = [line(1, "100", 1, std), line(2, "100", 1, food)]
    ship = [ShippingItem("s", (ShippingPart(D(10), std),))]
    t = calculate(lines, EXCL, fees=[FeeItem("discount", D(-21), (TaxRate(3, D("10")),))], shipping=ship)
    assert t.fees[0].taxes == {1: D("-2.805000"), 2: D("-1.400000")}  # -11.00 at 25.5 %, -10.00 at 14 %
    assert t.fees[0].total_tax == D("-4.21")  # -2.81 - 1.40: each rounded half up (prices exclude tax)
    own = calculate(
        lines,
        Settings(negative_fee_tax=NegativeFeeTax.OWN_CLASS),
        fees=[FeeItem("discount", D(-21), (TaxRate(3, D("10")),))],
        shipping=ship,
    )
    assert own.fees[0].taxes == {3: D("-2.100000")}
