"""Silta's AdminSite: the portal. Its index is the tenants dashboard."""

from django.contrib import admin

from .tenant_admin import SuperuserOnlyAdmin, TenantScopedAdmin


class SiltaAdminSite(admin.AdminSite):
    site_header = "Silta"
    site_title = "Silta"
    index_title = "Dashboard"
    index_template = "admin/silta_index.html"
    site_url = None  # the admin is the whole site: no "View site" link

    def register(self, model_or_iterable, admin_class=None, **options):
        # Secure by default: whatever is not tenant-scoped is for superusers only
        # (users, groups, django-q2's tasks and schedules, django-axes' records).
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, TenantScopedAdmin):
            admin_class = type(
                f"SuperuserOnly{admin_class.__name__}", (SuperuserOnlyAdmin, admin_class), {}
            )
        return super().register(model_or_iterable, admin_class, **options)

    def index(self, request, extra_context=None):
        from integration.dashboard import tenant_rows

        extra_context = {**(extra_context or {}), "tenant_rows": tenant_rows(request.user)}
        return super().index(request, extra_context)
