"""The running eAccounting contract: each switch's value, from an accepted probe finding or from what
the product learnt in operation, else the installation's settings (the default).

A client reads a `Contract` once when it is made, so a run keeps one view of the contract throughout.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from ..models import ContractKey, ContractSetting, ContractSource

Key = ContractKey


def defaults() -> dict[str, Any]:
    """The values Silta assumes before anything was observed (partly from the environment)."""
    return {
        Key.PAGE_SIZE_MAX: settings.EACCOUNTING_PAGE_SIZE,
        Key.FILTER_OR: None,  # unknown: lookups fall back to scanning the list when refused
        Key.FILTER_YOUR_REFERENCE: None,
        Key.STOCK_MODULE_NAMES: ["Stock"],
        Key.VAT_RATE_FORMAT: "auto",  # "percent" (25.5), "fraction" (0.255); auto: below 1 is a fraction
        Key.RATE_LIMIT: settings.EACCOUNTING_RATE_LIMIT,
        Key.RATE_WINDOW: settings.EACCOUNTING_RATE_WINDOW,
        Key.RATE_LIMIT_KEY: "client_company" if settings.EACCOUNTING_RATE_SCOPE == "company" else "client",
        Key.RATE_LIMIT_BUCKET: "resource",  # coarser than any of template/path/url: never over the limit
        Key.RETRY_AFTER: None,  # unknown: Silta backs off on its own when a 429 has no Retry-After
        Key.REFRESH_ROTATION_GRACE: None,
        Key.STOCK_BUMPS_CHANGED_UTC: False,  # assume not: the periodic stock reconcile runs regardless
        Key.PUT_RESETS_OMITTED: True,  # assume a full replace: Silta always PUTs the whole object as read
        Key.PRIVATE_PRICES_INCLUDE_VAT: True,
        Key.COMPANY_PRICES_INCLUDE_VAT: False,
        Key.CONVERTED_ORDERS_STAY_LISTED: None,  # unknown: a listed order with its invoice counts as converted
    }


@dataclass(frozen=True)
class Contract:
    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def page_size(self) -> int:
        return int(self.values[Key.PAGE_SIZE_MAX])

    @property
    def rate_limit(self) -> int:
        return int(self.values[Key.RATE_LIMIT])

    @property
    def rate_window(self) -> float:
        return float(self.values[Key.RATE_WINDOW])

    @property
    def per_company(self) -> bool:
        return self.values[Key.RATE_LIMIT_KEY] == "client_company"

    @property
    def bucket(self) -> str:
        return str(self.values[Key.RATE_LIMIT_BUCKET])

    @property
    def vat_rate_format(self) -> str:
        return str(self.values[Key.VAT_RATE_FORMAT])


def current() -> Contract:
    """The running contract: stored rows over the defaults."""
    values = defaults()
    values.update(dict(ContractSetting.objects.values_list("key", "value")))
    return Contract(values)


def value(key: str) -> Any:
    row = ContractSetting.objects.filter(key=key).values_list("value", flat=True)
    return row[0] if row else defaults()[key]


def source(key: str) -> str:
    found = ContractSetting.objects.filter(key=key).values_list("source", flat=True)
    return found[0] if found else ContractSource.DEFAULT


def learn(key: str, observed: Any, evidence: str) -> None:
    """The product saw `observed` in operation: it becomes the running value (source "learned")."""
    ContractSetting.objects.update_or_create(
        key=key,
        defaults={
            "value": observed,
            "source": ContractSource.LEARNED,
            "evidence": evidence,
            "observed_at": timezone.now(),
            "report": None,
            "accepted_by": None,
            "accepted_at": None,
        },
    )
