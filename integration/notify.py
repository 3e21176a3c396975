"""E-mails to a tenant's owners when a person must act: a connection that needs reconnecting."""

import logging

from django.conf import settings
from django.core.mail import send_mail

from .models import Membership, Tenant

log = logging.getLogger(__name__)


def owners_emails(tenant: Tenant) -> list[str]:
    owners = Membership.objects.filter(tenant=tenant, role=Membership.Role.OWNER).select_related("user")
    return sorted({m.user.email for m in owners if m.user.email and m.user.is_active})


def needs_reconnect(tenant: Tenant, system: str, detail: str) -> int:
    """Tell the owners once, when the connection turns to "needs reconnect"; its jobs pause until then."""
    recipients = owners_emails(tenant)
    if not recipients:
        log.warning("%s of %s needs reconnecting, but the tenant has no owner with an e-mail", system, tenant)
        return 0
    base = settings.SILTA_BASE_URL.rstrip("/")
    body = (
        f"Silta can no longer reach {system} for {tenant.name}: {detail}\n\n"
        f"Its sync jobs are paused until the connection is made again. Sign in and reconnect {system} "
        f"on the dashboard: {base}/\n"
    )
    return send_mail(f"Silta: reconnect {system} for {tenant.name}", body, None, recipients)
