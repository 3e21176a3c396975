"""The demo's mailbox: the e-mails Silta sent (invitations, password resets), for the superuser to read.

Only with SILTA_DEMO_MAILBOX (make demo): Django's file-based mail backend keeps each e-mail in
EMAIL_FILE_PATH, and this page lists them newest first, links clickable. Anyone else, and any
installation without the setting, gets 404: the page would show every e-mail.
"""

import email
import email.policy
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

SEPARATOR = "-" * 79  # what the file-based backend writes after each message
SHOWN = 50


def messages_in(folder: Path) -> list[dict]:
    """The newest SHOWN e-mails in the folder: subject, to, date and the plain-text body."""
    files = (
        sorted(folder.glob("*.log"), key=lambda f: f.stat().st_mtime, reverse=True) if folder.is_dir() else []
    )
    shown: list[dict] = []
    for file in files:
        parts = [
            p
            for p in file.read_text(encoding="utf-8", errors="replace").split(f"\n{SEPARATOR}\n")
            if p.strip()
        ]
        for raw in reversed(parts):
            message = email.message_from_string(raw.strip("\n"), policy=email.policy.default)
            body = message.get_body(preferencelist=("plain", "html"))
            shown.append(
                {
                    "subject": message["Subject"] or "",
                    "to": message["To"] or "",
                    "date": message["Date"] or "",
                    "body": body.get_content() if body is not None else "",
                }
            )
            if len(shown) >= SHOWN:
                return shown
    return shown


def mailbox(request):
    if not (settings.SILTA_DEMO_MAILBOX and request.user.is_superuser):
        raise Http404("No mailbox here.")
    context = {
        **admin.site.each_context(request),
        "title": _("Demo mailbox"),
        "mails": messages_in(Path(settings.EMAIL_FILE_PATH)),
    }
    return render(request, "portal/demo_mailbox.html", context)


urls = [path("demo-mailbox/", admin.site.admin_view(mailbox), name="demo_mailbox")]
