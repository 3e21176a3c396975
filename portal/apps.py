from django.contrib.admin.apps import AdminConfig


class SiltaAdminConfig(AdminConfig):
    """Makes Silta's AdminSite the default, so every app registers on it."""

    default_site = "portal.admin.site.SiltaAdminSite"

    def ready(self):
        super().ready()
        # The pages for Silta's own models live with the portal, not in the domain app.
        from portal import time_zone  # noqa: F401  # remembers the user's companies' zone at login
        from portal.admin import audit, jobs, order_events, orders, probe, tenants, visma_webshop  # noqa: F401
