"""`{{ when|company_time:tenant }}`: a moment as the reader's language writes it (Django's locale
formats: 5.12.2026 klo 14.03 in Finnish, 2026-12-05 14:03 in Swedish) and on the company's clock
(Tenant.time_zone; without a tenant, the installation's TIME_ZONE). `company_date` gives the day only.

One helper for every page, so no date is formatted by hand or printed raw (in UTC) anywhere."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.conf import settings
from django.utils import formats, timezone

register = template.Library()


def zone_of(tenant=None) -> ZoneInfo:
    return ZoneInfo(getattr(tenant, "time_zone", None) or settings.TIME_ZONE)


def local(value: datetime, tenant=None) -> datetime:
    """An aware moment on the company's clock (a naive one is taken as already on it)."""
    return timezone.localtime(value, zone_of(tenant)) if timezone.is_aware(value) else value


@register.filter(expects_localtime=False)
def company_time(value, tenant=None, fmt="SHORT_DATETIME_FORMAT"):
    """Date and time; nothing for no value."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        return formats.date_format(local(value, tenant), fmt)
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value


@register.filter(expects_localtime=False)
def company_date(value, tenant=None):
    """The day only, as the company's clock reads it."""
    if isinstance(value, datetime):
        value = local(value, tenant).date()
    return company_time(value, tenant)
