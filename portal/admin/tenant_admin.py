"""Admin classes that decide access from tenant membership instead of Django model permissions.

Every ModelAdmin of tenant data subclasses `TenantScopedAdmin` and names the ORM
path to its tenant; scoping of changelists, forms, lookups, autocomplete,
actions and history all follows from `get_queryset` and the permission hooks
here. Anything registered without it is for superusers only (see admin_site).
Every add, change and delete made through it leaves an entry in the tenant's audit trail.
Deleting a tenant offboards it first (integration/activation/offboarding.py), as its owners' page does.
"""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.db import models, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integration.activation import offboarding
from integration.fields import EncryptedTextField
from integration.models import Membership, Tenant
from integration.people import audit, tenancy
from integration.webshops.base import WebshopError


class TenantScopedAdmin(admin.ModelAdmin):
    #: ORM path from the model to its Tenant; "" when the model is Tenant itself.
    tenant_path = "tenant"
    #: Roles that may see the rows (superusers always may), e.g. owners only for the audit trail.
    visible_to: tuple[Membership.Role, ...] = tenancy.ALL_ROLES
    #: Roles that may add, change and delete (superusers always may). Empty: superusers only.
    writable_by: tuple[Membership.Role, ...] = (Membership.Role.OWNER, Membership.Role.MEMBER)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # --- which rows -------------------------------------------------------
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return tenancy.scope(qs, request.user, self.tenant_path, self.visible_to)

    def _writable_tenants(self, request):
        return tenancy.tenants_for(request.user, self.writable_by)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = self._scoped_choices(db_field, request, kwargs.get("queryset"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = self._scoped_choices(db_field, request, kwargs.get("queryset"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _scoped_choices(self, db_field, request, queryset):
        """Choices for a relation: tenants the user may write for, or rows of such tenants."""
        related = db_field.remote_field.model
        if related is Tenant:
            return self._writable_tenants(request)
        related_admin = self.admin_site._registry.get(related)
        if isinstance(related_admin, TenantScopedAdmin):
            return tenancy.scope(
                related._default_manager.all(), request.user, related_admin.tenant_path, self.writable_by
            )
        if not request.user.is_superuser:
            # A relation to something that is not tenant data (e.g. users): no free choice.
            return related._default_manager.none()
        return queryset

    # --- what the user may do ----------------------------------------------
    def _allowed(self, request, obj, roles):
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        if obj is None:  # asked for every model on every page: once per request and role set
            cache = request.__dict__.setdefault("_silta_has_tenants", {})
            if roles not in cache:
                cache[roles] = tenancy.tenants_for(user, roles).exists()
            return cache[roles]
        return tenancy.has_role(user, tenancy.tenant_of(obj, self.tenant_path), roles)

    def has_module_permission(self, request):
        return self._allowed(request, None, self.visible_to)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj, self.visible_to)

    def has_change_permission(self, request, obj=None):
        if not self.writable_by:
            return request.user.is_active and request.user.is_superuser
        return self._allowed(request, obj, self.writable_by)

    def has_add_permission(self, request):
        if not self.tenant_path:  # a tenant cannot be created from inside a tenant
            return request.user.is_superuser
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        if not self.tenant_path:
            return request.user.is_superuser
        return self.has_change_permission(request, obj)

    # --- the audit trail: every change an owner (or anyone) makes here leaves an entry -------
    def audit_action(self, form, change):
        """Which audit action a saved form is (e.g. pasted shop keys are a connection)."""
        return audit.Action.CHANGED if change else audit.Action.ADDED

    def _audit(self, request, obj, action, detail=""):
        if not self.tenant_path and action == audit.Action.DELETED:
            return  # a deleted tenant's trail goes with it
        audit.record(tenancy.tenant_of(obj, self.tenant_path), request.user, action, audit.what(obj), detail)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data or not change:  # Save pressed with nothing changed: nothing happened
            self._audit(request, obj, self.audit_action(form, change), audit.changes(form))

    def save_related(self, request, form, formsets, change):
        """Rows of inlines (e.g. a shipping method's template articles): each added, changed or deleted row."""
        super().save_related(request, form, formsets, change)
        parent = form.instance  # the entry names the page's object; the detail says which row
        for formset in formsets:
            for obj in formset.new_objects:
                self._audit(request, parent, audit.Action.CHANGED, f"{audit.what(obj)}: added")
            for obj, _fields in formset.changed_objects:
                inline_form = next(f for f in formset.forms if f.instance is obj)
                self._audit(
                    request, parent, audit.Action.CHANGED, f"{audit.what(obj)}: {audit.changes(inline_form)}"
                )
            for obj in formset.deleted_objects:
                self._audit(request, parent, audit.Action.CHANGED, f"{audit.what(obj)}: removed")

    def delete_model(self, request, obj):
        if (
            not self.tenant_path
        ):  # a tenant: offboarded first (the admin's pages go through delete_view below)
            offboarding.delete(obj, request.user, "the admin")
            return
        self._audit(
            request, obj, audit.Action.DELETED
        )  # before: the row (and its tenant path) is still there
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if not self.tenant_path:
            for tenant in queryset:
                offboarding.delete(tenant, request.user, "the admin")
            return
        with transaction.atomic():  # the entries stand only if the rows really went
            for obj in queryset:
                self._audit(request, obj, audit.Action.DELETED)
            super().delete_queryset(request, queryset)

    # --- deleting a tenant: the same offboarding as its owners' page --------------------
    def delete_view(self, request, object_id, extra_context=None):
        """A tenant's *Delete* leads to its offboarding page (revoke, webhooks, schedules, then delete)."""
        if self.tenant_path:
            return super().delete_view(request, object_id, extra_context)
        tenant = self.get_object(request, unquote(object_id))
        if tenant is None or not self.has_delete_permission(request, tenant):
            return super().delete_view(request, object_id, extra_context)  # Django's answer: gone, or refused
        return redirect(f"{reverse('tenant_deactivate', args=[tenant.slug])}?data=delete")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.tenant_path and "delete_selected" in actions:  # there only for those who may delete
            actions["delete_selected"] = (
                offboard_and_delete,
                "delete_selected",
                offboard_and_delete.short_description,
            )
        return actions

    def get_deleted_objects(self, objs, request):
        """Rows nobody deletes one by one (audit entries, job schedules) go with their tenant: deleting
        it (superusers only) needs no such permission. Its deletion is recorded without a tenant."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not self.tenant_path and request.user.is_superuser:
            perms_needed = set()
        return deleted, counts, perms_needed, protected

    # --- secrets ------------------------------------------------------------
    def get_fieldsets(self, request, obj=None):
        """A read-only page prints field values: leave secrets off it."""
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        secrets = {f.name for f in self.model._meta.fields if isinstance(f, EncryptedTextField)}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in secrets]})
            for name, options in fieldsets
        ]


@admin.action(description=gettext_lazy("Delete selected companies (offboarding them first)"))
def offboard_and_delete(modeladmin, request, queryset):
    """Django's *Delete selected* for tenants: its confirmation page with what offboarding does, then
    each tenant offboarded and deleted; one whose shop refuses stays, and the message says so."""
    if not request.POST.get("post"):
        response = delete_selected(modeladmin, request, queryset)
        response.template_name = "portal/delete_tenants.html"
        response.context_data["plans"] = [(tenant, offboarding.plan(tenant)) for tenant in queryset]
        return response
    _objects, _counts, perms_needed, protected = modeladmin.get_deleted_objects(queryset, request)
    if perms_needed or protected:
        return delete_selected(modeladmin, request, queryset)  # Django refuses, as for any model
    deleted, refused = [], []
    for tenant in queryset.order_by("name"):
        name = tenant.name
        try:
            outcome = offboarding.delete(tenant, request.user, "the admin")
        except WebshopError as exc:
            refused.append(
                _("%(company)s (the shop's webhooks could not be removed: %(error)s)")
                % {"company": name, "error": exc}
            )
            continue
        deleted.append(name)
        if outcome.revocation.had_tokens and not outcome.revocation.confirmed:
            modeladmin.message_user(request, f"{name}: {outcome.revocation.shown()}.", messages.WARNING)
    if deleted:
        modeladmin.message_user(
            request,
            _("Offboarded and deleted: %(companies)s. Nothing was deleted in eAccounting or the shops.")
            % {"companies": ", ".join(deleted)},
            messages.SUCCESS,
        )
    if refused:
        modeladmin.message_user(
            request, _("Not deleted: %(companies)s.") % {"companies": "; ".join(refused)}, messages.ERROR
        )


class SuperuserOnlyAdmin:
    """Mixed into admin classes of data that cannot be scoped to a tenant."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser


class TenantScopedInline(admin.TabularInline):
    """Rows edited on their parent's page: the parent's permissions, choices from the user's tenants.

    The model's clean() still checks that a choice belongs to the parent's own tenant (a user
    of two tenants could otherwise pick across them)."""

    def _parent_admin(self):
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request, obj=None):
        return True  # the parent admin has already checked the tenant

    def has_add_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_admin().has_change_permission(request, obj)

    has_delete_permission = has_change_permission

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        parent = self._parent_admin()
        kwargs["queryset"] = parent._scoped_choices(db_field, request, kwargs.get("queryset"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TenantListFilter(admin.SimpleListFilter):
    """Filter a changelist by company, offering only the user's own tenants.

    Django's default filter for a `tenant` foreign key would list every tenant's name to every user."""

    title = gettext_lazy("company")
    parameter_name = "tenant"  # the same parameter the dashboard's links use

    def __init__(self, request, params, model, model_admin):
        self.tenant_path = getattr(model_admin, "tenant_path", "tenant")
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        roles = getattr(model_admin, "visible_to", tenancy.ALL_ROLES)
        tenants = tenancy.tenants_for(request.user, roles).order_by("name", "pk").distinct()
        return [(str(pk), name) for pk, name in tenants.values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        # the queryset is already scoped to the user's tenants: another tenant's id finds nothing
        return queryset.filter(**{f"{self.tenant_path}__pk" if self.tenant_path else "pk": int(value)})
