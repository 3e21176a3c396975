"""Run pages speak words: counts as "1 request to eAccounting", "10 skipped" (with plurals, in fi and sv too),
and an ended run's progress never says "running"."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from integration.models import SyncRun
from portal.dashboard import progress_text
from portal.run_words import counts_in_words

pytestmark = pytest.mark.django_db

COUNTS = {
    "skipped": 10,
    "created": 1,
    "requests_eaccounting": 1,
    "eaccounting_wait_seconds": 2.5,
    "updated": 0,
}


@pytest.mark.parametrize(
    "lang, expected",
    [
        (
            "en",
            [
                "1 created",
                "10 skipped",
                "1 request to eAccounting",
                "waited 2.5 seconds for eAccounting's request budget",
            ],
        ),
        (
            "fi",
            [
                "1 luotu",
                "10 ohitettu",
                "1 pyyntö eAccountingiin",
                "odotti eAccountingin pyyntökiintiötä 2,5 sekuntia",
            ],
        ),
        (
            "sv",
            [
                "1 skapad",
                "10 överhoppade",
                "1 anrop till eAccounting",
                "väntade 2,5 sekunder på eAccountings anropskvot",
            ],
        ),
    ],
)
def test_counts_read_as_words_in_the_readers_language(lang, expected):
    with translation.override(lang):
        assert counts_in_words(COUNTS) == expected


def test_plurals_follow_the_number_and_unknown_keys_stay_as_stored():
    with translation.override("fi"):
        assert counts_in_words({"requests_eaccounting": 1200}) == ["1\xa0200 pyyntöä eAccountingiin"]
    assert counts_in_words({"requests_eaccounting": 2, "something_new": 3}) == [
        "2 requests to eAccounting",
        "something new 3",
    ]
    assert counts_in_words({"requests_eaccounting": 2, "eaccounting_wait_seconds": 1}, timings=False) == [
        "2 requests to eAccounting"
    ]


def test_an_ended_run_never_says_running():
    assert progress_text(0, None, running=True) == "running"
    assert progress_text(0, None, running=False) == "–"
    assert progress_text(12, None, running=False) == "12 done"
    assert progress_text(12, 20, running=False) == "12 of 20"


def test_the_run_list_shows_progress_and_counts_in_words(client, owner_a, tenant_a):
    SyncRun.objects.create(
        tenant=tenant_a,
        kind=SyncRun.Kind.ARTICLES,
        status=SyncRun.Status.SUCCEEDED,
        finished_at=timezone.now() + timedelta(seconds=3),
        counts={"skipped": 10, "requests_eaccounting": 1},
    )
    client.force_login(owner_a)
    page = client.get(reverse("admin:integration_syncrun_changelist")).content.decode()
    row = re.search(r"<tr>(?:(?!</tr>).)*10 skipped(?:(?!</tr>).)*</tr>", page, re.S).group(0)
    assert "10 skipped, 1 request to eAccounting" in row
    assert '<td class="field-progress">–</td>' in row  # not "running": the run has ended
    assert "requests_eaccounting" not in page


def test_the_polled_progress_carries_the_latest_runs_row_in_words(client, owner_a, tenant_a):
    SyncRun.objects.filter(tenant=tenant_a).delete()
    done = SyncRun.objects.create(
        tenant=tenant_a,
        kind=SyncRun.Kind.ARTICLES,
        status=SyncRun.Status.SUCCEEDED,
        counts={"updated": 2, "requests_eaccounting": 3, "eaccounting_wait_seconds": 1.5},
    )
    client.force_login(owner_a)
    (latest,) = client.get(reverse("run_progress", args=[tenant_a.slug])).json()["latest"]
    assert latest["counts_text"] == "2 updated, 3 requests to eAccounting"  # as the dashboard's row shows it
    assert latest["url"] == reverse("admin:integration_syncrun_change", args=[done.pk])
    assert latest["status_label"] == "Succeeded" and latest["ago"].endswith(" ago")
    assert latest["text"] == "–"
