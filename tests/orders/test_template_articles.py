"""Template articles made for the owner: proposed from eAccounting's own codings (pure), created against the
eAccounting sandbox over HTTP on Yes, never twice, and the methods mapped so a waiting order goes through."""

from decimal import Decimal

import pytest
from django.urls import reverse

from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.eaccounting.references import Choice, RefList, choices
from integration.models import (
    AccountingArticle,
    AuditEntry,
    Membership,
    MethodArticle,
    OrderSettings,
    OrderTransfer,
    ShopMethod,
)
from integration.orders.template_plan import Existing, Role, propose
from integration.orders.transfer import transfer_orders
from integration.sync import first_sync

from ..conftest import connect_both
from .conftest import Shop

D = Decimal
UNITS = [Choice("u-h", "Tunti", code="H"), Choice("u-kpl", "Kappale", code="KPL")]
CODINGS = [
    Choice("g-255", "Tavaramyynti 25,5 %", D("25.5")),
    Choice("s-255", "Palvelumyynti 25,5 %", D("25.5"), True),
    Choice("g-14", "Tavaramyynti 14 %", D("14")),
    Choice("s-0", "Palvelumyynti 0 %", D("0"), True),
]


# --- the proposal (pure) --------------------------------------------------------------------------


def test_one_service_article_per_role_and_rate_with_a_piece_unit():
    proposal = propose(
        [D("25.5"), D("14"), D("0")],
        payment_methods=True,
        codings=CODINGS,
        units=UNITS,
        existing_by_number={},
    )
    assert [(a.role, a.number, a.coding.id) for a in proposal.articles] == [
        (Role.SHIPPING, "SHIP-25.5", "s-255"),
        (Role.SHIPPING, "SHIP-14", "g-14"),  # no 14 % service coding: goods
        (Role.PAYMENT_FEE, "FEE-25.5", "s-255"),
        (Role.PAYMENT_FEE, "FEE-14", "g-14"),
        (Role.ROUNDING, "ROUNDING", "s-0"),
        (Role.GIFT_CARD, "GIFTCARD", "s-0"),
    ]
    assert {a.unit.id for a in proposal.articles} == {"u-kpl"}
    body = proposal.articles[0].body
    assert body["IsStock"] is False and body["SendToWebshop"] is False and body["Name"] == "Shipping 25.5 %"
    assert proposal.problems == [] and len(proposal.to_create) == 6


def test_an_existing_number_is_offered_instead_and_a_missing_coding_is_explained():
    proposal = propose(
        [D("25.5"), D("10")],
        payment_methods=False,
        codings=CODINGS,
        units=UNITS,
        existing_by_number={"SHIP-25.5": Existing("id-1", "SHIP-25.5", "Postikulut")},
    )
    assert [a.number for a in proposal.articles] == [
        "SHIP-25.5",
        "ROUNDING",
        "GIFTCARD",
    ]  # no fees: no gateways
    assert proposal.articles[0].existing.name == "Postikulut" and len(proposal.to_create) == 2
    assert proposal.problems == [
        "eAccounting has no coding for 10 % VAT, so the article SHIP-10 cannot be made: "
        "add a sales coding for 10 % in eAccounting, then read eAccounting's lists again."
    ]


def test_without_units_nothing_is_proposed_and_the_fix_is_said():
    proposal = propose([D("25.5")], payment_methods=True, codings=CODINGS, units=[], existing_by_number={})
    assert proposal.articles == [] and "add one" in proposal.problems[0]


# --- against the eAccounting sandbox --------------------------------------------------------------


@pytest.fixture
def fresh(ea, wc, live_server, settings, django_user_model, client):
    """Activated on both sandboxes after the first sync, with no template articles at all; its owner logged in."""
    wc.reset(seed={"products": 0, "orders": 0}, shipping_tax_split=True)
    settings.SILTA_BASE_URL = live_server.url
    tenant = connect_both(ea, wc, "fresh")
    activate(tenant, check(gather(tenant)))
    tenant.refresh_from_db()
    first_sync.apply(first_sync.preview(tenant))
    OrderSettings.objects.filter(tenant=tenant).update(transfer_from=None)
    owner = django_user_model.objects.create_user(username="fresh-owner", password="pw", is_staff=True)
    Membership.objects.create(tenant=tenant, user=owner, role=Membership.Role.OWNER)
    client.force_login(owner)
    return Shop(tenant, ea, wc)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_yes_creates_the_articles_maps_the_methods_and_a_waiting_order_goes_through(fresh, client):
    tenant = fresh.tenant
    fresh.article("A-255", "Kahvikuppi", "12.40", "25.5")
    transfer_orders(tenant)  # nothing yet; reads the shop's tax rates
    page = client.get(reverse("template_articles", args=[tenant.slug]))
    html = page.content.decode()
    assert page.status_code == 200 and choices(
        tenant, RefList.CODINGS
    )  # the first visit read eAccounting's lists
    assert (
        'data-number="SHIP-25.5"' in html and 'data-number="ROUNDING"' in html and "Will be created" in html
    )
    assert "Palvelumyynti 25,5 %" in html  # eAccounting's own coding, by name

    response = client.post(
        reverse("template_articles", args=[tenant.slug]), {"action": "create"}, follow=True
    )
    assert "created" in response.content.decode()
    made = {
        a.number: a
        for a in AccountingArticle.objects.filter(
            tenant=tenant, number__in=["SHIP-25.5", "SHIP-14", "FEE-25.5", "ROUNDING", "GIFTCARD"]
        )
    }
    assert set(made) == {"SHIP-25.5", "SHIP-14", "FEE-25.5", "ROUNDING", "GIFTCARD"}
    remote = fresh.client.article_by_number("SHIP-25.5")
    assert remote is not None and not remote.is_stock and remote.raw["SendToWebshop"] is False
    assert made["ROUNDING"].vat_rate == 0 and made["SHIP-14"].vat_rate == D("14")
    flat = ShopMethod.objects.get(tenant=tenant, kind="shipping", key="flat_rate:1")
    assert {m.article.number for m in MethodArticle.objects.filter(method=flat)} >= {"SHIP-25.5", "SHIP-14"}
    assert not ShopMethod.objects.filter(tenant=tenant, enabled=True, articles__isnull=True).exists()
    settings = OrderSettings.objects.get(tenant=tenant)
    assert settings.rounding_article.number == "ROUNDING" and settings.gift_card_article.number == "GIFTCARD"
    assert AuditEntry.objects.filter(tenant=tenant, target="Template articles in eAccounting").exists()

    # an order with shipping now goes through on the articles Silta made
    fresh.article("B-14", "Kahvipapu", "5.70", "14")
    from integration.sync.article_sync import sync_articles

    assert sync_articles(tenant).status == "succeeded"
    order = fresh.order(
        [("A-255", 1), ("B-14", 1)], shipping_lines=[{"method_id": "flat_rate", "instance_id": 1}]
    )
    transfer_orders(tenant)
    transfer = OrderTransfer.objects.get(tenant=tenant, shop_order_id=order["id"])
    assert transfer.status == OrderTransfer.Status.DONE, transfer.reason
    assert {"SHIP-25.5", "SHIP-14"} <= {r["ArticleNumber"] for r in fresh.document(transfer)["Rows"]}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_never_twice_an_existing_number_is_used_as_it_is(fresh, client):
    tenant = fresh.tenant
    fresh.article("SHIP-25.5", "Postikulut", "0", "25.5", shown=False, kind="Service")  # made by hand before
    url = reverse("template_articles", args=[tenant.slug])
    client.post(url, {"action": "refresh"})
    client.post(url, {"action": "create"})
    client.post(url, {"action": "create"})  # Yes pressed twice
    listed = [a for a in fresh.client.articles() if a.number in {"SHIP-25.5", "ROUNDING", "GIFTCARD"}]
    assert sorted(a.number for a in listed) == ["GIFTCARD", "ROUNDING", "SHIP-25.5"]  # one of each
    assert next(a for a in listed if a.number == "SHIP-25.5").name == "Postikulut"
    html = client.get(url).content.decode()
    assert "Will be created" not in html and html.count("Already there: used as it is") >= 3


@pytest.mark.django_db
def test_members_see_the_proposal_but_only_owners_create(client, member_b, tenant_b, owner_a):
    client.force_login(member_b)
    url = reverse("template_articles", args=["b"])
    assert client.get(url).status_code == 200  # nothing read: a member does not start requests
    assert client.post(url, {"action": "create"}).status_code == 403
    client.force_login(owner_a)
    assert client.get(url).status_code == 404  # another company: it does not exist for them


@pytest.mark.django_db
def test_the_shop_methods_page_links_to_the_proposal_of_the_users_own_companies(client, owner_a, tenant_b):
    client.force_login(owner_a)
    page = client.get(reverse("admin:integration_shopmethod_changelist")).content.decode()
    assert reverse("template_articles", args=["a"]) in page
    assert reverse("template_articles", args=["b"]) not in page
