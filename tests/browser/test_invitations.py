"""An owner invites a colleague; the colleague opens the e-mailed link, makes an account and is in the portal."""

import re

import pytest
from django.core import mail

from integration.models import Membership

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_invites_and_the_invitee_joins_through_the_link(
    browser, page, live_server, settings, tenant_a, tenant_b, owner_a
):
    settings.SILTA_BASE_URL = live_server.url
    log_in(page, live_server.url, "owner_a", "pw-owner_a")
    page.click("tr[data-tenant=a] th a")  # the company's page
    page.click("a.tenant-people")
    page.click("a.invite-colleague")
    page.fill("#id_email", "uusi.kollega@example.fi")
    page.select_option("#id_role", "member")
    page.click("#invite-form input[type=submit]")
    page.wait_for_selector("tr.invitation[data-email='uusi.kollega@example.fi']")
    assert "An invitation was e-mailed" in page.locator(".messagelist").inner_text()

    [message] = mail.outbox
    link = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    assert link.startswith(live_server.url)

    invitee = browser.new_context()  # another person, another browser
    try:
        other = invitee.new_page()
        other.set_default_timeout(15_000)
        other.goto(link)
        assert "Company A" in other.locator("#content-main").inner_text()
        other.fill("#id_username", "kollega")
        other.fill("#id_password1", "Kahvila-Aurinko-42")
        other.fill("#id_password2", "Kahvila-Aurinko-42")
        other.click("#accept-form input[type=submit]")
        other.wait_for_selector("#tenants-dashboard")
        assert "Welcome to Company A" in other.locator(".messagelist").inner_text()
        rows = other.locator("#tenants-dashboard tr.tenant-row")
        assert rows.count() == 1 and rows.first.get_attribute("data-tenant") == "a"
        assert "Company B" not in other.content()
        other.goto(link)  # the link worked once
        assert "already been used" in other.locator("#content-main").inner_text()
    finally:
        invitee.close()
    assert Membership.objects.get(user__username="kollega").role == Membership.Role.MEMBER
