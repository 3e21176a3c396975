"""The demo's mailbox: e-mails kept as files, read by the superuser on a page; nobody else, nowhere else."""

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.SILTA_DEMO_MAILBOX = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    return tmp_path


def test_the_superuser_reads_the_demos_e_mails_with_their_links(client, superuser, mailbox):
    client.force_login(superuser)
    assert "No e-mail has been sent yet." in client.get(reverse("demo_mailbox")).content.decode()
    mail.send_mail(
        "Kutsu: Kahvila Aurinko Oy", "Liity: http://127.0.0.1:8000/invitations/abc/", None, ["a@example.com"]
    )
    mail.send_mail("Password reset", "http://127.0.0.1:8000/reset/xyz/", None, ["b@example.com"])
    assert list(mailbox.glob("*.log"))  # the file-based backend kept them
    page = client.get(reverse("demo_mailbox")).content.decode()
    assert page.index("Password reset") < page.index("Kutsu: Kahvila Aurinko Oy")  # newest first
    assert '<a href="http://127.0.0.1:8000/invitations/abc/"' in page
    assert "a@example.com" in page
    # the dashboard links to it
    assert reverse("demo_mailbox") in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("who", ["owner_a", "member_b", "outsider"])
def test_nobody_else_sees_the_mailbox(client, three_users, mailbox, who):
    mail.send_mail("Secret", "http://127.0.0.1:8000/reset/xyz/", None, ["b@example.com"])
    client.force_login(three_users[who])
    response = client.get(reverse("demo_mailbox"))
    assert response.status_code == 404 and "reset/xyz" not in response.content.decode()
    assert reverse("demo_mailbox") not in client.get(reverse("admin:index")).content.decode()


def test_without_the_demo_setting_there_is_no_mailbox(client, superuser, settings):
    settings.SILTA_DEMO_MAILBOX = False
    client.force_login(superuser)
    assert client.get(reverse("demo_mailbox")).status_code == 404
    assert reverse("demo_mailbox") not in client.get(reverse("admin:index")).content.decode()
