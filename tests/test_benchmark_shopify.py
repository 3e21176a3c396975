"""`manage.py benchmark articles --platform shopify` as `make benchmark` runs it (a database of its
own, both sandboxes as processes, the sync in a child process), with a small catalogue: it prints
its figures, and the re-sync with nothing changed makes no more requests than its computed minimum
(issue #18, acceptance 2). Not timed: the figures are checked, not the seconds."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow  # sandboxes and syncs in processes of their own

ARTICLES = 30


def _manage(db: str, *args: str) -> str:
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{db}"}
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _section(output: str, title: str) -> str:
    start = output.index(f"== {title}:")
    end = output.find("\n== ", start + 1)
    return output[start : end if end >= 0 else len(output)]


def _requests(section: str) -> tuple[int, int]:
    made, least = re.search(r"requests (\d+) \(minimum (\d+),", section).groups()
    return int(made), int(least)


def test_the_shopify_benchmark_prints_its_figures_and_the_resync_stays_within_its_minimum(tmp_path):
    db = str(tmp_path / "benchmark.sqlite3")
    _manage(db, "migrate", "-v0")
    output = _manage(db, "benchmark", "articles", "--platform", "shopify", "--articles", str(ARTICLES))

    initial = _section(output, "initial article sync to Shopify")
    created = int(re.search(r"'created': (\d+)", initial).group(1))
    assert 0 < created <= ARTICLES  # the shown articles, each a new product in the empty store
    assert re.search(rf"graphql productSet\s+{created}\n", initial)
    for figure in (
        "the minimum, what the run had to read and write:",
        "Shopify cost:",
        "points a minute of the",
    ):
        assert figure in initial
    throttled = int(re.search(r"THROTTLED answers: (\d+)", initial).group(1))
    made, least = _requests(initial)
    assert least <= made <= least + throttled  # a THROTTLED answer is the only request past the minimum
    assert re.search(r"peak RSS of the sync process \d+ MB", initial)

    resync = _section(output, "re-sync to Shopify, nothing changed")
    assert "Succeeded" in resync and "created" not in resync
    made, least = _requests(resync)
    assert made <= least <= 3, resync
    assert "THROTTLED answers: 0" in resync
