"""Offboarding a tenant: deactivating (the data stays) or deleting it from Silta.

Deactivating removes Silta's webhooks from the shop (Visma Verkkokauppa has none: nothing to ask),
stops the tenant's schedules and revokes its eAccounting tokens. A shop that refuses stops it before
anything else changes, so the tenant stays active and can try again. A revocation eAccounting does
not confirm (no answer, or refused) does not stop it: the tokens are deleted from Silta anyway, so
Silta cannot use them, and the outcome (the page, the audit trail) says the revocation was not
confirmed; Visma may accept them until they expire. Deleting runs the same first, then deletes the tenant with everything of it in
Silta (the cascade, its own audit trail included); nothing is deleted in eAccounting or the shop.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django_q.models import Schedule

from integration.people import audit
from integration.scheduling import schedules
from integration.webshops import setup as webshop_setup

from ..eaccounting import oauth
from ..eaccounting.errors import EAccountingError
from ..models import ConnectionStatus, EAccountingConnection, Tenant, WebshopConnection
from ..webshops.base import WebshopError

log = logging.getLogger(__name__)

DISCONNECTED = "Disconnected when the integration was deactivated: connect eAccounting again to activate."


@dataclass(frozen=True)
class Plan:
    """What offboarding will do, for the confirmation page (read from the database only)."""

    is_active: bool
    eaccounting: str  # the company whose tokens are revoked; "" when Silta holds no tokens
    shop: str  # the shop Silta's webhooks are removed from; "" when there is none to ask
    webhooks: int  # how many Silta registered there (one per topic) while the integration is active
    jobs: int  # scheduled jobs that stop


def plan(tenant: Tenant) -> Plan:
    ea = EAccountingConnection.objects.filter(tenant=tenant).first()
    has_tokens = ea is not None and bool(ea.refresh_token or ea.access_token)
    shop = _shop_to_ask(tenant)
    return Plan(
        is_active=tenant.is_active,
        eaccounting=(ea.company_name or "eAccounting") if ea is not None and has_tokens else "",
        shop=shop.base_url if shop else "",
        webhooks=len(webshop_setup.WEBHOOK_TOPICS) if shop and tenant.is_active else 0,
        jobs=Schedule.objects.filter(name__startswith=f"silta:{tenant.pk}:").count(),
    )


def _shop_to_ask(tenant):
    """The shop connection whose webhooks to remove, or None: Visma Verkkokauppa has no webhooks
    (nor a URL), and a shop whose keys never arrived never got any."""
    shop = WebshopConnection.objects.filter(tenant=tenant).first()
    if shop is None or shop.platform == WebshopConnection.Platform.VISMA_WEBSHOP or not shop.api_key:
        return None
    return shop


@dataclass(frozen=True)
class Revocation:
    had_tokens: bool
    confirmed: bool = False
    problem: str = ""

    def words(self) -> str:
        if not self.had_tokens:
            return "no eAccounting tokens were stored"
        if self.confirmed:
            return "eAccounting tokens revoked and deleted from Silta"
        return (
            f"eAccounting did not confirm the revocation ({self.problem}); the tokens were deleted from Silta "
            "but Visma may accept them until they expire"
        )

    def shown(self) -> str:
        """words() in the user's language, for the page (words() goes into the audit trail as written)."""
        if not self.had_tokens:
            return _("no eAccounting tokens were stored")
        if self.confirmed:
            return _("eAccounting tokens revoked and deleted from Silta")
        return _(
            "eAccounting did not confirm the revocation (%(problem)s); the tokens were deleted from Silta "
            "but Visma may accept them until they expire"
        ) % {"problem": self.problem}


@dataclass(frozen=True)
class Outcome:
    webhooks_removed: int
    jobs_stopped: int
    revocation: Revocation
    shop_problem: str = ""  # an inactive tenant's shop that could not be asked

    def detail(self) -> str:
        shop = f"{self.webhooks_removed} webhook(s) removed from the shop"
        if self.shop_problem:
            shop = f"{shop} ({self.shop_problem})"
        return f"{shop}; {self.jobs_stopped} scheduled job(s) stopped; {self.revocation.words()}"

    def shown(self) -> str:
        """detail() in the user's language, for the page's message."""
        shop = _("%(n)s webhook(s) removed from the shop") % {"n": self.webhooks_removed}
        if self.shop_problem:
            shop = f"{shop} ({self.shop_problem})"
        jobs = _("%(n)s scheduled job(s) stopped") % {"n": self.jobs_stopped}
        return f"{shop}; {jobs}; {self.revocation.shown()}"


def deactivate(tenant: Tenant) -> Outcome:
    """Stop the integration and end Silta's access to eAccounting; the data stays.

    Raises WebshopError, with nothing changed but perhaps some webhooks gone, when an active
    tenant's shop refuses."""
    removed, shop_problem = _remove_webhooks(tenant)
    stopped = schedules.remove(tenant.pk)
    Tenant.objects.filter(pk=tenant.pk).update(is_active=False)
    tenant.is_active = False
    return Outcome(removed, stopped, revoke_eaccounting(tenant), shop_problem)


def _remove_webhooks(tenant):
    """An active tenant's shop must answer. An inactive tenant's has none of Silta's webhooks unless
    an activation failed halfway: it is asked too, but its refusal (a shop gone for good) only noted."""
    if _shop_to_ask(tenant) is None:
        return 0, ""
    try:
        return webshop_setup.remove_webhooks(tenant), ""
    except WebshopError as exc:
        if tenant.is_active:
            raise
        return 0, f"the shop could not be asked to remove any left: {exc}"


def revoke_eaccounting(tenant: Tenant) -> Revocation:
    """Revoke the tokens at Visma and delete them here; the connection becomes *not connected*.

    Under the connection's row lock: a job refreshing the tokens meanwhile finishes first, and the
    pair revoked is the newest one."""
    with transaction.atomic():
        connection = EAccountingConnection.objects.select_for_update().filter(tenant=tenant).first()
        if connection is None or not (connection.refresh_token or connection.access_token):
            return Revocation(had_tokens=False)
        try:
            oauth.revoke(connection.refresh_token, connection.access_token)
        except EAccountingError as exc:
            revocation = Revocation(had_tokens=True, problem=str(exc))
        else:
            revocation = Revocation(had_tokens=True, confirmed=True)
        connection.access_token = connection.refresh_token = ""
        connection.access_token_expires_at = None
        connection.status = ConnectionStatus.NOT_CONNECTED
        connection.status_detail = DISCONNECTED
        connection.save(
            update_fields=[
                "access_token",
                "refresh_token",
                "access_token_expires_at",
                "status",
                "status_detail",
            ]
        )
    return revocation


def offboard(tenant: Tenant, user) -> Outcome:
    """Deactivate and record it: the deactivation with its outcome, and the revocation."""
    was_active = tenant.is_active
    outcome = deactivate(tenant)
    if was_active:
        audit.record(tenant, user, audit.Action.DEACTIVATED, tenant.name, outcome.detail())
    if outcome.revocation.had_tokens:
        ea = tenant.eaccounting_connection
        audit.record(
            tenant,
            user,
            audit.Action.REVOKED_EACCOUNTING,
            f"eAccounting {ea.company_name}".strip(),
            outcome.revocation.words(),
        )
    return outcome


def delete(tenant: Tenant, user, where: str) -> Outcome:
    """Offboard, then delete the tenant and everything of it from Silta.

    The tenant's own trail goes with it, so the deletion is logged and recorded as an
    installation-level entry (no tenant; superusers see it). `where`: e.g. "the offboarding page"."""
    name, slug, pk = tenant.name, tenant.slug, tenant.pk
    outcome = offboard(tenant, user)
    detail = (
        f"Deleted with all of its data in Silta ({where}); nothing was deleted in eAccounting or the shop. "
        f"Before: {outcome.detail()}"
    )
    with transaction.atomic():  # the entry stands only if the tenant really went
        audit.record(None, user, audit.Action.DELETED_TENANT, f"{name} ({slug})", detail)
        tenant.delete()
    log.info(
        "Tenant %s (%s, id %s) deleted by %s: %s",
        name,
        slug,
        pk,
        user.get_username() if user else "system",
        detail,
    )
    return outcome
