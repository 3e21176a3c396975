"""The eAccounting client against the sandbox over HTTP, checked against the OpenAPI document."""

from decimal import Decimal

import pytest

from integration.eaccounting.errors import Conflict, OutcomeUnknown, ValidationFailed


def test_reads_company_settings_units_and_codings(client, ea):
    company = client.company_settings()
    expected = ea.companies()[0]
    assert company.name == expected["name"]
    assert company.corporate_identity_number == expected["corporate_identity_number"]
    assert company.currency_code == "EUR"
    units = client.units()
    assert units and all(u.id for u in units)
    rates = {c.vat_rate_percent for c in client.codings()}
    assert {Decimal("25.5"), Decimal("14"), Decimal("10"), Decimal("0")} <= rates


def test_vat_rate_as_fraction_is_read_as_percent(client, ea):
    ea.settings(vat_rate_as_fraction=True)
    rates = {c.vat_rate_percent for c in client.codings()}
    assert Decimal("25.5") in rates and not any(0 < r < 1 for r in rates)


def test_articles_are_typed_with_decimal_money(client):
    articles = list(client.articles())
    assert len(articles) == 20
    first = articles[0]
    assert isinstance(first.net_price, Decimal) and isinstance(first.stock_balance, Decimal)
    assert client.article_by_number(first.number).id == first.id
    assert client.article_by_number("NO-SUCH-NUMBER") is None


def test_put_is_a_full_replace_that_changes_only_the_meant_field(client, ea):
    article = next(iter(client.articles()))
    ea.control("DELETE", "requests")
    updated = client.update_article(article, Name="Uusi nimi")
    assert updated.name == "Uusi nimi" and updated.net_price == article.net_price
    (put,) = [r for r in ea.control("GET", "requests") if r["method"] == "PUT"]
    sent = put["json"]
    assert sent["Name"] == "Uusi nimi"
    assert {k: v for k, v in sent.items() if k != "Name"} == {
        k: v for k, v in article.raw.items() if k != "Name"
    }


def test_validation_errors_are_typed_and_readable(client, ea):
    client.session.hooks["response"] = [ea.contract.hook(request=False)]  # we send invalid data on purpose
    article = next(iter(client.articles()))
    with pytest.raises(ValidationFailed) as error:
        client.update_article(article, Name="x" * 51)
    assert error.value.error_code == 2000 and "Name" in str(error.value)
    body = {k: article.raw[k] for k in ("Name", "UnitId", "CodingId", "IsActive")} | {
        "Number": article.number
    }
    with pytest.raises(Conflict) as error:
        client.post("/articles", body)
    assert error.value.error_code == 4000 and error.value.error_id


def test_a_post_whose_answer_is_lost_is_not_repeated(client, ea):
    article = next(iter(client.articles()))
    body = {k: article.raw[k] for k in ("Name", "UnitId", "CodingId", "IsActive")} | {"Number": "LOST-1"}
    ea.settings(drop_after_commit_next=1)
    with pytest.raises(OutcomeUnknown):
        client.post("/articles", body)
    # the caller looks the article up before trying again: it exists, once
    assert client.article_by_number("LOST-1") is not None
    posts = [
        r for r in ea.control("GET", "requests") if r["method"] == "POST" and r["path"] == "/v2/articles"
    ]
    assert len(posts) == 1


def test_server_errors_on_reads_are_retried(client, ea):
    ea.settings(error_rate=0.5, fault_seed=7)
    assert len(list(client.articles())) == 20
    assert client.stats["retries"] > 0


def test_a_429_is_waited_out_and_retried(client, ea, settings):
    ea.settings(rate_limit=3, rate_window=2.0)  # the sandbox is stricter than our budget believes
    for _ in range(6):
        client.company_settings()
    assert client.stats["rate_limited"] >= 1
    assert client.stats["requests"] >= 7


def test_a_burst_of_429s_longer_than_the_retry_limit_is_waited_out(client, ea):
    ea.settings(rate_window=0.2, force_429=7)  # more 429s in a row than MAX_ATTEMPTS; each asks for 1 s
    assert client.company_settings().currency_code == "EUR"
    assert client.stats["rate_limited"] == 7


def test_endless_429s_end_in_a_rate_limited_error_not_a_crash(client, ea, monkeypatch):
    from integration.eaccounting import client as client_module
    from integration.eaccounting.errors import RateLimited

    monkeypatch.setattr(client_module, "MAX_THROTTLED", 2)
    ea.settings(rate_window=0.2, force_429=5)
    with pytest.raises(RateLimited):
        client.company_settings()
