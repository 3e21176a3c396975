"""`manage.py probe_eaccounting --tenant <slug>`: settle eAccounting's unknowns on a test company (docs/probe.md).

Only ever on a company connected for it (Visma's developer sandbox company), never a customer's: the
burst throttles the installation's client for up to a minute, and --write makes test records there.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from integration.models import ConnectionStatus, ProbeReport, Tenant
from integration.probe import run, text

CONFIRM_FLAG = "--i-understand-this-is-a-test-company"


class Command(BaseCommand):
    help = "Probe eAccounting's undocumented behaviour on a test company and keep the evidence in a report."

    def add_arguments(self, parser):
        parser.add_argument(
            "--tenant", required=True, help="slug of the tenant connected to the test company"
        )
        parser.add_argument(
            "--second-tenant", help="slug of a second test company (settles the limit's scope)"
        )
        parser.add_argument("--write", action="store_true", help="also make, read back and undo test records")
        parser.add_argument(
            CONFIRM_FLAG,
            dest="confirmed",
            action="store_true",
            help="confirm the company is a test company, not a customer's",
        )
        parser.add_argument(
            "--json", help="also write the whole report (every request and answer) to this file"
        )

    def _tenant(self, slug: str) -> Tenant:
        tenant = Tenant.objects.filter(slug=slug).select_related("eaccounting_connection").first()
        if tenant is None:
            raise CommandError(f"No tenant {slug!r}. Create one and connect the test company to it first.")
        if (
            getattr(tenant, "eaccounting_connection", None) is None
            or tenant.eaccounting_connection.status != ConnectionStatus.CONNECTED
        ):
            raise CommandError(
                f"Tenant {slug!r} has no connected eAccounting company. Connect the test company first."
            )
        if tenant.is_active:
            raise CommandError(
                f"Tenant {slug!r} is active (a live integration): probe a separate test company."
            )
        return tenant

    def handle(self, *args, **o):
        tenant = self._tenant(o["tenant"])
        second = self._tenant(o["second_tenant"]) if o["second_tenant"] else None
        company = tenant.eaccounting_connection.company_name
        limit = run.bound(o["write"])
        self.stdout.write(
            f"Probing eAccounting company {company!r} ({'read and write' if o['write'] else 'read-only'}); "
            f"at most {limit} requests. The throttled burst uses this client's request budget for up "
            "to a minute."
        )
        if o["write"]:
            self.stdout.write(
                "--write makes an article SILTA-PROBE-…, a customer, an invoice and its credit there, "
                "and converts a webshop order if there is one."
            )
        if not o["confirmed"] and not self._asked_yes(company):
            raise CommandError(
                f"Not confirmed: run again with {CONFIRM_FLAG} for a test company, never a customer's."
            )
        report = run.start(
            tenant, write=o["write"], second_tenant=second, started_by="manage.py probe_eaccounting"
        )
        report = run.run(report)
        self.stdout.write(text.render(report))
        if o["json"]:
            data = {
                "id": report.pk,
                "company": report.company_name,
                "write": report.write,
                "status": report.status,
                "requests": report.request_count,
                "wall_seconds": report.wall_seconds,
                "findings": report.findings,
                "made": report.made,
                "exchanges": report.exchanges,
                "error": report.error,
            }
            Path(o["json"]).write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        if report.status != ProbeReport.Status.DONE:
            raise CommandError(f"The probe stopped: {report.error}")

    def _asked_yes(self, company: str) -> bool:
        try:
            answer = input(f"Is {company!r} a test company (not a customer's)? Type yes: ")
        except EOFError:
            return False
        return answer.strip().lower() == "yes"
