"""The eAccounting contract (superusers): each switch's running value, its source and evidence; the probe
reports; starting a probe (a django-q2 task) and accepting its findings (audited)."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integration import tasks
from integration.models import ConnectionStatus, ProbeReport, Tenant
from integration.probe import findings, run, text


class StartProbeForm(forms.Form):
    tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(),
        label=gettext_lazy("Test company"),
        help_text=gettext_lazy(
            "A company connected for the probe (Visma's developer sandbox company), never a "
            "customer's. Active companies are not offered."
        ),
    )
    second_tenant = forms.ModelChoiceField(
        queryset=Tenant.objects.none(),
        required=False,
        label=gettext_lazy("Second test company"),
        help_text=gettext_lazy(
            "Optional: settles whether the rate limit is per client or per client and company."
        ),
    )
    write = forms.BooleanField(
        required=False, label=gettext_lazy("Also make, read back and undo test records")
    )
    confirm = forms.BooleanField(label=gettext_lazy("I understand this is a test company, not a customer's"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        testable = Tenant.objects.filter(
            is_active=False, eaccounting_connection__status=ConnectionStatus.CONNECTED
        )
        self.fields["tenant"].queryset = self.fields["second_tenant"].queryset = testable

    def clean(self):
        data = super().clean()
        if data.get("tenant") and data.get("tenant") == data.get("second_tenant"):
            raise forms.ValidationError(_("Choose two different companies, or leave the second one empty."))
        return data


@admin.register(ProbeReport)
class ProbeReportAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "company_name",
        "write",
        "status",
        "progress",
        "request_count",
        "wall_seconds",
    ]
    fields = [
        "company_name",
        "write",
        "status",
        "progress",
        "started_by",
        "started_at",
        "finished_at",
        "request_count",
        "wall_seconds",
        "error",
        "report",
        "requests",
    ]
    readonly_fields = fields  # type: ignore[assignment]  # a record: nothing on it is edited
    change_list_template = "admin/integration/probereport/change_list.html"

    def has_add_permission(self, request):
        return False  # started from the contract page or the command

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("report"))
    def report(self, obj):
        return format_html('<pre style="white-space:pre-wrap">{}</pre>', text.render(obj))

    @admin.display(description=gettext_lazy("requests and answers (secrets masked)"))
    def requests(self, obj):
        return format_html(
            '<pre style="white-space:pre-wrap;max-height:40em;overflow:auto">{}</pre>',
            json.dumps(obj.exchanges, indent=1, ensure_ascii=False),
        )

    def get_urls(self):
        own = [
            path(
                "contract/",
                self.admin_site.admin_view(self.contract_view),
                name="integration_probereport_contract",
            ),
            path("start/", self.admin_site.admin_view(self.start_view), name="integration_probereport_start"),
        ]
        return own + super().get_urls()

    def _superuser(self, request):
        if not request.user.is_superuser:
            raise PermissionDenied

    def contract_view(self, request):
        self._superuser(request)
        report = findings.latest_report()
        if request.method == "POST" and report is not None:
            keys = request.POST.getlist("accept")
            accepted = findings.accept(report, keys, request.user)
            if accepted:
                messages.success(
                    request,
                    _("Accepted: %(keys)s. Jobs that start from now on use them.")
                    % {"keys": ", ".join(accepted)},
                )
            return redirect("admin:integration_probereport_contract")
        context = {
            **self.admin_site.each_context(request),
            "title": _("eAccounting contract"),
            "report": report,
            "rows": findings.rows(report),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/integration/probereport/contract.html", context)

    def start_view(self, request):
        self._superuser(request)
        form = StartProbeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            report = run.start(
                d["tenant"],
                write=d["write"],
                second_tenant=d["second_tenant"],
                started_by=request.user.get_username(),
            )
            tasks.probe_eaccounting.enqueue(report.pk)
            messages.success(
                request,
                _("The probe of %(company)s starts in a moment; this page shows its progress.")
                % {"company": report.company_name},
            )
            return redirect(reverse("admin:integration_probereport_change", args=[report.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Probe eAccounting"),
            "form": form,
            "bound": run.bound(write=True),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/integration/probereport/start.html", context)
