"""How often a job may be asked to run, in words a person reads: every 5, 15 or 30 minutes, hourly,
or daily (at a time of day in the company's time zone). Pure: no database, no clock.

Each job has a floor, what the work itself needs (the shared budget may stretch further:
budget_plan.py); its reason is shown on the schedule's page. A row saved before the presets (e.g.
orders every 3 minutes) keeps its interval and is offered as it is until changed.
"""

from dataclasses import dataclass
from datetime import time

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from integration.scheduling.budget_plan import DEFAULT_MINUTES

DAILY = 24 * 60
HOURLY = 60
PRESETS = (5, 15, 30, HOURLY, DAILY)


@dataclass(frozen=True)
class Floor:
    minutes: int
    why: str | Promise  # lazy: read in the reader's language


# Why no shorter: said on the page (lazy: in the reader's language).
FLOORS = {
    "orders": Floor(
        2,
        _(
            "Orders arrive by webhook as soon as they are paid; this check catches any the shop did not "
            "announce. Every 2 minutes keeps such an order under 3 minutes late; more often would only "
            "spend eAccounting's shared requests on empty checks."
        ),
    ),
    "articles": Floor(
        5,
        _(
            "Each run reads the articles changed since the last one. Under 5 minutes the runs find "
            "little new and take requests from eAccounting's limit, which every company shares."
        ),
    ),
    "stock": Floor(
        30,
        _(
            "The stock check reads every article in eAccounting, page by page. Under 30 minutes it "
            "would take most of eAccounting's shared request limit from the other companies."
        ),
    ),
    "availability": Floor(
        30,
        _(
            "Keeping the rules applied reads every article in eAccounting, as the stock check does: "
            "at most every 30 minutes."
        ),
    ),
    "webshop_orders": Floor(
        5,
        _("Webshop orders are looked up in eAccounting's list; every 5 minutes is as often as is useful."),
    ),
    "webhooks": Floor(
        HOURLY,
        _(
            "The check that the shop still sends its events to Silta finds nothing new more often than hourly."
        ),
    ),
}


def floor(job: str) -> Floor:
    return FLOORS.get(job, Floor(1, ""))


def describe(minutes: int, daily_at: time | None = None) -> str:
    """'every 15 minutes', 'hourly', 'daily at 02:00', …"""
    if minutes == DAILY:
        if daily_at is None:
            return str(_("daily"))
        return str(_("daily at %(time)s") % {"time": daily_at.strftime("%H:%M")})
    if minutes == HOURLY:
        return str(_("hourly"))
    if minutes % HOURLY == 0:
        hours = minutes // HOURLY
        return ngettext("every %(n)d hour", "every %(n)d hours", hours) % {"n": hours}
    return ngettext("every %(n)d minute", "every %(n)d minutes", minutes) % {"n": minutes}


def choices(job: str, current: int | None = None) -> list[tuple[int, str]]:
    """The intervals offered for `job`: the presets at or above its floor, Silta's default for it,
    and the row's own value when it is none of those (kept until the owner picks another)."""
    offered = {m for m in PRESETS if m >= floor(job).minutes}
    default = DEFAULT_MINUTES.get(job)
    if default is not None:
        offered.add(default)
    if current:
        offered.add(current)
    out = []
    for minutes in sorted(offered):
        label = describe(minutes)
        if minutes == default:
            label = str(_("%(interval)s (Silta's default)") % {"interval": label})
        out.append((minutes, label))
    return out


def effective(chosen: int, running: int | None) -> str | None:
    """Why a job runs less often than chosen, or None when it runs as chosen."""
    if running is None or running <= chosen:
        return None
    return str(
        _("runs %(interval)s now, because eAccounting's request limit shared by every company is busy")
        % {"interval": describe(running)}
    )
