"""Admin pages for Visma Verkkokauppa tenants: the record of webshop-order conversions, with retry."""

from django.contrib import admin, messages
from django.utils.translation import gettext, gettext_lazy

from integration import tasks
from integration.models import Tenant, WebshopOrderConversion
from integration.people import audit, tenancy
from portal.admin.records import RecordAdmin
from portal.admin.tenant_admin import TenantListFilter

RETRYABLE = (
    WebshopOrderConversion.Status.PENDING,
    WebshopOrderConversion.Status.WAITING,
    WebshopOrderConversion.Status.SENDING,
)


@admin.register(WebshopOrderConversion)
class WebshopOrderConversionAdmin(RecordAdmin):
    writable_by = ()
    list_display = [
        "order_number",
        "tenant",
        "order_date",
        "total",
        "status",
        "outcome",
        "invoice_number",
        "attempts",
        "updated_at",
    ]
    list_filter = [TenantListFilter, "status", "outcome"]
    search_fields = ["order_number", "invoice_number"]
    exclude = ["token", "lease_until", "fingerprint"]  # the fingerprint holds the customer's e-mail
    actions = ["retry"]

    @admin.action(description=gettext_lazy("Retry the selected webshop orders now"))
    def retry(self, request, queryset):
        allowed = queryset.filter(status__in=RETRYABLE)
        if not request.user.is_superuser:
            allowed = allowed.filter(tenant__in=tenancy.tenants_for(request.user, tenancy.ALL_ROLES))
        numbers: dict[int, list[str]] = {}
        for tenant_id, number in allowed.values_list("tenant_id", "order_number"):
            numbers.setdefault(tenant_id, []).append(number)
        allowed.filter(status=WebshopOrderConversion.Status.WAITING).update(
            status=WebshopOrderConversion.Status.PENDING
        )
        for tenant in Tenant.objects.filter(pk__in=numbers):
            tasks.convert_webshop_orders.enqueue(tenant.pk, "manual")
            audit.record(
                tenant,
                request.user,
                audit.Action.RETRIED,
                f"Webshop orders {audit.listed(numbers[tenant.pk])}",
                f"{len(numbers[tenant.pk])} webshop order(s) sent to the conversion again",
            )
        count = sum(len(n) for n in numbers.values())
        self.message_user(
            request,
            gettext("%(count)d webshop order(s) will be tried again in a moment.") % {"count": count},
            messages.SUCCESS,
        )
