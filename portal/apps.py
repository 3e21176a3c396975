from django.contrib.admin.apps import AdminConfig


class SiltaAdminConfig(AdminConfig):
    """Makes Silta's AdminSite the default, so every app registers on it."""

    default_site = "portal.admin_site.SiltaAdminSite"
