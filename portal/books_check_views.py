"""*Books check*: a company's month, its shop orders beside their eAccounting documents (owners and members).

The check runs as a task (a large month reads thousands of orders) and the page polls its progress; the
result stays, so the page and its CSV show the same figures. Anyone but the company's owners and members
gets 404. Nothing is written to the shop or to eAccounting.
"""

from datetime import date

from django.contrib import admin
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from integration import tasks
from integration.models import BooksCheck, Tenant
from integration.orders.books_check import CSV_COLUMNS
from integration.orders.books_reader import month_bounds
from integration.people import tenancy

# The CSV's columns (``CSV_COLUMNS``) as the page heads them, in the user's language
COLUMN_LABELS = [
    pgettext_lazy("books check column", "order"),
    pgettext_lazy("books check column", "shop status"),
    pgettext_lazy("books check column", "shop total"),
    pgettext_lazy("books check column", "shop VAT"),
    pgettext_lazy("books check column", "shop VAT by rate"),
    pgettext_lazy("books check column", "shop refunded"),
    pgettext_lazy("books check column", "documents"),
    pgettext_lazy("books check column", "booked net"),
    pgettext_lazy("books check column", "booked VAT"),
    pgettext_lazy("books check column", "booked total"),
    pgettext_lazy("books check column", "booked by rate"),
    pgettext_lazy("books check column", "credited"),
    pgettext_lazy("books check column", "differences"),
]


def _tenant(request, slug) -> Tenant:
    tenant = tenancy.tenants_for(request.user).filter(slug=slug).first()
    if tenant is None:
        raise Http404("No such company.")
    return tenant


def _period(value: str | None) -> str:
    """The asked month, or the last full month."""
    if value:
        try:
            month_bounds(value)
            return value
        except ValueError:
            pass
    today = date.today()
    return f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"


@require_GET
def books_check(request, slug):
    tenant = _tenant(request, slug)
    period = _period(request.GET.get("period"))
    check = BooksCheck.objects.filter(tenant=tenant, period=period).first()
    context = {
        **admin.site.each_context(request),
        "tenant": tenant,
        "period": period,
        "check": check,
        "columns": COLUMN_LABELS,
        "rows": [[row.get(c, "") for c in CSV_COLUMNS] for row in check.rows] if check else [],
        "title": _("Books check: %(company)s, %(period)s") % {"company": tenant.name, "period": period},
    }
    return render(request, "portal/books_check.html", context)


@require_POST
def start_check(request, slug):
    tenant = _tenant(request, slug)
    period = _period(request.POST.get("period"))
    check = BooksCheck.objects.create(tenant=tenant, period=period, requested_by=request.user.get_username())
    tasks.books_check.enqueue(check.pk)
    return redirect(f"{reverse('books_check', args=[tenant.slug])}?period={period}")


@require_GET
def check_progress(request, slug, pk):
    check = get_object_or_404(BooksCheck, pk=pk, tenant=_tenant(request, slug))
    return JsonResponse(
        {
            "status": check.status,
            "done": check.progress_done,
            "total": check.progress_total,
            "text": check.progress_text,
            "differences": len(check.differences),
        }
    )


@require_GET
def check_csv(request, slug, pk):
    check = get_object_or_404(BooksCheck, pk=pk, tenant=_tenant(request, slug), status=BooksCheck.Status.DONE)
    response = HttpResponse(check.csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="books-check-{check.tenant.slug}-{check.period}.csv"'
    )
    return response


urls = [
    path("tenants/<slug:slug>/books-check/", admin.site.admin_view(books_check), name="books_check"),
    path("tenants/<slug:slug>/books-check/run/", admin.site.admin_view(start_check), name="books_check_run"),
    path(
        "tenants/<slug:slug>/books-check/<int:pk>.json",
        admin.site.admin_view(check_progress),
        name="books_check_progress",
    ),
    path(
        "tenants/<slug:slug>/books-check/<int:pk>.csv",
        admin.site.admin_view(check_csv),
        name="books_check_csv",
    ),
]
