"""An order's typed events in the admin: read by the tenant's people, written only by the order code.

The order's own page shows them as its timeline (integration.orders.timeline); this list is where they
can be filtered across orders. Nobody adds, changes or deletes one here, superusers included: they are
what happened."""

from django.contrib import admin

from integration.models import OrderEvent
from portal.admin.tenant_admin import TenantListFilter, TenantScopedAdmin


@admin.register(OrderEvent)
class OrderEventAdmin(TenantScopedAdmin):
    writable_by = ()
    list_display = ["at", "transfer", "kind", "tenant"]
    list_filter = [TenantListFilter, "kind"]
    list_select_related = ["transfer", "tenant"]
    search_fields = ["transfer__shop_order_number"]
    date_hierarchy = "at"
    fields = ["at", "tenant", "transfer", "kind", "params", "run"]
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs: fields may nest, readonly_fields not

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
