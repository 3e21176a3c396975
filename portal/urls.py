from django.contrib import admin
from django.urls import path
from django.views.i18n import set_language

from . import (
    activation_views,
    books_check_views,
    demo_mail_views,
    eaccounting_views,
    first_sync_views,
    invitation_views,
    live_views,
    otp_views,
    password_views,
    personal_data_views,
    reference_views,
    run_views,
    setup_views,
    stock_to_enter_views,
    template_articles_views,
    visma_webshop_views,
    webshop_views,
)
from .error_views import permission_denied
from .health import healthz

handler403 = permission_denied  # Silta's own page, not Django's bare "403 Forbidden"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),  # the header's language chooser
    *eaccounting_views.urls,
    *webshop_views.urls,
    *visma_webshop_views.urls,
    *activation_views.urls,
    *first_sync_views.urls,
    *stock_to_enter_views.urls,
    *run_views.urls,
    *live_views.urls,
    *demo_mail_views.urls,
    *setup_views.urls,
    *template_articles_views.urls,
    *books_check_views.urls,
    *personal_data_views.urls,
    *reference_views.urls,
    *invitation_views.urls,
    *password_views.urls,
    *otp_views.urls,
    path("", admin.site.urls),
]
