"""Demo data: a superuser, four companies and their owners. Safe to run again."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from integration.models import ConnectionStatus, EAccountingConnection, Membership, Tenant, WebshopConnection

DEMO_PASSWORD = "silta-demo"
DEMO_TENANTS = [
    # (name, slug, business ID, owner username): the first two companies of the eAccounting sandbox's demo
    # user, so "Connect eAccounting" in the demo succeeds when the matching company is picked.
    ("Kahvila Aurinko Oy", "kahvila-aurinko", "2345678-0", "aurinko"),
    ("Puuseppä Virtanen Tmi", "puuseppa-virtanen", "1572860-0", "virtanen"),
    # the third sells through Visma Verkkokauppa: its webshop needs nothing but eAccounting
    ("Tekniikkatalo Oy", "tekniikkatalo", "0737546-2", "tekniikka"),
    # the fourth sells through Shopify: its owner connects the store by installing Silta's app (not connected
    # here: the install is the demo's walk); rundemo adds its eAccounting company to the sandbox
    ("Kahvila Kaski Oy", "kahvila-kaski", "3141593-8", "kaski"),
]
VISMA_WEBSHOP_TENANTS = {"tekniikkatalo"}


class Command(BaseCommand):
    help = "Create the demo superuser (admin), four demo companies and their owners."

    def handle(self, *args, **options):
        User = get_user_model()
        admin, _ = User.objects.update_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.com"}
        )
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        for name, slug, business_id, owner_name in DEMO_TENANTS:
            tenant, _ = Tenant.objects.update_or_create(
                slug=slug, defaults={"name": name, "business_id": business_id}
            )
            EAccountingConnection.objects.get_or_create(tenant=tenant)
            if slug in VISMA_WEBSHOP_TENANTS:
                WebshopConnection.objects.get_or_create(
                    tenant=tenant,
                    defaults={
                        "platform": WebshopConnection.Platform.VISMA_WEBSHOP,
                        "status": ConnectionStatus.CONNECTED,
                    },
                )
            else:
                WebshopConnection.objects.get_or_create(tenant=tenant)
            owner, _ = User.objects.update_or_create(
                username=owner_name, defaults={"is_staff": True, "email": f"{owner_name}@example.com"}
            )
            owner.set_password(DEMO_PASSWORD)
            owner.save()
            Membership.objects.update_or_create(
                tenant=tenant, user=owner, defaults={"role": Membership.Role.OWNER}
            )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
