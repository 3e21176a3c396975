"""Each request on the clock of the companies its user belongs to: a person whose companies share
one time zone (an owner of one company, usually) reads every time in the admin and the portal in
it; anyone else (superusers, people of companies in several zones) in the installation's
TIME_ZONE. Pages about one company say its zone themselves (the company_time filter)."""

from zoneinfo import ZoneInfo

from django.utils import timezone

from integration.people import tenancy


class CompanyTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = self._zone(request.user) if hasattr(request, "user") else None
        if zone:
            timezone.activate(ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    @staticmethod
    def _zone(user) -> str | None:
        if not user.is_authenticated or user.is_superuser:
            return None
        zones = list(tenancy.tenants_for(user).order_by().values_list("time_zone", flat=True).distinct()[:2])
        return zones[0] if len(zones) == 1 else None
