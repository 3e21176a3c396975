"""Erase one customer's e-mail and the personal data tied to it from Silta's tables:
`manage.py erase_customer <email> [--tenant <slug>] [--dry-run]`."""

from django.core.management.base import BaseCommand, CommandError

from integration.models import Tenant
from integration.privacy import erasure


class Command(BaseCommand):
    help = (
        "Erase a customer's e-mail, and the name tied to it, from every table Silta writes (all tenants, "
        "or --tenant's only), and say per table what was erased. eAccounting and the shop are not touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--tenant", metavar="SLUG", help="only this company's records")
        parser.add_argument("--dry-run", action="store_true", help="show what would be erased, erase nothing")

    def handle(self, *args, email, tenant, dry_run, **options):
        company = None
        if tenant:
            company = Tenant.objects.filter(slug=tenant).first()
            if company is None:
                raise CommandError(f"No company with the slug {tenant!r}.")
        try:
            report = erasure.erase(email, company, dry_run=dry_run, username="manage.py erase_customer")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        verb = "would be erased" if dry_run else "erased"
        where = company.name if company else "every company"
        # never the e-mail itself: the output may end up in a log
        self.stdout.write(f"The customer's data in Silta's records of {where}:")
        for line in report.lines() or ["nothing was found"]:
            self.stdout.write(f"  {line} {verb}" if ":" in line else f"  {line}")
        kept = sum(report.orders_kept.values())
        if kept:
            self.stdout.write(
                f"  {kept} order records of this customer kept: order numbers, totals and eAccounting "
                "ids only, no personal data (every order stays transferred exactly once)"
            )
        self.stdout.write(erasure.NOT_ERASED_THERE)
        self.stdout.write(self.style.SUCCESS("Dry run: nothing was changed." if dry_run else "Done."))
