"""Silta's own error pages in its look (the admin's header, language chooser and user links)."""

from django.contrib import admin
from django.shortcuts import render


def permission_denied(request, exception=None):
    """handler403: a page refused to this user (another company's, or owners' only)."""
    return render(request, "403.html", {**admin.site.each_context(request), "title": ""}, status=403)
