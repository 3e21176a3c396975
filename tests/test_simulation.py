"""`manage.py simulate` end to end, tiny: its tenants are built, its work reaches the other side
through the production parts, and it reports what it measured (the figures are the command's job)."""

import os
import re

import pytest

from tests.fixtures.processes import database_url, manage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.mark.slow
def test_a_tiny_simulation_gets_every_order_and_change_through_and_reports_it(settings):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    result = manage(
        "simulate",
        "--tenants",
        "2",
        "--articles",
        "30",
        "--hours",
        "0.1",
        "--drain-minutes",
        "10",
        "--scale",
        "30",
        "--changes",
        "30",
        "--orders",
        "30",
        "--limit",
        "600",
        "--clusters",
        "2",
        env=env,
    )
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    assert "2 of 2 tenants ready" in out
    orders = re.search(r"paid order → eAccounting: (\d+) measured, (\d+) not there by the end", out)
    changes = re.search(r"article change → shop: (\d+) measured, (\d+) not there by the end", out)
    assert orders and changes, out[-3000:]
    assert int(orders[1]) > 0 and int(orders[2]) == 0
    assert int(changes[1]) > 0 and int(changes[2]) == 0
    assert re.search(r"^\s+articles\s+mean\s+[\d.]+\s+max\s+\d+", out, re.M)  # requests per endpoint a minute
    assert "429s from eAccounting: 0;" in out
    # where the time went: per kind of job, from the task records and the run records
    assert re.search(
        r"^\s+orders\s+\d+ runs;  queue wait \d+ / \d+ / \d+;  run time \d+ / \d+ / \d+;  request wait",
        out,
        re.M,
    ), out[-3000:]
    assert re.search(r"^\s+articles\s+\d+ runs;", out, re.M)
    assert "Largest backlog per queue:" in out
    per_order = re.search(
        r"eAccounting requests per order: ([\d.]+) \((\d+) requests of all order runs for (\d+) orders", out
    )
    assert per_order and int(per_order[3]) == int(orders[1])
    split = re.search(
        r"order documents ([\d.]+), customer creations ([\d.]+), other ([\d.]+); buyers: 60% returning", out
    )
    assert split, out[-3000:]
    # every transferred order made its document; the parts add up to the whole
    assert float(split[1]) >= 1.0
    assert abs(sum(float(x) for x in split.groups()) - float(per_order[1])) < 0.02
    assert "Layout: 2 catalogue cluster(s) of 4 workers, orders queue on a cluster of 2 workers" in out
