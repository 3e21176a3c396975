"""Token refresh: once across many processes; lost answers and revoked tokens end in "needs reconnect"."""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection as db
from django.utils import timezone

from integration.eaccounting.client import EAccountingClient
from integration.eaccounting.errors import NeedsReconnect
from integration.models import ConnectionStatus
from tests.fixtures.processes import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)

WORKER = """
import os, sys, time
from integration.models import EAccountingConnection
from integration.eaccounting.client import EAccountingClient
client = EAccountingClient(EAccountingConnection.objects.get(pk={pk}))
open(os.path.join({folder!r}, 'ready-' + str(os.getpid())), 'w').close()
while not os.path.exists(os.path.join({folder!r}, 'go')):
    time.sleep(0.005)
print('COMPANY', client.company_settings().name)
"""


def token_requests(ea):
    return [r for r in ea.control("GET", "requests") if r["path"] == "/connect/token"]


def expire(connection, ea):
    connection.access_token_expires_at = timezone.now()
    connection.save(update_fields=["access_token_expires_at"])
    ea.control("POST", "tokens/expire", {"all": True})
    ea.control("DELETE", "requests")


@pytest.mark.slow
def test_twenty_processes_with_an_expired_token_redeem_it_once(connection, ea, tmp_path):
    expire(connection, ea)
    old_refresh = connection.refresh_token
    env = {
        **os.environ,
        "DATABASE_URL": database_url(db.settings_dict),
        "EACCOUNTING_IDENTITY_URL": ea.base,
        "EACCOUNTING_API_URL": f"{ea.base}/v2",
    }
    code = WORKER.format(pk=connection.pk, folder=str(tmp_path))
    workers = [
        subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(20)
    ]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready-*"))) < 20 and time.monotonic() < deadline:
        assert all(w.poll() is None for w in workers), [
            w.communicate() for w in workers if w.poll() is not None
        ]
        time.sleep(0.1)
    (tmp_path / "go").touch()  # all at once
    outputs = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), [err for _, err in outputs if err][:1]
    assert all(f"COMPANY {connection.company_name}" in out for out, _ in outputs)

    redemptions = token_requests(ea)
    assert len(redemptions) == 1
    assert redemptions[0]["form"]["grant_type"] == "refresh_token"
    connection.refresh_from_db()
    assert connection.refresh_token != old_refresh  # the rotated token was saved
    assert connection.access_token_expires_at > timezone.now()


def test_a_lost_refresh_answer_ends_in_needs_reconnect_not_a_loop(connection, ea):
    expire(connection, ea)
    ea.settings(drop_token_response=1)  # the server rotates the token, the answer never arrives
    client = EAccountingClient(connection)
    with pytest.raises(NeedsReconnect):
        client.company_settings()
    assert len(token_requests(ea)) == 2  # the lost one, and one retry with the same token
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_RECONNECT
    assert "Connect eAccounting again" in connection.status_detail
    with pytest.raises(NeedsReconnect):
        EAccountingClient(connection).company_settings()
    assert len(token_requests(ea)) == 2  # no further token calls


def test_a_revoked_refresh_token_leads_to_needs_reconnect(connection, ea):
    ea.control("POST", "tokens/revoke", {"all": True})
    expire(connection, ea)
    with pytest.raises(NeedsReconnect):
        EAccountingClient(connection).company_settings()
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_RECONNECT
    for _ in range(3):
        with pytest.raises(NeedsReconnect):
            EAccountingClient(connection).company_settings()
    assert len(token_requests(ea)) == 1


def test_a_refused_access_token_is_replaced_once(connection, ea):
    ea.control("POST", "tokens/expire", {"all": True})  # the server expires it early; we think it's valid
    client = EAccountingClient(connection)
    assert client.company_settings().name == connection.company_name
    assert len([r for r in token_requests(ea)]) == 1


def test_needs_reconnect_emails_the_owners_once_and_pauses_the_tenants_jobs(
    connection, ea, mailoutbox, django_user_model
):
    from integration import tasks
    from integration.models import Membership

    tenant = connection.tenant
    owner = django_user_model.objects.create_user("omistaja", email="omistaja@example.fi")
    member = django_user_model.objects.create_user("jasen", email="jasen@example.fi")
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)
    Membership.objects.create(tenant=tenant, user=member, role=Membership.Role.MEMBER)
    tenant.is_active = True
    tenant.save()
    ea.control("POST", "tokens/revoke", {"all": True})
    expire(connection, ea)
    for _ in range(2):
        with pytest.raises(NeedsReconnect):
            EAccountingClient(connection).company_settings()
    assert [m.to for m in mailoutbox] == [["omistaja@example.fi"]]  # the owner, once
    assert "reconnect eAccounting" in mailoutbox[0].subject and tenant.name in mailoutbox[0].body
    tenant.refresh_from_db()
    assert tasks.sync_articles(tenant.pk) == "paused: eAccounting needs reconnecting"
    assert tasks.transfer_orders(tenant.pk) == "paused: eAccounting needs reconnecting"
    assert not tenant.sync_runs.exists()
