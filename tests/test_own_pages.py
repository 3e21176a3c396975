"""Silta's own pages where Django's admin has stock ones: after logging out, a failed login and a
refused page (403) speak to a company's people, in their language, with a way back."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEXTS = {
    "en": {
        "logged_out": "You have logged out of Silta",
        "again": "Log in again",
        "wrong": "The user name or password is wrong.",
        "forbidden": "You may not open this page",
        "back": "Back to the front page",
    },
    "fi": {
        "logged_out": "Olet kirjautunut ulos Siltasta",
        "again": "Kirjaudu uudelleen",
        "wrong": "Käyttäjätunnus tai salasana on väärin.",
        "forbidden": "Sinulla ei ole oikeutta avata tätä sivua",
        "back": "Takaisin etusivulle",
    },
    "sv": {
        "logged_out": "Du har loggat ut från Silta",
        "again": "Logga in igen",
        "wrong": "Användarnamnet eller lösenordet är fel.",
        "forbidden": "Du får inte öppna den här sidan",
        "back": "Tillbaka till startsidan",
    },
}
LANGS = list(TEXTS)


@pytest.mark.parametrize("lang", LANGS)
def test_logging_out_shows_silta_s_page_with_a_way_back(client, owner_a, lang):
    client.force_login(owner_a)
    response = client.post(reverse("admin:logout"), headers={"accept-language": lang})
    page = response.content.decode()
    assert response.status_code == 200
    assert TEXTS[lang]["logged_out"] in page and TEXTS[lang]["again"] in page
    assert reverse("admin:login") in page
    assert "quality time" not in page and "Silta" in page


@pytest.mark.parametrize("lang", LANGS)
def test_a_wrong_password_says_so_without_staff_accounts(client, owner_a, lang):
    response = client.post(
        reverse("admin:login"),
        {"username": "owner_a", "password": "wrong"},
        headers={"accept-language": lang},
    )
    page = response.content.decode()
    assert TEXTS[lang]["wrong"] in page
    assert (
        "staff" not in page.lower() and "henkilökunta" not in page.lower() and "personal" not in page.lower()
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_forbidden_admin_page_is_silta_s_403_page(client, superuser, lang):
    client.force_login(superuser)
    # a sync run is a record: nobody adds one by hand (portal/admin/records.py)
    response = client.get(reverse("admin:integration_syncrun_add"), headers={"accept-language": lang})
    page = response.content.decode()
    assert response.status_code == 403
    assert TEXTS[lang]["forbidden"] in page and TEXTS[lang]["back"] in page
    assert reverse("admin:index") in page and 'id="site-name"' in page  # Silta's header
