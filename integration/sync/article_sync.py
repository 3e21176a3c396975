"""Article sync, eAccounting → shop: fetch → plan (pure, article_plan) → apply in batches → record.

Articles are streamed page by page from eAccounting (incremental by ChangedUtc after the
first run) and planned against links and shop snapshots read from the database for that
page only, so memory stays flat however large the catalogue.
"""

import dataclasses
import logging
from collections.abc import Iterator, Mapping
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from integration.work.record import RunRecorder

from .. import webshops
from ..batching import chunks
from ..eaccounting import accounting_copy
from ..eaccounting.client import EAccountingClient, Listing, ids_filter
from ..eaccounting.documents import DocumentKind
from ..eaccounting.errors import QueryRejected
from ..eaccounting.resources import Article, read_field
from ..models import (
    ArticleLink,
    FirstSync,
    MethodArticle,
    OrderSettings,
    OrderTransfer,
    ReferenceData,
    ShopProductSnapshot,
    SyncCursor,
    SyncEvent,
    SyncRun,
    TaxClassMapping,
    Tenant,
)
from ..webshops import echo
from ..webshops.base import ShopUnavailable, Webshop
from . import import_reasons as reasons
from . import shop_snapshot
from .article_plan import LinkState, Step, plan_catalog, price_change_share
from .article_values import CatalogContext
from .read_ahead import read_ahead
from .shop_sales import SalesSinceWrite

CURSOR = "eaccounting.articles"
FIRST_SYNC_FINISHED = (FirstSync.Status.DONE, FirstSync.Status.UNDONE)
CHUNK = 100  # articles planned together = one shop batch
ARTICLES_PER_FILTER = 20  # ids in one `Id eq … or …` filter: one page, a URL of about 1 kB
READ_AHEAD = 4 * CHUNK  # articles read ahead of the planning (a full run): a few pages, a little memory
log = logging.getLogger(__name__)
OPEN_ORDER_STATUSES = ("pending", "processing", "on-hold")
# A held order exists in eAccounting too (its totals wait for a person, its rows reserve).
COUNTED_BY_EACCOUNTING = ("done", "held")

OUTCOME = {
    "create": SyncEvent.Outcome.CREATED,
    "update": SyncEvent.Outcome.UPDATED,
    "link": SyncEvent.Outcome.UPDATED,
    "hide": SyncEvent.Outcome.HIDDEN,
    "restore": SyncEvent.Outcome.RESTORED,
}


class SyncBlocked(Exception):
    """The sync may not run yet; the message says what a person has to do first."""


class PendingOrders(Mapping):
    """Quantities in open shop orders that eAccounting does not know yet, read only when asked.

    WooCommerce lowers its stock at checkout; until the order is in eAccounting (where it
    reserves stock), writing eAccounting's figure back would sell the same goods twice.
    Every open order counts, also ones from before activation: eAccounting never hears of those;
    except orders transferred as a sales order or invoice, which eAccounting's available stock
    already covers (a draft does not reserve). A run with no stock to write never reads the orders.
    """

    def __init__(self, shop: Webshop, tenant: Tenant | None = None):
        self.shop, self.tenant = shop, tenant
        self._quantities: dict[str, Decimal] | None = None

    def _in_eaccounting(self, orders) -> set[int]:
        if self.tenant is None:
            return set()
        done = OrderTransfer.objects.filter(
            tenant=self.tenant,
            shop_order_id__in=[o.id for o in orders],
            status__in=COUNTED_BY_EACCOUNTING,
            document_kind__in=(DocumentKind.ORDER, DocumentKind.INVOICE),
        )
        return set(done.values_list("shop_order_id", flat=True))

    def _load(self) -> dict[str, Decimal]:
        if self._quantities is None:
            self._quantities = {}
            for page in chunks(self.shop.orders(statuses=OPEN_ORDER_STATUSES), CHUNK):
                known = self._in_eaccounting(page)
                for line in (line for order in page if order.id not in known for line in order.line_items):
                    if line.sku:
                        self._quantities[line.sku] = self._quantities.get(line.sku, Decimal(0)) + Decimal(
                            line.quantity
                        )
        return self._quantities

    def __getitem__(self, sku):
        return self._load()[sku]

    def __iter__(self):
        return iter(self._load())

    def __len__(self):
        return len(self._load())


def _reference(tenant: Tenant, name: str, fetch, refresh: bool):
    """A reference list from the database, fetched again when `refresh` or missing."""
    row = ReferenceData.objects.filter(tenant=tenant, name=name).first()
    if row is None or refresh:
        row, _ = ReferenceData.objects.update_or_create(tenant=tenant, name=name, defaults={"data": fetch()})
    return row.data


def build_context(
    tenant: Tenant, eaccounting: EAccountingClient, shop: Webshop, refresh: bool = True
) -> CatalogContext:
    units = _reference(
        tenant,
        "eaccounting.units",
        lambda: {u.id: (read_field(u.raw, "Abbreviation") or u.code or u.name) for u in eaccounting.units()},
        refresh,
    )
    codings = _reference(
        tenant,
        "eaccounting.vat_rates",
        lambda: {c.id: str(c.vat_rate_percent) for c in eaccounting.codings()},
        refresh,
    )
    shop_settings = _reference(
        tenant, "shop.settings", lambda: {"prices_include_tax": shop.settings().prices_include_tax}, refresh
    )
    return CatalogContext(
        prices_include_tax=shop_settings["prices_include_tax"],
        tax_class_by_rate={m.vat_rate: m.tax_class for m in TaxClassMapping.objects.filter(tenant=tenant)},
        vat_rate_by_coding={coding: Decimal(rate) for coding, rate in codings.items()},
        unit_code_by_id=units,
        pending_by_sku=PendingOrders(shop, tenant),
        excluded_article_ids=template_article_ids(tenant),
        sales_since_write=SalesSinceWrite(shop, tenant),
        keeps_unit=shop.keeps_unit,
    )


def template_article_ids(tenant: Tenant) -> frozenset[str]:
    """Articles that book shipping, fees, rounding or gift cards: never pushed to the shop."""
    ids = set(
        MethodArticle.objects.filter(method__tenant=tenant).values_list("article__article_id", flat=True)
    )
    settings = (
        OrderSettings.objects.filter(tenant=tenant)
        .values_list("rounding_article__article_id", "gift_card_article__article_id")
        .first()
        or ()
    )
    return frozenset(ids | {i for i in settings if i})


def _plan_chunk(tenant: Tenant, articles: list[Article], ctx: CatalogContext) -> list[Step]:
    # .order_by(): the model's ordering (tenant, article_number) would lead SQLite to walk that
    # index through all the tenant's links instead of looking up (tenant, article_id) or
    # (tenant, shop_product_id); each query here is a lookup of at most a chunk's rows.
    links = {
        link.article_id: link
        for link in ArticleLink.objects.filter(
            tenant=tenant, article_id__in=[a.id for a in articles]
        ).order_by()
    }
    linked_ids = [link.shop_product_id for link in links.values()]
    by_id = {
        s.product_id: shop_snapshot.to_product(s)
        for s in ShopProductSnapshot.objects.filter(tenant=tenant, product_id__in=linked_ids)
    }
    numbers = [a.number for a in articles if a.id not in links and a.number]
    candidates = list(ShopProductSnapshot.objects.filter(tenant=tenant, sku__in=numbers)) if numbers else []
    linked_anywhere = (
        set(
            ArticleLink.objects.filter(tenant=tenant, shop_product_id__in=[s.product_id for s in candidates])
            .order_by()
            .values_list("shop_product_id", flat=True)
        )
        if candidates
        else set()
    )
    by_sku = {
        s.sku: shop_snapshot.to_product(s) for s in candidates if s.product_id not in linked_anywhere
    }  # a linked product is never adopted twice
    return list(plan_catalog(articles, links, by_id, by_sku, ctx))


def _linked_articles(tenant: Tenant, product_ids: list[int]) -> list[str]:
    """The articles whose shop product changed: their locked fields may have drifted."""
    return list(
        ArticleLink.objects.filter(tenant=tenant, shop_product_id__in=product_ids)
        .order_by()
        .values_list("article_id", flat=True)
    )


def _with_shop_changes(eaccounting: EAccountingClient, listing, article_ids: list[str]) -> Iterator[Article]:
    """Articles changed in eAccounting, then those changed only in the shop (read one by one:
    the fallback when eAccounting refuses `or` in a filter)."""
    done = set()
    for item in listing:
        article = Article.from_api(item)
        done.add(article.id)
        yield article
    for article_id in article_ids:
        if article_id not in done:
            yield Article.from_api(eaccounting.get(f"/articles/{article_id}"))


def _by_filter(
    eaccounting: EAccountingClient, first: dict | None, items: Iterator[dict], more_ids: list[str]
) -> Iterator[Article]:
    """The folded read's articles, then the shop's changes that did not fit into it, a filter at a time."""
    if first is not None:
        yield Article.from_api(first)
    yield from (Article.from_api(item) for item in items)
    for group in chunks(more_ids, ARTICLES_PER_FILTER):
        listing = eaccounting.listing("/articles", filter=" or ".join(ids_filter(group)), orderby=None)
        yield from (Article.from_api(item) for item in listing)


def changed_articles(
    eaccounting: EAccountingClient, since, shop_changed: list[str]
) -> tuple[Listing, Iterator[Article]]:
    """The articles an incremental run plans: changed in eAccounting since the cursor, and those
    whose shop product changed (their locked fields may have drifted, their stock may be off).
    The first ARTICLES_PER_FILTER of the latter ride on the same request (`… or Id eq '…'`), so
    a run costs one /articles read however many sales the shop had, as the budget plan counts it."""
    if since is None:
        listing = eaccounting.changed_since("/articles", None)
        return listing, (Article.from_api(item) for item in listing)
    listing = eaccounting.changed_since("/articles", since, also_ids=shop_changed[:ARTICLES_PER_FILTER])
    items = iter(listing)
    try:
        first = next(items, None)
    except QueryRejected:  # `or` is unverified (NOTES §2.3): one read per shop-changed article
        log.info(
            "eAccounting refused `or` in $filter; reading %s shop-changed articles one by one",
            len(shop_changed),
        )
        listing = eaccounting.changed_since("/articles", since)
        return listing, _with_shop_changes(eaccounting, listing, shop_changed)
    return listing, _by_filter(eaccounting, first, items, shop_changed[ARTICLES_PER_FILTER:])


def _link_row(tenant: Tenant, article: Article, state: LinkState) -> ArticleLink:
    assert state.shop_product_id is not None, (
        "a new link's product id is filled in from the write's outcome first"
    )
    return ArticleLink(
        tenant=tenant,
        article_id=article.id,
        article_number=article.number,
        shop_product_id=state.shop_product_id,
        shop_parent_id=state.shop_parent_id,
        hidden=state.hidden,
        status_before_hiding=state.status_before_hiding,
        last_written=state.last_written,
        stock_led_by_shop=state.stock_led_by_shop,
    )


def _store_links(rows: list[ArticleLink]) -> None:
    """Insert or update links in one statement (a batch of 100 is one query, not 100)."""
    ArticleLink.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["tenant", "article_id"],
        update_fields=[
            "article_number",
            "shop_product_id",
            "shop_parent_id",
            "hidden",
            "status_before_hiding",
            "last_written",
            "stock_led_by_shop",  # only ever cleared here: set by the first sync's create
            "updated_at",
        ],
    )


def _apply(tenant: Tenant, shop: Webshop, steps: list[Step], rec: RunRecorder) -> list:
    # the shop's delivery for a write may come before the link is stored below: say what is written
    echo.expect(
        tenant,
        shop,
        [
            (s.new_link.shop_product_id, s.new_link.last_written, s.new_link.hidden)
            for s in steps
            if s.write is not None and s.new_link is not None and s.new_link.shop_product_id is not None
        ],
    )
    try:
        outcomes = shop.save_products(
            [s.write for s in steps if s.write is not None]
        )  # _apply gets writing steps only
    except ShopUnavailable as exc:
        if exc.outcome_unknown:
            # What the lost answer made may carry the same second as our last write, which the next
            # incremental read skips: the next run reads the whole shop and adopts it by its SKU
            # (else it would create it again; Shopify takes a second product with the same SKU).
            shop_snapshot.read_all_next_time(tenant)
        raise
    written, links = [], []
    with transaction.atomic():
        for step, outcome in zip(steps, outcomes, strict=True):
            number = step.article.number
            if not outcome.ok:
                rec.event(SyncEvent.Outcome.FAILED, number, reason=str(outcome.error))
                continue
            if step.new_link is not None:
                state = step.new_link
                if state.shop_product_id is None:
                    state = dataclasses.replace(state, shop_product_id=outcome.id)
                links.append(_link_row(tenant, step.article, state))
            if outcome.product is not None:
                written.append(outcome.product)
            changes = {k: [str(v) for v in pair] for k, pair in step.changes.items()}
            rec.event(OUTCOME[step.action], number, fields=changes, reason=step.reason)
            if step.drift:
                drift = {k: [str(v) for v in triple] for k, triple in step.drift.items()}
                rec.event(SyncEvent.Outcome.DRIFT, number, fields=drift, reason=reasons.DRIFT_PUT_BACK)
        if links:
            _store_links(links)
        if written:
            shop_snapshot.save(tenant, written)
    return written


def _latest(newest, products):
    """The newest modified time among what was just written (the list itself is not kept)."""
    stamps = [p.date_modified_gmt for p in products if p.date_modified_gmt]
    return max([*stamps, newest] if newest else stamps, default=None)


def _changes_price(step: Step) -> bool:
    return step.action in ("update", "hide", "restore") and "regular_price" in step.changes


def _compact(step: Step) -> Step:
    """Keep a held step small: the article's raw data is not needed any more."""
    if not step.article.raw:
        return step
    return dataclasses.replace(step, article=dataclasses.replace(step.article, raw={}))


def _stopped_by_guard(tenant: Tenant, held: list[Step], rec: RunRecorder) -> bool:
    """Too many price changes at once (a VAT change, a wrong price list): record them and ask a person."""
    linked = ArticleLink.objects.filter(tenant=tenant).count()
    share = price_change_share(held, linked)
    limit = Decimal(str(settings.SILTA_MASS_CHANGE_SHARE))
    if not linked or share <= limit:
        return False
    for step in held:
        rec.event(
            SyncEvent.Outcome.SKIPPED,
            step.article.number,
            fields={"regular_price": [str(v) for v in step.changes["regular_price"]]},
            reason=reasons.MASS_PRICE_CHANGE_WAITS,
        )
    rec.needs_confirmation(
        f"This run would change the price of {share:.0%} of the shop's products (limit {limit:.0%}). "
        "Their prices were not written. Check the planned prices and confirm to apply them."
    )
    return True


def _write_or_record(tenant, shop, steps: list[Step], rec: RunRecorder, dry_run: bool) -> list:
    if not steps:
        return []
    if dry_run:
        for step in steps:
            rec.event(
                OUTCOME[step.action],
                step.article.number,
                fields={k: [str(v) for v in pair] for k, pair in step.changes.items()},
                reason=reasons.DRY_RUN % {"reason": step.reason},
            )
        return []
    return _apply(tenant, shop, steps, rec)


def sync_articles(
    tenant: Tenant,
    *,
    trigger=SyncRun.Trigger.MANUAL,
    dry_run=False,
    full=False,
    confirm_mass_change=False,
    lease=None,
) -> SyncRun:
    """`lease`: the tenant's catalogue lease (jobs.hold), checked before each batch is written."""
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    shop = webshops.for_connection(tenant.webshop_connection)
    kind = (
        SyncRun.Kind.STOCK if full else SyncRun.Kind.ARTICLES
    )  # asked to read everything: the stock reconcile
    with RunRecorder(tenant, kind, trigger, dry_run) as rec:
        if not FirstSync.objects.filter(tenant=tenant, status__in=FIRST_SYNC_FINISHED).exists():
            raise SyncBlocked(
                "The first sync has not been completed: the shop's own products must go into eAccounting "
                "before eAccounting's articles are pushed to the shop. Preview and apply the first sync."
            )
        cursor = SyncCursor.objects.filter(tenant=tenant, name=CURSOR).first()
        # A confirming run reads everything: what the guard held may have been changed in the shop,
        # and the stopped run has already read those products (an incremental run would not see them again).
        full = full or cursor is None or confirm_mass_change
        ctx = build_context(tenant, eaccounting, shop, refresh=full)
        changed_in_shop = shop_snapshot.refresh(tenant, shop, full=full)
        listing, articles = changed_articles(
            eaccounting,
            None if full or cursor is None else cursor.value,
            [] if full else _linked_articles(tenant, changed_in_shop),
        )
        held: list[Step] = []  # price changes wait for the mass-change guard; everything else goes now
        newest, seen, ready = None, 0, []  # newest: the shop's time of our last write
        if full:  # every page: read the next ones while this one is planned and written
            articles = read_ahead(articles, READ_AHEAD)
        for chunk in chunks(articles, CHUNK):
            if lease is not None:
                lease.check()  # fenced: a worker whose lease was taken over writes no more
            if not dry_run:
                accounting_copy.remember_articles(tenant, chunk, ctx.vat_rate_by_coding)
            for step in _plan_chunk(tenant, chunk, ctx):
                if step.write is not None and _changes_price(step):
                    held.append(_compact(step))
                elif step.write is not None:
                    ready.append(step)
                elif step.new_link is not None and not dry_run:
                    _store_links([_link_row(tenant, step.article, step.new_link)])
                elif step.error:
                    rec.event(SyncEvent.Outcome.SKIPPED, step.article.number, reason=step.reason)
            if len(ready) >= CHUNK:  # full batches only: a batch request costs the same for 1 or 100
                newest = _latest(newest, _write_or_record(tenant, shop, ready[:CHUNK], rec, dry_run))
                ready = ready[CHUNK:]
            seen += len(chunk)
            rec.progress(seen, listing.meta.total_results if listing.meta else None)
        newest = _latest(newest, _write_or_record(tenant, shop, ready, rec, dry_run))
        if not confirm_mass_change and _stopped_by_guard(tenant, held, rec):
            shop_snapshot.advance_cursor(tenant, newest)
            return rec.run
        for batch in chunks(held, CHUNK):
            newest = _latest(newest, _write_or_record(tenant, shop, batch, rec, dry_run))
        if dry_run:
            return rec.run
        if lease is not None:
            lease.check()
        shop_snapshot.advance_cursor(tenant, newest)
        if listing.server_time:
            SyncCursor.objects.update_or_create(
                tenant=tenant, name=CURSOR, defaults={"value": listing.server_time}
            )
        rec.counts.update(
            {
                "requests_eaccounting": eaccounting.stats["requests"],
                "eaccounting_wait_seconds": round(eaccounting.stats["waited_seconds"], 2),
            }
        )
    return rec.run
