"""E-mails to a tenant's owners when a person must act: a connection that needs reconnecting."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from integration.models import Membership, Tenant

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
    # Sent from a task, in the active language: the installation's LANGUAGE_CODE (no per-user choice is stored).
    words = {"system": system, "company": tenant.name, "detail": detail, "url": f"{base}/"}
    body = (
        _(
            "Silta can no longer reach %(system)s for %(company)s: %(detail)s\n\n"
            "Its sync jobs are paused until the connection is made again. Sign in and reconnect %(system)s "
            "on the dashboard: %(url)s\n"
        )
        % words
    )
    return send_mail(_("Silta: reconnect %(system)s for %(company)s") % words, body, None, recipients)
