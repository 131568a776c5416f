"""Account views: sign-up, log-in and log-out, password change and reset, profile."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-strong-pass-42"


@pytest.fixture
def user() -> User:
    return UserFactory()


def _signup(client, **overrides):
    data = {
        "username": "newlearner",
        "email": "new@example.com",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post(reverse("accounts:signup"), data)


def test_signup_creates_user_with_hashed_password_and_logs_in(client):
    response = _signup(client)

    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(username="newlearner")
    assert user.email == "new@example.com"
    assert user.password != NEW_PASSWORD
    assert user.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(user.pk)


def test_signup_with_weak_password_shows_error_and_creates_no_user(client):
    response = _signup(client, password1="123", password2="123")

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "password2" in errors
    assert "too short" in " ".join(errors["password2"])
    assert not User.objects.filter(username="newlearner").exists()
    assert SESSION_KEY not in client.session


def test_signup_with_mismatched_passwords_creates_no_user(client):
    response = _signup(client, password2="Something-else-99")

    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="newlearner").exists()


def test_signup_with_taken_email_in_any_case_is_an_error(client):
    UserFactory(email="taken@example.com")

    response = _signup(client, email="Taken@Example.com")

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "An account with this email address already exists."
    ]
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_signup_page_sends_a_logged_in_user_home(client, user):
    client.force_login(user)
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_login_with_right_password_logs_in(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_with_wrong_password_is_refused(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "wrong-password"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert SESSION_KEY not in client.session


def test_logout_by_post_ends_the_session(client, user):
    client.force_login(user)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code in (200, 302)
    assert SESSION_KEY not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_logout_by_get_is_not_allowed(client, user):
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session[SESSION_KEY] == str(user.pk)


def test_password_change_requires_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_password_change_sets_the_new_password(client, user):
    client.force_login(user)
    assert client.get(reverse("accounts:password_change")).status_code == 200

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(user.pk)  # still logged in


def test_password_change_with_wrong_old_password_changes_nothing(client, user):
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_password_reset_emails_one_working_reset_link(client, user):
    response = client.post(reverse("accounts:password_reset"), {"email": user.email})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body

    link = client.get(match.group(1))
    assert link.status_code == 302  # to the token-less set-password URL
    form_page = client.get(link.url)
    assert form_page.status_code == 200
    response = client.post(link.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_for_unknown_email_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_profile_shows_the_username(client, user):
    client.force_login(user)

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert f"<dd>{user.username}</dd>" in response.content.decode()


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
