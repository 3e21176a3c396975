"""Silta's AdminSite: the portal. Its index is the tenants dashboard."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from portal.admin.tenant_admin import SuperuserOnlyAdmin, TenantScopedAdmin
from portal.otp_login import LoginForm


class SiltaAdminSite(admin.AdminSite):
    site_header = "Silta"
    site_title = "Silta"
    index_title = _("Dashboard")
    index_template = "admin/silta_index.html"
    site_url = None  # the admin is the whole site: no "View site" link
    login_form = LoginForm  # asks for a code from users who turned two-factor login on

    def has_permission(self, request):
        # Someone who turned two-factor login on is let in only by a session that gave a code
        # (not, say, one opened before they turned it on). Asked several times a request: once.
        if not super().has_permission(request):
            return False
        user = request.user
        verified = getattr(user, "is_verified", None)  # set by django-otp's middleware
        if verified is not None and verified():
            return True
        if "_silta_has_otp_device" not in request.__dict__:
            request._silta_has_otp_device = user_has_device(user)
        return not request._silta_has_otp_device

    def register(self, model_or_iterable, admin_class=None, **options):
        # Secure by default: whatever is not tenant-scoped is for superusers only
        # (users, groups, django-q2's tasks and schedules, django-axes' records).
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, TenantScopedAdmin):
            admin_class = type(f"SuperuserOnly{admin_class.__name__}", (SuperuserOnlyAdmin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)

    def each_context(self, request):
        # The sidebar on every admin page: owners and members get the dashboard's grouped, translated
        # "All records" menu instead of Django's list of every model (superusers keep Django's).
        context = super().each_context(request)
        if request.user.is_authenticated and not request.user.is_superuser:
            from portal.admin.records_menu import records_menu

            context["sidebar_menu"] = records_menu(context.get("available_apps") or [])
        return context

    def index(self, request, extra_context=None):
        from portal.dashboard import tenant_rows

        extra_context = {**(extra_context or {}), "tenant_rows": tenant_rows(request.user)}
        if (
            request.user.is_superuser
        ):  # installation-wide: probe findings that differ from the running contract
            from integration.probe.findings import contradictions

            extra_context["contract_warnings"] = contradictions()
        if request.user.is_superuser:  # the installation's task queues: a backlog shows here first
            from integration.work.backlog import backlogs

            extra_context["backlogs"] = backlogs()
            extra_context["demo_mailbox"] = settings.SILTA_DEMO_MAILBOX
        if not request.user.is_superuser:  # owners and members: their tasks, the records in one menu
            from portal.admin.records_menu import records_menu

            extra_context["records_menu"] = records_menu(self.get_app_list(request))
        return super().index(request, extra_context)
