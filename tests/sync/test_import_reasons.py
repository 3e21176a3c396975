"""The first sync's stored English reasons are shown in the reader's language (integration/sync/import_reasons.py)."""

import pytest
from django.utils import translation

from integration.sync import import_reasons as reasons
from integration.sync.import_reasons import in_language


@pytest.mark.parametrize("template", reasons.TEMPLATES)
def test_every_reason_has_finnish_and_swedish(template):
    for lang in ("fi", "sv"):
        with translation.override(lang):
            assert translation.gettext(template) != template, (lang, template)


def test_a_stored_reason_of_several_pieces_reads_in_finnish_and_swedish():
    stored = "No SKU; a negative price (-1.00)"
    with translation.override("fi"):
        assert in_language(stored) == "Ei SKU-koodia; negatiivinen hinta (-1.00)"
    with translation.override("sv"):
        assert in_language(stored) == "Ingen SKU; ett negativt pris (-1.00)"
    with translation.override("en"):
        assert in_language(stored) == stored


def test_reasons_inside_a_reason_are_translated_and_a_placeholder_does_not_swallow_the_next_piece():
    with translation.override("fi"):
        assert in_language("It is now inactive; not available in webshop.") == (
            "Nyt se on: ei käytössä; ei saatavilla verkkokaupassa."
        )
        assert (
            in_language(
                "The same SKU is used by other products in the shop too (#1, #2); SKU longer than 40 characters (45)"
            )
            == "Sama SKU on verkkokaupassa myös muilla tuotteilla (#1, #2); SKU on yli 40 merkkiä pitkä (45)"
        )
        assert in_language("3 of 10 done in this run; the next run goes on.") == (
            "3/10 tehty tällä ajolla; seuraava ajo jatkaa."
        )


def test_what_is_not_a_reason_of_ours_stays_as_it_is():
    with translation.override("fi"):
        assert in_language("HTTP 500: server error; no price") == "HTTP 500: server error; ei hintaa"
        assert in_language("") == ""


@pytest.mark.django_db
@pytest.mark.parametrize("lang, shown", [("fi", "Ei SKU-koodia; ei hintaa"), ("sv", "Ingen SKU; inget pris")])
def test_a_runs_events_show_the_first_syncs_reasons_in_the_owners_language(
    client, owner_a, tenant_a, lang, shown
):
    from integration.models import SyncEvent, SyncRun

    run = SyncRun.objects.get(tenant=tenant_a)
    SyncEvent.objects.create(
        run=run, tenant=tenant_a, outcome=SyncEvent.Outcome.SKIPPED, item="A-1", reason="No SKU; no price"
    )
    client.force_login(owner_a)
    for url in ("/integration/syncevent/", f"/integration/syncrun/{run.pk}/change/"):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert shown in html, url
        assert "No SKU; no price" not in html, url


def test_the_article_syncs_reasons_and_their_field_names_read_in_finnish_and_swedish():
    stored = "found in the shop by its article number: linked; changed in eAccounting: price, stock"
    with translation.override("fi"):
        assert in_language(stored) == (
            "löytyi kaupasta tuotenumerollaan: linkitetty; muutettu eAccountingissa: hinta, saldo"
        )
        assert in_language("dry run: inactive in eAccounting: hidden in the shop (was publish)") == (
            "koeajo: ei aktiivinen eAccountingissa: piilotettu kaupassa (oli publish)"
        )
    with translation.override("sv"):
        assert in_language("changed in the shop, put back: name") == "ändrat i butiken, återställt: namn"
