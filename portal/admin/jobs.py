"""The tenant's job intervals in the admin: owners say how often; the shared budget may stretch it."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.forms import ModelForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_q.models import Schedule

from integration.models import JobSchedule, Membership
from integration.scheduling import schedules
from portal.admin.tenant_admin import TenantScopedAdmin


class JobScheduleForm(ModelForm):
    class Meta:
        model = JobSchedule
        fields = ["minutes"]

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        shortest = schedules.current_plan(self.instance.tenant).minimum.get(self.instance.job, 1)
        if 1 <= minutes < shortest:  # below 1: the field's own message
            raise ValidationError(
                _(
                    "eAccounting's request budget is shared by every company Silta serves; at present it "
                    "allows this job every %(minutes)s minutes at the most often."
                )
                % {"minutes": shortest}
            )
        return minutes


@admin.register(JobSchedule)
class JobScheduleAdmin(TenantScopedAdmin):
    writable_by = (Membership.Role.OWNER,)
    form = JobScheduleForm
    list_display = ["tenant", "job", "minutes", "runs_every", "next_run"]
    list_filter = ["job"]
    fields = ["tenant", "job", "minutes", "runs_every", "next_run"]
    readonly_fields = ["tenant", "job", "runs_every", "next_run"]

    def has_add_permission(self, request):
        return False  # one per job, made at activation

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # each row's django-q2 schedule (silta:<tenant id>:<job>) in the same query: a list of any
        # length is a fixed number of queries, not two more per row
        schedule = Schedule.objects.filter(
            name=Concat(
                Value("silta:"), Cast(OuterRef("tenant_id"), CharField()), Value(":"), OuterRef("job")
            )
        )
        return (
            super()
            .get_queryset(request)
            .select_related("tenant")
            .annotate(
                schedule_minutes=Subquery(schedule.values("minutes")[:1]),
                schedule_next_run=Subquery(schedule.values("next_run")[:1]),
            )
        )

    @admin.display(description=gettext_lazy("runs every"))
    def runs_every(self, obj):
        minutes = obj.schedule_minutes
        if minutes is None:
            return _("not scheduled (the integration is not active)")
        return _("%(minutes)s minutes") % {"minutes": minutes}

    @admin.display(description=gettext_lazy("next run"))
    def next_run(self, obj):
        return obj.schedule_next_run or "-"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.tenant.is_active:
            schedules.ensure(obj.tenant)
