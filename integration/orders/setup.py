"""At activation: the tenant's order settings (defaults) and the shop's delivery and payment methods."""

from django.utils import timezone

from .. import webshops
from ..eaccounting.client import EAccountingClient
from ..eaccounting.resources import read_field
from ..models import OrderSettings, Tenant
from . import reference


def prepare(tenant: Tenant) -> OrderSettings:
    """Orders from now on; the first terms of payment for new customers. A re-activation keeps both."""
    settings, created = OrderSettings.objects.get_or_create(
        tenant=tenant, defaults={"transfer_from": timezone.now()}
    )
    if created or not settings.terms_of_payment_id:
        terms = list(
            EAccountingClient(tenant.eaccounting_connection).listing("/termsofpayments", orderby=None)
        )
        if terms:
            settings.terms_of_payment_id = read_field(terms[0], "Id")
            settings.save(update_fields=["terms_of_payment_id"])
    reference.refresh_methods(tenant, webshops.for_connection(tenant.webshop_connection))
    return settings
