"""The tenant's job schedules in the admin: owners pick how often from presets (every 5, 15 or 30
minutes, hourly, daily at a time in the company's time zone), never under the job's floor; the
page shows beside it how often the job runs now, when eAccounting's shared budget stretches it."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_q.models import Schedule

from integration.models import JobSchedule, Membership
from integration.scheduling import presets, schedules
from integration.templatetags.company_time import company_time
from portal.admin.tenant_admin import TenantScopedAdmin


class JobScheduleForm(forms.ModelForm):
    class Meta:
        model = JobSchedule
        fields = ["minutes", "daily_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        row = self.instance
        floor = presets.floor(row.job)
        self.fields["minutes"] = forms.TypedChoiceField(
            label=_("How often"),
            coerce=int,
            choices=presets.choices(row.job, row.minutes if row.minutes >= floor.minutes else None),
            help_text=floor.why,
            error_messages={  # only a value not offered gets here: under the floor, or not an interval
                "invalid_choice": gettext("This job runs %(floor)s at the most often. %(why)s")
                % {"floor": presets.describe(floor.minutes), "why": floor.why}
            },
        )
        self.fields["daily_at"] = forms.TimeField(
            label=_("Daily at"),
            required=False,
            widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
            help_text=_(
                "With “daily”: the time of day in the company's time zone (%(zone)s). Blank: once a "
                "day at a moment Silta picks for the company."
            )
            % {"zone": row.tenant.time_zone},
        )

    def clean(self):
        cleaned = super().clean()
        minutes = cleaned.get("minutes")
        if minutes is None:
            return cleaned
        if minutes != presets.DAILY:
            cleaned["daily_at"] = None  # a time of day only means something for a daily job
        floor = presets.floor(self.instance.job)
        if minutes < floor.minutes:
            self.add_error(
                "minutes",
                ValidationError(
                    gettext("This job runs %(floor)s at the most often. %(why)s")
                    % {"floor": presets.describe(floor.minutes), "why": floor.why}
                ),
            )
            return cleaned
        shortest = schedules.current_plan(self.instance.tenant).minimum.get(self.instance.job, 1)
        if minutes < shortest:
            self.add_error(
                "minutes",
                ValidationError(
                    gettext(
                        "eAccounting's request limit is shared by every company Silta serves; at present "
                        "it allows this job %(interval)s at the most often."
                    )
                    % {"interval": presets.describe(shortest)}
                ),
            )
        return cleaned


@admin.register(JobSchedule)
class JobScheduleAdmin(TenantScopedAdmin):
    writable_by = (Membership.Role.OWNER,)
    form = JobScheduleForm
    list_display = ["tenant", "job", "how_often", "runs_every", "next_run"]
    list_filter = ["job"]
    fields = ["tenant", "job", "minutes", "daily_at", "runs_every", "next_run"]
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
                schedule_type=Subquery(schedule.values("schedule_type")[:1]),
                schedule_minutes=Subquery(schedule.values("minutes")[:1]),
                schedule_next_run=Subquery(schedule.values("next_run")[:1]),
            )
        )

    @admin.display(description=_("how often"), ordering="minutes")
    def how_often(self, obj):
        chosen = presets.describe(obj.minutes, obj.daily_at)
        return f"{chosen} ({obj.tenant.time_zone})" if obj.daily_at else chosen

    @admin.display(description=_("runs now"))
    def runs_every(self, obj):
        if getattr(obj, "schedule_type", None) is None:
            return gettext("not scheduled (the integration is not active)")
        if obj.schedule_type == Schedule.DAILY:
            return gettext("as chosen")
        return presets.effective(max(obj.minutes, presets.floor(obj.job).minutes), obj.schedule_minutes) or (
            gettext("as chosen")
        )

    @admin.display(description=_("next run"))
    def next_run(self, obj):
        return company_time(getattr(obj, "schedule_next_run", None), obj.tenant) or "-"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.tenant.is_active:
            schedules.ensure(obj.tenant)
