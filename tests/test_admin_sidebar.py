"""The admin's left sidebar on every admin page: owners and members see their records grouped as on the
dashboard's "All records" menu (portal/admin/records_menu.py), in their language; superusers keep Django's
list of every model. Nobody sees a model they cannot open."""

import re

import pytest

pytestmark = pytest.mark.django_db

PAGE = "/integration/ordertransfer/"


def sidebar(client, user, lang="en") -> str:
    client.force_login(user)
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE=lang)
    html = response.content.decode()
    found = re.search(r'<nav class="sticky" id="nav-sidebar".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def captions(html: str) -> list[str]:
    return [c.strip() for c in re.findall(r"<caption>\s*(.*?)\s*</caption>", html, re.S)]


def test_an_owner_sees_the_grouped_menu_not_the_model_list(client, owner_a):
    html = sidebar(client, owner_a)
    assert captions(html)[:2] == ["Orders", "Visma Verkkokauppa"]
    assert "Syncs and schedules" in captions(html)
    assert 'class="app-integration module' not in html  # Django's one block of every model is gone
    assert 'href="/integration/ordertransfer/" aria-current="page"' in html  # where they are
    assert 'id="nav-filter"' in html  # Django's filter still works on the menu's rows


@pytest.mark.parametrize(
    "lang, orders, runs",
    [("fi", "Tilaukset", "Synkronoinnit ja aikataulut"), ("sv", "Order", "Synkroniseringar och scheman")],
)
def test_the_menu_speaks_the_owners_language(client, owner_a, lang, orders, runs):
    html = sidebar(client, owner_a, lang)
    assert orders in captions(html) and runs in captions(html)
    assert "Orders" not in captions(html)


def test_a_member_of_another_company_sees_the_same_menu_and_only_its_own_rows(client, member_b, owner_a):
    html = sidebar(client, member_b)
    assert "Orders" in captions(html)
    assert captions(html) == captions(
        sidebar(client, owner_a)
    )  # the menu is the models, not a company's data
    assert 'class="app-integration module' not in html


def test_an_outsider_gets_no_menu_of_records(client, outsider):
    html = sidebar(client, outsider)
    assert "/integration/ordertransfer/" not in html


def test_a_superuser_keeps_djangos_sidebar(client, superuser):
    html = sidebar(client, superuser)
    assert 'class="app-integration module' in html
    assert "sidebar-group" not in html
    assert 'class="app-auth module' in html  # users and groups: the installation's own
