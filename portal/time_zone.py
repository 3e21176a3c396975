"""Each request on the clock of the companies its user belongs to: a person whose companies share
one time zone (an owner of one company, usually) reads every time in the admin and the portal in
it; anyone else (superusers, people of companies in several zones) in the installation's
TIME_ZONE. Pages about one company say its zone themselves (the company_time filter).

The zone is looked up once, at login, and kept in the session: a request makes no query for it
(the dashboard's and lists' query counts stay as they were). An owner who changes the company's
zone sees it at once (portal/admin/tenants.py); the company's other people at their next login."""

from zoneinfo import ZoneInfo

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from integration.people import tenancy

SESSION_KEY = "silta_time_zone"


class CompanyTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        zone = session.get(SESSION_KEY) if session is not None else None
        if zone:
            timezone.activate(ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def zone_of(user) -> str:
    """The one zone of all the user's companies; "" for none, several, or a superuser."""
    if not user.is_authenticated or user.is_superuser:
        return ""
    zones = list(tenancy.tenants_for(user).order_by().values_list("time_zone", flat=True).distinct()[:2])
    return zones[0] if len(zones) == 1 else ""


def remember(request, user) -> None:
    if getattr(request, "session", None) is not None:
        request.session[SESSION_KEY] = zone_of(user)


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    remember(request, user)
