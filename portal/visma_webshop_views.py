"""Visma Verkkokauppa tenants: connect (nothing to enter), availability rules with their preview, order conversion."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from integration import tasks
from integration.eaccounting.errors import EAccountingError
from integration.models import (
    AvailabilityMark,
    ConnectionStatus,
    Tenant,
    VismaWebshopSettings,
    WebshopConnection,
    WebshopOrderConversion,
)
from integration.people import audit, tenancy
from integration.visma_webshop import availability
from integration.visma_webshop.availability_plan import Rules, split_list

VISMA = WebshopConnection.Platform.VISMA_WEBSHOP


class RulesForm(forms.Form):
    only_active = forms.BooleanField(label=gettext_lazy("Only active articles"), required=False)
    only_stock_items = forms.BooleanField(label=gettext_lazy("Only stock articles"), required=False)
    exclude_services = forms.BooleanField(label=gettext_lazy("Never service articles"), required=False)
    labels = forms.CharField(
        label=gettext_lazy("Only articles with one of these labels"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("eAccounting article label names, comma-separated. Empty: any article."),
    )
    excluded_numbers = forms.CharField(
        label=gettext_lazy("Never these article numbers"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "E.g. shipping, fee and rounding template articles; comma-separated or one per line."
        ),
    )

    def rules(self) -> Rules:
        data = self.cleaned_data
        return Rules(
            only_active=data["only_active"],
            only_stock_items=data["only_stock_items"],
            exclude_services=data["exclude_services"],
            labels=split_list(data["labels"]),
            excluded_numbers=split_list(data["excluded_numbers"]),
        )

    @staticmethod
    def initial_from(settings: VismaWebshopSettings) -> dict:
        rules = settings.preview.get("rules") if settings.preview else None
        if rules:
            return {
                **rules,
                "labels": ", ".join(rules["labels"]),
                "excluded_numbers": ", ".join(rules["excluded_numbers"]),
            }
        return {
            "only_active": settings.only_active,
            "only_stock_items": settings.only_stock_items,
            "exclude_services": settings.exclude_services,
            "labels": settings.labels,
            "excluded_numbers": settings.excluded_numbers,
        }


@require_POST
def connect(request, slug):
    """The webshop is Visma Verkkokauppa: no address or key; it is reached through eAccounting."""
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    current = WebshopConnection.objects.filter(tenant=tenant).first()
    if tenant.is_active and (current is None or current.platform != VISMA):
        messages.error(
            request,
            _("Deactivate the integration of %(company)s before changing its webshop.")
            % {"company": tenant.name},
        )
        return redirect("admin:index")
    WebshopConnection.objects.update_or_create(
        tenant=tenant,
        defaults={
            "platform": VISMA,
            "base_url": "",
            "api_key": "",
            "api_secret": "",
            "webhook_secret": "",
            "status": ConnectionStatus.CONNECTED,
            "status_detail": "",
            "connected_at": timezone.now(),
        },
    )
    audit.record(
        tenant,
        request.user,
        audit.Action.CONNECTED_WEBSHOP,
        "Visma Verkkokauppa",
        "Reached through eAccounting; activation checks the webshop link's status there",
    )
    messages.success(
        request,
        _("%(company)s's webshop is Visma Verkkokauppa. Activate to check its link in eAccounting.")
        % {"company": tenant.name},
    )
    return redirect("admin:index")


def _visma_tenant(request, slug) -> Tenant | None:
    tenant = tenancy.get_tenant_for_user(request.user, slug)
    if WebshopConnection.objects.filter(tenant=tenant, platform=VISMA).exists():
        return tenant
    messages.info(
        request, _("The webshop of %(company)s is not Visma Verkkokauppa.") % {"company": tenant.name}
    )
    return None


def page(request, slug):
    """The rules, their preview and what applying would change; held articles; order conversion."""
    tenant = _visma_tenant(request, slug)
    if tenant is None:
        return redirect("admin:index")
    settings, _created = VismaWebshopSettings.objects.get_or_create(tenant=tenant)
    is_owner = tenancy.has_role(request.user, tenant, tenancy.OWNERS)
    form = RulesForm(initial=RulesForm.initial_from(settings))
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied(_("Only the company's owners can change its webshop rules."))
        answer = _act(request, tenant, settings)
        if answer is not None:
            return answer
        form = RulesForm(request.POST)  # show what was typed, with its errors
        form.is_valid()
    preview = settings.preview or {}
    context = {
        **admin.site.each_context(request),
        "tenant": tenant,
        "settings": settings,
        "form": form,
        "preview": preview,
        "is_owner": is_owner,
        "turn_offs": [c for c in preview.get("changes", []) if not c["available"]],
        "held": AvailabilityMark.objects.filter(tenant=tenant, held_by_hand=True),
        "conversions": WebshopOrderConversion.objects.filter(tenant=tenant)[:20],
        "title": _("Visma Verkkokauppa: %(company)s") % {"company": tenant.name},
    }
    return render(request, "portal/visma_webshop.html", context)


def _act(request, tenant, settings):
    action = request.POST.get("action")
    here = redirect("visma_webshop", slug=tenant.slug)
    if action == "preview":
        form = RulesForm(request.POST)
        if not form.is_valid():
            return None
        try:
            shown = availability.preview(tenant, form.rules())
        except EAccountingError as exc:
            messages.error(
                request, _("The articles could not be read from eAccounting: %(error)s") % {"error": exc}
            )
            return None
        messages.info(
            request, _("Preview ready: %(n)s article(s) would change.") % {"n": len(shown["changes"])}
        )
        return here
    if action == "apply":
        return _apply(request, tenant, settings) or here
    if action == "release":
        released = availability.let_rules_decide(tenant)
        audit.record(
            tenant,
            request.user,
            audit.Action.RELEASED_AVAILABILITY,
            f"{released} article(s)",
            "The next run applies the rules to them",
        )
        messages.success(
            request, _("The rules decide again for %(n)s article(s) from the next run.") % {"n": released}
        )
        return here
    if action in ("convert_on", "convert_off"):
        return _switch_conversion(request, tenant, settings, action == "convert_on") or here
    messages.error(request, _("Unknown action."))
    return here


def _apply(request, tenant, settings):
    changes = (settings.preview or {}).get("changes")
    if changes is None or settings.preview.get("applied_at"):
        messages.error(request, _("Make a preview first: applying does what the preview showed."))
        return None
    if not tenant.is_active:
        messages.error(
            request, _("Activate the integration of %(company)s first.") % {"company": tenant.name}
        )
        return None
    turn_offs = sum(1 for c in changes if not c["available"])
    turn_off = request.POST.get("turn_off") == "on"
    if turn_offs and not turn_off:
        messages.error(
            request,
            _(
                "%(n)s article(s) would be taken out of the webshop. Tick the box to confirm "
                "that (Visma removes their texts and images there), or change the rules."
            )
            % {"n": turn_offs},
        )
        return None
    tasks.apply_availability.enqueue(tenant.pk, turn_off, settings.preview["at"])
    audit.record(
        tenant,
        request.user,
        audit.Action.APPLIED_AVAILABILITY,
        "Available in Webshop rules",
        f"{len(changes) - turn_offs} article(s) into the webshop, {turn_offs} out; rules: "
        f"{_rules_text(settings.preview['rules'])}",
    )
    messages.success(  # the page follows the task itself (?watch=1): no need to go elsewhere
        request,
        ngettext(
            "Applying %(n)s change: this page shows how it goes.",
            "Applying %(n)s changes: this page shows how it goes.",
            len(changes),
        )
        % {"n": len(changes)},
    )
    return redirect(f"{reverse('visma_webshop', args=[tenant.slug])}?watch=1")  # the page follows the task


def _rules_text(rules: dict) -> str:
    parts = [
        label
        for key, label in (
            ("only_active", "only active"),
            ("only_stock_items", "only stock articles"),
            ("exclude_services", "no services"),
        )
        if rules.get(key)
    ]
    if rules.get("labels"):
        parts.append("labels " + ", ".join(rules["labels"]))
    if rules.get("excluded_numbers"):
        parts.append("never " + audit.listed(rules["excluded_numbers"]))
    return "; ".join(parts) or "every article"


def _switch_conversion(request, tenant, settings, on: bool):
    if on and request.POST.get("understood") != "on":
        messages.error(
            request,
            _(
                "Tick the box to confirm that converted orders become paid invoices and that "
                "eAccounting may e-mail a receipt to each customer."
            ),
        )
        return None
    with transaction.atomic():
        settings = VismaWebshopSettings.objects.select_for_update().get(pk=settings.pk)
        if settings.convert_orders == on:
            return None
        settings.convert_orders = on
        if on:
            settings.convert_orders_since = timezone.now()
        settings.save(update_fields=["convert_orders", "convert_orders_since", "updated_at"])
    audit.record(
        tenant,
        request.user,
        audit.Action.SWITCHED_CONVERSION,
        "Webshop order conversion",
        "On: orders placed from now on are converted" if on else "Off",
    )
    messages.success(
        request,
        _("Webshop orders placed from now on will be converted to paid invoices.")
        if on
        else _("Webshop orders are no longer converted by Silta."),
    )
    return None


urls = [
    path("tenants/<slug:slug>/webshop/visma/", admin.site.admin_view(connect), name="webshop_connect_visma"),
    path("tenants/<slug:slug>/visma-webshop/", admin.site.admin_view(page), name="visma_webshop"),
]
