from django.contrib import admin
from django.urls import path

from . import eaccounting_views, webshop_views
from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *(path(route, view, name=name) for route, view, name in eaccounting_views.urlpatterns_args),
    *(path(route, view, name=name) for route, view, name in webshop_views.urlpatterns_args),
    path("", admin.site.urls),
]
