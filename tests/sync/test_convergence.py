"""Convergence (acceptance 3): whatever happens on both sides, in whatever order, with syncs in
between, one more (full) sync leaves the shop showing exactly what eAccounting says, and the
sync after that writes nothing.

Hypothesis draws a sequence of actions against both sandboxes: in eAccounting price, name, VAT
coding, deactivate/reactivate, *Available in webshop* off/on and stock adjustments (with and
without a new ChangedUtc); in the shop edits of locked fields through the REST API, publishing a
draft, checkouts and order status changes; and article syncs (incremental, full, confirming a
mass change) in between. The expected state is computed here from the two systems' own answers,
not with the sync's code:

- every active article that is available in the webshop has one product, linked, whose SKU,
  name, price (gross, as the shop enters prices with VAT), tax class (through the tenant's tax
  class mappings), stock management and unit are eAccounting's; a stock item's quantity is
  max(0, floor(StockBalanceAvailable − quantities in open shop orders)), as no order reaches
  eAccounting here; its status is the owner's (published if the owner published it, else the
  draft it was created as);
- every other linked article's product is hidden (draft); no other product exists.

The same holds after every full sync in the sequence, and after every incremental one except for
stock (a movement that leaves ChangedUtc alone, or an order completed in the shop, waits for the
reconcile), unless a mass change is waiting for confirmation.

Both sandboxes and the tenant are built anew for every example inside the test body (a
function-scoped fixture is not reset between Hypothesis examples).
"""

import itertools
from contextlib import contextmanager
from decimal import ROUND_FLOOR, Decimal

import pytest
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from integration.activation.activate import activate
from integration.activation.fetch import gather
from integration.activation.preflight import check
from integration.eaccounting.client import EAccountingClient
from integration.eaccounting.resources import Article
from integration.models import ArticleLink, SyncEvent, SyncRun, TaxClassMapping, Tenant
from integration.sync import first_sync
from integration.sync.article_sync import sync_articles
from tests.fixtures.examples import examples

from ..conftest import connect_both

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLES = (
    10  # the catalogue of each example: large enough for every kind of article, small enough to be quick
)
OPEN = ("pending", "processing", "on-hold")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
NAMES = ['Kahvikuppi 日本 <b>&amp; "Ö"</b>', "Tee 🍵 'Earl Grey' & co", "Ελληνικά – Ж ñ \\ 100%", "Pipo"]
PRICE_STEPS = ["-40", "-0.01", "0.05", "10", "123.45"]
STOCK_STEPS = ["-7", "-1.5", "0.75", "2.5", "12.25"]  # mostly fractions: a shop sells whole units
SHOP_FIELDS = ["regular_price", "name", "sku", "tax_class", "stock_quantity", "manage_stock"]
ORDER_STATUSES = ["completed", "cancelled", "on-hold", "processing"]
SYNCS = ["incremental", "incremental", "full", "confirm"]
UNLIMITED = 1_000_000  # requests a minute: the examples together would wait for eAccounting's budget

article = st.integers(0, ARTICLES - 1)  # an index into the articles sorted by number
product = st.integers(0, 50)  # an index into the products (orders) the shop action makes sense for
syncs = st.tuples(st.just("sync"), st.sampled_from(SYNCS))
actions = st.one_of(
    st.tuples(st.just("ea_price"), article, st.sampled_from(PRICE_STEPS)),
    st.tuples(st.just("ea_name"), article, st.sampled_from(NAMES)),
    st.tuples(st.just("ea_vat"), article),
    st.tuples(st.just("ea_active"), article),
    st.tuples(st.just("ea_webshop"), article),
    st.tuples(st.just("ea_stock"), article, st.sampled_from(STOCK_STEPS), st.booleans()),
    st.tuples(st.just("shop_edit"), product, st.sampled_from(SHOP_FIELDS)),
    st.tuples(st.just("shop_publish"), product),
    st.tuples(st.just("shop_order"), product, st.integers(1, 3)),
    st.tuples(st.just("shop_order_status"), product, st.sampled_from(ORDER_STATUSES)),
    syncs,
    syncs,  # twice as likely as any one change
)
slugs = (f"conv-{n}" for n in itertools.count())


class World:
    """Both sandboxes, the tenant, and what the test itself has to remember (what the owner published)."""

    def __init__(self, ea, wc, tenant):
        self.ea, self.wc, self.tenant = ea, wc, tenant
        self.eaccounting = EAccountingClient(tenant.eaccounting_connection)
        self.company = tenant.eaccounting_connection.company_id
        self.key = (tenant.webshop_connection.api_key, tenant.webshop_connection.api_secret)
        self.ids = [a.id for a in sorted(self.eaccounting.articles(), key=lambda a: a.number)]
        self.codings = {c.id: c for c in self.eaccounting.codings()}
        self.published: set[str] = set()  # article ids whose product the owner published
        self.held = False  # a run stopped at the mass-change guard and no full run has written since
        self.edits = itertools.count()

    # -- reading
    def article(self, i):
        return Article.from_api(self.eaccounting.get(f"/articles/{self.ids[i]}"))

    def product(self, product_id):
        response = self.wc.get(f"/products/{product_id}", self.key)
        assert response.status_code == 200, response.text
        return response.json()

    def shop_put(self, path, body):
        self.wc.control("POST", "/clock", {"advance": 5})  # a person's edit comes a few seconds later
        response = self.wc.put(path, self.key, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    # -- eAccounting
    def ea_price(self, i, step):
        a = self.article(i)
        self.eaccounting.update_article(a, NetPrice=float(max(Decimal("1"), a.net_price + Decimal(step))))

    def ea_name(self, i, name):
        self.eaccounting.update_article(self.article(i), Name=name)

    def ea_vat(self, i):
        a = self.article(i)
        now = self.codings[a.coding_id]
        other = next(
            c
            for c in self.codings.values()
            if c.type == now.type
            and c.id != now.id
            and c.vat_rate_percent in (Decimal("25.5"), Decimal("14"))
        )
        self.eaccounting.update_article(a, CodingId=other.id)

    def ea_active(self, i):
        a = self.article(i)
        self.eaccounting.update_article(a, IsActive=not a.is_active)

    def ea_webshop(self, i):
        a = self.article(i)
        self.eaccounting.update_article(a, SendToWebshop=not a.send_to_webshop)

    def ea_stock(self, i, delta, bump):
        if not self.article(
            i
        ).is_stock:  # an adjustment "in the UI"; only a stock item has a balance to adjust
            return False
        self.ea.control(
            "POST",
            f"companies/{self.company}/stock",
            {"article_id": self.ids[i], "delta": delta, "bump_changed": bump},
        )

    # -- the shop: the k-th product of those the action makes sense for
    def linked(self, k, usable=lambda link, product: True):
        links = ArticleLink.objects.filter(tenant=self.tenant).order_by("article_number")
        candidates = [(link, p) for link in links if usable(link, p := self.product(link.shop_product_id))]
        return candidates[k % len(candidates)] if candidates else (None, None)

    def shop_edit(self, k, field):
        link, p = self.linked(k)
        if link is None:
            return False
        value = {
            "regular_price": "1.23",
            "name": "Omistajan oma nimi",
            "sku": f"X-{k}-{next(self.edits)}",
            "tax_class": "zero-rate" if p["tax_class"] != "zero-rate" else "reduced-rate-10",
            "stock_quantity": 999,
            "manage_stock": not p["manage_stock"],
        }[field]
        self.shop_put(f"/products/{p['id']}", {field: value})

    def shop_publish(self, k):
        """The owner publishes a draft Silta created (not one Silta hid: that one waits for its article)."""
        link, p = self.linked(k, lambda link, p: not link.hidden and p["status"] == "draft")
        if link is None:
            return False
        self.shop_put(f"/products/{p['id']}", {"status": "publish"})
        self.published.add(link.article_id)

    def shop_order(self, k, quantity):
        """A checkout as a customer can make one: a published product, in stock if its stock is managed.
        Its SKU must be the article number: the sandbox keeps a line's SKU from the checkout, where
        WooCommerce reports the product's current SKU."""

        def buyable(link, p):
            in_stock = not p["manage_stock"] or (p["stock_quantity"] or 0) >= quantity
            return p["status"] == "publish" and p["sku"] == link.article_number and in_stock

        link, p = self.linked(k, buyable)
        if link is None:
            return False
        self.wc.control("POST", "/clock", {"advance": 5})
        self.wc.control("POST", "/orders", {"line_items": [{"product_id": p["id"], "quantity": quantity}]})

    def shop_order_status(self, k, status):
        orders = self.wc.get(
            "/orders", self.key, params={"per_page": 100, "orderby": "id", "order": "asc"}
        ).json()
        live = [o for o in orders if o["status"] in OPEN]
        if not live:
            return False
        self.shop_put(f"/orders/{live[k % len(live)]['id']}", {"status": status})

    # -- Silta
    def sync(self, mode):
        run = sync_articles(self.tenant, full=mode == "full", confirm_mass_change=mode == "confirm")
        assert_clean(run, held_allowed=mode != "confirm")
        event(f"sync {mode}: {run.get_status_display()}")
        if run.status == SyncRun.Status.NEEDS_CONFIRMATION:
            self.held = True  # prices wait for a person: until a full run writes them, they may differ
        elif mode != "incremental":
            self.held = False
            assert_converged(self)  # a full run reads everything: the shop is what eAccounting says
        elif not self.held:
            assert_converged(self, stock=False)  # stock moves without a new ChangedUtc wait for the reconcile
        return run


def assert_clean(run, held_allowed):
    """The run did its job: no failure, no article skipped for a problem (a guarded price may wait)."""
    allowed = (
        (SyncRun.Status.SUCCEEDED, SyncRun.Status.NEEDS_CONFIRMATION)
        if held_allowed
        else (SyncRun.Status.SUCCEEDED,)
    )
    assert run.status in allowed, (run.status, run.error)
    problems = run.events.filter(outcome__in=[SyncEvent.Outcome.FAILED, SyncEvent.Outcome.SKIPPED]).exclude(
        reason="waiting for confirmation of a mass price change"
    )
    assert not problems.exists(), [(e.outcome, e.item, e.reason) for e in problems]


@contextmanager
def world(ea, wc):
    """Fresh sandboxes and an activated tenant after its first sync; the owner publishes half of the drafts."""
    ea.control("POST", "reset", {"demo": True, "articles": ARTICLES, "settings": {"rate_limit": UNLIMITED}})
    wc.reset(seed={"products": 0, "orders": 0})
    tenant = connect_both(ea, wc, next(slugs))
    try:
        activate(tenant, check(gather(tenant)))
        tenant.refresh_from_db()
        key = (tenant.webshop_connection.api_key, tenant.webshop_connection.api_secret)
        for hook in wc.get(
            "/webhooks", key
        ).json():  # no task cluster runs here: deliveries would only cost time
            wc.delete(f"/webhooks/{hook['id']}", key, params={"force": "true"})
        first_sync.apply(first_sync.preview(tenant))  # an empty shop: nothing to import
        w = World(ea, wc, tenant)
        assert_clean(sync_articles(tenant), held_allowed=False)
        for k in range(0, ARTICLES, 2):
            w.shop_publish(k)
        yield w
    finally:
        wc.wait_webhooks()
        Tenant.objects.filter(pk=tenant.pk).delete()


def expected_stock(available: Decimal, pending: Decimal) -> int:
    return max(0, int((available - pending).to_integral_value(rounding=ROUND_FLOOR)))


def assert_converged(w: World, stock: bool = True):
    articles = list(w.eaccounting.articles())
    rates = {c.id: c.vat_rate_percent for c in w.eaccounting.codings()}
    units = {u.id: u.raw.get("Abbreviation") for u in w.eaccounting.units()}
    tax_class = {
        m.vat_rate: ("" if m.tax_class == "standard" else m.tax_class)
        for m in TaxClassMapping.objects.filter(tenant=w.tenant)
    }
    products = {p["id"]: p for p in w.wc.get("/products", w.key, params={"per_page": 100}).json()}
    pending: dict[int, Decimal] = {}
    for order in w.wc.get("/orders", w.key, params={"per_page": 100, "status": ",".join(OPEN)}).json():
        for line in order["line_items"]:
            pending[line["product_id"]] = pending.get(line["product_id"], Decimal(0)) + Decimal(
                line["quantity"]
            )
    links = {link.article_id: link.shop_product_id for link in ArticleLink.objects.filter(tenant=w.tenant)}

    assert (
        len(links) == len(set(links.values())) == len(products)
    )  # one product per linked article, no strays
    for a in articles:
        shown = a.is_active and a.send_to_webshop
        if a.id not in links:
            assert not shown, f"{a.number} is in the webshop but has no product"
            continue
        p = products[links[a.id]]
        if not shown:
            assert p["status"] == "draft", (
                f"{a.number} is not in the webshop but its product is {p['status']}"
            )
            continue
        meta = {m["key"]: m["value"] for m in p["meta_data"]}
        want = {
            "sku": a.number,
            "name": a.name,
            "regular_price": a.gross_price.quantize(Decimal("0.01")),
            "tax_class": tax_class[Decimal(rates[a.coding_id])],
            "manage_stock": a.is_stock,
            "unit": units[a.unit_id],
            "status": "publish" if a.id in w.published else "draft",
        }
        have = {
            "sku": p["sku"],
            "name": p["name"],
            "regular_price": Decimal(p["regular_price"]),
            "tax_class": p["tax_class"],
            "manage_stock": p["manage_stock"],
            "unit": meta.get("_silta_unit"),
            "status": p["status"],
        }
        if a.is_stock and stock:
            want["stock_quantity"] = expected_stock(a.stock_available, pending.get(p["id"], Decimal(0)))
            have["stock_quantity"] = p["stock_quantity"]
        assert have == want, a.number


@hypothesis_settings(
    max_examples=examples(40),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(actions, min_size=8, max_size=24))
def test_any_interleaving_of_changes_and_syncs_converges(ea, wc, live_server, settings, steps):
    settings.SILTA_BASE_URL = live_server.url
    settings.EACCOUNTING_RATE_LIMIT = UNLIMITED
    with world(ea, wc) as w:
        for name, *args in steps:
            done = getattr(w, name)(*args)
            event(f"{name}: {'done' if done is not False else 'nothing to do'}")
        final = sync_articles(w.tenant, full=True, confirm_mass_change=True)
        assert_clean(final, held_allowed=False)
        assert_converged(w)

        w.wc.control("DELETE", "/requests")
        for again in (sync_articles(w.tenant), sync_articles(w.tenant, full=True)):
            assert_clean(again, held_allowed=False)
            assert not again.events.exists(), [(e.outcome, e.item, e.reason) for e in again.events.all()]
        writes = [
            r
            for r in w.wc.control("GET", "/requests")
            if r["method"] in WRITES and r["path"].startswith("/wp-json")
        ]
        assert writes == []
