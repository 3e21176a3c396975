"""Acceptance: the probe reports the sandbox's true behaviour for every switch, stays within its bound,
writes nothing when read-only, and leaves no active test record behind after --write."""

import json

import pytest

from integration.models import ContractKey as Key
from integration.models import ProbeReport
from integration.probe import run

from .conftest import LIMIT, webshop_order

# (sandbox settings, does the probe need --write to see it, the finding's key, the true value)
CASES = [
    ({"rate_limit_key": "client"}, False, Key.RATE_LIMIT_KEY, "client"),
    ({"rate_limit_key": "client_company"}, False, Key.RATE_LIMIT_KEY, "client_company"),
    ({"rate_limit_bucket": "template"}, False, Key.RATE_LIMIT_BUCKET, "template"),
    ({"rate_limit_bucket": "path"}, False, Key.RATE_LIMIT_BUCKET, "path"),
    ({"rate_limit_bucket": "url"}, False, Key.RATE_LIMIT_BUCKET, "url"),
    ({"rate_limit_retry_after": True}, False, Key.RETRY_AFTER, True),
    ({"rate_limit_retry_after": False}, False, Key.RETRY_AFTER, False),
    ({"rate_limit": LIMIT}, False, Key.RATE_LIMIT, LIMIT),
    ({"rate_limit": LIMIT - 2}, False, Key.RATE_LIMIT, LIMIT - 2),
    ({"rate_window": 1.0}, False, Key.RATE_WINDOW, 1.0),
    ({"rate_window": 60.0}, False, Key.RATE_WINDOW, 60.0),
    ({"page_size_max": 50}, False, Key.PAGE_SIZE_MAX, 50),
    ({"page_size_max": 500}, False, Key.PAGE_SIZE_MAX, 500),
    ({"vat_rate_as_fraction": True}, False, Key.VAT_RATE_FORMAT, "fraction"),
    ({"vat_rate_as_fraction": False}, False, Key.VAT_RATE_FORMAT, "percent"),
    ({"unverified_filters_rejected": True}, False, Key.FILTER_OR, False),
    ({"unverified_filters_rejected": False}, False, Key.FILTER_OR, True),
    ({"unverified_filters_rejected": True}, False, Key.FILTER_YOUR_REFERENCE, False),
    ({"unverified_filters_rejected": False}, False, Key.FILTER_YOUR_REFERENCE, True),
    ({"stock_module": True}, False, Key.STOCK_MODULE_NAMES, ["Stock"]),
    ({"stock_bumps_changed_utc": True}, True, Key.STOCK_BUMPS_CHANGED_UTC, True),
    ({"stock_bumps_changed_utc": False}, True, Key.STOCK_BUMPS_CHANGED_UTC, False),
    ({"private_prices_include_vat": True}, True, Key.PRIVATE_PRICES_INCLUDE_VAT, True),
    ({"private_prices_include_vat": False}, True, Key.PRIVATE_PRICES_INCLUDE_VAT, False),
    ({"webshop_converted_orders": "removed"}, True, Key.CONVERTED_ORDERS_STAY_LISTED, False),
    ({"webshop_converted_orders": "kept"}, True, Key.CONVERTED_ORDERS_STAY_LISTED, True),
]


def _finding(report: ProbeReport, key: str) -> dict:
    return next(f for f in report.findings if f["key"] == key)


@pytest.mark.slow
@pytest.mark.parametrize("switched, write, key, truth", CASES, ids=[f"{c[2]}={c[3]}" for c in CASES])
def test_the_probe_reports_the_true_value(
    probe_ea, test_company, second_company, settings, switched, write, key, truth
):
    probe_ea.settings(**switched)
    if "rate_limit" in switched:
        settings.EACCOUNTING_RATE_LIMIT = switched["rate_limit"]  # the burst's bound follows the setting
    if write:
        webshop_order(probe_ea, test_company)
    report = run.run(run.start(test_company, write=write, second_tenant=second_company))

    assert report.status == ProbeReport.Status.DONE, report.error
    finding = _finding(report, key)
    assert finding["settled"] and finding["value"] == truth, finding


@pytest.mark.slow
def test_without_a_second_company_the_scope_of_the_limit_is_not_settled(probe_ea, test_company):
    report = run.run(run.start(test_company, write=False))
    finding = _finding(report, Key.RATE_LIMIT_KEY)
    assert not finding["settled"] and "second" in finding["evidence"]
    assert not _finding(report, Key.REFRESH_ROTATION_GRACE)["settled"]


@pytest.mark.slow
def test_without_the_stock_module_its_name_is_not_settled(probe_ea, test_company):
    probe_ea.settings(stock_module=False)
    report = run.run(run.start(test_company, write=False))
    assert not _finding(report, Key.STOCK_MODULE_NAMES)["settled"]


@pytest.mark.slow
def test_a_read_only_run_writes_nothing_and_stays_within_its_bound(probe_ea, test_company, second_company):
    probe_ea.control("DELETE", "requests")
    report = run.run(run.start(test_company, write=False, second_tenant=second_company))

    log = probe_ea.control("GET", "requests?path_prefix=/v2")
    assert len(log) == report.request_count == len(report.exchanges)
    assert {r["method"] for r in log} == {"GET"}
    burst = [e for e in report.exchanges if e["note"] == "burst"]
    assert len(burst) == LIMIT + 1 and [e["status"] for e in burst].count(429) == 1  # sent concurrently
    assert report.request_count <= run.bound(write=False)
    assert (
        len(
            [
                e
                for e in report.exchanges
                if e["note"]
                in (
                    "burst",
                    "same template, another id",
                    "same path, another URL",
                    "same URL, second company",
                )
            ]
        )
        <= LIMIT + 5
    )


@pytest.mark.slow
def test_secrets_are_masked_in_the_report(probe_ea, test_company):
    report = run.run(run.start(test_company, write=True))
    token = test_company.eaccounting_connection.access_token
    kept = json.dumps(report.exchanges)
    assert token not in kept and report.exchanges[0]["request_headers"] == {"Authorization": "Bearer ***"}


@pytest.mark.slow
def test_a_write_run_leaves_no_active_test_record(probe_ea, test_company):
    company_id = test_company.eaccounting_connection.company_id
    probe_ea.control("DELETE", "requests")
    report = run.run(run.start(test_company, write=True))
    assert report.status == ProbeReport.Status.DONE, report.error

    resources = lambda kind: probe_ea.control("GET", f"companies/{company_id}/resources/{kind}")  # noqa: E731
    articles = [a for a in resources("articles") if a["Number"].startswith("SILTA-PROBE-")]
    customers = [c for c in resources("customers") if c["Name"].startswith("SILTA-PROBE")]
    assert len(articles) == len(customers) == 1
    assert not articles[0]["IsActive"] and not customers[0]["IsActive"]
    invoices = [i for i in resources("invoices") if i["CustomerId"] == customers[0]["Id"]]
    original = [i for i in invoices if not i["IsCreditInvoice"]]
    assert len(original) == 1 and original[0]["CreditedBy"]  # the test invoice is credited
    assert not resources("drafts")  # the draft became the invoice
    writes = [r for r in probe_ea.control("GET", "requests?path_prefix=/v2") if r["method"] != "GET"]
    assert writes and all(r["status"] < 400 for r in writes)
