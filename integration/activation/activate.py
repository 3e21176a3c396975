"""*Yes*: save the pre-flight's defaults, register the shop's webhooks, mark the tenant active."""

from django.db import transaction
from django.utils import timezone

from integration.scheduling import schedules
from integration.webshops import setup as webshop_setup

from ..models import ArticleTemplate, TaxClassMapping, Tenant
from ..orders import setup as orders_setup
from .offboarding import deactivate  # noqa: F401  (its counterpart; offboarding.py does the whole of it)
from .preflight import Preflight


class ActivationRefused(Exception):
    pass


def activate(tenant: Tenant, preflight: Preflight) -> None:
    if not preflight.ok:
        raise ActivationRefused(" ".join(preflight.blockers))
    webshop_setup.register_webhooks(tenant)  # before the commit: a shop that refuses stops activation
    orders_setup.prepare(tenant)  # the shop's delivery and payment methods, for their templates
    with transaction.atomic():
        # get_or_create: a re-activation keeps what the admin has changed since.
        for rate, tax_class in preflight.tax_classes.items():
            TaxClassMapping.objects.get_or_create(
                tenant=tenant, vat_rate=rate, defaults={"tax_class": tax_class}
            )
        for t in preflight.templates:
            ArticleTemplate.objects.get_or_create(
                tenant=tenant,
                kind=t.kind,
                vat_rate=t.vat_rate,
                defaults={
                    "coding_id": t.coding_id,
                    "coding_name": t.coding_name,
                    "unit_id": t.unit_id,
                    "unit_name": t.unit_name,
                    "is_stock": t.is_stock,
                },
            )
        tenant.is_active = True
        tenant.activated_at = timezone.now()
        tenant.save(update_fields=["is_active", "activated_at"])
        schedules.ensure(tenant)


def activate_visma_webshop(tenant: Tenant, preflight: Preflight) -> None:
    """*Yes* for a Visma Verkkokauppa tenant: no webhooks or shop settings; rules come with their preview."""
    from ..models import VismaWebshopSettings

    if not preflight.ok:
        raise ActivationRefused(" ".join(preflight.blockers))
    with transaction.atomic():
        VismaWebshopSettings.objects.get_or_create(tenant=tenant)
        tenant.is_active = True
        tenant.activated_at = timezone.now()
        tenant.save(update_fields=["is_active", "activated_at"])
        schedules.ensure(tenant)
