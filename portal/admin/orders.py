"""Admin pages for web orders: order settings, delivery/payment method templates, transfers."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy

from integration import tasks
from integration.eaccounting.references import RefList
from integration.models import (
    AccountingArticle,
    AccountingCustomer,
    Membership,
    MethodArticle,
    OrderSettings,
    OrderStep,
    OrderTransfer,
    ShopMethod,
    Tenant,
)
from integration.orders import by_hand
from integration.orders.outcomes import WaitReason, row_name
from integration.orders.timeline import document_words, order_timeline
from integration.people import audit
from portal.admin import wait_fixes
from portal.admin.records import RecordAdmin
from portal.admin.reference_pickers import ReferencePickersMixin
from portal.admin.tenant_admin import TenantListFilter, TenantScopedAdmin, TenantScopedInline

RETRYABLE = (OrderTransfer.Status.PENDING, OrderTransfer.Status.WAITING, OrderTransfer.Status.SENDING)


@admin.register(AccountingArticle)
class AccountingArticleAdmin(RecordAdmin):
    writable_by = ()  # a copy kept by the article sync
    list_display = ["number", "name", "vat_rate", "tenant", "is_active", "is_stock"]
    list_filter = ["is_active", "is_stock"]
    search_fields = ["number", "name"]


@admin.register(AccountingCustomer)
class AccountingCustomerAdmin(RecordAdmin):
    writable_by = ()  # a copy kept by the order transfer
    list_display = ["number", "name", "tenant", "is_private", "is_active"]
    list_filter = ["is_private", "is_active"]
    search_fields = ["number", "name"]


class OrderSettingsForm(forms.ModelForm):
    """The admin makes the form's Meta (model and fields); this adds the check a many-to-many needs."""

    def clean(self):
        data = super().clean()
        tenant = data.get("tenant") or getattr(self.instance, "tenant", None)
        others = [
            a for a in data.get("refund_articles") or [] if tenant is not None and a.tenant_id != tenant.pk
        ]
        if others:  # a user with several tenants may see their articles too
            self.add_error("refund_articles", gettext("Choose this company's own eAccounting articles."))
        return data


@admin.register(OrderSettings)
class OrderSettingsAdmin(ReferencePickersMixin, TenantScopedAdmin):
    writable_by = (Membership.Role.OWNER,)
    reference_fields = {"terms_of_payment_id": RefList.TERMS_OF_PAYMENT}
    form = OrderSettingsForm
    list_display = ["tenant", "enabled", "document", "statuses", "transfer_from"]
    autocomplete_fields = [
        "tenant",
        "collective_customer",
        "rounding_article",
        "gift_card_article",
        "refund_article",
        "refund_articles",
    ]


class MethodArticleInline(TenantScopedInline):
    model = MethodArticle
    extra = 1
    autocomplete_fields = ["article"]
    verbose_name = gettext_lazy("template article")
    verbose_name_plural = gettext_lazy("template articles (one per VAT rate the method's rows can carry)")


@admin.register(ShopMethod)
class ShopMethodAdmin(ReferencePickersMixin, TenantScopedAdmin):
    reference_fields = {
        "terms_of_payment_id": RefList.TERMS_OF_PAYMENT,
        "bank_account_id": RefList.BANK_ACCOUNTS,
        "delivery_method_code": RefList.DELIVERY_METHODS,
    }
    list_display = ["title", "kind", "key", "zone", "tenant", "enabled", "templates"]
    list_filter = ["kind", "enabled"]
    search_fields = ["title", "key"]
    readonly_fields = ["tenant", "kind", "key", "title", "zone", "enabled"]
    inlines = [MethodArticleInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(template_count=Count("articles"))

    def changelist_view(self, request, extra_context=None):
        from integration.people import tenancy

        # the link to Silta's proposal of template articles, for each company the user may see (members read it)
        tenants = (
            tenancy.tenants_for(request.user).filter(shop_methods__isnull=False).distinct().order_by("name")
        )
        return super().changelist_view(
            request, {**(extra_context or {}), "template_article_tenants": tenants[:10]}
        )

    @admin.display(description=gettext_lazy("template articles"), ordering="template_count")
    def templates(self, obj):
        return obj.template_count or gettext("none: orders using it wait")

    def has_add_permission(self, request):
        return False  # read from the shop (activation and every order run)


class OrderStepInline(admin.TabularInline):
    model = OrderStep
    extra = 0
    fields = ["kind", "key", "status", "document_number", "amount", "reason", "attempts", "updated_at"]
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs: fields may nest, readonly_fields not
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # the parent OrderTransferAdmin has already checked the tenant


class ReasonFilter(admin.SimpleListFilter):
    """Orders (waiting, held) by the code of any of their first reasons."""

    title = gettext_lazy("reason")
    parameter_name = "reason"
    DEPTH = 5  # an order rarely has more reasons; the filter looks at the first five

    def lookups(self, request, model_admin):
        return [(code.value, wait_fixes.SHORT[code]) for code in WaitReason]

    def queryset(self, request, queryset):
        if self.value() not in set(WaitReason):
            return queryset
        match = Q()
        for i in range(self.DEPTH):
            match |= Q(**{f"reason_codes__{i}__code": self.value()})
        return queryset.filter(match)


@admin.register(OrderTransfer)
class OrderTransferAdmin(TenantScopedAdmin):
    """The list of web orders and each order's own page (read-only: what Silta did, why it waits, Retry)."""

    writable_by = ()
    list_display = [
        "shop_order_number",
        "tenant",
        "status",
        "reason_short",
        "document_kind",
        "document_number",
        "shop_total",
        "document_total",
        "attempts",
        "updated_at",
    ]
    list_filter = [TenantListFilter, "status", ReasonFilter, "document_kind", "written_back"]
    search_fields = ["shop_order_number", "document_number"]
    date_hierarchy = "created_at"
    actions = ["retry", "book_lines_as_one_unit"]
    exclude = [
        "token",
        "lease_until",
        "reason",
        "reason_codes",
        "plan",  # shown above, in words and translated
        "body_hash",
        "input_hash",
        "plan_version",  # how Silta tells a changed order: nothing a person acts on
    ]
    inlines = [OrderStepInline]
    change_form_template = "admin/integration/ordertransfer/change_form.html"

    # a record of exactly-once work: nobody makes or edits one by hand (superusers neither)
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("reason"))
    def reason_short(self, obj):
        return wait_fixes.short(obj.reason_codes, obj.reason) or "–"

    # --- the order's own page ------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/retry/", view(self.retry_one), name="integration_ordertransfer_retry"),
            path(
                "<int:pk>/book-as-one-unit/",
                view(self.book_one_as_one_unit),
                name="integration_ordertransfer_book_as_one_unit",
            ),
            path(
                "<int:pk>/booked-by-hand/",
                view(self.booked_by_hand),
                name="integration_ordertransfer_booked_by_hand",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        transfer = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if transfer is not None:
            extra.update(
                reasons=wait_fixes.shown(transfer)
                if transfer.status in (*RETRYABLE, OrderTransfer.Status.HELD, OrderTransfer.Status.SKIPPED)
                else [],
                step_reasons=[
                    (step, wait_fixes.shown(step))
                    for step in transfer.steps.filter(status__in=(*RETRYABLE, OrderStep.Status.HELD))
                ],
                timeline=order_timeline(transfer),
                plan_rows=[
                    {**r, "name": row_name(r.get("label") or {}, r.get("source", ""), gettext)}
                    for r in (transfer.plan or {}).get("rows", [])
                ],
                document_words=document_words(transfer.document_kind),
                can_retry=self._may_act(request, transfer) and self._retryable(transfer),
                can_act=self._may_act(request, transfer) and by_hand.waits_for_a_person(transfer),
                book_action=wait_fixes.BOOK_AS_ONE_UNIT,
                by_hand_action=wait_fixes.BOOKED_BY_HAND,
            )
        return super().change_view(request, object_id, form_url, extra)

    def _may_act(self, request, transfer) -> bool:
        return self._retry_tenants(request).filter(pk=transfer.tenant_id).exists()

    @staticmethod
    def _retryable(transfer) -> bool:
        return transfer.status in RETRYABLE or transfer.steps.filter(status__in=RETRYABLE).exists()

    def _acted_on(self, request, pk):
        """The order a POST on its page acts for: 404 unless the user may see it, 403 unless they may act."""
        if request.method != "POST":
            return None, HttpResponseNotAllowed(["POST"])
        transfer = self.get_queryset(request).filter(pk=pk).first()
        if transfer is None:
            raise Http404
        if not self._may_act(request, transfer):
            raise PermissionDenied
        return transfer, None

    def retry_one(self, request, pk):
        """*Retry* on the order's page: the one order is sent to the order transfer again, now."""
        transfer, refused = self._acted_on(request, pk)
        if refused is not None:
            return refused
        page = reverse("admin:integration_ordertransfer_change", args=[transfer.pk])
        if not self._retryable(transfer):
            self.message_user(request, gettext("This order does not wait for anything."), messages.INFO)
            return redirect(page)
        tasks.transfer_orders.enqueue(transfer.tenant_id, "manual", [transfer.shop_order_id])
        audit.record(
            transfer.tenant,
            request.user,
            audit.Action.RETRIED,
            f"Web orders {audit.listed([transfer.shop_order_number])}",
            "1 order(s) sent to the order transfer again",
        )
        self.message_user(
            request,
            gettext("Order %(number)s will be tried again in a moment.")
            % {"number": transfer.shop_order_number},
            messages.SUCCESS,
        )
        return redirect(page)

    def book_one_as_one_unit(self, request, pk):
        """The fix a "not in cents" reason offers, on the order's page; Retry follows at once."""
        transfer, refused = self._acted_on(request, pk)
        if refused is not None:
            return refused
        self.book_lines_as_one_unit(request, OrderTransfer.objects.filter(pk=transfer.pk))
        return redirect(reverse("admin:integration_ordertransfer_change", args=[transfer.pk]))

    def booked_by_hand(self, request, pk):
        """The end of a wait Silta has no fix for (another currency, a refund it cannot credit): the person entered
        it in eAccounting by hand; audited, and the order is not transferred."""
        transfer, refused = self._acted_on(request, pk)
        if refused is not None:
            return refused
        if by_hand.mark_booked_by_hand(transfer, request.user):
            self.message_user(
                request,
                gettext("Order %(number)s is marked as entered in eAccounting by hand.")
                % {"number": transfer.shop_order_number},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, gettext("This order does not wait for anything."), messages.INFO)
        return redirect(reverse("admin:integration_ordertransfer_change", args=[transfer.pk]))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser and not self._retry_tenants(request).exists():
            actions.pop("retry", None)
            actions.pop("book_lines_as_one_unit", None)
        return actions

    def _retry_tenants(self, request):
        from integration.people import tenancy

        return tenancy.tenants_for(request.user, (Membership.Role.OWNER, Membership.Role.MEMBER))

    @admin.action(
        description=gettext_lazy(
            "Book lines no two-decimal unit price can make as one unit (1 × the line's total)"
        )
    )
    def book_lines_as_one_unit(self, request, queryset):
        """The one-click fix a waiting order's reason offers (e.g. 3 for 1.00): owners and members of the order's
        company, audited, and the order is tried again at once."""
        chosen = queryset.filter(status=OrderTransfer.Status.WAITING, lines_as_one_unit=False)
        if not request.user.is_superuser:
            chosen = chosen.filter(tenant__in=self._retry_tenants(request))
        by_tenant: dict[int, list[tuple[int, str]]] = {}
        for tenant_id, order_id, number in chosen.values_list(
            "tenant_id", "shop_order_id", "shop_order_number"
        ):
            by_tenant.setdefault(tenant_id, []).append((order_id, number))
        for tenant in Tenant.objects.filter(pk__in=by_tenant):
            orders = by_tenant[tenant.pk]
            OrderTransfer.objects.filter(tenant=tenant, shop_order_id__in=[o for o, _ in orders]).update(
                lines_as_one_unit=True
            )
            audit.record(
                tenant,
                request.user,
                audit.Action.BOOKED_AS_ONE_UNIT,
                f"Web orders {audit.listed([n for _, n in orders])}",
                "lines no two-decimal unit price can make are booked as 1 × their total",
            )
            tasks.transfer_orders.enqueue(tenant.pk, "manual", [o for o, _ in orders])
        count = sum(len(o) for o in by_tenant.values())
        self.message_user(
            request,
            gettext("%(count)d waiting order(s) will book such lines as one unit in a moment.")
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Retry the selected orders now"))
    def retry(self, request, queryset):
        allowed = queryset.filter(Q(status__in=RETRYABLE) | Q(steps__status__in=RETRYABLE)).distinct()
        if not request.user.is_superuser:
            allowed = allowed.filter(tenant__in=self._retry_tenants(request))
        by_tenant: dict[int, list[int]] = {}
        numbers: dict[int, list[str]] = {}
        for tenant_id, order_id, number in allowed.values_list(
            "tenant_id", "shop_order_id", "shop_order_number"
        ):
            by_tenant.setdefault(tenant_id, []).append(order_id)
            numbers.setdefault(tenant_id, []).append(number)
        for tenant in Tenant.objects.filter(pk__in=by_tenant):
            tasks.transfer_orders.enqueue(tenant.pk, "manual", by_tenant[tenant.pk])
            audit.record(
                tenant,
                request.user,
                audit.Action.RETRIED,
                f"Web orders {audit.listed(numbers[tenant.pk])}",
                f"{len(numbers[tenant.pk])} order(s) sent to the order transfer again",
            )
        count = sum(len(ids) for ids in by_tenant.values())
        self.message_user(
            request,
            gettext("%(count)d order(s) will be tried again in a moment.") % {"count": count},
            messages.SUCCESS,
        )
