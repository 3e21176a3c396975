"""Who may see and change which tenant's data. The one place tenant scoping is decided."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from integration.models import Membership, Tenant

ALL_ROLES = (Membership.Role.OWNER, Membership.Role.MEMBER)
OWNERS = (Membership.Role.OWNER,)  # connecting systems, activating, the first sync


def tenants_for(user, roles=ALL_ROLES):
    """The tenants a user may act for in one of `roles` (superusers: all)."""
    if not (user.is_authenticated and user.is_active):
        return Tenant.objects.none()
    if user.is_superuser:
        return Tenant.objects.all()
    return Tenant.objects.filter(memberships__user=user, memberships__role__in=roles)


def scope(queryset, user, tenant_path, roles=ALL_ROLES):
    """Limit `queryset` to rows whose tenant (reached by ORM path `tenant_path`) the user may see."""
    if user.is_superuser:
        return queryset
    tenant_ids = tenants_for(user, roles).values("pk")
    lookup = f"{tenant_path}__in" if tenant_path else "pk__in"
    return queryset.filter(**{lookup: tenant_ids})


def tenant_of(obj, tenant_path):
    """Follow `tenant_path` ("tenant", "link__tenant", "" for a Tenant) from an object."""
    for part in filter(None, tenant_path.split("__")):
        obj = getattr(obj, part)
    return obj


def has_role(user, tenant, roles=ALL_ROLES) -> bool:
    if user.is_superuser:
        return True
    return tenants_for(user, roles).filter(pk=tenant.pk).exists()


def get_tenant_for_user(user, slug, roles=ALL_ROLES) -> Tenant:
    """For portal views: 404 unless the user belongs to the tenant (a company one does not belong to
    looks the same as one that does not exist), 403 if their role may not do this."""
    tenant = tenants_for(user).filter(slug=slug).first()
    if tenant is None:
        raise Http404("No such tenant.")
    if not has_role(user, tenant, roles):
        raise PermissionDenied
    return tenant
