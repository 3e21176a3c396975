"""Everything the pure order planner needs, read from the database once per run (templates,
tax rates) or once per order (the order's articles)."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ..eaccounting import contract
from ..eaccounting.resources import CompanySettings
from ..models import (
    AccountingArticle,
    AccountingCustomer,
    ArticleLink,
    ContractKey,
    MethodArticle,
    OrderSettings,
    OrderTransfer,
    ShopMethod,
    Tenant,
)
from ..webshops.base import ShopOrder
from .customer_plan import CustomerPlan
from .document_plan import ArticleRef, PlanContext

# IncludesVat is eAccounting's behaviour, not the tenant's: one installation-wide contract setting per
# kind of customer, settled by the probe or learnt from the first document that answers otherwise.
INCLUDES_VAT = {True: ContractKey.PRIVATE_PRICES_INCLUDE_VAT, False: ContractKey.COMPANY_PRICES_INCLUDE_VAT}


def article_ref(a: AccountingArticle | None) -> ArticleRef | None:
    return None if a is None else _ref(a)


def _ref(a: AccountingArticle) -> ArticleRef:
    return ArticleRef(id=a.article_id, number=a.number, name=a.name, vat_rate=a.vat_rate or Decimal(0))


def refund_articles(settings: OrderSettings) -> dict[Decimal, ArticleRef]:
    """The articles that credit refunded amounts no refunded line explains, by their VAT percent."""
    refs = [article_ref(settings.refund_article)]
    if settings.pk:
        refs += [article_ref(a) for a in settings.refund_articles.all()]
    return {ref.vat_rate: ref for ref in refs if ref is not None}


@dataclass(frozen=True)
class MethodChoice:
    terms_of_payment_id: str = ""
    delivery_method_code: str = ""


class PlanInputs:
    def __init__(self, tenant, settings, company, tax_rates, templates, methods, learned):
        self.tenant, self.settings, self.company, self.tax_rates = tenant, settings, company, tax_rates
        self.templates, self.methods, self.learned = templates, methods, learned
        self.one_unit_orders: set[int] = set()  # orders a person chose to book odd lines as one unit

    @classmethod
    def load(
        cls, tenant: Tenant, settings: OrderSettings, company: CompanySettings, tax_rates: dict
    ) -> "PlanInputs":
        templates: dict[tuple[str, str], dict[Decimal, ArticleRef]] = defaultdict(dict)
        for row in MethodArticle.objects.filter(method__tenant=tenant).select_related("method", "article"):
            ref = _ref(row.article)
            templates[(row.method.kind, row.method.key)][ref.vat_rate] = ref
        methods = {(m.kind, m.key): m for m in tenant.shop_methods.all()}
        learned = {private: bool(contract.value(key)) for private, key in INCLUDES_VAT.items()}
        inputs = cls(tenant, settings, company, tax_rates, dict(templates), methods, learned)
        inputs.one_unit_orders = set(
            OrderTransfer.objects.filter(tenant=tenant, lines_as_one_unit=True).values_list(
                "shop_order_id", flat=True
            )
        )
        return inputs

    def payment_method(self, order: ShopOrder) -> ShopMethod | None:
        return self.methods.get(("payment", order.payment_method))

    # --- the customer's VAT basis ----------------------------------------------------------
    def includes_vat(self, private: bool) -> bool:
        """Row prices gross? eAccounting says per document (IncludesVat, read-only; the spec's text
        reads both ways): the contract's value, by default gross for private persons only."""
        return self.learned[private]

    def learn_includes_vat(self, private: bool, value: bool, document: str = "") -> None:
        self.learned[private] = value
        who = "a private person" if private else "a company"
        contract.learn(
            INCLUDES_VAT[private],
            value,
            f"eAccounting answered IncludesVat={str(value).lower()} on {document or 'a document'} "
            f"for {who} (company of {self.tenant.name}).",
        )

    # --- templates ----------------------------------------------------------------------------
    def shipping_templates(self, order: ShopOrder) -> dict[str, dict[Decimal, ArticleRef]]:
        """By plain method_id: the REST reference gives an order's shipping line only its method_id
        and title, so the zone instance is the only one of that method with templates, or the one
        whose title the line carries."""
        by_key = {key: arts for (kind, key), arts in self.templates.items() if kind == "shipping"}
        plain: dict[str, list] = defaultdict(list)
        for key, arts in by_key.items():
            plain[key.split(":")[0]].append(arts)
        chosen = {m: found[0] for m, found in plain.items() if len(found) == 1}
        for line in order.shipping_lines:
            method = self._titled(line)
            if method is not None and method.key in by_key:
                chosen[line.method_id] = by_key[method.key]
        return {**chosen, **by_key}

    def _shipping_methods(self, line) -> list[ShopMethod]:
        return [
            m
            for (kind, key), m in self.methods.items()
            if kind == "shipping" and key.split(":")[0] == line.method_id
        ]

    def _titled(self, line) -> ShopMethod | None:
        return next((m for m in self._shipping_methods(line) if m.title == line.method_title), None)

    def methods_for(self, order: ShopOrder) -> MethodChoice:
        """Terms of payment from the payment method, a delivery method code from the shipping method."""
        payment = self.payment_method(order)
        code = ""
        for line in order.shipping_lines:
            candidates = self._shipping_methods(line)
            method = self._titled(line) or (candidates[0] if len(candidates) == 1 else None)
            code = code or (method.delivery_method_code if method else "")
        return MethodChoice(
            terms_of_payment_id=payment.terms_of_payment_id if payment else "", delivery_method_code=code
        )

    # --- per order ---------------------------------------------------------------------------
    def context(
        self, order: ShopOrder, customer_plan: CustomerPlan, customer: AccountingCustomer | None
    ) -> PlanContext:
        product_ids = {line.variation_id or line.product_id for line in order.line_items}
        links = dict(
            ArticleLink.objects.filter(tenant=self.tenant, shop_product_id__in=product_ids).values_list(
                "shop_product_id", "article_id"
            )
        )
        skus = {line.sku for line in order.line_items if line.sku}
        articles = AccountingArticle.objects.filter(tenant=self.tenant).filter(
            article_id__in=links.values()
        ) | AccountingArticle.objects.filter(tenant=self.tenant, number__in=skus)
        by_id = {a.article_id: a for a in articles}
        s = self.settings
        return PlanContext(
            company_country=self.company.country_code or "FI",
            includes_vat=self.includes_vat(customer.is_private if customer else customer_plan.is_private),
            vat_mode=customer_plan.vat_mode,
            articles_by_product={pid: _ref(by_id[aid]) for pid, aid in links.items() if aid in by_id},
            articles_by_number={a.number: _ref(a) for a in by_id.values() if a.is_active},
            tax_rate_percent=self.tax_rates,
            shipping_templates=self.shipping_templates(order),
            fee_templates=self.templates.get(("payment", order.payment_method), {}),
            gift_card_article=article_ref(s.gift_card_article),
            rounding_article=article_ref(s.rounding_article),
            rounding_limit=s.rounding_limit,
            vat_tolerance=s.vat_tolerance,
            lines_as_one_unit=order.id in self.one_unit_orders,
        )
