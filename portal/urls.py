from django.contrib import admin
from django.urls import path

from . import (
    activation_views,
    eaccounting_views,
    first_sync_views,
    invitation_views,
    password_views,
    personal_data_views,
    run_views,
    visma_webshop_views,
    webshop_views,
)
from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *eaccounting_views.urls,
    *webshop_views.urls,
    *visma_webshop_views.urls,
    *activation_views.urls,
    *first_sync_views.urls,
    *run_views.urls,
    *personal_data_views.urls,
    *invitation_views.urls,
    *password_views.urls,
    path("", admin.site.urls),
]
