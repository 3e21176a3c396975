"""Money arithmetic (Decimal, 2-decimal HALF_UP) and VAT helpers."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def D(x):
    return Decimal(str(x if x is not None else 0))


def round2(d):
    return D(d).quantize(CENT, rounding=ROUND_HALF_UP)


def money(x):
    """Round to cents and return a JSON-friendly float."""
    return float(round2(x))


def qty(x):
    return float(D(x).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def vat_fraction(coding):
    """The coding's VAT as a Decimal fraction (25.5 % -> 0.255)."""
    return D(coding["_vat"]) / 100


def vat_out(state, company, percent):
    """A VAT rate for output: percent (25.5) or, with vat_rate_as_fraction, fraction (0.255)."""
    p = D(percent)
    if state.setting("vat_rate_as_fraction", company):
        return float(p / 100)
    return float(p)


def net_from_gross(gross, fraction):
    return round2(D(gross) / (1 + fraction))


def gross_from_net(net, fraction):
    return round2(D(net) * (1 + fraction))
