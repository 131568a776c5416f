"""Brute-force protection (django-axes on log-in), the database-counted rate limits on
sign-up and password reset, and ending sessions: each tested with the attack it stops."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ATTACKER_IP = "203.0.113.7"
OTHER_IP = "198.51.100.20"
STRONG_PASSWORD = "Another-strong-pass-42"


@pytest.fixture
def learner() -> User:
    return UserFactory(username="alice")


def _log_in(client, *, username: str, password: str, ip: str = ATTACKER_IP):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def _guess_wrong(client, *, username: str, times: int, ip: str = ATTACKER_IP) -> None:
    for attempt in range(times):
        _log_in(client, username=username, password=f"guess-{attempt}", ip=ip)


# --- log-in lockout -------------------------------------------------------------------------


def test_six_wrong_passwords_then_the_right_one_is_refused_with_a_clear_message(client, learner):
    _guess_wrong(client, username="alice", times=6)

    response = _log_in(client, username="alice", password=DEFAULT_PASSWORD)

    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    text = response.content.decode()
    assert "logging in is locked for 15 minutes" in text
    assert "Try again after" in text
    assert 'name="username"' in text  # the log-in form is shown again, not a bare error


def test_the_fifth_wrong_password_locks_the_account(client, learner):
    _guess_wrong(client, username="alice", times=3)
    fourth = _log_in(client, username="alice", password="guess-again")
    assert fourth.status_code == 200
    assert "locked" not in fourth.content.decode()

    fifth = _log_in(client, username="alice", password="guess-once-more")

    assert fifth.status_code == 429
    assert "logging in is locked" in fifth.content.decode()


def test_a_few_wrong_passwords_then_the_right_one_logs_in(client, learner):
    _guess_wrong(client, username="alice", times=3)

    response = _log_in(client, username="alice", password=DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(learner.pk)
    # A success forgets the failures (AXES_RESET_ON_SUCCESS).
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_the_lock_does_not_reach_another_address_or_another_account(client, learner):
    UserFactory(username="bob")
    _guess_wrong(client, username="alice", times=6)

    from_elsewhere = _log_in(client, username="alice", password=DEFAULT_PASSWORD, ip=OTHER_IP)
    assert from_elsewhere.status_code == 302
    client.logout()
    other_account = _log_in(client, username="bob", password=DEFAULT_PASSWORD)
    assert other_account.status_code == 302


def test_the_lock_ends_after_the_cool_off(client, learner):
    _guess_wrong(client, username="alice", times=6)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert _log_in(client, username="alice", password=DEFAULT_PASSWORD).status_code == 302


def test_failures_are_kept_in_the_database_for_every_app_server(client, learner):
    _guess_wrong(client, username="alice", times=5)

    attempt = AccessAttempt.objects.get(username="alice", ip_address=ATTACKER_IP)
    assert attempt.failures_since_start == 5


def test_the_admin_log_in_page_is_locked_the_same_way(client, learner):
    learner.is_staff = True
    learner.save(update_fields=["is_staff"])
    for attempt in range(6):
        client.post(
            reverse("admin:login"),
            {"username": "alice", "password": f"guess-{attempt}"},
            REMOTE_ADDR=ATTACKER_IP,
        )

    response = client.post(
        reverse("admin:login"),
        {"username": "alice", "password": DEFAULT_PASSWORD},
        REMOTE_ADDR=ATTACKER_IP,
    )

    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_an_admin_sees_the_lockout_and_clearing_it_lets_the_learner_in(client, learner):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    _guess_wrong(client, username="alice", times=6)
    attempt = AccessAttempt.objects.get(username="alice")

    client.force_login(admin_user)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert ATTACKER_IP in listing.content.decode()
    cleared = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert cleared.status_code == 302
    assert not AccessAttempt.objects.exists()
    client.logout()

    assert _log_in(client, username="alice", password=DEFAULT_PASSWORD).status_code == 302
