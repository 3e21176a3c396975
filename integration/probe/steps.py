"""The probe's questions, in the order it asks them, and how each answer is decided (pure).

Each decision takes what was observed and returns a `Finding`: the value for the contract setting,
whether the observation settles it, and the evidence in words a person checks against the report.
"""

import re
from dataclasses import asdict, dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..models import ContractKey as Key

STOCK_NAME = re.compile(r"stock|inventory|varasto|lager", re.I)
QUOTA_MESSAGE = re.compile(r"maximum admitted (\d+) per (?:(Minute)|([\d.]+) Seconds)", re.I)


class Phase(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Step:
    name: str
    phase: Phase
    asks: str
    settles: tuple[str, ...]


STEPS: tuple[Step, ...] = (
    Step(
        "company settings",
        Phase.READ,
        "GET /companysettings: which ActivatedModules name the stock module?",
        (Key.STOCK_MODULE_NAMES,),
    ),
    Step(
        "codings",
        Phase.READ,
        "GET /articleaccountcodings: is VatRatePercent 25.5 or 0.255?",
        (Key.VAT_RATE_FORMAT,),
    ),
    Step(
        "page size",
        Phase.READ,
        "GET /articles with $pagesize=1000: how many come back, what Meta.PageSize says?",
        (Key.PAGE_SIZE_MAX,),
    ),
    Step(
        "filters",
        Phase.READ,
        "GET /articles with `or` in $filter; GET /customerinvoicedrafts filtered by "
        "YourReference: accepted or refused (400)?",
        (Key.FILTER_OR, Key.FILTER_YOUR_REFERENCE),
    ),
    Step(
        "refresh tokens",
        Phase.READ,
        "Does an old refresh token still work after rotation? Not asked: "
        "trying would risk revoking the connection.",
        (Key.REFRESH_ROTATION_GRACE,),
    ),
    Step(
        "throttled burst",
        Phase.READ,
        "GET /articles/{id} until the first 429 (at most the limit + 1 requests), "
        "then one GET each of /articles/{another id}, the same path with a query, and the same URL as a "
        "second company: Retry-After? limit and window? counted per template, path or URL? per client or "
        "per client and company?",
        (Key.RATE_LIMIT, Key.RATE_WINDOW, Key.RETRY_AFTER, Key.RATE_LIMIT_BUCKET, Key.RATE_LIMIT_KEY),
    ),
    Step(
        "test article",
        Phase.WRITE,
        "POST /articles SILTA-PROBE-… with a Note, then PUT it back without the "
        "Note: does PUT reset an omitted field?",
        (Key.PUT_RESETS_OMITTED,),
    ),
    Step(
        "draft and invoice",
        Phase.WRITE,
        "POST a private customer and a draft with the article, convert it to an "
        "invoice: IncludesVat for a private person? totals? does the stock movement change the article's "
        "ChangedUtc?",
        (Key.PRIVATE_PRICES_INCLUDE_VAT, Key.STOCK_BUMPS_CHANGED_UTC),
    ),
    Step("credit", Phase.WRITE, "POST /customerinvoices/{id}/void: the invoice is credited.", ()),
    Step(
        "webshop order",
        Phase.WRITE,
        "Only if the company has a webshop order: convert it, then GET it again: "
        "does a converted order stay listed?",
        (Key.CONVERTED_ORDERS_STAY_LISTED,),
    ),
    Step("clean up", Phase.WRITE, "PUT the test article and customer inactive.", ()),
)


@dataclass(frozen=True)
class Finding:
    key: str
    value: Any
    settled: bool
    evidence: str

    def as_json(self) -> dict:
        return asdict(self)


def unsettled(key: str, why: str) -> Finding:
    return Finding(key, None, False, why)


# --- read-only ------------------------------------------------------------------------------
def stock_module_names(modules: list[str]) -> Finding:
    names = [str(m) for m in modules if STOCK_NAME.search(str(m))]
    seen = f"ActivatedModules = {modules!r}"
    if not names:
        return unsettled(
            Key.STOCK_MODULE_NAMES,
            f"{seen}: no name looks like the stock module. Activate the stock "
            "module in the test company and run the probe again.",
        )
    return Finding(Key.STOCK_MODULE_NAMES, names, True, f"{seen}: the stock module is called {names!r}.")


def vat_rate_format(rates: list[Any]) -> Finding:
    values = [Decimal(str(r)) for r in rates if r is not None]
    positive = sorted({v for v in values if v > 0})
    seen = f"VatRatePercent values {[str(v) for v in positive] or 'none above 0'}"
    if not positive:
        return unsettled(Key.VAT_RATE_FORMAT, f"{seen}: no coding with VAT to tell the format by.")
    if all(v < 1 for v in positive):
        return Finding(
            Key.VAT_RATE_FORMAT, "fraction", True, f"{seen}: all below 1, a fraction (0.255 = 25.5 %)."
        )
    if all(v >= 1 for v in positive):
        return Finding(Key.VAT_RATE_FORMAT, "percent", True, f"{seen}: percent (25.5 = 25.5 %).")
    return unsettled(Key.VAT_RATE_FORMAT, f"{seen}: both forms at once; check the codings by hand.")


def page_size(asked: int, meta_page_size: int | None, returned: int, total: int | None) -> Finding:
    seen = (
        f"Asked $pagesize={asked}: {returned} items came back, Meta.PageSize={meta_page_size}, "
        f"TotalNumberOfResults={total}"
    )
    if total is not None and returned < min(asked, total):
        return Finding(Key.PAGE_SIZE_MAX, returned, True, f"{seen}: pages hold at most {returned}.")
    if meta_page_size is not None and meta_page_size < asked:
        return Finding(
            Key.PAGE_SIZE_MAX, meta_page_size, True, f"{seen}: eAccounting caps the page at {meta_page_size}."
        )
    return unsettled(
        Key.PAGE_SIZE_MAX,
        f"{seen}: every item fit on one page; the company has too few articles "
        f"to find the largest page (add more than {asked} or keep the default).",
    )


def filter_accepted(key: str, status: int, message: str) -> Finding:
    what = "`or` in $filter" if key == Key.FILTER_OR else "a YourReference $filter"
    if status < 400:
        return Finding(key, True, True, f"{what}: HTTP {status}, accepted.")
    if status == 400:
        return Finding(
            key, False, True, f"{what}: HTTP 400 ({message[:200]}), refused; Silta scans the list instead."
        )
    return unsettled(key, f"{what}: HTTP {status} ({message[:200]}), which says nothing about the filter.")


def refresh_rotation_grace() -> Finding:
    return unsettled(
        Key.REFRESH_ROTATION_GRACE,
        "Not asked: seeing it means using a refresh token after it was replaced, which may revoke "
        "the connection's whole grant. Silta stores each new refresh token before using it.",
    )


@dataclass(frozen=True)
class Burst:
    """What the throttled burst saw: `statuses` in order; the 429's headers and message; the checks sent
    right after (None when not sent): another id of the same template, the same path with a query,
    the same URL as a second company."""

    statuses: list[int]
    retry_after: str | None
    message: str
    other_id: int | None
    same_path_query: int | None
    second_company: int | None
    bound: int


def burst_findings(b: Burst) -> list[Finding]:
    throttled_at = next((i for i, s in enumerate(b.statuses, 1) if s == 429), None)
    keys = (Key.RATE_LIMIT, Key.RATE_WINDOW, Key.RETRY_AFTER, Key.RATE_LIMIT_BUCKET, Key.RATE_LIMIT_KEY)
    if throttled_at is None:
        why = (
            f"No 429 within {len(b.statuses)} requests (the bound was {b.bound}): the limit is higher than the "
            "present setting, or counted otherwise. Raise EACCOUNTING_RATE_LIMIT and run again to see it."
        )
        return [unsettled(k, why) for k in keys]
    seen = f"The first 429 came at request {throttled_at} of the burst"
    found: list[Finding] = []
    quota = QUOTA_MESSAGE.search(b.message or "")
    if quota:
        limit, window = int(quota.group(1)), 60.0 if quota.group(2) else float(quota.group(3))
        found.append(Finding(Key.RATE_LIMIT, limit, True, f"{seen}; its message: “{b.message[:200]}”."))
        found.append(
            Finding(Key.RATE_WINDOW, window, True, f"The 429's message gives a window of {window:g} s.")
        )
    else:
        why = f"{seen}; its message (“{(b.message or '')[:200]}”) does not say the limit."
        found += [unsettled(Key.RATE_LIMIT, why), unsettled(Key.RATE_WINDOW, why)]
    if b.retry_after:
        found.append(Finding(Key.RETRY_AFTER, True, True, f"The 429 carried Retry-After: {b.retry_after}."))
    else:
        found.append(Finding(Key.RETRY_AFTER, False, True, "The 429 carried no Retry-After header."))
    found.append(_bucket(b))
    found.append(_who(b))
    return found


def _bucket(b: Burst) -> Finding:
    if b.other_id is None:
        return unsettled(
            Key.RATE_LIMIT_BUCKET,
            "The company has fewer than two articles: no second path of the same template to compare.",
        )
    if b.other_id == 429:
        return Finding(
            Key.RATE_LIMIT_BUCKET,
            "template",
            True,
            "/articles/{another id} was refused too (429): counted per route template.",
        )
    if b.same_path_query == 429:
        return Finding(
            Key.RATE_LIMIT_BUCKET,
            "path",
            True,
            f"/articles/{{another id}} answered {b.other_id}, the same "
            "path with a query 429: counted per path.",
        )
    if b.same_path_query is not None and b.same_path_query < 400:
        return Finding(
            Key.RATE_LIMIT_BUCKET,
            "url",
            True,
            f"/articles/{{another id}} answered {b.other_id}, the same "
            f"path with a query {b.same_path_query}: counted per URL.",
        )
    return unsettled(
        Key.RATE_LIMIT_BUCKET,
        f"Another id answered {b.other_id}, the same path with a query {b.same_path_query}: inconclusive.",
    )


def _who(b: Burst) -> Finding:
    if b.second_company is None:
        return unsettled(
            Key.RATE_LIMIT_KEY,
            "Only one company was connected for the probe: whether the limit is per "
            "client or per client and company needs a second one (--second-tenant).",
        )
    if b.second_company == 429:
        return Finding(
            Key.RATE_LIMIT_KEY,
            "client",
            True,
            "The same URL as a second company was refused too (429): "
            "one limit for the client across companies.",
        )
    return Finding(
        Key.RATE_LIMIT_KEY,
        "client_company",
        True,
        f"The same URL as a second company answered {b.second_company}: a limit per client and company.",
    )


# --- writes ---------------------------------------------------------------------------------
def put_resets_omitted(note_before: Any, note_after: Any) -> Finding:
    seen = f"Created with Note={note_before!r}; after a PUT without Note it reads {note_after!r}"
    if note_after == note_before:
        return Finding(Key.PUT_RESETS_OMITTED, False, True, f"{seen}: omitted fields are kept.")
    return Finding(
        Key.PUT_RESETS_OMITTED, True, True, f"{seen}: PUT is a full replace; Silta sends the whole object."
    )


def includes_vat(document: str, value: Any, total: Any, vat: Any, unit_price: Decimal) -> Finding:
    seen = (
        f"The {document} for a private person answered IncludesVat={value!r}, TotalAmount={total}, "
        f"TotalVatAmount={vat} for one row at {unit_price}"
    )
    if not isinstance(value, bool):
        return unsettled(Key.PRIVATE_PRICES_INCLUDE_VAT, f"{seen}: not a yes or no.")
    basis = "gross (VAT included)" if value else "net (VAT added)"
    return Finding(Key.PRIVATE_PRICES_INCLUDE_VAT, value, True, f"{seen}: row prices are {basis}.")


def stock_bumps_changed_utc(is_stock: bool, before: str | None, after: str | None, balance: tuple) -> Finding:
    if not is_stock:
        return unsettled(
            Key.STOCK_BUMPS_CHANGED_UTC,
            "The test article is not a stock article (no stock module): no stock movement to watch.",
        )
    seen = f"StockBalance {balance[0]} → {balance[1]} by the invoice; ChangedUtc {before} → {after}"
    if balance[0] == balance[1]:
        return unsettled(Key.STOCK_BUMPS_CHANGED_UTC, f"{seen}: the invoice did not move stock.")
    moved = before != after
    why = (
        "stock movements change ChangedUtc"
        if moved
        else "stock movements leave ChangedUtc alone (keep the reconcile)"
    )
    return Finding(Key.STOCK_BUMPS_CHANGED_UTC, moved, True, f"{seen}: {why}.")


def converted_order_stays(order_id: str | None, status_after: int | None) -> Finding:
    if order_id is None:
        return unsettled(Key.CONVERTED_ORDERS_STAY_LISTED, "The company has no webshop order to convert.")
    if status_after == 404:
        return Finding(
            Key.CONVERTED_ORDERS_STAY_LISTED,
            False,
            True,
            f"GET /webshoporders/{order_id} answered 404 after its conversion: converted orders leave.",
        )
    if status_after is not None and status_after < 400:
        return Finding(
            Key.CONVERTED_ORDERS_STAY_LISTED,
            True,
            True,
            f"GET /webshoporders/{order_id} still answered {status_after} after its conversion.",
        )
    return unsettled(Key.CONVERTED_ORDERS_STAY_LISTED, f"GET after the conversion answered {status_after}.")
