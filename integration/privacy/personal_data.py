"""Customers' personal data in Silta's own records: where it may be, how it is hidden (pure).

Silta keeps a customer's name and e-mail in one place only, its copy of eAccounting's customer
register (`AccountingCustomer`), to find a returning customer without asking eAccounting each
time. Run events, reasons and tasks name orders by number and customers by eAccounting id. What
may still carry personal data is text quoted from eAccounting or the shop (a refusal's words):
orders' reasons are redacted before they are saved (`redact` with `order_values`), and both
retention and erasure treat those texts as possible carriers.

Retention (retention.py, daily): after the tenant's `personal_data_retention_days` the rows in
RETENTION keep their ids, states, totals, counts and eAccounting links (exactly once depends on
them) and lose the fields named there. Erasure (erasure.py): one e-mail, and the names tied to it,
out of every table Silta writes, eAccounting and the shop untouched (the law keeps invoices there).
"""

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ERASED = "[erased]"
MIN_VALUE = 5  # shorter strings (a first name alone, a house number) are too likely ordinary words

# Run kinds whose events and errors are about orders (SyncRun.Kind values).
ORDER_RUN_KINDS = ("orders", "webshop_orders")
# Transfers, steps and conversions that are over: their reason is history only (ClaimStatus values).
FINISHED = ("done", "skipped")
# Models of Silta's own users, not of customers: erasing a customer never touches them.
NOT_CUSTOMER_DATA = ("integration.Membership", "integration.Invitation")


@dataclass(frozen=True)
class Rule:
    """After the retention, rows of `model` selected as `which` says lose `fields`."""

    model: str
    which: str
    fields: tuple[str, ...]


RETENTION = (
    # Private persons who ordered through Silta, but not since the cutoff (never the collective customer).
    # email_hash stays: a returning customer is still found, not created a second time in eAccounting.
    # Customers who never ordered through Silta are a plain copy of eAccounting's register, kept in step with it.
    Rule("integration.AccountingCustomer", "private persons whose last order is older", ("name", "email")),
    Rule("integration.SyncEvent", "events of order runs", ("reason",)),
    Rule("integration.SyncRun", "order runs, except each tenant's latest of each kind", ("error",)),
    Rule("integration.OrderTransfer", "finished transfers", ("reason",)),
    Rule("integration.OrderStep", "finished steps", ("reason",)),
    Rule("integration.WebshopOrderConversion", "finished conversions", ("reason", "fingerprint")),
    # An order's events quote its reasons (redacted like the transfer's own); kind, time and numbers stay.
    Rule("integration.OrderEvent", "events older than the retention", ("params.reasons",)),
)
RULES = {rule.model: rule for rule in RETENTION}

# What the erasure report calls each model's rows (label → words); others use their verbose name.
WORDS = {
    "integration.AccountingCustomer": "customer records (copy of eAccounting's)",
    "integration.SyncEvent": "run events",
    "integration.SyncRun": "runs",
    "integration.OrderTransfer": "order records",
    "integration.OrderStep": "order steps",
    "integration.OrderEvent": "order events",
    "integration.AuditEntry": "audit entries (redacted)",
    "django_q.Task": "task results (deleted)",
    "django_q.OrmQ": "queued tasks (deleted)",
    "django_q.Schedule": "schedules (deleted)",
}


def normalise_email(value: Any) -> str:
    return "".join(str(value or "").split()).lower()


def email_hash(email: Any) -> str:
    """What AccountingCustomer.email_hash holds for `email` ("" for none)."""
    email = normalise_email(email)
    return hashlib.sha256(email.encode()).hexdigest() if email else ""


def hash_prefix(email: Any) -> str:
    """Enough to tell two erasures apart in the audit trail, too little to find the e-mail again."""
    return email_hash(email)[:8]


def order_values(order) -> set[str]:
    """The personal strings of a shop order (a webshops.base.ShopOrder): e-mail, phone, names, streets."""
    values = set()
    for a in (order.billing, order.shipping):
        person = " ".join(" ".join(x for x in (a.first_name, a.last_name) if x).split())
        values |= {a.email.strip(), a.phone.strip(), person, a.address_1.strip(), a.address_2.strip()}
    return usable(values)


def usable(values: Iterable[str]) -> set[str]:
    return {v for v in values if v and len(v) >= MIN_VALUE}


def _pattern(values: Iterable[str]) -> re.Pattern | None:
    ordered = sorted(usable(values), key=len, reverse=True)  # "Maija Meikäläinen" before "Maija"
    return re.compile("|".join(re.escape(v) for v in ordered), re.IGNORECASE) if ordered else None


def redact(text: str, values: Iterable[str]) -> str:
    """`text` with every one of `values` (any case) replaced by ERASED."""
    pattern = _pattern(values)
    return pattern.sub(ERASED, text) if pattern and text else text


def redact_json(value: Any, values: Iterable[str]) -> Any:
    """A JSON value with `values` redacted from every string in it, keys included."""
    pattern = _pattern(values)
    if pattern is None:
        return value

    def walk(v):
        if isinstance(v, str):
            return pattern.sub(ERASED, v)
        if isinstance(v, Mapping):
            return {walk(k): walk(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        return v

    return walk(value)


def carries(value: Any, values: Iterable[str]) -> bool:
    """Whether `value` (text, JSON or a task's arguments) mentions one of `values`."""
    pattern = _pattern(values)
    return bool(pattern and pattern.search(value if isinstance(value, str) else repr(value)))


def needles(values: Iterable[str]) -> list[str]:
    """What to look for in the database: each value, and as it reads inside JSON stored as text
    (SQLite keeps "ä" as "\\u00e4"), for an icontains filter."""
    out = []
    for v in usable(values):
        out += [v, json.dumps(v)[1:-1]]
    return list(dict.fromkeys(out))


def without_person(fingerprint: Mapping) -> dict:
    """A finished webshop order's fingerprint (visma_webshop.conversion_match) without its customer:
    the keys go, so a pruned row is not selected again."""
    return {k: v for k, v in fingerprint.items() if k not in ("email", "name")}


def summary(counts: Mapping[str, int], words: Callable[[str], str]) -> str:
    """'1 customer's data erased: 2 run events, 1 customer records' for the audit trail (no e-mail in it)."""
    parts = [f"{n} {words(label)}" for label, n in counts.items() if n]
    return "1 customer's data erased: " + (", ".join(parts) if parts else "nothing was found")
