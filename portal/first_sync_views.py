"""The first-sync page: prepare the preview, Yes (create), confirm overwrites, undo. Work runs as tasks."""

from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integration import tasks
from integration.models import FirstSync, ImportItem
from integration.people import audit, tenancy
from integration.sync import first_sync, stock_to_enter

# What needs a person's eyes first: overwrites and what cannot be imported; long lists start folded.
GROUP_ORDER = [
    ImportItem.Kind.OVERWRITE,
    ImportItem.Kind.REJECT,
    ImportItem.Kind.CREATE,
    ImportItem.Kind.PUSH_CREATE,
    ImportItem.Kind.LEFT_OUT,
    ImportItem.Kind.LINK,
]
OPEN = {ImportItem.Kind.OVERWRITE, ImportItem.Kind.REJECT}
# Which step a button starts, from which state, and what the page says meanwhile.
STEPS = {
    "preview": (None, gettext_lazy("Preparing the preview: both catalogues are being read.")),
    "create": (FirstSync.Status.PREVIEW, gettext_lazy("Creating the shop's products in eAccounting.")),
    "overwrite": (
        FirstSync.Status.CREATED,
        gettext_lazy("Overwriting the confirmed articles in eAccounting."),
    ),
    "undo": ((FirstSync.Status.CREATED, FirstSync.Status.DONE), gettext_lazy("Undoing the import.")),
}


def _enqueue(first, step):
    tasks.first_sync_step.enqueue(first.pk, step)


def _audit(request, tenant, first, step):
    """The steps that write to eAccounting leave an entry naming what they write (article numbers only)."""
    items = first.items.filter(state=ImportItem.State.PLANNED)
    target = f"First sync #{first.pk}"
    if step == "create":
        creates = items.filter(kind=ImportItem.Kind.CREATE).values_list("sku", flat=True)
        audit.record(
            tenant,
            request.user,
            audit.Action.APPLIED_FIRST_SYNC,
            target,
            f"{len(creates)} article(s) to create in eAccounting: {audit.listed(creates)}",
        )
    elif step == "overwrite":
        overwrites = items.filter(kind=ImportItem.Kind.OVERWRITE).values_list("sku", flat=True)
        audit.record(
            tenant,
            request.user,
            audit.Action.CONFIRMED_OVERWRITES,
            target,
            f"{len(overwrites)} article(s) to overwrite in eAccounting: {audit.listed(overwrites)}",
        )
    elif step == "undo":
        audit.record(
            tenant,
            request.user,
            audit.Action.UNDID_IMPORT,
            target,
            "Overwritten articles get their values back; created articles are deactivated",
        )


def page(request, slug):
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    first = FirstSync.objects.filter(tenant=tenant).first()
    if request.method == "POST":
        step = request.POST.get("step")
        if step not in STEPS:
            messages.error(request, _("Unknown action."))
            return redirect("first_sync", slug=slug)
        allowed, busy_text = STEPS[step]
        if step == "overwrite" and request.POST.get("confirm") != "yes":
            messages.error(
                request,
                _("Tick the confirmation first: the listed articles in eAccounting will be overwritten."),
            )
            return redirect("first_sync", slug=slug)
        try:
            with transaction.atomic():
                if step == "preview":
                    first = first_sync.start(tenant)
                elif first is None or first.status not in (
                    (allowed,) if isinstance(allowed, str) else allowed
                ):
                    raise first_sync.FirstSyncError(
                        _("That step is not possible now; the page shows what is.")
                    )
                else:
                    first.status, first.error = FirstSync.Status.APPLYING, ""
                    first.save(update_fields=["status", "error", "updated_at"])
                    _audit(request, tenant, first, step)
                _enqueue(first, step)
        except first_sync.FirstSyncError as exc:
            messages.error(request, str(exc))
        else:
            messages.info(request, busy_text)
        return redirect("first_sync", slug=slug)
    groups = []
    if first is not None:
        items = list(first.items.all())
        names = (first.summary or {}).get("names") or {}
        stock_module = bool((first.summary or {}).get("stock_creates"))
        for item in items:  # what the Details column shows, in words
            item.changes_shown = first_sync.shown_changes(item.payload.get("changes") or {}, names)
            item.shop_keeps_stock = (
                stock_module
                and item.state == ImportItem.State.PLANNED
                and bool((item.payload.get("body") or {}).get("IsStock"))
            )
        for kind in GROUP_ORDER:
            rows = [i for i in items if i.kind == kind]
            groups.append(
                {"kind": kind, "label": ImportItem.Kind(kind).label, "rows": rows, "open": kind in OPEN}
            )
    context = {
        **admin.site.each_context(request),
        "tenant": tenant,
        "first": first,
        "groups": groups,
        # after the sync: the stock items created at 0 whose stock is still the shop's
        "stock_rows": stock_to_enter.waiting(tenant) if first is not None else [],
        "busy": first is not None and first.status in (FirstSync.Status.PREPARING, FirstSync.Status.APPLYING),
        "title": _("First sync: %(company)s") % {"company": tenant.name},
    }
    return render(request, "portal/first_sync.html", context)


urls = [
    path("tenants/<slug:slug>/first-sync/", admin.site.admin_view(page), name="first_sync"),
]
