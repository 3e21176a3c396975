"""The pre-flight check, pure: blockers, notes and the defaults activation saves."""

from decimal import Decimal

from integration.activation.preflight import check
from integration.eaccounting.resources import CompanySettings
from integration.webshops.base import ShopInfo

from ..fixtures.preflight_inputs import CODINGS, RATES, inputs


def test_a_matching_pair_has_no_blockers_and_sensible_defaults():
    result = check(inputs())
    assert result.ok and result.blockers == []
    assert result.tax_classes == {
        Decimal("25.50"): "",
        Decimal("14.00"): "reduced-rate",
        Decimal("10.00"): "books",
        Decimal("0.00"): "zero-rate",
    }
    goods = {t.vat_rate: t for t in result.templates if t.kind == "goods"}
    assert goods[Decimal("14.00")].coding_name == "Tavaramyynti 14 %"
    assert all(t.unit_name == "Kappale" for t in result.templates)  # "kpl" preferred over the first unit
    assert all(t.is_stock for t in goods.values())
    assert {t.vat_rate for t in result.templates if t.kind == "service"} == {
        Decimal("25.50"),
        Decimal("14.00"),
    }
    assert not any(t.is_stock for t in result.templates if t.kind == "service")


def test_a_different_currency_blocks_activation():
    result = check(
        inputs(shop=ShopInfo(currency="SEK", taxes_enabled=True, prices_include_tax=True, product_count=1))
    )
    assert not result.ok
    assert "sells in SEK" in result.blockers[0] and "EUR" in result.blockers[0]


def test_a_shop_rate_without_a_coding_blocks_activation():
    result = check(inputs(codings=[c for c in CODINGS if c.vat_rate != "10"]))
    assert result.blockers == [
        "The shop charges 10.00 % VAT (books tax class) but eAccounting has no sales coding for 10.00 %: "
        "products at that rate could not be created in eAccounting."
    ]


def test_no_units_blocks_activation():
    result = check(inputs(units=[]))
    assert any("no units" in text for text in result.blockers)
    assert result.templates == []


def test_notes_for_what_is_only_worth_a_look():
    company = CompanySettings(
        name="K",
        corporate_identity_number="",
        company_identifier="c",
        currency_code="EUR",
        country_code="FI",
        activated_modules=[],
        visma_webshop_status=1,
        raw={},
    )
    rates = [r for r in RATES if r.rate != Decimal("10")]
    result = check(inputs(company=company, tax_rates=rates))
    assert result.ok
    notes = " ".join(result.notes)
    assert "stock module is not active" in notes
    assert "Visma's own webshop link" in notes
    assert "coding for 10.00 % VAT but the shop has no tax rate of 10.00 %" in notes
    assert not any(t.is_stock for t in result.templates)
