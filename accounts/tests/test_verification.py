"""Email verification: the signed link, resending it, and unverified learners' answers
left out of the cohort views."""

from __future__ import annotations

import re
import time as time_module
from datetime import date, datetime, time

import pytest
from django.core import mail, signing
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.verification import verification_token
from exams.models import ExamSession, UserResponse
from exams.statistics import cohort_by_objective, unverified_counts_by_question
from exams.tests.factories import ExamFactory, ExamSessionFactory, TopicFactory, make_question

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "Another-strong-pass-42"
MAY_10_NOON = timezone.make_aware(datetime.combine(date(2024, 5, 10), time(12)))


def _answer(question, *, user, correct: bool) -> UserResponse:
    attempt = ExamSessionFactory(
        exam=question.exam, user=user, mode=ExamSession.Mode.EXAM, is_completed=True
    )
    return UserResponse.objects.create(
        session=attempt,
        question=question,
        response_data={"choices": []},
        is_correct=correct,
        points_earned=question.points if correct else 0,
        answered_at=MAY_10_NOON,
    )


# --- cohort views ---------------------------------------------------------------------------


def test_unverified_learners_answers_are_left_out_of_the_cohort():
    topic = TopicFactory(code="1.1")
    question = make_question(kind="single", topic=topic, exam=ExamFactory(), points=20)
    verified, unverified = UserFactory(), UserFactory(email_verified=False)
    _answer(question, user=verified, correct=True)
    for _ in range(3):
        _answer(question, user=unverified, correct=False)

    (row,) = cohort_by_objective(start=date(2024, 5, 1), end=date(2024, 5, 31))

    assert (row.objective_code, row.responses, row.correct) == ("1.1", 1, 1)
    assert row.share_correct == pytest.approx(1.0)


def test_a_learners_answers_join_the_cohort_once_they_verify():
    topic = TopicFactory(code="1.1")
    question = make_question(kind="single", topic=topic, exam=ExamFactory(), points=20)
    learner = UserFactory(email_verified=False)
    _answer(question, user=learner, correct=False)
    assert cohort_by_objective(start=date(2024, 5, 1), end=date(2024, 5, 31))[0].responses == 0

    learner.email_verified = True
    learner.save(update_fields=["email_verified"])

    assert cohort_by_objective(start=date(2024, 5, 1), end=date(2024, 5, 31))[0].responses == 1


# --- sign-up mail and the link --------------------------------------------------------------


def _sign_up(client):
    return client.post(
        reverse("accounts:signup"),
        {
            "username": "newlearner",
            "email": "new@example.com",
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
    )


def _link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/verify-email/[^/\s]+/)", message.body).group(1)


def test_sign_up_mails_a_link_that_verifies_the_address(client):
    _sign_up(client)
    learner = User.objects.get(username="newlearner")
    assert not learner.email_verified
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]

    response = client.get(_link_in(message))

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    learner.refresh_from_db()
    assert learner.email_verified


def test_the_link_works_without_being_logged_in(client):
    _sign_up(client)
    link = _link_in(mail.outbox[0])
    client.logout()

    response = client.get(link)

    assert response.url == reverse("accounts:login")
    assert User.objects.get(username="newlearner").email_verified


def test_a_tampered_link_is_refused_with_a_message(client):
    learner = UserFactory(email_verified=False)
    token = verification_token(user=learner)
    # Claim another account's id under the same signature.
    other = UserFactory(email_verified=False)
    payload = token.split(":", 1)[0]
    forged = signing.dumps({"user": other.pk, "email": other.email}, salt="elsewhere")

    for bad in (token[:-2] + "xx", forged, payload, "nonsense"):
        response = client.get(reverse("accounts:verify_email", args=[bad]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()

    learner.refresh_from_db()
    other.refresh_from_db()
    assert not learner.email_verified and not other.email_verified


def test_an_expired_link_is_refused_with_a_message(client, monkeypatch):
    learner = UserFactory(email_verified=False)
    token = verification_token(user=learner)
    eight_days_later = time_module.time() + 8 * 86_400  # links work for 7 days
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_later)

    response = client.get(reverse("accounts:verify_email", args=[token]))

    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    learner.refresh_from_db()
    assert not learner.email_verified


def test_a_link_sent_to_an_earlier_address_stops_working(client):
    learner = UserFactory(email_verified=False)
    token = verification_token(user=learner)
    learner.email = "changed@example.com"
    learner.save(update_fields=["email"])

    response = client.get(reverse("accounts:verify_email", args=[token]))

    assert response.status_code == 400
    assert "no longer has" in response.content.decode()
    learner.refresh_from_db()
    assert not learner.email_verified


def test_a_mail_server_failure_does_not_break_sign_up(client, settings):
    settings.EMAIL_BACKEND = "accounts.tests.test_verification.RefusingEmailBackend"

    response = _sign_up(client)

    assert response.status_code == 302
    assert User.objects.filter(username="newlearner").exists()
    page = client.get(reverse("home"))
    assert "could not send the confirmation email" in page.content.decode()


class RefusingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("no mail server")


# --- resending from the profile -------------------------------------------------------------


def test_the_profile_offers_resending_until_verified(client):
    learner = UserFactory(email_verified=False)
    client.force_login(learner)
    assert "Resend verification email" in client.get(reverse("accounts:profile")).content.decode()

    learner.email_verified = True
    learner.save(update_fields=["email_verified"])

    assert "Resend verification email" not in (
        client.get(reverse("accounts:profile")).content.decode()
    )


def test_resend_mails_a_new_working_link(client):
    learner = UserFactory(email_verified=False)
    client.force_login(learner)

    response = client.post(reverse("accounts:verify_email_resend"))

    assert response.url == reverse("accounts:profile")
    (message,) = mail.outbox
    assert message.to == [learner.email]
    client.get(_link_in(message))
    learner.refresh_from_db()
    assert learner.email_verified


def test_resending_is_limited_to_three_mails_an_hour(client):
    learner = UserFactory(email_verified=False)
    client.force_login(learner)
    for _ in range(4):
        client.post(reverse("accounts:verify_email_resend"))

    assert len(mail.outbox) == 3
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "several verification emails in the last hour" in page


def test_resend_needs_a_log_in_and_a_post(client):
    anonymous = client.post(reverse("accounts:verify_email_resend"))
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("accounts:login"))
    client.force_login(UserFactory(email_verified=False))
    assert client.get(reverse("accounts:verify_email_resend")).status_code == 405
    assert mail.outbox == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan wording")
def test_the_unverified_part_starts_from_the_unverified_learners():
    # The main cohort count keeps to its covering index (exams/tests/test_statistics.py);
    # the part subtracted must not read every response in the range either.
    plan = unverified_counts_by_question(start=date(2024, 5, 1), end=date(2024, 5, 31)).explain()

    assert "USING INDEX idx_users_unverified" in plan
    assert "SEARCH user_responses USING INDEX idx_user_responses_session_id" in plan
