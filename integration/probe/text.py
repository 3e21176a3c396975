"""A probe report as a person reads it (the command prints it; the admin shows it too)."""

from ..models import ProbeReport
from . import findings


def _shown(value) -> str:
    return "not settled" if value is None else repr(value)


def render(report: ProbeReport) -> str:
    lines = [
        f"eAccounting probe #{report.pk} of {report.company_name or report.tenant}"
        + (
            f" (second company: {report.second_tenant.eaccounting_connection.company_name})"
            if report.second_tenant
            else ""
        ),
        f"{'read-only' if not report.write else 'read and write'}; status {report.status}; "
        f"{report.request_count} requests in {report.wall_seconds or 0:.1f} s",
    ]
    if report.error:
        lines.append(f"Stopped: {report.error}")
    lines.append("")
    by_key = {r.key: r for r in findings.rows(report)}
    for f in report.findings:
        row = by_key.get(f["key"])
        label = row.label if row else f["key"]
        mark = "settled" if f["settled"] else "NOT SETTLED"
        lines.append(f"- {label} [{f['key']}]: {_shown(f['value'])} ({mark})")
        lines.append(f"    seen: {f['evidence']}")
        if row is not None and row.contradicts:
            running = "unknown" if row.value is None else repr(row.value)
            lines.append(
                f"    ! differs from the running value {running} ({row.source}): review and accept it in the admin"
            )
    if report.made:
        lines += ["", "Test records:"] + [f"- {m}" for m in report.made]
    writes = sum(1 for e in report.exchanges if e.get("method") not in ("GET", None))
    lines += ["", f"{writes} writing requests (POST/PUT/DELETE)."]
    return "\n".join(lines)
