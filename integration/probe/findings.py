"""A probe's findings against the running contract: which contradict it, and accepting them."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..eaccounting import contract
from ..models import AuditEntry, ContractKey, ContractSetting, ContractSource, ProbeReport
from ..people import audit


@dataclass(frozen=True)
class Row:
    """One switch as the admin shows it: the running value and the latest probe's finding for it."""

    key: str
    label: str
    value: Any
    source: str
    evidence: str
    observed_at: Any
    finding: dict | None

    @property
    def contradicts(self) -> bool:
        return bool(self.finding and self.finding["settled"] and self.finding["value"] != self.value)


def latest_report() -> ProbeReport | None:
    done = ProbeReport.objects.filter(status=ProbeReport.Status.DONE).defer(
        "exchanges"
    )  # hundreds of requests
    return done.order_by("-finished_at", "-pk").first()


def rows(report: ProbeReport | None = None) -> list[Row]:
    report = report or latest_report()
    found = {f["key"]: f for f in (report.findings if report else [])}
    stored = {s.key: s for s in ContractSetting.objects.all()}
    defaults = contract.defaults()
    shown = []
    for key in ContractKey:
        s = stored.get(key)
        shown.append(
            Row(
                key=key.value,
                label=str(key.label),
                value=s.value if s else defaults[key],
                source=s.source if s else ContractSource.DEFAULT,
                evidence=s.evidence
                if s
                else "The installation's settings (environment) or Silta's assumption.",
                observed_at=s.observed_at if s else None,
                finding=found.get(key.value),
            )
        )
    return shown


def contradictions(report: ProbeReport | None = None) -> list[Row]:
    """Settled findings of the latest probe that differ from the running value: shown until accepted."""
    return [r for r in rows(report) if r.contradicts]


def accept(report: ProbeReport, keys: list[str], user) -> list[str]:
    """The findings for `keys` become the running values (source "probe"), each in the audit trail."""
    found = {f["key"]: f for f in report.findings if f["settled"]}
    accepted = []
    now = timezone.now()
    with transaction.atomic():
        for key in keys:
            finding = found.get(key)
            if finding is None:
                continue
            before = contract.value(key)
            ContractSetting.objects.update_or_create(
                key=key,
                defaults={
                    "value": finding["value"],
                    "source": ContractSource.PROBE,
                    "evidence": finding["evidence"],
                    "observed_at": report.finished_at or now,
                    "report": report,
                    "accepted_by": user,
                    "accepted_at": now,
                },
            )
            audit.record(
                None,
                user,
                AuditEntry.Action.CHANGED,
                target=f"eAccounting contract setting {key}",
                detail=f"{before!r} → {finding['value']!r} from probe report {report.pk}: {finding['evidence']}",
            )
            accepted.append(key)
    return accepted
