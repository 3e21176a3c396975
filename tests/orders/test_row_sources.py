"""A planned row's source, stored in English in an order's plan, reads in the reader's language on its page."""

from django.utils import translation

from integration.orders.row_sources import in_language


def test_each_shape_of_source_in_finnish_and_swedish():
    sources = ["line 1: Huoltotyö", "shipping Postipaketti (25.5 %)", "fee Lasku", "gift card", "rounding"]
    with translation.override("fi"):
        assert [in_language(s) for s in sources] == [
            "rivi 1: Huoltotyö",
            "toimitus Postipaketti (25.5 %)",
            "maksu Lasku",
            "lahjakortti",
            "pyöristys",
        ]
    with translation.override("sv"):
        assert in_language("refund of line 2: Villasukat") == "återbetalning: rad 2: Villasukat"


def test_the_english_and_unknown_sources_stay_as_they_are():
    with translation.override("en"):
        assert in_language("shipping Posti (14 %)") == "shipping Posti (14 %)"
    with translation.override("fi"):
        assert in_language("something else") == "something else"
