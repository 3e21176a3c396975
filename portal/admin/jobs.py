"""The tenant's job intervals in the admin: owners say how often; the shared budget may stretch it."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
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
                f"eAccounting's request budget is shared by every company Silta serves; at present it "
                f"allows this job every {shortest} minutes at the most often."
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

    def _schedule(self, obj):
        return Schedule.objects.filter(name=schedules.name(obj.tenant_id, obj.job)).first()

    @admin.display(description="runs every")
    def runs_every(self, obj):
        schedule = self._schedule(obj)
        return f"{schedule.minutes} minutes" if schedule else "not scheduled (the integration is not active)"

    @admin.display(description="next run")
    def next_run(self, obj):
        schedule = self._schedule(obj)
        return schedule.next_run if schedule else "-"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.tenant.is_active:
            schedules.ensure(obj.tenant)
