"""After a finding is accepted, the product runs with it: the budget's key and size, paging, the codings'
VAT format, IncludesVat for the order planner, the article sync's page size."""

from decimal import Decimal

import pytest
from django.utils import timezone

from integration.eaccounting import budget, contract
from integration.eaccounting.client import EAccountingClient
from integration.eaccounting.resources import CompanySettings
from integration.models import ApiBudget, ContractSetting, ContractSource, OrderSettings
from integration.models import ContractKey as Key
from integration.orders.context import PlanInputs
from integration.probe import findings, run

from ..conftest import activated_on_an_empty_shop, connect_tenant


def accepted(**values) -> None:
    for key, value in values.items():
        ContractSetting.objects.update_or_create(
            key=key,
            defaults={
                "value": value,
                "source": ContractSource.PROBE,
                "evidence": "test",
                "observed_at": timezone.now(),
            },
        )


def test_without_a_finding_the_environment_is_the_default(db, settings):
    settings.EACCOUNTING_PAGE_SIZE, settings.EACCOUNTING_RATE_SCOPE = 77, "company"
    terms = contract.current()
    assert terms.page_size == 77 and terms.per_company and terms.bucket == "resource"
    assert contract.source(Key.PAGE_SIZE_MAX) == ContractSource.DEFAULT


@pytest.mark.parametrize(
    "bucket, per_company, key",
    [
        ("resource", False, "eaccounting:articles"),
        ("template", False, "eaccounting:/articles/{id}"),
        ("template", True, "eaccounting:/articles/{id}:C1"),
        ("path", False, "eaccounting:/articles/3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        ("url", True, "eaccounting:/articles/3fa85f64-5717-4562-b3fc-2c963f66afa6:C1"),
    ],
)
def test_the_budget_key_follows_the_accepted_bucket_and_scope(db, bucket, per_company, key):
    accepted(
        **{Key.RATE_LIMIT_BUCKET: bucket, Key.RATE_LIMIT_KEY: "client_company" if per_company else "client"}
    )
    assert (
        budget.budget_key("/articles/3fa85f64-5717-4562-b3fc-2c963f66afa6?x=1", "C1", contract.current())
        == key
    )


def test_the_budget_spaces_requests_by_the_accepted_limit_and_window(db):
    accepted(**{Key.RATE_LIMIT: 300, Key.RATE_WINDOW: 30.0})
    assert budget._interval(contract.current()) == pytest.approx(30.0 / (300 * budget.SAFETY))


@pytest.mark.slow
def test_a_probe_finding_accepted_drives_the_clients_budget_and_paging(
    probe_ea, test_company, second_company, superuser, settings
):
    probe_ea.settings(rate_limit_bucket="template", rate_limit_key="client_company", page_size_max=7)
    report = run.run(run.start(test_company, write=False, second_tenant=second_company))
    findings.accept(report, [Key.RATE_LIMIT_BUCKET, Key.RATE_LIMIT_KEY, Key.PAGE_SIZE_MAX], superuser)
    settings.EACCOUNTING_RATE_LIMIT = 1000  # the client's own pace: this test is about keys and pages
    probe_ea.settings(rate_limit=1000)
    connection = test_company.eaccounting_connection
    client = EAccountingClient(connection)

    probe_ea.control("DELETE", "requests")
    articles = list(client.articles())
    pages = [r["query"] for r in probe_ea.control("GET", "requests?path_prefix=/v2/articles")]
    assert len(articles) == 20 and len(pages) == 3 and {p["$pagesize"] for p in pages} == {"7"}
    client.get(f"/articles/{articles[0].id}")
    assert ApiBudget.objects.filter(key=f"eaccounting:/articles/{{id}}:{connection.company_id}").exists()
    assert ApiBudget.objects.filter(key=f"eaccounting:/articles:{connection.company_id}").exists()


@pytest.mark.parametrize(
    "vat_format, expected", [("fraction", Decimal("25.5")), ("percent", Decimal("0.255"))]
)
def test_codings_are_read_in_the_accepted_vat_format(ea, db, vat_format, expected):
    ea.settings(vat_rate_as_fraction=True)
    accepted(**{Key.VAT_RATE_FORMAT: vat_format})
    connection = connect_tenant(ea, "vat", ea.companies()[0])
    rates = {c.vat_rate_percent for c in EAccountingClient(connection).codings()}
    assert expected in rates


@pytest.mark.parametrize("value", [True, False])
def test_the_order_planner_uses_the_accepted_includes_vat(tenant_a, value):
    accepted(**{Key.PRIVATE_PRICES_INCLUDE_VAT: value})
    inputs = PlanInputs.load(
        tenant_a, OrderSettings.objects.get(tenant=tenant_a), CompanySettings.from_api({}), {}
    )
    assert inputs.includes_vat(True) is value and inputs.includes_vat(False) is False


def test_learning_in_operation_writes_the_same_setting_the_probe_settles(tenant_a):
    inputs = PlanInputs.load(
        tenant_a, OrderSettings.objects.get(tenant=tenant_a), CompanySettings.from_api({}), {}
    )
    inputs.learn_includes_vat(True, False, "draft D1")
    row = ContractSetting.objects.get(key=Key.PRIVATE_PRICES_INCLUDE_VAT)
    assert row.value is False and row.source == ContractSource.LEARNED and "draft D1" in row.evidence


@pytest.mark.slow
def test_the_article_sync_pages_by_the_accepted_size(ea, wc, db):
    tenant = activated_on_an_empty_shop(ea, wc, "paged")
    accepted(**{Key.PAGE_SIZE_MAX: 9})
    from integration.sync.article_sync import sync_articles

    ea.control("DELETE", "requests")
    sync_articles(tenant, full=True)
    sizes = {
        r["query"].get("$pagesize")
        for r in ea.control("GET", "requests?path_prefix=/v2/articles")
        if r["method"] == "GET" and "$page" in r["query"]
    }
    assert sizes == {"9"}
