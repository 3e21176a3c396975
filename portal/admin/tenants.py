"""Admin pages for tenant data. Scoping and permissions come from TenantScopedAdmin."""

import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integration.eaccounting.references import RefList
from integration.models import (
    ArticleLink,
    ArticleTemplate,
    EAccountingConnection,
    Membership,
    SyncEvent,
    SyncRun,
    TaxClassMapping,
    Tenant,
    WebhookDelivery,
    WebshopConnection,
)
from integration.people import audit, tenancy
from integration.scheduling import manual, schedules
from integration.sync.import_reasons import in_language as reason_in_language
from portal import dashboard, personal_data_views, time_zone
from portal.admin.records import RecordAdmin
from portal.admin.reference_pickers import ReferencePickersMixin
from portal.admin.tenant_admin import TenantListFilter, TenantScopedAdmin
from portal.run_words import counts_in_words


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]

    # Inlines follow the parent's scoping; only superusers change who belongs where.
    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    has_delete_permission = has_change_permission

    def has_view_permission(self, request, obj=None):
        return True  # the parent TenantAdmin has already checked the tenant


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    tenant_path = ""
    writable_by = (Membership.Role.OWNER,)
    list_display = ["name", "slug", "business_id", "is_active", "activated_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "business_id"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["is_active", "activated_at", "created_at"]
    inlines = [MembershipInline]
    actions = ["sync_now", "erase_customer"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":  # picked from the zones Python knows, not typed
            zones = sorted(zoneinfo.available_timezones())
            kwargs["widget"] = forms.Select(choices=[(z, z.replace("_", " ")) for z in zones])
            kwargs["show_hidden_initial"] = False  # the default is a callable: no hidden copy needed
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "time_zone" in form.changed_data:
            time_zone.remember(request, request.user)  # this owner's pages read the new zone at once
            if obj.is_active:
                schedules.ensure(obj)  # daily schedules move to the new zone's time of day

    @admin.action(description=gettext_lazy("Sync now (article sync and order transfer)"))
    def sync_now(self, request, queryset):
        """Owners and members of the selected tenants (the changelist shows no others); active tenants only."""
        started, inactive = [], []
        for tenant in queryset.order_by("name"):
            (started if manual.sync_now(tenant) else inactive).append(tenant.name)
        if started:
            self.message_user(
                request,
                _("The article sync and the order transfer start in a moment for: %(companies)s.")
                % {"companies": ", ".join(started)},
                messages.SUCCESS,
            )
        if inactive:
            self.message_user(
                request,
                _("Not synced, the integration is not active: %(companies)s. Activate it first.")
                % {"companies": ", ".join(inactive)},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Erase a customer's personal data…"), permissions=["change"])
    def erase_customer(self, request, queryset):
        """Owners: the erasure page of the one selected company (its form posts to the page's own URL)."""
        tenants = list(queryset[:2])
        if len(tenants) != 1 or not tenancy.has_role(request.user, tenants[0], tenancy.OWNERS):
            self.message_user(
                request,
                _(
                    "Select one company you own: a customer's data is erased one company at a "
                    "time, by its owners."
                ),
                messages.WARNING,
            )
            return None
        return personal_data_views.page(request, tenants[0])


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    writable_by = ()  # superusers manage memberships until invitations exist
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "tenant__name"]
    autocomplete_fields = ["tenant", "user"]


@admin.register(EAccountingConnection)
class EAccountingConnectionAdmin(TenantScopedAdmin):
    writable_by = (Membership.Role.OWNER,)
    list_display = ["tenant", "status", "company_name", "access_token_expires_at", "connected_at"]
    list_filter = ["status"]
    search_fields = ["tenant__name", "company_name"]
    autocomplete_fields = ["tenant"]
    fields = [
        "tenant",
        "status",
        "status_detail",
        "company_id",
        "company_name",
        "access_token",
        "refresh_token",
        "access_token_expires_at",
        "connected_at",
    ]
    readonly_fields = ["status_detail", "connected_at"]

    def audit_action(self, form, change):
        # tokens pasted by hand connect the company as the OAuth login would
        if {"access_token", "refresh_token"} & set(form.changed_data):
            return audit.Action.CONNECTED_EACCOUNTING
        return super().audit_action(form, change)


@admin.register(WebshopConnection)
class WebshopConnectionAdmin(TenantScopedAdmin):
    writable_by = (Membership.Role.OWNER,)
    list_display = ["tenant", "platform", "base_url", "status", "connected_at"]
    list_filter = ["platform", "status"]
    search_fields = ["tenant__name", "base_url"]
    autocomplete_fields = ["tenant"]
    fields = [
        "tenant",
        "platform",
        "base_url",
        "api_key",
        "api_secret",
        "webhook_secret",
        "status",
        "status_detail",
        "connected_at",
    ]
    readonly_fields = ["status_detail", "connected_at"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        # Shopify connects through its app install (issue #18), never by keys pasted here: not offered yet
        if db_field.name == "platform":
            shopify = WebshopConnection.Platform.SHOPIFY
            kwargs["choices"] = [c for c in db_field.choices if c[0] != shopify]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def audit_action(self, form, change):
        # keys pasted here (instead of the shop's key approval) connect the shop
        if {"api_key", "api_secret"} & set(form.changed_data):
            return audit.Action.CONNECTED_WEBSHOP
        return super().audit_action(form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(RecordAdmin):
    writable_by = ()  # a record of what arrived: nobody edits it
    list_display = ["received_at", "tenant", "topic", "resource_id", "outcome"]
    list_filter = ["outcome", "topic"]
    search_fields = ["tenant__name", "resource_id", "delivery_id"]
    date_hierarchy = "received_at"


@admin.register(ArticleTemplate)
class ArticleTemplateAdmin(ReferencePickersMixin, TenantScopedAdmin):
    reference_fields = {"coding_id": RefList.CODINGS, "unit_id": RefList.UNITS}
    exclude = ["coding_name", "unit_name"]  # kept in step with the picked entries
    list_display = ["tenant", "kind", "vat_rate", "coding_name", "unit_name", "is_stock"]
    list_filter = ["kind", "is_stock"]
    search_fields = ["tenant__name", "coding_name"]
    autocomplete_fields = ["tenant"]


@admin.register(TaxClassMapping)
class TaxClassMappingAdmin(TenantScopedAdmin):
    list_display = ["tenant", "vat_rate", "tax_class"]
    search_fields = ["tenant__name", "tax_class"]
    autocomplete_fields = ["tenant"]


@admin.register(ArticleLink)
class ArticleLinkAdmin(RecordAdmin):
    writable_by = ()  # kept by the sync
    list_display = ["article_number", "tenant", "shop_product_id", "shop_parent_id", "hidden", "updated_at"]
    list_filter = ["hidden"]
    search_fields = ["tenant__name", "article_number"]


class SyncEventInline(admin.TabularInline):
    model = SyncEvent
    extra = 0
    fields = ["outcome", "item", "fields", "reason_shown", "created_at"]
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs: fields may nest, readonly_fields not
    can_delete = False
    show_change_link = False

    @admin.display(description=gettext_lazy("reason"))
    def reason_shown(self, obj):
        return reason_in_language(obj.reason)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # the parent SyncRunAdmin has already checked the tenant


@admin.register(SyncRun)
class SyncRunAdmin(RecordAdmin):
    writable_by = ()  # a record: nobody edits it
    list_display = ["started_at", "tenant", "kind", "trigger", "status", "progress", "finished_at", "summary"]
    list_filter = [TenantListFilter, "kind", "status", "trigger", "dry_run"]
    search_fields = ["tenant__name"]
    date_hierarchy = "started_at"
    inlines = [SyncEventInline]

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, obj):
        return dashboard.progress_text(
            obj.progress_done, obj.progress_total, obj.status == SyncRun.Status.RUNNING
        )

    @admin.display(description=gettext_lazy("counts"))
    def summary(self, obj):
        return ", ".join(counts_in_words(obj.counts)) or "–"


@admin.register(SyncEvent)
class SyncEventAdmin(RecordAdmin):
    writable_by = ()
    list_display = ["created_at", "tenant", "outcome", "item", "reason_shown"]
    list_filter = [TenantListFilter, "outcome"]
    date_hierarchy = "created_at"
    search_fields = ["tenant__name", "item", "reason"]
    list_select_related = ["tenant"]

    @admin.display(description=gettext_lazy("reason"))
    def reason_shown(self, obj):
        return reason_in_language(obj.reason)
