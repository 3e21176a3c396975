"""Optional two-factor login (django-otp, TOTP): codes computed from the device's key, as an authenticator app does."""

import logging
import time
from base64 import b32encode

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from integration.models import AuditEntry

pytestmark = pytest.mark.django_db
LOGIN = reverse("admin:login")
PAGE = reverse("two_factor")


def code(device):
    """The code an app shows for the next time step the device accepts (each step's code works once)."""
    device.refresh_from_db()
    now = int((time.time() - device.t0) // device.step)
    step = max(now + device.drift, device.last_t + 1)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, step - now):0{device.digits}d}"


def wrong(right):
    return f"{(int(right) + 1) % 10 ** len(right):0{len(right)}d}"


def log_in(client, username, otp_token=None):
    data = {"username": username, "password": f"pw-{username}"}
    if otp_token is not None:
        data["otp_token"] = otp_token
    return client.post(LOGIN, data)


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def failures(username):
    return sum(AccessAttempt.objects.filter(username=username).values_list("failures_since_start", flat=True))


@pytest.fixture
def device(owner_a):
    return TOTPDevice.objects.create(user=owner_a, name="Phone", confirmed=True)


# --- logging in ---------------------------------------------------------------------------


def test_without_a_device_username_and_password_are_enough(client, owner_a):
    page = client.get(LOGIN).content.decode()
    assert 'name="otp_token"' in page  # the field is there, for those who need it
    TOTPDevice.objects.create(user=owner_a, confirmed=False)  # a setup begun but not confirmed: not yet on
    response = log_in(client, "owner_a")
    assert response.status_code == 302
    assert logged_in_as(client) == str(owner_a.pk)
    assert client.get(reverse("admin:index")).status_code == 200


def test_with_a_device_the_login_needs_the_current_code(client, owner_a, device):
    response = log_in(client, "owner_a")
    assert response.status_code == 200 and logged_in_as(client) is None
    assert "enter the code from your authenticator app" in response.content.decode()
    assert 'value="pw-owner_a"' not in response.content.decode()  # the password is not sent back
    assert failures("owner_a") == 1  # a login without the code counts as failed

    response = log_in(client, "owner_a", code(device))
    assert response.status_code == 302
    assert logged_in_as(client) == str(owner_a.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse("admin:index")).status_code == 200
    assert failures("owner_a") == 0  # AXES_RESET_ON_SUCCESS


@pytest.mark.slow
def test_a_wrong_code_is_refused_and_counted(client, owner_a, device):
    right = code(device)
    response = log_in(client, "owner_a", wrong(right))
    assert response.status_code == 200 and logged_in_as(client) is None
    assert "That code is not right" in response.content.decode()
    assert failures("owner_a") == 1
    # django-otp's own throttling: right after a wrong code even the right one waits a second
    response = log_in(client, "owner_a", right)
    assert response.status_code == 200 and logged_in_as(client) is None
    time.sleep(1.1)
    assert log_in(client, "owner_a", code(device)).status_code == 302
    assert logged_in_as(client) == str(owner_a.pk)


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, owner_a, device, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "owner_a", wrong(code(device))).status_code == 200
    assert log_in(client, "owner_a", wrong(code(device))).status_code == 429  # the limit: locked out
    assert log_in(client, "owner_a", code(device)).status_code == 429  # even with the right code
    assert logged_in_as(client) is None


def test_a_session_that_gave_no_code_is_sent_to_the_login(client, owner_a, device):
    client.force_login(owner_a)  # e.g. a session opened before two-factor login was turned on
    for url in (reverse("admin:index"), PAGE, reverse("tenant_people", args=["a"])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(LOGIN), url


# --- the page: set up, confirm, turn off ----------------------------------------------------


def test_setting_up_and_confirming_turns_it_on(client, owner_a, caplog):
    log_in(client, "owner_a")
    page = client.get(PAGE).content.decode()
    assert 'data-state="off"' in page
    assert client.get(reverse("admin:index")).content.decode().count(f'href="{PAGE}"') == 1  # the user link

    assert client.post(PAGE, {"action": "setup"}).status_code == 302
    device = TOTPDevice.objects.get(user=owner_a)
    assert device.confirmed is False
    secret = b32encode(device.bin_key).decode()
    page = client.get(PAGE).content.decode()
    assert 'data-state="setup"' in page and secret in page
    assert f"otpauth://totp/Silta%3Aowner_a?secret={secret}" in page
    assert log_in(client.__class__(), "owner_a").status_code == 302  # not yet on: no code asked

    with caplog.at_level(logging.INFO, logger="portal.otp_views"):
        response = client.post(PAGE, {"action": "confirm", "code": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    page = client.get(PAGE).content.decode()  # the session that confirmed stays signed in
    assert 'data-state="on"' in page
    assert secret not in page and device.key not in page  # never shown again
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TURNED_ON_TWO_FACTOR)
    assert (entry.tenant, entry.user, entry.target) == (None, owner_a, "owner_a")
    assert "Two-factor login turned on for user owner_a" in caplog.text
    assert secret not in caplog.text + entry.detail and device.key not in caplog.text

    other = client.__class__()
    assert log_in(other, "owner_a").status_code == 200  # from now on the login asks for a code
    assert log_in(other, "owner_a", code(device)).status_code == 302


def test_a_wrong_code_does_not_confirm(client, owner_a):
    log_in(client, "owner_a")
    client.post(PAGE, {"action": "setup"})
    device = TOTPDevice.objects.get(user=owner_a)
    response = client.post(PAGE, {"action": "confirm", "code": wrong(code(device))})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    assert TOTPDevice.objects.get(user=owner_a).confirmed is False
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.TURNED_ON_TWO_FACTOR).exists()
    assert log_in(client.__class__(), "owner_a").status_code == 302  # still off


def test_setting_up_again_replaces_the_secret_and_cancel_removes_it(client, owner_a):
    log_in(client, "owner_a")
    client.post(PAGE, {"action": "setup"})
    first = TOTPDevice.objects.get(user=owner_a).key
    client.post(PAGE, {"action": "setup"})
    assert list(TOTPDevice.objects.filter(user=owner_a).values_list("key", flat=True)) != [first]
    assert TOTPDevice.objects.filter(user=owner_a).count() == 1
    client.post(PAGE, {"action": "cancel"})
    assert not TOTPDevice.objects.filter(user=owner_a).exists()


def test_turning_off_needs_a_current_code(client, owner_a, device, superuser):
    log_in(client, "owner_a", code(device))
    response = client.post(PAGE, {"action": "off", "code": ""})
    assert response.status_code == 200 and TOTPDevice.objects.filter(pk=device.pk).exists()
    client.post(PAGE, {"action": "setup"})  # on already: no second device, no new secret
    assert TOTPDevice.objects.filter(user=owner_a).count() == 1

    assert client.post(PAGE, {"action": "off", "code": code(device)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=owner_a).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TURNED_OFF_TWO_FACTOR)
    assert (entry.tenant, entry.user) == (None, owner_a)
    assert 'data-state="off"' in client.get(PAGE).content.decode()
    assert log_in(client.__class__(), "owner_a").status_code == 302  # username and password again
    trail = reverse("admin:integration_auditentry_changelist")
    assert (
        entry not in client.get(trail).context["cl"].result_list
    )  # not a company's entry: owners do not see it
    client.force_login(superuser)
    assert entry in client.get(trail).context["cl"].result_list


def test_a_wrong_code_does_not_turn_it_off(client, owner_a, device):
    log_in(client, "owner_a", code(device))
    response = client.post(PAGE, {"action": "off", "code": wrong(code(device))})
    assert response.status_code == 200 and "That code is not right" in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.TURNED_OFF_TWO_FACTOR).exists()


# --- each user only their own -------------------------------------------------------------


@pytest.mark.parametrize("who", ["member_b", "outsider"])
def test_nobody_else_sees_or_changes_a_users_device(client, three_users, device, who):
    pending = TOTPDevice.objects.create(user=three_users["owner_a"], name="Tablet", confirmed=False)
    client.force_login(three_users[who])
    page = client.get(PAGE).content.decode()
    assert 'data-state="off"' in page  # their own state, not owner_a's
    assert b32encode(pending.bin_key).decode() not in page and "owner_a" not in page
    client.post(PAGE, {"action": "off", "code": code(device)})
    client.post(PAGE, {"action": "confirm", "code": code(pending)})
    client.post(PAGE, {"action": "cancel"})
    client.post(PAGE, {"action": "setup"})  # makes their own device, leaves owner_a's alone
    assert TOTPDevice.objects.filter(user=three_users["owner_a"]).count() == 2
    assert (
        TOTPDevice.objects.get(pk=device.pk).confirmed and not TOTPDevice.objects.get(pk=pending.pk).confirmed
    )
    assert TOTPDevice.objects.filter(user=three_users[who], confirmed=False).count() == 1
    assert not AuditEntry.objects.filter(
        action__in=[AuditEntry.Action.TURNED_ON_TWO_FACTOR, AuditEntry.Action.TURNED_OFF_TWO_FACTOR]
    ).exists()


def test_the_device_admin_is_for_superusers_and_shows_no_key(client, owner_a, superuser, device):
    log_in(client, "owner_a", code(device))
    changelist = reverse("admin:otp_totp_totpdevice_changelist")
    assert client.get(changelist).status_code == 403
    assert client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).status_code == 403
    client.force_login(superuser)
    assert client.get(changelist).status_code == 200
    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert device.key not in change and b32encode(device.bin_key).decode() not in change
    assert client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk])).status_code == 403


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_login(client, owner_a, device, method):
    response = getattr(client, method)(PAGE, {"action": "off", "code": code(device)})
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
