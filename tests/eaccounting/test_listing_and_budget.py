"""Acceptance: full and incremental listings under faults; one shared request budget for many tenants."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection as db

from integration.eaccounting.client import EAccountingClient
from tests.fixtures.processes import ROOT, database_url

from ..conftest import connect_tenant


@pytest.mark.parametrize("page_size", [50, 500])
def test_full_and_incremental_listing_of_10000_articles_under_faults(connection, ea, settings, page_size):
    company_id = connection.company_id
    ea.control("POST", f"companies/{company_id}/articles", {"count": 10_000 - 20})
    settings.EACCOUNTING_PAGE_SIZE = page_size
    settings.EACCOUNTING_RATE_LIMIT = 100_000  # this test is about faults, not the budget
    ea.settings(
        page_size_max=page_size,
        rate_limit=100_000,
        error_rate=0.10,
        latency_ms=25,
        mutate_between_pages=3,
        fault_seed=page_size,
    )
    client = EAccountingClient(connection)
    client.session.hooks["response"].append(ea.contract.hook())

    listing = client.changed_since("/articles", None)
    listed = {item["Id"] for item in listing}
    truth = ea.control("GET", f"companies/{company_id}/resources/articles")
    assert len(truth) == 10_000
    assert listed == {a["Id"] for a in truth}
    assert client.stats["retries"] > 0  # the faults really happened
    assert listing.meta.page_size == page_size

    ea.settings(mutate_between_pages=0, error_rate=0.0)
    truth = ea.control("GET", f"companies/{company_id}/resources/articles")
    changed_meanwhile = {a["Id"] for a in truth if a["ChangedUtc"] >= _iso(listing.server_time)}
    assert changed_meanwhile, "the sandbox changed no article between pages"
    incremental = {a.id for a in client.articles(changed_since=listing.server_time)}
    assert changed_meanwhile <= incremental
    assert len(incremental) < 1_000  # incremental, not everything again


def _iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


BUDGET_WORKER = """
import json, time
from integration.models import EAccountingConnection
from integration.eaccounting.client import EAccountingClient
clients = [EAccountingClient(EAccountingConnection.objects.get(pk=pk)) for pk in {pks}]
waits, failures = {{c.company_key: [] for c in clients}}, 0
for i in range({count}):
    client = clients[i % len(clients)]
    before = client.stats['waited_seconds'] + 0.0
    try:
        client.get('/units', {{'$pagesize': 1}})
    except Exception as exc:
        failures += 1
    waits[client.company_key].append(client.stats['waited_seconds'] - before)
print('RESULT ' + json.dumps({{'waits': waits, 'failures': failures}}))
"""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_four_workers_share_one_budget_fairly_across_five_tenants(ea):
    extra = [ea.control("POST", "companies", {"name": f"Yritys {i} Oy"}) for i in range(2)]
    companies = ea.companies() + extra
    tenants = [connect_tenant(ea, f"t{i}", company) for i, company in enumerate(companies[:5])]
    ea.settings(rate_limit=100, rate_window=10.0, rate_limit_key="client")
    ea.control("DELETE", "counters")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db.settings_dict),
        "EACCOUNTING_IDENTITY_URL": ea.base,
        "EACCOUNTING_API_URL": f"{ea.base}/v2",
        "EACCOUNTING_RATE_LIMIT": "100",
        "EACCOUNTING_RATE_WINDOW": "10",
        "EACCOUNTING_RATE_SCOPE": "client",
    }
    # A large tenant kept busy by three workers, four small ones sharing the fourth.
    assignments = [[tenants[0].pk]] * 3 + [[t.pk for t in tenants[1:]]]
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "shell",
                "-c",
                BUDGET_WORKER.format(pks=pks, count=100),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for pks in assignments
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        results.append(json.loads(out.split("RESULT ", 1)[1]))

    assert sum(r["failures"] for r in results) == 0
    waits = {}
    for result in results:
        for company, values in result["waits"].items():
            waits.setdefault(company, []).extend(values)
    assert sum(len(v) for v in waits.values()) == 400 and len(waits) == 5
    counters = ea.control("GET", "counters")
    assert sum(counters["throttled"].values()) < 5
    means = {company: sum(v) / len(v) for company, v in waits.items()}
    print("mean wait per request by tenant:", {k[:8]: round(v, 3) for k, v in means.items()})
    assert max(means.values()) <= 2 * min(means.values())
