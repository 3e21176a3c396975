"""*Erase a customer's personal data*: one e-mail out of the company's records in Silta. Owners only."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integration.people import tenancy
from integration.privacy import erasure

# erasure.NOT_ERASED_THERE in the user's language (that one goes into the audit trail as written)
NOT_ERASED_THERE = gettext_lazy(
    "Nothing is erased in eAccounting or the shop: the law keeps invoices and their customers "
    "there. Erase or anonymise the customer there if the law allows it."
)


class EraseForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("The customer's e-mail address"), max_length=255)


def erase_customer(request, slug):
    """GET: the form. POST *Show what would be erased*: a dry run's report. POST *Erase*: the erasure,
    its report as a message (never the e-mail: messages travel in a cookie) and an audit entry."""
    tenant = tenancy.get_tenant_for_user(request.user, slug, tenancy.OWNERS)
    form = EraseForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if request.POST.get("answer") == "erase":
            report = erasure.erase(email, tenant, user=request.user)
            lines = "; ".join(report.lines()) or _("nothing was found")
            messages.success(
                request,
                _("%(company)s: the customer's data erased from Silta's records (%(lines)s). ")
                % {"company": tenant.name, "lines": lines}
                + str(NOT_ERASED_THERE),
            )
            return redirect("erase_customer", slug=tenant.slug)
        report = erasure.erase(email, tenant, dry_run=True)
    return page(request, tenant, form, report)


def page(request, tenant, form=None, report=None):
    """The page (also what the *Tenants* list's action shows); its form posts to erase_customer."""
    context = {
        **admin.site.each_context(request),
        "tenant": tenant,
        "form": form or EraseForm(),
        "report": report,
        "kept": sum(report.orders_kept.values()) if report else 0,
        "not_erased_there": NOT_ERASED_THERE,
        "title": _("Erase a customer's personal data: %(company)s") % {"company": tenant.name},
    }
    return render(request, "portal/erase_customer.html", context)


urls = [
    path("tenants/<slug:slug>/erase-customer/", admin.site.admin_view(erase_customer), name="erase_customer"),
]
