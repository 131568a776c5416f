"""Brute-force protection (django-axes on log-in), the database-counted rate limits on
sign-up and password reset, and ending sessions: each tested with the attack it stops."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import RateLimitHit, User
from accounts.security import UNKNOWN_ADDRESS, client_ip
from accounts.services import end_all_sessions
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ATTACKER_IP = "203.0.113.7"
OTHER_IP = "198.51.100.20"
STRONG_PASSWORD = "Another-strong-pass-42"


LEARNER_PASSWORD = "alice-Secret-2468"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # These tests check dozens of passwords; the production hasher costs ~0.2 s of CPU per
    # check. What is tested here is the counting around the check, not the hash.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture
def learner() -> User:
    return UserFactory(username="alice", password=LEARNER_PASSWORD)


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

    response = _log_in(client, username="alice", password=LEARNER_PASSWORD)

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

    response = _log_in(client, username="alice", password=LEARNER_PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(learner.pk)
    # A success forgets the failures (AXES_RESET_ON_SUCCESS).
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_the_lock_does_not_reach_another_address_or_another_account(client, learner):
    UserFactory(username="bob", password=LEARNER_PASSWORD)
    _guess_wrong(client, username="alice", times=6)

    from_elsewhere = _log_in(client, username="alice", password=LEARNER_PASSWORD, ip=OTHER_IP)
    assert from_elsewhere.status_code == 302
    client.logout()
    other_account = _log_in(client, username="bob", password=LEARNER_PASSWORD)
    assert other_account.status_code == 302


def test_the_lock_ends_after_the_cool_off(client, learner):
    _guess_wrong(client, username="alice", times=6)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert _log_in(client, username="alice", password=LEARNER_PASSWORD).status_code == 302


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
        {"username": "alice", "password": LEARNER_PASSWORD},
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

    assert _log_in(client, username="alice", password=LEARNER_PASSWORD).status_code == 302


def test_an_address_guessing_many_usernames_is_paused_without_checking_passwords(
    client, learner, settings, monkeypatch
):
    settings.LOGIN_FAILURES_PER_IP_PER_15_MINUTES = 10
    for number in range(10):
        _log_in(client, username=f"someone{number}", password="Summer2026!")
    checked = []
    monkeypatch.setattr(
        ModelBackend, "authenticate", lambda *args, **kwargs: checked.append(kwargs)
    )

    response = _log_in(client, username="alice", password=LEARNER_PASSWORD)

    assert response.status_code == 429
    assert "logging in from here is paused" in response.content.decode()
    assert "Try again after" in response.content.decode()
    assert checked == []  # no password was hashed for the paused address
    assert SESSION_KEY not in client.session


def test_the_address_pause_does_not_reach_other_addresses(client, learner, settings):
    settings.LOGIN_FAILURES_PER_IP_PER_15_MINUTES = 10
    for number in range(10):
        _log_in(client, username=f"someone{number}", password="Summer2026!")

    response = _log_in(client, username="alice", password=LEARNER_PASSWORD, ip=OTHER_IP)

    assert response.status_code == 302


def test_empty_log_in_forms_are_not_counted_as_failures(client, learner, settings):
    settings.LOGIN_FAILURES_PER_IP_PER_15_MINUTES = 2
    for _ in range(3):
        _log_in(client, username="", password="")

    assert _log_in(client, username="alice", password=LEARNER_PASSWORD).status_code == 302


# --- sign-up limit --------------------------------------------------------------------------


def _sign_up(client, number: int, *, ip: str = ATTACKER_IP):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": f"bot{number}",
            "email": f"bot{number}@example.com",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
        REMOTE_ADDR=ip,
    )


def test_the_sixth_sign_up_from_one_address_in_an_hour_is_refused(client):
    for number in range(5):
        assert _sign_up(client, number).status_code == 302
        client.logout()

    refused = _sign_up(client, 5)

    assert refused.status_code == 429
    assert "Too many accounts were created from your network" in refused.content.decode()
    assert "Try again after" in refused.content.decode()
    assert not User.objects.filter(username="bot5").exists()
    assert User.objects.filter(username__startswith="bot").count() == 5


def test_sign_ups_from_another_address_are_not_limited_by_the_first(client):
    for number in range(5):
        _sign_up(client, number)
        client.logout()

    assert _sign_up(client, 5, ip=OTHER_IP).status_code == 302
    assert User.objects.filter(username="bot5").exists()


def test_sign_ups_older_than_an_hour_no_longer_count(client):
    for number in range(5):
        _sign_up(client, number)
        client.logout()
    RateLimitHit.objects.update(created_at=timezone.now() - timedelta(minutes=61))

    assert _sign_up(client, 5).status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(client):
    # Without TRUST_X_FORWARDED_FOR the header is the client's own claim, so ignored.
    for number in range(5):
        client.post(
            reverse("accounts:signup"),
            {
                "username": f"bot{number}",
                "email": f"bot{number}@example.com",
                "password1": STRONG_PASSWORD,
                "password2": STRONG_PASSWORD,
            },
            REMOTE_ADDR=ATTACKER_IP,
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}",
        )
        client.logout()

    refused = client.post(
        reverse("accounts:signup"),
        {
            "username": "bot5",
            "email": "bot5@example.com",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
        REMOTE_ADDR=ATTACKER_IP,
        HTTP_X_FORWARDED_FOR="10.0.0.99",
    )
    assert refused.status_code == 429


def test_behind_the_proxy_the_address_it_appended_is_counted(client, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    for number in range(5):
        client.post(
            reverse("accounts:signup"),
            {
                "username": f"bot{number}",
                "email": f"bot{number}@example.com",
                "password1": STRONG_PASSWORD,
                "password2": STRONG_PASSWORD,
            },
            REMOTE_ADDR="127.0.0.1",
            # A made-up first entry, then the address the proxy saw.
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, {ATTACKER_IP}",
        )
        client.logout()

    assert RateLimitHit.objects.filter(key=ATTACKER_IP).count() == 5
    assert _sign_up(client, 5, ip="127.0.0.1").status_code == 302  # another client


def test_an_admin_sees_the_counted_sign_ups_and_deleting_them_lifts_the_limit(client):
    for number in range(5):
        _sign_up(client, number)
        client.logout()
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:accounts_ratelimithit_changelist"))
    assert listing.context["cl"].result_count == 5
    assert ATTACKER_IP in listing.content.decode()
    client.post(
        reverse("admin:accounts_ratelimithit_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(RateLimitHit.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    client.logout()

    assert not RateLimitHit.objects.exists()
    assert _sign_up(client, 5).status_code == 302


# --- password-reset limit -------------------------------------------------------------------


def _ask_reset(client, email: str, *, ip: str = ATTACKER_IP):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_the_fourth_reset_for_one_address_in_an_hour_is_refused_and_mails_nothing(client, learner):
    for _ in range(3):
        assert _ask_reset(client, learner.email).status_code == 302
    assert len(mail.outbox) == 3

    refused = _ask_reset(client, learner.email, ip=OTHER_IP)

    assert refused.status_code == 429
    assert "Too many password resets were asked for this email address" in (
        refused.content.decode()
    )
    assert len(mail.outbox) == 3


def test_the_reset_refusal_is_the_same_for_an_address_with_no_account(client, learner):
    for _ in range(3):
        _ask_reset(client, learner.email)
        _ask_reset(client, "nobody@example.com", ip=OTHER_IP)

    for_account = _ask_reset(client, learner.email, ip="192.0.2.1")
    for_nobody = _ask_reset(client, "nobody@example.com", ip="192.0.2.2")

    assert for_account.status_code == for_nobody.status_code == 429
    assert (
        for_account.context["form"].non_field_errors()[0].split(" Try again")[0]
        == (for_nobody.context["form"].non_field_errors()[0].split(" Try again")[0])
    )


def test_one_address_asking_resets_for_many_emails_is_refused_after_five(client):
    for number in range(5):
        assert _ask_reset(client, f"target{number}@example.com").status_code == 302

    refused = _ask_reset(client, "target5@example.com")

    assert refused.status_code == 429
    assert "from your network" in refused.content.decode()
    assert not RateLimitHit.objects.filter(key="target5@example.com").exists()


def test_the_email_limit_ignores_case_and_spaces(client, learner):
    for variant in ("ALICE@example.com", " alice@example.com", "Alice@Example.com"):
        _ask_reset(client, variant)

    assert _ask_reset(client, "alice@EXAMPLE.com", ip=OTHER_IP).status_code == 429


# --- the REST API --------------------------------------------------------------------------


def test_the_api_takes_no_password_so_it_offers_no_guessing_door(client, learner):
    # Tokens are made by a logged-in learner (the log-in form, locked as above) and are
    # 256 random bits: the API has no endpoint or scheme that accepts a password.
    credentials = base64.b64encode(f"alice:{LEARNER_PASSWORD}".encode()).decode()

    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Basic {credentials}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- sessions -------------------------------------------------------------------------------


def test_changing_the_password_logs_out_every_other_session(client, learner):
    other_device = Client()
    other_device.force_login(learner)
    client.force_login(learner)
    assert other_device.get(reverse("accounts:profile")).status_code == 200

    changed = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": LEARNER_PASSWORD,
            "new_password1": STRONG_PASSWORD,
            "new_password2": STRONG_PASSWORD,
        },
    )

    assert changed.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200  # this one stays
    other = other_device.get(reverse("accounts:profile"))
    assert other.status_code == 302
    assert other.url.startswith(reverse("accounts:login"))


def test_end_all_sessions_deletes_only_that_users_sessions(learner):
    other_learner = UserFactory()
    phone, laptop, someone_else = Client(), Client(), Client()
    phone.force_login(learner)
    laptop.force_login(learner)
    someone_else.force_login(other_learner)

    assert end_all_sessions(user=learner) == 2

    assert Session.objects.count() == 1
    assert phone.get(reverse("accounts:profile")).status_code == 302
    assert laptop.get(reverse("accounts:profile")).status_code == 302
    assert someone_else.get(reverse("accounts:profile")).status_code == 200


def test_the_admin_action_ends_the_selected_users_sessions(client, learner):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    device = Client()
    device.force_login(learner)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_sessions", "_selected_action": [learner.pk]},
        follow=True,
    )

    assert "1 session(s) of 1 user(s) ended" in response.content.decode()
    assert device.get(reverse("accounts:profile")).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200  # the admin's own stays


def test_staff_without_change_permission_cannot_end_sessions(client, learner):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    device = Client()
    device.force_login(learner)
    client.force_login(viewer)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "end_sessions", "_selected_action": [learner.pk]},
    )

    assert device.get(reverse("accounts:profile")).status_code == 200


def test_a_password_reset_logs_out_every_session(client, learner):
    device = Client()
    device.force_login(learner)
    _ask_reset(client, learner.email)
    link = re.search(r"http://testserver(/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)  # Django swaps the token into the session

    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": STRONG_PASSWORD, "new_password2": STRONG_PASSWORD},
    )

    learner.refresh_from_db()
    assert learner.check_password(STRONG_PASSWORD)
    assert device.get(reverse("accounts:profile")).status_code == 302


def test_a_malformed_forwarded_address_is_counted_under_the_proxys_and_never_breaks_login(
    client, learner, settings
):
    # Behind the proxy, a header that is no address (sent by a client whose proxy appends
    # nothing, or garbled) must not reach the IP address column: PostgreSQL refuses it.
    settings.TRUST_X_FORWARDED_FOR = True
    for attempt in range(5):
        response = client.post(
            reverse("accounts:login"),
            {"username": "alice", "password": f"guess-{attempt}"},
            REMOTE_ADDR="198.51.100.4",
            HTTP_X_FORWARDED_FOR="<script>, not-an-address",
        )
        assert response.status_code in (200, 429)

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.4"}


def test_a_login_made_in_code_without_an_address_is_stored_as_the_unknown_address(learner):
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]

    assert client_ip(request) == UNKNOWN_ADDRESS
