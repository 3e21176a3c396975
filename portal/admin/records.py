"""Records, not settings: what Silta wrote down as it happened (runs, events, deliveries, copies of
eAccounting's lists). Nobody adds, changes or deletes one by hand, superusers included: a hand-made
run or delivery would tell a story that never happened. Cleanup and tenant deletion remove them."""

from portal.admin.tenant_admin import TenantScopedAdmin


class RecordAdmin(TenantScopedAdmin):
    writable_by = ()

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
