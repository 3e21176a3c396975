"""The contract page and probe reports: superusers only; a contradicting finding warns until accepted (audited)."""

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from integration.eaccounting import contract
from integration.models import AuditEntry, ContractSetting, ContractSource, ProbeReport
from integration.models import ContractKey as Key
from integration.probe import findings, run

CONTRACT = reverse("admin:integration_probereport_contract")
START = reverse("admin:integration_probereport_start")


@pytest.fixture
def finished(probe_ea, test_company, second_company):
    probe_ea.settings(
        rate_limit_bucket="path",
        rate_limit_key="client_company",
        page_size_max=500,
        vat_rate_as_fraction=True,
    )
    return run.run(run.start(test_company, write=False, second_tenant=second_company))


@pytest.mark.slow
@pytest.mark.parametrize("user", ["owner_a", "member_b", "outsider"])
def test_only_superusers_see_the_contract_the_reports_and_the_start_page(client, three_users, finished, user):
    client.force_login(three_users[user])
    report = reverse("admin:integration_probereport_change", args=[finished.pk])
    for url in (CONTRACT, START, report, reverse("admin:integration_probereport_changelist")):
        assert client.get(url).status_code in (302, 403), url
    assert client.post(CONTRACT, {"accept": [Key.RATE_LIMIT_BUCKET]}).status_code in (302, 403)
    assert not ContractSetting.objects.exists()
    assert "contract-warnings" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.slow
def test_a_contradicting_finding_warns_until_a_superuser_accepts_it(client, superuser, finished):
    client.force_login(superuser)
    dashboard = client.get(reverse("admin:index")).content.decode()
    assert "contract-warnings" in dashboard and "rate_limit_bucket" in dashboard
    page = client.get(CONTRACT).content.decode()
    assert 'data-key="rate_limit_bucket"' in page and "Differs from the running value" in page
    shown = client.get(reverse("admin:integration_probereport_change", args=[finished.pk])).content.decode()
    assert "counted per path" in shown and "Bearer ***" in shown

    accepted = [Key.RATE_LIMIT_BUCKET, Key.RATE_LIMIT_KEY, Key.PAGE_SIZE_MAX, Key.VAT_RATE_FORMAT]
    assert client.post(CONTRACT, {"accept": accepted}).status_code == 302

    terms = contract.current()
    assert (terms.bucket, terms.per_company, terms.page_size, terms.vat_rate_format) == (
        "path",
        True,
        500,
        "fraction",
    )
    row = ContractSetting.objects.get(key=Key.RATE_LIMIT_BUCKET)
    assert row.source == ContractSource.PROBE and row.accepted_by == superuser and row.report == finished
    assert "per path" in row.evidence
    entry = AuditEntry.objects.get(target="eAccounting contract setting rate_limit_bucket")
    assert entry.tenant is None and entry.user == superuser and "'resource' → 'path'" in entry.detail
    left = {r.key for r in findings.contradictions()}
    assert not left & set(accepted)


@pytest.mark.slow
def test_a_superuser_starts_a_probe_as_a_task(
    client, superuser, test_company, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    assert test_company.name in client.get(START).content.decode()
    refused = client.post(START, {"tenant": test_company.pk})  # not confirmed
    assert refused.status_code == 200 and not ProbeReport.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, {"tenant": test_company.pk, "confirm": "on"})
    report = ProbeReport.objects.get()
    assert response.status_code == 302 and report.status == ProbeReport.Status.QUEUED and not report.write
    assert OrmQ.objects.count() == 1  # queued for the cluster


def test_active_companies_are_not_offered(superuser, tenant_a):
    from portal.admin.probe import StartProbeForm

    tenant_a.is_active = True
    tenant_a.save()
    assert tenant_a not in StartProbeForm().fields["tenant"].queryset
