"""Rate limiting, fault injection, the control API's log and counters, seeding speed, the CLI."""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from werkzeug.test import Client

from sandbox.eaccounting.app import create_app
from sandbox.eaccounting.seed import seed_company, ytunnus

ROOT = Path(__file__).resolve().parents[2]


SANDBOX = "eaccounting"


def test_429_body_and_headers(sb):
    sb.settings(rate_limit=5, rate_window=60)
    api = sb.api()
    statuses = [api.get(api.v2("articles")).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    r = api.get(api.v2("articles"))
    body = r.json()
    assert set(body) == {"ErrorCode", "DeveloperErrorMessage", "ErrorId"} and body["ErrorCode"] == 4010
    assert re.fullmatch(
        r"API calls quota exceeded! maximum admitted 5 per Minute\. Try again in \d+ seconds\.",
        body["DeveloperErrorMessage"],
    )
    assert "Retry-After" not in r.headers
    # another endpoint has its own budget
    assert api.get(api.v2("units")).status_code == 200
    sb.settings(rate_limit_retry_after=True)
    r = api.get(api.v2("articles"))
    assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
    counters = sb.control("GET", "counters")
    assert counters["throttled"]["GET /v2/articles"] == 4
    assert counters["requests"]["GET /v2/articles"] == 9


@pytest.mark.slow
def test_window_recovers(sb):
    sb.settings(rate_limit=3, rate_window=0.5)
    api = sb.api()
    assert [api.get(api.v2("units")).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "per 0.5 Seconds" in api.get(api.v2("units")).json()["DeveloperErrorMessage"]
    time.sleep(0.6)
    assert api.get(api.v2("units")).status_code == 200


def test_limit_is_shared_by_companies_of_one_client_by_default(sb):
    sb.settings(rate_limit=4, rate_window=60)
    ids = [c["id"] for c in sb.companies()]
    a, b = sb.api(ids[0]), sb.api(ids[1])
    for _ in range(4):
        assert a.get(a.v2("units")).status_code == 200
    assert b.get(b.v2("units")).status_code == 429
    sb.control("POST", "clients", {"client_id": "other-app", "client_secret": "s"})
    other = sb.api(ids[1], client_id="other-app")
    assert other.get(other.v2("units")).status_code == 200


def test_limit_per_client_and_company_switch(sb):
    sb.settings(rate_limit=4, rate_window=60, rate_limit_key="client_company")
    ids = [c["id"] for c in sb.companies()]
    a, b = sb.api(ids[0]), sb.api(ids[1])
    for _ in range(4):
        assert a.get(a.v2("units")).status_code == 200
    assert a.get(a.v2("units")).status_code == 429
    assert b.get(b.v2("units")).status_code == 200


def test_forced_429_burst(sb):
    api = sb.api()
    sb.settings(force_429=3)
    assert [api.get(api.v2("units")).status_code for _ in range(4)] == [429, 429, 429, 200]


def test_seeded_5xx_share_is_reproducible(sb):
    api = sb.api()

    def run():
        sb.settings(error_rate=0.4, fault_seed=42)
        return [api.get(api.v2("units")).status_code for _ in range(30)]

    first, second = run(), run()
    assert first == second
    assert set(first) <= {200, 500, 503} and {500, 503} & set(first) and 200 in first
    bad = next(r for r in (api.get(api.v2("units")) for _ in range(50)) if r.status_code >= 500)
    assert bad.json()["ErrorCode"] in (5000, 5001)


def test_latency(sb):
    api = sb.api()
    sb.settings(latency_ms=150)
    t = time.monotonic()
    api.get(api.v2("units"))
    assert time.monotonic() - t >= 0.15


def test_write_committed_then_connection_dropped(sb):
    api = sb.api()
    unit = api.get(api.v2("units")).json()["Data"][0]["Id"]
    coding = api.get(api.v2("articleaccountcodings")).json()["Data"][0]["Id"]
    sb.settings(drop_after_commit_next=1)
    body = {"Number": "DROP-1", "Name": "Pudotettu", "CodingId": coding, "UnitId": unit, "IsActive": True}
    with pytest.raises(requests.ConnectionError):
        api.post(api.v2("articles"), json=body)
    assert sb.control("GET", "requests?path_prefix=/v2/articles")[-1]["status"] == "dropped"
    found = api.get(api.v2("articles"), params={"$filter": "Number eq 'DROP-1'"}).json()["Data"]
    assert len(found) == 1  # the write happened
    assert api.post(api.v2("articles"), json=body).json()["ErrorCode"] == 4000  # a blind retry duplicates


def test_drop_share_applies_to_writes_only(sb):
    api = sb.api()
    sb.settings(drop_after_commit_rate=1.0)
    assert api.get(api.v2("units")).status_code == 200
    with pytest.raises(requests.ConnectionError):
        api.post(api.v2("deliverymethods"), json={"Name": "X"})


@pytest.mark.slow
def test_data_changes_between_pages(sb):
    api = sb.api()
    first = api.get(api.v2("articles"), params={"$pagesize": 10, "$orderby": "ChangedUtc"}).json()
    mark = first["Meta"]["ServerTimeUtc"]
    time.sleep(0.005)
    sb.settings(mutate_between_pages=3)
    api.get(api.v2("articles"), params={"$pagesize": 10, "$page": 2, "$orderby": "ChangedUtc"})
    changed = api.get(api.v2("articles"), params={"$filter": f"ChangedUtc gt {mark}"}).json()["Data"]
    assert len(changed) == 3


def test_request_log_and_counters(sb):
    api = sb.api()
    api.get(api.v2("articles"), params={"$filter": "Number eq '1001'"})
    api.post(api.v2("deliverymethods"), json={"Name": "Lokitus"})
    log = sb.control("GET", "requests?path_prefix=/v2")
    assert [(e["method"], e["path"]) for e in log[-2:]] == [
        ("GET", "/v2/articles"),
        ("POST", "/v2/deliverymethods"),
    ]
    assert log[-2]["query"] == {"$filter": "Number eq '1001'"} and log[-1]["json"] == {"Name": "Lokitus"}
    assert log[-1]["status"] == 200
    assert sb.control("GET", f"requests?since={log[-1]['seq']}") == []
    sb.control("DELETE", "counters")
    assert sb.control("GET", "counters")["requests"] == {}


def test_control_api_companies_users_and_reset(sb):
    c = sb.control(
        "POST",
        "companies",
        {
            "name": "Testiyhtiö Oy",
            "articles": 5,
            "users": ["demo@example.com"],
            "settings": {"stock_module": False},
        },
    )
    assert c["counts"]["articles"] == 5 and c["overrides"] == {"stock_module": False}
    sb.control("POST", "users", {"username": "toinen@example.com", "password": "pw", "companies": [c["id"]]})
    assert c["id"] in sb.control("GET", "users")["demo@example.com"]["companies"]
    api = sb.api(c["id"])
    assert "Stock" not in api.get(api.v2("companysettings")).json()["ActivatedModules"]
    assert sb.control("PATCH", "settings", {"nope": 1}, expect=(400,))
    summary = sb.control("POST", "reset", {"demo": False})
    assert summary["companies"] == [] and summary["users"] == {}


def test_seed_10000_articles_deterministic():
    # How fast is `make benchmark`'s business (a timed assertion fails on a busy machine, not on a slow seed).
    app = create_app({"demo": False})
    c = seed_company(app.state, "Iso Varasto Oy", articles=10000, seed=5)
    assert len(c.articles) == 10000
    again = seed_company(create_app({"demo": False}).state, "Iso Varasto Oy", articles=10000, seed=5)
    assert list(c.articles) == list(again.articles)
    arts = list(c.articles.values())
    assert any(a["StockBalance"] < 0 for a in arts) and any(a["StockBalance"] % 1 for a in arts)
    assert any(a["IsServiceArticle"] for a in arts) and any(not a["IsStock"] for a in arts)
    assert all(len(a["Name"]) <= 50 for a in arts)


def test_ytunnus_check_digit():
    assert ytunnus(737546) == "0737546-2"
    assert ytunnus(112038) == "0112038-9"  # Nokia Oyj


@pytest.mark.slow
def test_cli_prints_its_url():
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandbox.eaccounting", "--port", "0", "--seed-articles", "20"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://[\d.]+:\d+", line).group(0)
        state = requests.get(f"{url}/_sandbox/state", timeout=5).json()
        assert len(state["companies"]) == 3 and state["companies"][0]["counts"]["articles"] == 20
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_rate_limit_bucket_per_url(sb):
    api = sb.api()
    sb.settings(rate_limit=2, rate_window=60)
    assert [api.get(api.v2("articles"), params={"$page": p}).status_code for p in (1, 2, 3)] == [
        200,
        200,
        429,
    ]
    sb.settings(rate_limit_bucket="url")
    assert api.get(api.v2("articles"), params={"$page": 4}).status_code == 200


@pytest.mark.slow
def test_a_full_read_in_pages_sorts_once_and_sees_writes():
    """Linear time: the pages of one listing share one filter-and-sort until something is written."""
    app = create_app({"demo": False, "rate_limit": 1_000_000})
    c = seed_company(app.state, "Suuri Varasto Oy", articles=20000, seed=7)
    client = Client(app)
    token = client.post("/_sandbox/tokens", json={"company_id": c.id}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}

    def page(n):
        params = {"$orderby": "CreatedUtc", "$pagesize": 50, "$page": n}
        return client.get("/v2/articles", query_string=params, headers=headers).json

    ids = [a["Id"] for n in range(1, 401) for a in page(n)["Data"]]
    assert len(set(ids)) == 20000 and page(401)["Data"] == []
    # A sort of all 20,000 per page made this ~60 s: the listing is sorted once and kept (not timed here,
    # a busy machine would fail a time limit; the one cached listing is what makes it linear).
    assert [key[1] for key in app.state.listings] == ["ArticleApi"]
    unit, coding = next(iter(c.units)), next(k for k, v in c.codings.items() if v["Type"] == "Goods")
    new = client.post(
        "/v2/articles",
        headers=headers,
        json={"Number": "UUSI-1", "Name": "Uusi", "UnitId": unit, "CodingId": coding, "IsActive": True},
    ).json
    assert app.state.listings == {}
    assert [a["Id"] for a in page(401)["Data"]] == [new["Id"]]
