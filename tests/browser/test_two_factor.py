"""A user turns on two-factor login from the user links, with the key the page shows; the next login asks for a code."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret, later=0):
    """What an authenticator app shows for the key (30-second steps, 6 digits: the otpauth:// defaults)."""
    return f"{totp(b32decode(secret), drift=later):06d}"


def test_turning_on_two_factor_login_in_the_browser(browser, page, live_server, owner_a):
    log_in(page, live_server.url, "owner_a", "pw-owner_a")
    page.click("#two-factor-link")
    page.click("#setup-form button[value=setup]")
    secret = page.locator("#otp-secret").inner_text()
    assert page.locator("#otp-uri").inner_text().startswith("otpauth://totp/Silta%3Aowner_a?secret=")
    page.fill("#id_code", app_code(secret))
    page.click("#confirm-form button[value=confirm]")
    page.wait_for_selector("#content-main[data-state=on]")
    assert secret not in page.content()

    other = browser.new_context()  # a new login, elsewhere
    try:
        login = other.new_page()
        login.set_default_timeout(15_000)
        log_in(login, live_server.url, "owner_a", "pw-owner_a")
        assert "enter the code from your authenticator app" in login.locator(".errornote").inner_text()
        login.fill("#id_username", "owner_a")
        login.fill("#id_password", "pw-owner_a")
        login.fill("#id_otp_token", app_code(secret, later=1))  # the confirming step's code is used up
        login.click("input[type=submit]")
        login.wait_for_selector("#tenants-dashboard")
    finally:
        other.close()
