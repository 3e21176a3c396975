"""Failed logins are throttled (django-axes): after the limit even the right password is refused."""

from django.urls import reverse


def test_repeated_failed_logins_lock_the_account(client, owner_a, settings):
    login_url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login_url, {"username": "owner_a", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post(login_url, {"username": "owner_a", "password": "wrong"})
    assert response.status_code == 429  # the limit is reached: locked out
    response = client.post(login_url, {"username": "owner_a", "password": "pw-owner_a"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_right_password_logs_in_before_the_limit(client, owner_a):
    response = client.post(reverse("admin:login"), {"username": "owner_a", "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": "owner_a", "password": "pw-owner_a"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner_a.pk)
