"""Password reset with Django's own views and the admin's templates, linked from the login page.

The e-mailed link is built from SILTA_BASE_URL (as invitation links are), not from the request's host.
"""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.html"

    def form_valid(self, form):
        self.extra_email_context = {"base_url": settings.SILTA_BASE_URL.rstrip("/")}
        return super().form_valid(form)


urls = [
    # The admin's login page shows "Forgotten your login credentials?" when this name exists.
    path("password-reset/", PasswordResetView.as_view(), name="admin_password_reset"),
    path("password-reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
