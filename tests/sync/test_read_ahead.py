"""Reading ahead (a full article sync reads the next pages in a thread while it writes): the same items
in the same order, errors where they happened, a reader that stops stops the thread, and a
500-article sync ends as a sync that reads page after page does: every article once in the shop."""

import threading
from decimal import Decimal

import pytest

from integration import webshops
from integration.eaccounting.client import EAccountingClient
from integration.models import ArticleLink, SyncEvent, SyncRun
from integration.sync.article_sync import sync_articles
from integration.sync.read_ahead import read_ahead

from ..conftest import activated_on_an_empty_shop


def test_every_item_comes_once_in_order_and_never_more_than_depth_ahead():
    made = []

    def items():
        for n in range(1000):
            made.append(n)
            yield n

    got = []
    for n in read_ahead(items(), depth=5):
        assert len(made) - len(got) <= 5 + 2  # the queue, the one being put, the one taken
        got.append(n)
    assert got == list(range(1000))


def test_an_error_of_the_listing_is_raised_to_the_reader_where_it_happened():
    def items():
        yield from range(3)
        raise ConnectionError("eAccounting did not answer")

    got = []
    with pytest.raises(ConnectionError, match="did not answer"):
        for n in read_ahead(items(), depth=10):
            got.append(n)
    assert got == [0, 1, 2]


def test_a_reader_that_stops_early_stops_the_thread():
    before = threading.active_count()
    reader = read_ahead(iter(range(10**6)), depth=3)
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    reader.close()  # what a `for` loop left by an exception (a lost lease) does
    assert threading.active_count() == before


@pytest.mark.django_db(transaction=True)
def test_a_full_sync_of_500_articles_puts_each_in_the_shop_once(ea, wc, live_server, settings):
    settings.SILTA_BASE_URL = live_server.url
    tenant = activated_on_an_empty_shop(ea, wc, "ahead")
    company = tenant.eaccounting_connection.company_id
    ea.control("POST", f"companies/{company}/articles", {"count": 480})
    articles = list(EAccountingClient(tenant.eaccounting_connection).articles())
    shown = {a.number: a for a in articles if a.is_active and a.send_to_webshop}
    assert len(articles) >= 500 and len(shown) > 300

    ea.control("DELETE", "requests")
    run = sync_articles(tenant)  # the initial sync: every page, read ahead
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    products = list(webshops.for_connection(tenant.webshop_connection).products())
    assert sorted(p.sku for p in products) == sorted(shown)  # each once: none lost, none twice
    for p in products:
        assert p.name == shown[p.sku].name
        assert p.regular_price == shown[p.sku].gross_price.quantize(Decimal("0.01"))
    assert ArticleLink.objects.filter(tenant=tenant).count() == len(shown)
    assert run.events.filter(outcome=SyncEvent.Outcome.CREATED).count() == len(shown)
    pages = [r for r in ea.control("GET", "requests") if r["path"] == "/v2/articles"]
    assert len(pages) == -(-len(articles) // settings.EACCOUNTING_PAGE_SIZE)  # each page read once

    again = sync_articles(tenant, full=True)  # the stock reconcile reads ahead too: nothing to write
    assert again.status == SyncRun.Status.SUCCEEDED, again.error
    assert not again.events.exclude(outcome=SyncEvent.Outcome.SKIPPED).exists()


def test_inside_a_transaction_the_items_are_read_in_line(db):
    """A thread's own connection would wait on rows this transaction holds: no thread is started."""
    seen = []

    def items():
        for n in range(3):
            seen.append(threading.current_thread().name)
            yield n

    assert list(read_ahead(items(), 2)) == [0, 1, 2]
    assert set(seen) == {threading.current_thread().name}
