"""`manage.py probe_eaccounting`: refuses without a confirmation, runs at the default limit within its bound,
and a probe started from the admin runs on a real django-q2 cluster."""

import io
import json
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from integration.models import ProbeReport
from integration.probe import run
from tests.fixtures.faults import child_env
from tests.fixtures.processes import spawn, stop

from ..conftest import connect_tenant


def test_refuses_without_a_confirmation(test_company, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nobody at the terminal to type yes
    with pytest.raises(CommandError, match="i-understand-this-is-a-test-company"):
        call_command("probe_eaccounting", "--tenant", test_company.slug, stdout=io.StringIO())
    assert not ProbeReport.objects.exists()


def test_refuses_an_active_company(test_company):
    test_company.is_active = True
    test_company.save()
    with pytest.raises(CommandError, match="is active"):
        call_command(
            "probe_eaccounting", "--tenant", test_company.slug, "--i-understand-this-is-a-test-company"
        )


@pytest.mark.slow
def test_a_read_only_run_at_the_default_limit(ea, db, settings, tmp_path):
    """Visma's published limit (600 a minute) in the sandbox and in Silta's settings: the burst's 601 requests."""
    settings.EACCOUNTING_RATE_LIMIT, settings.EACCOUNTING_RATE_WINDOW = 600, 60.0
    tenant = connect_tenant(ea, "probe", ea.companies()[0]).tenant
    second = connect_tenant(ea, "probe2", ea.control("POST", "companies", {"name": "Toinen Testi Oy"})).tenant
    out = io.StringIO()
    started = time.monotonic()
    call_command(
        "probe_eaccounting",
        "--tenant",
        tenant.slug,
        "--second-tenant",
        second.slug,
        "--i-understand-this-is-a-test-company",
        "--json",
        str(tmp_path / "probe.json"),
        stdout=out,
    )
    wall = time.monotonic() - started
    report = ProbeReport.objects.get()
    print(out.getvalue(), f"\nwall time {wall:.1f} s")
    assert report.status == ProbeReport.Status.DONE
    assert (
        601 < report.request_count <= run.bound(write=False)
        and report.request_count <= 600 + 5 + run.READ_REQUESTS
    )
    assert f"{report.request_count} requests" in out.getvalue()
    assert (
        "[rate_limit]: 600 (settled)" in out.getvalue()
        and "[rate_limit_key]: 'client' (settled)" in out.getvalue()
    )
    saved = json.loads((tmp_path / "probe.json").read_text())
    assert len(saved["exchanges"]) == report.request_count and saved["findings"] == report.findings


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_probe_started_from_the_admin_runs_on_the_cluster(client, django_user_model, probe_ea, settings):
    tenant = connect_tenant(probe_ea, "probe", probe_ea.companies()[0]).tenant
    root = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(root)
    response = client.post(
        reverse("admin:integration_probereport_start"), {"tenant": tenant.pk, "write": "on", "confirm": "on"}
    )
    assert response.status_code == 302
    cluster = spawn(
        "qcluster",
        env={
            **child_env(settings),
            "EACCOUNTING_RATE_LIMIT": str(settings.EACCOUNTING_RATE_LIMIT),
            "EACCOUNTING_RATE_WINDOW": str(settings.EACCOUNTING_RATE_WINDOW),
        },
    )
    try:
        deadline = time.monotonic() + 90
        while ProbeReport.objects.get().status in (ProbeReport.Status.QUEUED, ProbeReport.Status.RUNNING):
            assert time.monotonic() < deadline and cluster.poll() is None, "the cluster did not run the probe"
            time.sleep(0.3)
    finally:
        stop(cluster)
    report = ProbeReport.objects.get()
    assert report.status == ProbeReport.Status.DONE and report.write, report.error
    assert any("deactivated" in m for m in report.made)
    page = client.get(reverse("admin:integration_probereport_change", args=[report.pk])).content.decode()
    assert "PUT resets omitted fields" in page
