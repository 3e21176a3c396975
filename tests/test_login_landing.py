"""Where a login lands, and how long it lasts."""

from django.conf import settings
from django.urls import reverse


def test_a_refused_next_lands_on_the_dashboard(client, owner_a):
    response = client.post(
        reverse("admin:login") + "?next=https://evil.example/steal",
        {"username": "owner_a", "password": "pw-owner_a", "next": "https://evil.example/steal"},
    )
    assert response.status_code == 302 and response.url == reverse("admin:index")
    assert client.get(response.url).status_code == 200


def test_a_login_without_next_lands_on_the_dashboard(client, owner_a):
    from django.contrib.auth.views import LoginView

    assert LoginView().get_default_redirect_url() == reverse("admin:index")


def test_a_login_lasts_twelve_hours_by_default(client, owner_a):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    client.post(reverse("admin:login"), {"username": "owner_a", "password": "pw-owner_a"})
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 12 * 3600
