"""`manage.py books_check <tenant-slug> <YYYY-MM> [--csv FILE]`: the month's shop orders beside their eAccounting
documents, every difference listed. Reads both systems, writes to neither; exits 1 when anything differs."""

from django.core.management.base import BaseCommand, CommandError

from integration.models import Tenant
from integration.orders import books_check, books_reader


class Command(BaseCommand):
    help = "Compare a month's shop orders with their eAccounting documents (VAT per rate, totals, credits)."

    def add_arguments(self, parser):
        parser.add_argument("tenant", help="the company's slug")
        parser.add_argument("period", help="the month, YYYY-MM")
        parser.add_argument("--csv", metavar="FILE", help="also write the accountant's CSV here")

    def handle(self, *args, **options):
        tenant = Tenant.objects.filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No company with the slug {options['tenant']!r}.")
        try:
            books_reader.month_bounds(options["period"])
        except ValueError as exc:
            raise CommandError(f"{exc}: give the month as YYYY-MM, e.g. 2026-03.") from None

        def progress(done: int, total: int, what: str) -> None:
            self.stderr.write(f"[{done}/{total}] {what}")

        report = books_reader.read(tenant, options["period"], progress)
        rows = books_check.to_rows(report)
        if options["csv"]:
            with open(options["csv"], "w", encoding="utf-8", newline="") as f:
                f.write(books_check.to_csv(rows))
        differences = report.differences
        self.stdout.write(
            f"{tenant.name} {report.period}: {len(report.orders)} shop orders, "
            f"{len(report.unmatched)} documents without an order, {len(differences)} differences"
        )
        for line in differences:
            self.stdout.write(f"- {line}")
        if differences:
            raise SystemExit(1)
