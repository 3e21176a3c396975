"""The audit trail in the admin: read by the tenant's owners and superusers, changed by nobody, exported as CSV."""

import csv

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integration.models import AuditEntry
from integration.people import tenancy
from portal.admin.records import RecordAdmin
from portal.admin.tenant_admin import TenantListFilter

CSV_COLUMNS = ["time", "company", "user", "action", "target", "detail"]
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): quote it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_response(entries, filename="audit-trail.csv") -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for e in entries.select_related("tenant").iterator(chunk_size=2000):
        row = [
            timezone.localtime(e.created_at).isoformat(timespec="seconds"),
            e.tenant.name if e.tenant else "",
            e.username,
            e.get_action_display(),
            e.target,
            e.detail,
        ]
        writer.writerow([csv_cell(v) for v in row])
    return response


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
    visible_to = tenancy.OWNERS  # members run the integration; owners answer for it
    writable_by = ()
    list_display = ["created_at", "tenant", "username", "action", "target", "detail"]
    list_filter = [TenantListFilter, "action", "created_at"]
    list_select_related = ["tenant"]
    search_fields = ["username", "target", "detail"]
    date_hierarchy = "created_at"
    fields = ["created_at", "tenant", "username", "action", "target", "detail"]
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs: fields may nest, readonly_fields not
    actions = ["export_csv"]

    # Append-only: nobody adds, changes or deletes an entry here, superusers included (RecordAdmin).

    def get_urls(self):
        export = path(
            "export/", self.admin_site.admin_view(self.export_view), name="integration_auditentry_export"
        )
        return [export, *super().get_urls()]

    def export_view(self, request):
        """*Export CSV* on the changelist: every entry the list shows, with its filters and search."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("Unknown filter.")
        return csv_response(changelist.get_queryset(request))

    @admin.action(description=_("Export the selected entries as CSV"))
    def export_csv(self, request, queryset):
        return csv_response(queryset)
