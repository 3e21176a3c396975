"""Fault switches, the control API, and running the server as a program."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


SANDBOX = "woocommerce"


@pytest.fixture
def key(sb):
    sb.reset(seed={"products": 10, "orders": 0})
    return sb.key("read_write")


@pytest.mark.slow  # waits out the injected latency
def test_latency(sb, key):
    sb.control("POST", "/faults", {"latency_ms": 1500})
    t0 = time.monotonic()
    assert sb.get("/products", key).status_code == 200
    assert time.monotonic() - t0 >= 1.5
    t0 = time.monotonic()
    sb.control("GET", "/health")  # control API is never slowed down (a wide margin: machines get busy)
    assert time.monotonic() - t0 < 1.0


def test_seeded_share_of_server_errors(sb, key):
    def run() -> list[int]:
        sb.control("DELETE", "/faults")
        sb.control("POST", "/faults", {"error_rate": 0.3, "seed": 42})
        return [sb.get("/products", key).status_code for _ in range(60)]

    first = run()
    assert first == run()  # deterministic with the same seed
    errors = [c for c in first if c != 200]
    assert 8 <= len(errors) <= 30 and set(errors) <= {500, 503}
    assert {500, 503} == set(errors)
    counters = sb.control("GET", "/counters")
    assert counters["fault:500"] + counters["fault:503"] >= len(errors)


def test_503_and_500_bodies(sb, key):
    sb.control("POST", "/faults", {"fail_next": 1, "fail_status": 503, "rate_limit_retry_after": 2})
    r = sb.get("/products", key)
    assert (
        r.status_code == 503 and r.headers["Retry-After"] == "2" and "text/html" in r.headers["Content-Type"]
    )
    sb.control("POST", "/faults", {"fail_next": 1, "fail_status": 500})
    r = sb.get("/products", key)
    assert r.status_code == 500 and r.json()["code"] == "internal_server_error"
    assert sb.get("/products", key).status_code == 200


def test_429_burst(sb, key):
    sb.control("POST", "/faults", {"rate_limit_burst": 3, "rate_limit_retry_after": 5})
    codes = [sb.get("/products", key) for _ in range(4)]
    assert [r.status_code for r in codes] == [429, 429, 429, 200]
    assert codes[0].headers["Retry-After"] == "5"


def test_connection_dropped_after_write_committed(sb, key):
    sb.control("POST", "/faults", {"drop_next_writes": 1})
    with pytest.raises(requests.ConnectionError):
        sb.post("/products", key, json={"name": "Katoava vastaus", "sku": "DROP-1", "regular_price": "1.00"})
    found = sb.get("/products", key, params={"sku": "DROP-1"}).json()
    assert len(found) == 1  # the write happened
    retry = sb.post("/products", key, json={"name": "Uudelleen", "sku": "DROP-1", "regular_price": "1.00"})
    assert retry.status_code == 400 and retry.json()["code"] == "product_invalid_sku"
    log = sb.requests_log(method="POST", path="/wp-json/wc/v3/products")
    assert log[-2]["dropped"] is True


def test_faults_do_not_touch_control_or_reads_when_write_only(sb, key):
    sb.control("POST", "/faults", {"drop_after_write_rate": 1.0})
    assert sb.get("/products", key).status_code == 200
    sb.control("DELETE", "/faults")
    assert sb.post("/products", key, json={"name": "OK"}).status_code == 201


def test_request_log_records_what_the_client_sent(sb, key):
    sb.control("DELETE", "/requests")
    sb.put(
        "/products/999",
        key,
        json={"name": "x", "meta_data": [{"key": "k", "value": "v"}]},
        params={"context": "edit"},
    )
    (entry,) = sb.requests_log()
    assert entry["method"] == "PUT" and entry["path"] == "/wp-json/wc/v3/products/999"
    assert entry["query"] == {"context": "edit"} and entry["json"]["meta_data"][0]["key"] == "k"
    assert entry["status"] == 404 and entry["auth"] == "basic"


def test_control_edit_by_hand_legacy_and_reset(sb, key):
    p = sb.get("/products", key).json()[0]
    edited = sb.control("PATCH", f"/products/{p['id']}", {"short_description": "Käsin muokattu"})
    assert edited["short_description"] == "Käsin muokattu" and edited["description"] == p["description"]
    legacy = sb.control("POST", "/products/legacy", {"name": "Vanha", "sku": p["sku"] or "X"})
    assert legacy["sku"] == (p["sku"] or "X")
    sb.control("POST", "/settings", {"prices_include_tax": False})
    assert sb.get("/settings/tax/woocommerce_prices_include_tax", key).json()["value"] == "no"
    r = sb.put("/settings/general/woocommerce_currency", key, json={"value": "SEK"})
    assert r.json()["value"] == "SEK" and sb.control("GET", "/settings")["currency"] == "SEK"
    sb.reset()
    assert sb.control("GET", "/health")["products"] == 0
    assert sb.control("GET", "/settings")["currency"] == "SEK"  # settings survive a data reset
    sb.control("POST", "/settings", {"currency": "EUR", "prices_include_tax": True})


@pytest.mark.slow
def test_main_module_runs_and_prints_url():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox.woocommerce",
            "--port",
            "0",
            "--seed",
            "--products",
            "20",
            "--orders",
            "5",
            "--key",
            "ck_demo:cs_demo",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "listening on http://127.0.0.1:" in line
        url = line.strip().rsplit(" ", 1)[-1]
        r = requests.get(f"{url}/wp-json/wc/v3/products", auth=("ck_demo", "cs_demo"), timeout=10)
        assert r.status_code == 200 and r.headers["X-WP-Total"] == "20"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_request_log_grows_to_the_size_asked_after_start(sb, key):
    """The log's size set over the control API holds, larger than the size it started with."""
    start = sb.control("GET", "/settings")["request_log_limit"]
    sb.control("PATCH", "/settings", {"request_log_limit": 30})
    sb.control("DELETE", "/requests")
    for _ in range(25):
        sb.get("/products", key)
    assert len(sb.requests_log()) == 25
    sb.control("PATCH", "/settings", {"request_log_limit": 10})
    assert len(sb.requests_log()) == 10  # the newest kept
    sb.control("PATCH", "/settings", {"request_log_limit": start})
