"""*Erase a customer's personal data*: one e-mail out of the company's records in Silta. Owners only."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path

from integration import erasure, tenancy


class EraseForm(forms.Form):
    email = forms.EmailField(label="The customer's e-mail address", max_length=255)


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
            lines = "; ".join(report.lines()) or "nothing was found"
            messages.success(request, f"{tenant.name}: the customer's data erased from Silta's records ({lines}). "
                                      + erasure.NOT_ERASED_THERE)  # fmt: skip
            return redirect("erase_customer", slug=tenant.slug)
        report = erasure.erase(email, tenant, dry_run=True)
    return page(request, tenant, form, report)


def page(request, tenant, form=None, report=None):
    """The page (also what the *Tenants* list's action shows); its form posts to erase_customer."""
    context = {
        **admin.site.each_context(request), "tenant": tenant, "form": form or EraseForm(), "report": report,
        "kept": sum(report.orders_kept.values()) if report else 0, "not_erased_there": erasure.NOT_ERASED_THERE,
        "title": f"Erase a customer's personal data: {tenant.name}",
    }
    return render(request, "portal/erase_customer.html", context)


urls = [
    path("tenants/<slug:slug>/erase-customer/", admin.site.admin_view(erase_customer), name="erase_customer"),
]
