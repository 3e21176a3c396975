"""Connecting a tenant to an eAccounting company after the OAuth login: checks, then store."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ConnectionStatus, EAccountingConnection, Tenant
from . import oauth
from .client import EAccountingClient
from .errors import EAccountingError


class ConnectRefused(Exception):
    """The company picked cannot be connected to this tenant; the message says why."""


def connect_company(tenant: Tenant, tokens: oauth.TokenSet) -> EAccountingConnection:
    """Check the company the tokens belong to and store the connection, or store nothing."""
    try:
        company = EAccountingClient.with_token(tokens.access_token).company_settings()
    except EAccountingError as exc:
        _forget(tokens)
        raise ConnectRefused(
            _("Could not read the company's settings from eAccounting: %(error)s") % {"error": exc}
        ) from exc
    problem = _mismatch(tenant, company)
    if problem:
        _forget(tokens)
        raise ConnectRefused(problem)
    try:
        with transaction.atomic():
            connection, _created = EAccountingConnection.objects.select_for_update().get_or_create(
                tenant=tenant
            )
            connection.company_id = company.company_key
            connection.company_name = company.name
            connection.access_token = tokens.access_token
            connection.refresh_token = tokens.refresh_token
            connection.access_token_expires_at = tokens.expires_at
            connection.status = ConnectionStatus.CONNECTED
            connection.status_detail = ""
            connection.connected_at = timezone.now()
            connection.save()
    except IntegrityError as exc:  # another tenant took the company meanwhile
        _forget(tokens)
        raise ConnectRefused(_taken_message(company)) from exc
    return connection


def _mismatch(tenant, company):
    wanted = tenant.business_id.replace(" ", "")
    got = company.corporate_identity_number.replace(" ", "")
    if wanted and got != wanted:
        return _(
            "You picked “%(picked)s” (business ID %(got)s), but %(company)s has business ID %(wanted)s. "
            "Nothing was connected: sign in again and pick %(company)s’s company."
        ) % {"picked": company.name, "got": got or _("not set"), "company": tenant.name, "wanted": wanted}
    if EAccountingConnection.objects.filter(company_id=company.company_key).exclude(tenant=tenant).exists():
        return _taken_message(company)
    return None


def _taken_message(company):
    return _(
        "“%(picked)s” is already connected to another company in Silta. "
        "One eAccounting company can serve one Silta company; nothing was connected."
    ) % {"picked": company.name}


def _forget(tokens):
    """A refused login leaves nothing behind, not even a live token at Visma."""
    try:
        oauth.revoke(tokens.refresh_token)
    except Exception:  # best effort: the token is not stored anywhere
        pass
