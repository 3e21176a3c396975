"""The first sync: preview, then the shop's products into eAccounting, then (article sync) the other way.

Order matters: with SendToWebshop on by default, pushing first would give clashing numbers
eAccounting's values — the reverse of Visma's rule that the shop's copy wins. So the sync
is planned as a whole and stored as a preview (FirstSync + ImportItems). *Yes* creates; the
overwrites need their own confirmation. At apply time the whole plan is made again from live
data and only items identical to the preview are applied: anything that changed in between
is skipped and reported, never forced. The overwritten values are kept for *Undo import*.
"""

import dataclasses
import json
import time
from datetime import UTC
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integration import tasks, webshops
from integration.work.record import RunRecorder

from ..batching import chunks
from ..eaccounting.client import EAccountingClient
from ..eaccounting.errors import EAccountingError, OutcomeUnknown
from ..eaccounting.resources import Article
from ..models import (
    ArticleLink,
    ArticleTemplate,
    FirstSync,
    ImportItem,
    SyncEvent,
    SyncRun,
    TaxClassMapping,
    Tenant,
)
from . import import_reasons as reasons
from .article_sync import template_article_ids
from .import_plan import (
    Create,
    FirstSyncPlan,
    LeftOut,
    Link,
    Overwrite,
    PushCreate,
    Reject,
    deactivate_body,
    overwrite_body,
    plan_first_sync,
)
from .import_values import ImportContext, Template, with_values
from .rates_from_orders import RatesSeen
from .rates_from_orders import read as read_rates

BUSY_OR_APPLIED = (FirstSync.Status.APPLYING, FirstSync.Status.CREATED, FirstSync.Status.DONE)
# Overwritten fields in words; the ids among them are shown by name ("coding 3f2a…" when unknown).
FIELD_LABELS = {
    "Name": gettext_lazy("name"),
    "CodingId": gettext_lazy("account coding (VAT rate)"),
    "UnitId": gettext_lazy("unit"),
    "GrossPrice": gettext_lazy("price incl. VAT"),
    "NetPrice": gettext_lazy("price excl. VAT"),
    "IsActive": gettext_lazy("active"),
    "SendToWebshop": gettext_lazy("available in webshop"),
}
NAMED_FIELDS = {"CodingId": gettext_lazy("coding"), "UnitId": gettext_lazy("unit")}
KINDS = {
    Create: ImportItem.Kind.CREATE,
    Overwrite: ImportItem.Kind.OVERWRITE,
    Link: ImportItem.Kind.LINK,
    Reject: ImportItem.Kind.REJECT,
    PushCreate: ImportItem.Kind.PUSH_CREATE,
    LeftOut: ImportItem.Kind.LEFT_OUT,
}


class FirstSyncError(Exception):
    pass


def _payload(item) -> dict:
    """The item as JSON: what the preview showed, and what apply time compares against."""
    return json.loads(json.dumps(dataclasses.asdict(item), cls=DjangoJSONEncoder))


def _name(item) -> str:
    """The name to show in the preview: the shop's for what comes from the shop."""
    body = getattr(item, "body", None) or {}
    return (getattr(item, "name", "") or body.get("Name") or "")[:300]


def _key(item) -> tuple:
    return KINDS[type(item)], getattr(item, "sku", "") or getattr(item, "article_number", "")


def _context(
    tenant: Tenant, eaccounting: EAccountingClient, shop, seen: RatesSeen | None
) -> tuple[ImportContext, RatesSeen | None]:
    """The import's context. A shop that tells no product's rate: the rates its recent paid orders charged
    each SKU (``seen``: those the preview read, at apply time; None: read them now)."""
    templates = {
        (t.kind, t.vat_rate): Template(t.kind, t.vat_rate, t.coding_id, t.unit_id, t.is_stock)
        for t in ArticleTemplate.objects.filter(tenant=tenant)
    }
    info = shop.settings()
    rates_known = info.tax_setup is None  # a shop taxing by region tells no product's rate
    if not rates_known and seen is None:
        seen = read_rates(shop)
    learned = RatesSeen() if rates_known or seen is None else seen
    ctx = ImportContext(
        prices_include_tax=info.prices_include_tax,
        product_rates_known=rates_known,
        vat_rate_by_sku=learned.rate_by_sku,
        earlier_rates_by_sku=learned.earlier_by_sku,
        vat_rate_by_tax_class=_rate_by_tax_class(tenant),
        templates=templates,
        vat_rate_by_coding={c.id: c.vat_rate_percent for c in eaccounting.codings()},
        excluded_article_ids=template_article_ids(tenant),
    )
    return ctx, None if rates_known else learned


def _rate_by_tax_class(tenant: Tenant) -> dict[str, Decimal]:
    """Each tax class's VAT %. A shop taxing by region (Shopify) has one class for every rate: a
    product there gets the standard rate, the highest, never whichever row came last."""
    rates: dict[str, Decimal] = {}
    for m in TaxClassMapping.objects.filter(tenant=tenant):
        rates[m.tax_class] = max(rates.get(m.tax_class, m.vat_rate), m.vat_rate)
    return rates


def _plan(
    tenant: Tenant, shop_side: bool = True, seen: RatesSeen | None = None
) -> tuple[FirstSyncPlan, dict[str, Article], EAccountingClient, dict[int, int | None], RatesSeen | None]:
    """Plan from live data, reading eAccounting's articles once and keeping little of them.

    Full articles are kept only where the shop has a product with that number (the
    overwrite candidates); for the rest a few fields are enough to say whether they go to
    the shop, so 100,000 articles fit in a small memory. Without `shop_side` (at apply time,
    which writes only to eAccounting) those are not kept at all. The last part: the shop's stock
    of each product (None where the shop does not count it), read live: it is not part of the
    preview, since every sale would change it. The rates the shop's orders charged (None where the shop
    tells each product's rate) come last: `seen`, the preview's, or read now.
    """
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    shop = webshops.for_connection(tenant.webshop_connection)
    ctx, seen = _context(tenant, eaccounting, shop, seen)
    products = list(shop.products())  # kept: a duplicate SKU can only be told at the end
    skus = {p.sku.strip() for p in products if p.sku}
    by_number: dict[str, Article] = {}
    light: list[tuple] = []
    for item in eaccounting.listing("/articles"):
        article = Article.from_api(item)
        if article.number in skus:
            by_number[article.number] = article
        if shop_side:
            light.append(
                (article.id, article.number, article.name, article.is_active, article.send_to_webshop)
            )
    everything = (
        by_number.get(number) or _light_article(id_, number, name, active, send)
        for id_, number, name, active, send in light
    )
    plan = plan_first_sync(products, by_number, everything, ctx)
    stock = {p.id: p.stock_quantity if p.manage_stock else None for p in products}
    return plan, {a.id: a for a in by_number.values()}, eaccounting, stock, seen


def _light_article(id_, number, name, is_active, send_to_webshop) -> Article:
    """An article with only what the shop side of the plan looks at."""
    zero = Decimal(0)
    return Article(
        id=id_,
        number=number,
        name=name,
        unit_id="",
        coding_id="",
        net_price=zero,
        gross_price=zero,
        is_active=is_active,
        is_stock=False,
        stock_balance=zero,
        stock_reserved=zero,
        stock_available=zero,
        send_to_webshop=send_to_webshop,
        changed_utc=None,
        raw={},
    )


def _items(plan: FirstSyncPlan):
    for group in (plan.creates, plan.overwrites, plan.links, plan.rejects, plan.push_creates, plan.left_out):
        yield from group


def start(tenant: Tenant) -> FirstSync:
    """A new preview to prepare; it replaces a preview nobody said Yes to."""
    if not tenant.is_active:
        raise FirstSyncError(_("Activate the integration of %(company)s first.") % {"company": tenant.name})
    if FirstSync.objects.filter(tenant=tenant, status__in=BUSY_OR_APPLIED).exists():
        raise FirstSyncError(
            _("The first sync has already been applied (or is being applied): see its result.")
        )
    FirstSync.objects.filter(tenant=tenant, status=FirstSync.Status.PREVIEW).delete()
    return FirstSync.objects.create(tenant=tenant, status=FirstSync.Status.PREPARING)


def _stock_module_on(eaccounting: EAccountingClient) -> bool:
    modules = eaccounting.company_settings().activated_modules
    return any(str(m).lower() == "stock" for m in modules)


def _stock_creates(eaccounting: EAccountingClient, creates: list[Create]) -> int:
    """How many creates become stock items in eAccounting: none unless the company's stock module is on.
    Those keep the shop's stock until it is entered in eAccounting (``ArticleLink.stock_led_by_shop``)."""
    count = sum(1 for item in creates if item.body.get("IsStock"))
    if not count:
        return 0
    return count if _stock_module_on(eaccounting) else 0


def _names(eaccounting: EAccountingClient, overwrites: list[Overwrite]) -> dict[str, str]:
    """The names of the codings and units the overwrites change, by id (read only when there are such changes)."""
    ids = {field: set() for field in NAMED_FIELDS}
    for item in overwrites:
        for field in NAMED_FIELDS.keys() & item.changes.keys():
            ids[field].update(v for v in item.changes[field] if v)
    names = {}
    if ids["CodingId"]:
        names.update((c.id, c.name) for c in eaccounting.codings() if c.id in ids["CodingId"] and c.name)
    if ids["UnitId"]:
        names.update((u.id, u.name) for u in eaccounting.units() if u.id in ids["UnitId"] and u.name)
    return names


def shown_changes(changes: dict, names: dict[str, str]) -> list[tuple[str, str, str]]:
    """An overwrite's changes in words: (field, eAccounting's value now, the shop's value). Codings and
    units are shown by name, not by their id."""

    def shown(field, value):
        if value is None or value == "":
            return "–"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if field in NAMED_FIELDS:
            return names.get(value) or f"{NAMED_FIELDS[field]} {value}"
        return str(value)

    return [
        (FIELD_LABELS.get(field, field), shown(field, old), shown(field, new))
        for field, (old, new) in changes.items()
    ]


def preview(tenant: Tenant, first: FirstSync | None = None) -> FirstSync:
    """Read both catalogues and store what the first sync would do. Writes nothing outside Silta.

    Besides the counts, the summary keeps what the page needs in words: ``stock_creates`` (stock
    items to be created while the stock module is on: they start with 0 in stock) and ``names``
    (coding and unit names by id, for the overwrites); where the shop tells no product's rate,
    ``rates_from_orders`` (what its orders charged, rates_from_orders.RatesSeen: *Yes* applies these)."""
    first = first or start(tenant)
    plan, _products, eaccounting, _stock, seen = _plan(tenant)
    summary = {
        **plan.summary(),
        "stock_creates": _stock_creates(eaccounting, plan.creates),
        "names": _names(eaccounting, plan.overwrites),
    }
    if seen is not None:
        summary["rates_from_orders"] = seen.as_json()
    with transaction.atomic():
        first.status, first.summary, first.error = FirstSync.Status.PREVIEW, summary, ""
        first.save()
        rows = (
            ImportItem(
                first_sync=first,
                tenant=tenant,
                kind=KINDS[type(item)],
                sku=getattr(item, "sku", "") or getattr(item, "article_number", ""),
                name=_name(item),
                product_id=getattr(item, "product_id", None),
                article_id=getattr(item, "article_id", "") or "",
                payload=_payload(item),
                reason=getattr(item, "reason", "") or getattr(item, "note", ""),
            )
            for item in _items(plan)
        )
        for batch in chunks(rows, 1000):
            ImportItem.objects.bulk_create(batch)
    return first


def _link(tenant: Tenant, article_id: str, number: str, product_id: int, **stock) -> None:
    """`stock`: for an article created at 0 while the stock module is on, the shop's stock to keep
    (ArticleLink's stock_led_by_shop, stock_to_enter, stock_hand_changed_at_import)."""
    ArticleLink.objects.update_or_create(
        tenant=tenant,
        article_id=article_id,
        defaults={"article_number": number, "shop_product_id": product_id, "last_written": {}, **stock},
    )


def _create(eaccounting: EAccountingClient, item: Create, balance: int | None) -> Article:
    """POST the article; if the answer is lost, look it up by number before anything else.
    `balance`: the shop's stock to give it (only without the stock module: with it the balance is read-only)."""
    body = item.body if balance is None else {**item.body, "StockBalance": balance}
    try:
        return Article.from_api(eaccounting.post("/articles", body))
    except OutcomeUnknown:
        found = eaccounting.article_by_number(item.sku)
        if found is None:
            raise
        return found


def _stock_kept(created: Article, shop_quantity: int | None) -> dict:
    """The link's stock fields for an article the first sync created: a stock item (stock module on)
    starts at 0 in eAccounting, so the shop keeps its own stock until stock is entered there."""
    if not created.is_stock:
        return {}
    changed = created.stock_changed_by_hand_utc
    if changed is not None and timezone.is_naive(changed):
        changed = timezone.make_aware(changed, UTC)  # eAccounting's times are UTC
    return {
        "stock_led_by_shop": True,
        "stock_to_enter": None if shop_quantity is None else Decimal(shop_quantity),
        "stock_hand_changed_at_import": changed,
    }


def apply(first: FirstSync, *, overwrite: bool = False, seconds: float | None = None) -> SyncRun:
    """*Yes*: create (and with `overwrite`, the confirmed overwrites) the items the preview showed.

    `seconds`: stop after about this long, leaving the first sync *applying*; applying again goes
    on with the items still planned (10,000 creates at 600 requests a minute take about 20 minutes,
    longer than a task may run)."""
    deadline = time.monotonic() + seconds if seconds is not None else None
    tenant = first.tenant
    if first.status not in (FirstSync.Status.PREVIEW, FirstSync.Status.CREATED, FirstSync.Status.APPLYING):
        raise FirstSyncError(
            _("This first sync is %(status)s: nothing to apply.")
            % {"status": str(first.get_status_display()).lower()}
        )
    if not first.summary:
        raise FirstSyncError(_("The preview was not completed: prepare a new one."))
    seen = RatesSeen.from_json(first.summary.get("rates_from_orders"))  # the rates the owner saw
    plan, live_by_id, eaccounting, shop_stock, _seen = _plan(tenant, shop_side=False, seen=seen)
    wanted = [ImportItem.Kind.CREATE, ImportItem.Kind.LINK] + (
        [ImportItem.Kind.OVERWRITE] if overwrite else []
    )
    planned = {
        (i.kind, i.sku): i for i in first.items.filter(state=ImportItem.State.PLANNED, kind__in=wanted)
    }
    live = {_key(item): item for item in (*plan.creates, *plan.links, *plan.overwrites)}
    creates = any(kind == ImportItem.Kind.CREATE for kind, _sku in planned)
    stock_on = _stock_module_on(eaccounting) if creates else False
    with RunRecorder(tenant, SyncRun.Kind.FIRST_IMPORT, SyncRun.Trigger.MANUAL) as rec:
        for n, ((kind, sku), row) in enumerate(planned.items()):
            if n and deadline is not None and time.monotonic() > deadline:  # at least one item a run
                first.status = FirstSync.Status.APPLYING
                first.save(update_fields=["status", "updated_at"])
                rec.event(
                    SyncEvent.Outcome.SKIPPED,
                    "-",
                    reason=reasons.GOES_ON % {"done": n, "total": len(planned)},
                )
                return rec.run
            if n % 20 == 0:
                rec.progress(n, len(planned))
            item = live.get((kind, sku))
            if item is None or _payload(item) != row.payload:
                _finish(
                    row,
                    ImportItem.State.SKIPPED,
                    "Changed since the preview: not applied. Make a new preview.",
                )
                rec.event(SyncEvent.Outcome.SKIPPED, sku, reason=row.reason)
                continue
            try:
                _apply_item(tenant, eaccounting, item, row, live_by_id, shop_stock, stock_on)
            except EAccountingError as exc:
                _finish(row, ImportItem.State.FAILED, str(exc))
                rec.event(SyncEvent.Outcome.FAILED, sku, reason=str(exc))
                continue
            rec.event(
                SyncEvent.Outcome.CREATED if kind == ImportItem.Kind.CREATE else SyncEvent.Outcome.UPDATED,
                sku,
                fields=row.payload.get("changes", {}),
                reason=row.get_kind_display(),
            )
        pending = first.items.filter(kind=ImportItem.Kind.OVERWRITE, state=ImportItem.State.PLANNED).exists()
        first.status = FirstSync.Status.CREATED if pending else FirstSync.Status.DONE
        first.save(update_fields=["status", "updated_at"])
        if first.status == FirstSync.Status.DONE:  # now eAccounting's articles may go to the shop
            tasks.sync_articles.enqueue(tenant.pk, SyncRun.Trigger.ACTIVATION)
    return rec.run


def _apply_item(tenant, eaccounting, item, row: ImportItem, live_by_id, shop_stock, stock_on) -> None:
    stock: dict = {}
    if isinstance(item, Create):
        quantity = shop_stock.get(item.product_id)
        created = _create(eaccounting, item, None if stock_on else quantity)
        article_id = created.id
        stock = _stock_kept(created, quantity) if stock_on else {}
    elif isinstance(item, Overwrite):
        eaccounting.put(f"/articles/{item.article_id}", overwrite_body(live_by_id[item.article_id].raw, item))
        article_id = item.article_id
    else:  # Link: the same in both systems
        article_id = item.article_id
    _link(tenant, article_id, item.sku, item.product_id, **stock)
    row.article_id = article_id
    _finish(row, ImportItem.State.APPLIED, "")


def settle(first: FirstSync) -> None:
    """Set the status from what the items say (after a step failed half-way, too)."""
    applied = first.items.filter(
        state=ImportItem.State.APPLIED, kind__in=[ImportItem.Kind.CREATE, ImportItem.Kind.OVERWRITE]
    )
    if first.items.filter(state=ImportItem.State.UNDONE).exists() and not applied.exists():
        first.status = FirstSync.Status.UNDONE
    elif not first.items.filter(state__in=[ImportItem.State.APPLIED, ImportItem.State.UNDONE]).exists():
        first.status = FirstSync.Status.PREVIEW
    elif first.items.filter(kind=ImportItem.Kind.OVERWRITE, state=ImportItem.State.PLANNED).exists():
        first.status = FirstSync.Status.CREATED
    else:
        first.status = FirstSync.Status.DONE
    first.save(update_fields=["status", "error", "updated_at"])


def _finish(row: ImportItem, state: str, reason: str) -> None:
    row.state, row.reason = state, reason or row.reason
    row.save(update_fields=["state", "reason", "article_id"])


def undo(first: FirstSync) -> SyncRun:
    """*Undo import*: put overwritten values back; deactivate created articles (the API cannot delete)."""
    tenant = first.tenant
    eaccounting = EAccountingClient(tenant.eaccounting_connection)
    applied = first.items.filter(
        state=ImportItem.State.APPLIED, kind__in=[ImportItem.Kind.CREATE, ImportItem.Kind.OVERWRITE]
    )
    with RunRecorder(tenant, SyncRun.Kind.FIRST_IMPORT, SyncRun.Trigger.MANUAL) as rec:
        for row in applied:
            live = Article.from_api(eaccounting.get(f"/articles/{row.article_id}"))
            if row.kind == ImportItem.Kind.OVERWRITE:
                eaccounting.put(f"/articles/{row.article_id}", with_values(live.raw, row.payload["undo"]))
                reason = reasons.PUT_BACK
            else:
                eaccounting.put(f"/articles/{row.article_id}", deactivate_body(live.raw))
                reason = reasons.DEACTIVATED
            ArticleLink.objects.filter(tenant=tenant, article_id=row.article_id).delete()
            _finish(row, ImportItem.State.UNDONE, reason)
            rec.event(SyncEvent.Outcome.UPDATED, row.sku, reason=reason)
        first.status = FirstSync.Status.UNDONE
        first.save(update_fields=["status", "updated_at"])
    return rec.run
