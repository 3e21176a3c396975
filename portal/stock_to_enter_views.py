"""*Stock to enter in eAccounting*: the products the first sync created at 0 in eAccounting, whose shop keeps
its own stock until it is entered there; as a page and as a CSV (the company's owners and members: the
owners do the first sync, members may well be the ones who count the goods). Reads only Silta's database.
"""

import csv
import io
from decimal import Decimal

from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from integration.orders.books_check import csv_cell
from integration.people import tenancy
from integration.sync import stock_to_enter


def quantity(value: Decimal | int | None) -> str:
    """12.00 → "12", 1.5 → "1.5", None → "" (not counted in the shop): the CSV's plain numbers."""
    if value is None:
        return ""
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


@require_GET
def page(request, slug):
    tenant = tenancy.get_tenant_for_user(request.user, slug)
    context = {
        **admin.site.each_context(request),
        "tenant": tenant,
        "stock_rows": stock_to_enter.waiting(tenant),
        "title": _("Stock to enter in eAccounting: %(company)s") % {"company": tenant.name},
    }
    return render(request, "portal/stock_to_enter.html", context)


@require_GET
def as_csv(request, slug):
    tenant = tenancy.get_tenant_for_user(request.user, slug)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("Article number"), _("Name"), _("Stock in the shop at import"), _("Stock in the shop now")]
    )
    for row in stock_to_enter.waiting(tenant):
        writer.writerow(
            [csv_cell(row.article_number), csv_cell(row.name), quantity(row.at_import), quantity(row.now)]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stock-to-enter-{tenant.slug}.csv"'
    return response


urls = [
    path("tenants/<slug:slug>/stock-to-enter/", admin.site.admin_view(page), name="stock_to_enter"),
    path("tenants/<slug:slug>/stock-to-enter.csv", admin.site.admin_view(as_csv), name="stock_to_enter_csv"),
]
