"""The small JSON answers pages poll while something runs (portal/live_views.py); who may ask is in
tests/test_portal_views_isolation.py."""

import pytest
from django.urls import reverse

from integration.models import FirstSync

pytestmark = pytest.mark.django_db


def test_the_first_sync_page_asks_while_busy_and_the_answer_says_when_it_is_done(client, owner_a, tenant_a):
    first = FirstSync.objects.create(tenant=tenant_a, status=FirstSync.Status.PREPARING)
    client.force_login(owner_a)
    page = client.get(reverse("first_sync", args=[tenant_a.slug])).content.decode()
    url = reverse("first_sync_status", args=[tenant_a.slug])
    assert f'data-live-url="{url}"' in page and "portal/live.js" in page
    assert 'http-equiv="refresh"' not in page  # no reload every 2 seconds any more
    answer = client.get(url).json()
    assert answer["done"] is False and answer["texts"] == {
        "#first-sync-status strong": "Preparing the preview"
    }

    FirstSync.objects.filter(pk=first.pk).update(status=FirstSync.Status.PREVIEW)
    answer = client.get(url, HTTP_ACCEPT_LANGUAGE="fi").json()
    assert answer["done"] is True and answer["status"] == "preview"
    page = client.get(reverse("first_sync", args=[tenant_a.slug])).content.decode()
    assert "data-live-url" not in page  # nothing runs: nothing to ask
