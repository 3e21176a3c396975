"""Owners see their tasks, not a list of model names: the records are one menu away; superusers keep the index."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

APP_LIST = re.compile(r'<div class="app-\w+ module')  # Django's admin/app_list.html, one per app


def index(client, user, lang="en"):
    client.force_login(user)
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


def test_an_owners_index_has_no_model_list_but_a_menu_whose_links_open(client, owner_a, tenant_a):
    page = index(client, owner_a)
    assert not APP_LIST.search(page)
    menu = re.search(r'<nav class="module" id="all-records".*?</nav>', page, re.S).group(0)
    groups = re.findall(r'data-group="(\w+)"', menu)
    assert groups[:2] == ["orders", "visma_webshop"] and "runs" in groups and "company" in groups
    links = re.findall(r'<a href="([^"]+)">', menu)
    assert reverse("admin:integration_ordertransfer_changelist") in links
    assert reverse("admin:integration_syncrun_changelist") in links
    assert not [link for link in links if "/auth/" in link or "/django_q/" in link]  # superusers' only
    for link in links:
        assert client.get(link).status_code == 200, link
    # the company's own tasks are on the page: its people, Sync now or the set-up
    assert reverse("tenant_people", args=[tenant_a.slug]) in page


def test_the_menu_speaks_the_readers_language(client, owner_a, tenant_a):
    page = index(client, owner_a, "fi")
    with translation.override("fi"):
        assert "Kaikki tiedot" in page and "Synkronoinnit ja aikataulut" in page


def test_superusers_keep_the_full_index(client, superuser):
    page = index(client, superuser)
    assert APP_LIST.search(page)
    assert 'id="all-records"' not in page
