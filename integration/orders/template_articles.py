"""Template articles made for the owner: the proposal read from the database, and on Yes the articles
created in eAccounting (through the client and its budget) and the methods and order settings mapped to them."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..eaccounting.accounting_copy import remember_articles
from ..eaccounting.client import EAccountingClient
from ..eaccounting.errors import EAccountingError
from ..eaccounting.references import RefList, choices
from ..eaccounting.resources import Article
from ..models import (
    AccountingArticle,
    ArticleTemplate,
    MethodArticle,
    OrderSettings,
    ReferenceData,
    ShopMethod,
    Tenant,
)
from .template_plan import Existing, Proposal, ProposedArticle, Role, propose

ROLE_OF_KIND = {ShopMethod.Kind.SHIPPING: Role.SHIPPING, ShopMethod.Kind.PAYMENT: Role.PAYMENT_FEE}
TEMPLATE_NUMBERS = (
    Q(number__startswith="SHIP-") | Q(number__startswith="FEE-") | Q(number__in=["ROUNDING", "GIFTCARD"])
)


def shop_rates(tenant: Tenant) -> set[Decimal]:
    """The VAT rates the shop uses: its tax rates as the order sync read them, and the rates activation found."""
    rates = {
        Decimal(v)
        for v in (
            ReferenceData.objects.filter(tenant=tenant, name="shop.tax_rates")
            .values_list("data", flat=True)
            .first()
            or {}
        ).values()
    }
    rates |= set(ArticleTemplate.objects.filter(tenant=tenant).values_list("vat_rate", flat=True))
    return {r.normalize() for r in rates}


def proposal_for(tenant: Tenant) -> Proposal:
    existing = {
        a.number: Existing(a.article_id, a.number, a.name)
        for a in AccountingArticle.objects.filter(TEMPLATE_NUMBERS, tenant=tenant)
    }
    return propose(
        shop_rates(tenant),
        payment_methods=ShopMethod.objects.filter(
            tenant=tenant, kind=ShopMethod.Kind.PAYMENT, enabled=True
        ).exists(),
        codings=choices(tenant, RefList.CODINGS),
        units=choices(tenant, RefList.UNITS),
        existing_by_number=existing,
    )


@dataclass
class Outcome:
    created: list[str] = field(default_factory=list)  # article numbers
    reused: list[str] = field(default_factory=list)  # already in eAccounting: used as they are
    methods_mapped: int = 0
    settings_mapped: list[str] = field(default_factory=list)  # order settings' fields set
    error: EAccountingError | None = None  # eAccounting refused an article: the ones after it were not tried


def _article(
    tenant: Tenant, client: EAccountingClient, proposed: ProposedArticle, outcome: Outcome
) -> AccountingArticle:
    """The article of the proposed number: looked up first (never made twice), created when it is not there."""
    found = client.article_by_number(proposed.number)
    if found is None:
        found = Article.from_api(client.post("/articles", proposed.body))
        outcome.created.append(proposed.number)
    else:
        outcome.reused.append(proposed.number)
    vat_by_coding = {c.id: c.vat_rate for c in choices(tenant, RefList.CODINGS) if c.vat_rate is not None}
    vat_by_coding.setdefault(proposed.coding.id, proposed.vat_rate)
    remember_articles(tenant, [found], vat_by_coding)
    return AccountingArticle.objects.get(tenant=tenant, article_id=found.id)


def _map(tenant: Tenant, made: dict[tuple[Role, Decimal], AccountingArticle], outcome: Outcome) -> None:
    """Methods get the article of each rate they lack (a person's own choice stays); empty order settings too."""
    for method in ShopMethod.objects.filter(tenant=tenant, enabled=True).prefetch_related(
        "articles__article"
    ):
        role = ROLE_OF_KIND[ShopMethod.Kind(method.kind)]
        have = {ma.article.vat_rate for ma in method.articles.all()}
        for (made_role, rate), article in made.items():
            if made_role == role and rate not in have:
                MethodArticle.objects.get_or_create(method=method, article=article)
                outcome.methods_mapped += 1
    settings, _ = OrderSettings.objects.get_or_create(
        tenant=tenant, defaults={"transfer_from": timezone.now()}
    )
    for role, name in ((Role.ROUNDING, "rounding_article"), (Role.GIFT_CARD, "gift_card_article")):
        zero_rated = made.get((role, Decimal(0)))
        if zero_rated is not None and getattr(settings, f"{name}_id") is None:
            setattr(settings, name, zero_rated)
            outcome.settings_mapped.append(name)
    if outcome.settings_mapped:
        settings.save(update_fields=outcome.settings_mapped)


def create(tenant: Tenant, proposal: Proposal, client: EAccountingClient | None = None) -> Outcome:
    """About two requests per article. Stops at the first refusal; what was made stays made and mapped
    (pressing Yes again looks each number up and goes on)."""
    client = client or EAccountingClient(tenant.eaccounting_connection)
    outcome = Outcome()
    made: dict[tuple[Role, Decimal], AccountingArticle] = {}
    try:
        for proposed in proposal.articles:
            made[(proposed.role, proposed.vat_rate)] = _article(tenant, client, proposed, outcome)
    except EAccountingError as e:
        outcome.error = e
    with transaction.atomic():
        _map(tenant, made, outcome)
    return outcome
