"""The Visma Verkkokauppa page and connection: who may do what, and what each answer does."""

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from integration import tasks
from integration.models import AuditEntry, Membership, VismaWebshopSettings, WebshopConnection
from integration.visma_webshop import availability
from integration.visma_webshop.availability_plan import Rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(shop, django_user_model):
    owner = django_user_model.objects.create_user("omistaja", password="pw", is_staff=True)
    member = django_user_model.objects.create_user("jasen", password="pw", is_staff=True)
    Membership.objects.create(tenant=shop.tenant, user=owner, role=Membership.Role.OWNER)
    Membership.objects.create(tenant=shop.tenant, user=member, role=Membership.Role.MEMBER)
    return owner, member


def _post(client, shop, **data):
    return client.post(reverse("visma_webshop", args=[shop.tenant.slug]), data)


@pytest.mark.parametrize("action", ["preview", "apply", "release", "convert_on", "convert_off"])
def test_a_member_sees_the_page_but_cannot_act(client, shop, people, action):
    client.force_login(people[1])
    assert client.get(reverse("visma_webshop", args=[shop.tenant.slug])).status_code == 200
    assert _post(client, shop, action=action, understood="on", turn_off="on").status_code == 403
    assert not AuditEntry.objects.filter(tenant=shop.tenant).exists()


def test_conversion_is_switched_on_only_with_the_box_ticked(client, shop, people):
    client.force_login(people[0])
    _post(client, shop, action="convert_on")
    assert not VismaWebshopSettings.objects.get(tenant=shop.tenant).convert_orders
    _post(client, shop, action="convert_on", understood="on")
    settings = VismaWebshopSettings.objects.get(tenant=shop.tenant)
    assert settings.convert_orders and settings.convert_orders_since is not None
    entry = AuditEntry.objects.get(tenant=shop.tenant, action=AuditEntry.Action.SWITCHED_CONVERSION)
    assert entry.username == "omistaja" and entry.detail.startswith("On")


def test_apply_enqueues_the_preview_it_was_shown_and_is_audited(
    client, shop, people, django_capture_on_commit_callbacks
):
    client.force_login(people[0])
    _post(client, shop, action="preview", only_active="on", exclude_services="on")
    shown = VismaWebshopSettings.objects.get(tenant=shop.tenant).preview
    assert shown["rules"]["only_active"] is True and "changes" in shown
    turn_offs = [c for c in shown["changes"] if not c["available"]]
    assert turn_offs  # the demo company has inactive and service articles for sale
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, shop, action="apply")  # refused without the box: nothing queued
    assert not OrmQ.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, shop, action="apply", turn_off="on")
    assert response.status_code == 302
    queued = [q.task for q in OrmQ.objects.all()]
    assert [(t["func"], t["args"]) for t in queued] == [
        (tasks.apply_availability.path, (shop.tenant.pk, True, shown["at"]))
    ]
    assert (
        AuditEntry.objects.filter(tenant=shop.tenant, action=AuditEntry.Action.APPLIED_AVAILABILITY).count()
        == 1
    )


def test_releasing_held_articles_is_audited(client, shop, people):
    shown = availability.preview(shop.tenant, Rules())
    availability.apply_preview(shop.tenant, turn_off=True, preview_at=shown["at"])
    number = sorted(shop.articles())[0]
    shop.edit(number, SendToWebshop=not shop.articles()[number]["SendToWebshop"])
    availability.keep(shop.tenant)
    client.force_login(people[0])
    _post(client, shop, action="release")
    entry = AuditEntry.objects.get(tenant=shop.tenant, action=AuditEntry.Action.RELEASED_AVAILABILITY)
    assert entry.target == "1 article(s)"


def test_choosing_visma_webshop_needs_no_address_and_is_refused_while_woocommerce_is_active(
    client, tenant_a, owner_a
):
    client.force_login(owner_a)
    tenant_a.is_active = True
    tenant_a.save()
    client.post(reverse("webshop_connect_visma", args=[tenant_a.slug]))
    assert WebshopConnection.objects.get(tenant=tenant_a).platform == WebshopConnection.Platform.WOOCOMMERCE
    tenant_a.is_active = False
    tenant_a.save()
    client.post(reverse("webshop_connect_visma", args=[tenant_a.slug]))
    connection = WebshopConnection.objects.get(tenant=tenant_a)
    assert connection.platform == WebshopConnection.Platform.VISMA_WEBSHOP and connection.base_url == ""
    assert connection.api_key == "" and connection.status == "connected"


def test_sync_now_runs_the_rules_and_the_conversion(client, shop, people, django_capture_on_commit_callbacks):
    client.force_login(people[1])  # members may
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sync_now", args=[shop.tenant.slug]), follow=True)
    assert sorted(q.task["func"] for q in OrmQ.objects.all()) == [
        tasks.convert_webshop_orders.path,
        tasks.keep_availability.path,
    ]
    assert (
        "the Available in Webshop rules and the webshop-order conversion start in a moment"
        in response.content.decode()
    )


def test_after_apply_the_page_follows_the_task_and_shows_the_outcome_without_a_reload(
    client, shop, people, django_capture_on_commit_callbacks
):
    client.force_login(people[0])
    _post(client, shop, action="preview", only_active="on", exclude_services="on")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, shop, action="apply", turn_off="on")
    assert response.url == reverse("visma_webshop", args=[shop.tenant.slug]) + "?watch=1"
    page = client.get(response.url).content.decode()
    assert "No rules applied yet" not in page  # it is being applied: the page says so, and asks
    status_url = reverse("availability_status", args=[shop.tenant.slug]) + "?since="
    assert f'id="rules-applying" data-live-url="{status_url}"' in page
    assert "portal/live.js" in page
    assert client.get(status_url).json() == {"done": False, "applied_at": "", "texts": {}}

    shown = VismaWebshopSettings.objects.get(tenant=shop.tenant).preview
    availability.apply_preview(shop.tenant, turn_off=True, preview_at=shown["at"])  # the task ran
    answer = client.get(status_url).json()
    assert answer["done"] is True and answer["applied_at"]
    again = client.get(response.url).content.decode()  # what live.js fetches and swaps in
    assert 'id="rules-applied"' in again and 'id="rules-applying"' not in again
