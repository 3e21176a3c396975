"""A valid access token for a tenant's eAccounting, refreshing it at most once at a time.

Refresh tokens rotate and are single-use, so two workers must never redeem the same
one: the refresh happens under a row lock, re-reading the token after the lock is
taken, and the new pair is saved in the same transaction it arrived in.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from integration.people import notify

from ..models import ConnectionStatus, EAccountingConnection
from . import oauth
from .errors import NeedsReconnect, OutcomeUnknown

EXPIRY_MARGIN = timedelta(seconds=60)  # refresh a little early: requests take time


def _usable(connection, rejected_token):
    return (
        connection.access_token
        and connection.access_token != rejected_token
        and connection.access_token_expires_at
        and connection.access_token_expires_at > timezone.now() + EXPIRY_MARGIN
    )


def _require_connected(connection):
    if connection.status != ConnectionStatus.CONNECTED:
        raise NeedsReconnect(
            f"eAccounting is not connected for {connection.tenant}: {connection.get_status_display()}. "
            + (connection.status_detail or "Connect eAccounting again."),
        )


def access_token(connection_id, rejected_token=None) -> str:
    """The current access token; pass `rejected_token` after a 401 to force a new one."""
    connection = EAccountingConnection.objects.get(pk=connection_id)
    _require_connected(connection)
    if _usable(connection, rejected_token):
        return connection.access_token
    return _refresh(connection_id, rejected_token)


def _refresh(connection_id, rejected_token):
    failure = None
    with transaction.atomic():
        connection = EAccountingConnection.objects.select_for_update().get(pk=connection_id)
        _require_connected(connection)
        if _usable(connection, rejected_token):
            return connection.access_token  # another worker refreshed while we waited for the lock
        try:
            tokens = _redeem(connection.refresh_token)
        except NeedsReconnect as exc:
            connection.status = ConnectionStatus.NEEDS_RECONNECT
            connection.status_detail = str(exc)
            connection.save(update_fields=["status", "status_detail"])
            detail = str(exc)
            transaction.on_commit(lambda: notify.needs_reconnect(connection.tenant, "eAccounting", detail))
            failure = exc
        else:
            connection.access_token = tokens.access_token
            connection.refresh_token = tokens.refresh_token or connection.refresh_token
            connection.access_token_expires_at = tokens.expires_at
            connection.save(update_fields=["access_token", "refresh_token", "access_token_expires_at"])
            return tokens.access_token
    raise failure  # after the commit, so "needs reconnect" is saved


def _redeem(refresh_token):
    """Redeem once; if the answer was lost, try the same token once more.

    A server with a grace period answers again; a strict one says invalid_grant,
    which ends in "needs reconnect" rather than a silent loop.
    """
    try:
        return oauth.refresh(refresh_token)
    except OutcomeUnknown:
        try:
            return oauth.refresh(refresh_token)
        except OutcomeUnknown as exc:
            raise OutcomeUnknown(
                "The eAccounting login server did not answer twice; the next job will try again."
            ) from exc
