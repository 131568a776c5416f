"""The learner's own data: the exam date on the profile, downloading everything as JSON, and
deleting the account (docs/privacy.md)."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import delete_account, export_user_data, issue_api_token
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams import drawing, services
from exams.models import (
    Exam,
    ExamSession,
    ItemReport,
    UserResponse,
    WebhookDelivery,
    WebhookEndpoint,
)
from exams.statistics import item_statistics
from exams.tests.factories import ExamFactory, make_question
from progress.models import ReviewCard, UserProgress


@pytest.fixture
def user(db) -> User:
    return UserFactory()


@pytest.fixture
def practice_set(db) -> list:
    """Three single-choice questions with recognisable stems: two of one objective, then one
    of another."""
    bank = ExamFactory(kind=Exam.Kind.BANK)
    first = make_question(exam=bank, text="STEM-ONE: what does print(1 + 1) show?")
    return [
        first,
        make_question(exam=bank, topic=first.topic, text="STEM-TWO: which is a keyword?"),
        make_question(exam=bank, text="STEM-THREE: what is len('ab')?"),
    ]


def practise(user, questions, *, right: bool = True) -> ExamSession:
    """One practice session of the first question's objective, every item answered."""
    attempt = services.start_practice(
        user=user, choice=drawing.PracticeChoice(topic=questions[0].topic, count=len(questions))
    )
    for item in attempt.responses.select_related("question"):
        answer = item.question.answers.filter(is_correct=right).first()
        services.record_answer(
            attempt=attempt, question_id=item.question_id, choice_ids=[answer.pk]
        )
    return attempt


# The exam date ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_exam_date_is_stored_on_the_profile(user, client):
    client.force_login(user)
    day = timezone.localdate() + timedelta(days=40)
    response = client.post(reverse("accounts:exam_date"), {"exam_date": day.isoformat()})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.profile_data["exam_date"] == day.isoformat()
    assert f'value="{day.isoformat()}"' in client.get(reverse("accounts:profile")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2027-02-30", "Enter a real date"),
        ("next tuesday", "Enter a real date"),
        ("far", "at most 2 years ahead"),
        ("past", "today or later"),
    ],
)
def test_a_bad_exam_date_is_refused_and_changes_nothing(user, client, value, message):
    today = timezone.localdate()
    value = {
        "far": (today + timedelta(days=2 * 366 + 1)).isoformat(),
        "past": (today - timedelta(days=1)).isoformat(),
    }.get(value, value)
    kept = (today + timedelta(days=10)).isoformat()
    user.profile_data = {"exam_date": kept, "theme": "dark"}
    user.save()
    client.force_login(user)

    response = client.post(reverse("accounts:exam_date"), {"exam_date": value})

    assert response.status_code == 400
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.profile_data == {"exam_date": kept, "theme": "dark"}


@pytest.mark.django_db
def test_an_empty_exam_date_removes_it_and_keeps_the_rest(user, client):
    user.profile_data = {"exam_date": "2027-01-01", "theme": "dark"}
    user.save()
    client.force_login(user)
    client.post(reverse("accounts:exam_date"), {"exam_date": ""})
    user.refresh_from_db()
    assert user.profile_data == {"theme": "dark"}


# Download my data ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_export_holds_the_learners_data_and_nobody_elses(user, practice_set):
    other = UserFactory()
    mine = practise(user, practice_set[:2], right=True)
    practise(other, practice_set[2:], right=False)
    issue_api_token(user=user, name="My laptop script")
    issue_api_token(user=other, name="Someone else's token")
    ItemReport.objects.create(question=practice_set[0], user=user, reason="typo", message="MINE")
    ItemReport.objects.create(question=practice_set[0], user=other, reason="typo", message="THEIRS")

    data = export_user_data(user=user)
    text = json.dumps(data)

    assert data["account"]["username"] == user.username
    assert data["account"]["email"] == user.email
    assert [attempt["id"] for attempt in data["attempts"]] == [mine.pk]
    responses = data["attempts"][0]["responses"]
    assert {row["question"] for row in responses} == {
        question.text for question in practice_set[:2]
    }
    first = next(row for row in responses if row["question_id"] == practice_set[0].original_id)
    key = practice_set[0].answers.get(is_correct=True)
    assert first["answer_given"] == {"choices": [key.text]}
    assert first["is_correct"] is True and first["points_earned"] == practice_set[0].points
    assert first["answered_at"] and first["time_taken_seconds"] >= 0
    assert [row["objective"] for row in data["progress"]] == [practice_set[0].topic.code]
    assert data["progress"][0]["questions_attempted"] == 2
    assert [token["name"] for token in data["api_tokens"]] == ["My laptop script"]
    assert [report["message"] for report in data["problem_reports"]] == ["MINE"]
    assert "STEM-THREE" not in text  # only the other learner was given it
    assert "THEIRS" not in text and "Someone else" not in text and other.username not in text


@pytest.mark.django_db
def test_the_export_has_no_password_hash_and_no_token_secret(user, practice_set):
    token, key = issue_api_token(user=user, name="CI")
    text = json.dumps(export_user_data(user=user))
    assert "password" not in text
    assert user.password not in text
    assert key not in text and token.key_hash not in text and token.prefix not in text


@pytest.mark.django_db
def test_the_export_takes_the_same_queries_for_one_attempt_or_ten(
    user, practice_set, django_assert_num_queries
):
    practise(user, practice_set)
    issue_api_token(user=user, name="one")
    with CaptureQueriesContext(connection) as one_attempt:
        export_user_data(user=user)
    for _ in range(9):
        practise(user, practice_set)
    issue_api_token(user=user, name="two")

    with django_assert_num_queries(len(one_attempt.captured_queries)):
        data = export_user_data(user=user)
    assert len(data["attempts"]) == 10
    assert sum(len(attempt["responses"]) for attempt in data["attempts"]) == 20


@pytest.mark.django_db
def test_download_my_data_is_a_json_attachment(user, practice_set, client):
    practise(user, practice_set)
    client.force_login(user)
    response = client.get(reverse("accounts:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert len(response.json()["attempts"]) == 1


@pytest.mark.django_db
def test_download_my_data_needs_a_login(client):
    response = client.get(reverse("accounts:my_data"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


# Delete my account -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_delete_page_asks_for_the_password(user, client):
    client.force_login(user)
    html = client.get(reverse("accounts:delete")).content.decode()
    assert 'type="password"' in html and "cannot be undone" in html


@pytest.mark.django_db
def test_a_wrong_password_deletes_nothing(user, practice_set, client):
    practise(user, practice_set)
    client.force_login(user)
    response = client.post(reverse("accounts:delete"), {"password": "not-my-password"})
    assert response.status_code == 400
    assert "nothing was deleted" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()
    assert ExamSession.objects.for_user(user).count() == 1
    assert client.get(reverse("accounts:profile")).status_code == 200  # still logged in


@pytest.mark.django_db
def test_deleting_needs_a_post(user, client):
    client.force_login(user)
    assert client.put(reverse("accounts:delete")).status_code == 405
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.django_db
def test_deleting_removes_the_account_its_data_and_the_login(user, practice_set, client):
    other = UserFactory()
    practise(user, practice_set)
    practise(other, practice_set)
    issue_api_token(user=user, name="script")
    report = ItemReport.objects.create(question=practice_set[0], user=user, reason="typo")
    client.force_login(user)

    response = client.post(reverse("accounts:delete"), {"password": DEFAULT_PASSWORD})

    assert response.status_code == 302 and response.url == reverse("home")
    assert not User.objects.filter(pk=user.pk).exists()
    assert not ExamSession.objects.filter(user_id=user.pk).exists()
    assert not UserProgress.objects.filter(user_id=user.pk).exists()
    assert not ApiToken.objects.filter(user_id=user.pk).exists()
    # The report stays for the authors, without the learner (ON DELETE SET NULL).
    report.refresh_from_db()
    assert report.user_id is None
    # Logged out, and the credentials no longer work.
    assert client.get(reverse("accounts:profile")).status_code == 302
    assert not client.login(username=user.username, password=DEFAULT_PASSWORD)
    # The other learner is untouched.
    assert ExamSession.objects.for_user(other).count() == 1
    assert UserProgress.objects.for_user(other).count() == 1


@pytest.mark.django_db
def test_a_deleted_learners_answers_leave_the_item_statistics(user, practice_set):
    """docs/privacy.md: the answers are removed, not kept as anonymous counts."""
    other = UserFactory()
    practise(user, practice_set, right=True)
    practise(other, practice_set, right=False)
    question = practice_set[0]
    before = item_statistics(question=question)
    assert before.times_answered == 2 and before.facility == 0.5

    delete_account(user=user)

    after = item_statistics(question=question)
    assert after.times_answered == 1
    assert after.facility == 0.0  # only the other learner's wrong answer is left
    assert UserResponse.objects.filter(question=question).count() == 1
    right_option = question.answers.get(is_correct=True).pk
    assert after.option_counts[right_option] == 0


@pytest.mark.django_db
def test_deleting_drops_the_name_from_webhook_payloads(user, practice_set):
    endpoint = WebhookEndpoint.objects.create(name="LMS", url="https://lms.example.com/hook")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="attempt.finished",
        payload={"attempt": {"id": 1, "user": {"id": user.pk, "username": user.username}}},
    )
    delete_account(user=user)
    delivery.refresh_from_db()
    assert delivery.payload == {"attempt": {"id": 1, "user": None}}


@pytest.mark.django_db
def test_review_cards_are_exported_and_deleted_with_the_account(user, practice_set):
    other = UserFactory()
    due = timezone.now() + timedelta(days=3)
    ReviewCard.objects.create(user=user, question=practice_set[0], due=due, lapses=1)
    ReviewCard.objects.create(user=other, question=practice_set[1], due=due)

    cards = export_user_data(user=user)["review_cards"]

    assert [card["question_id"] for card in cards] == [practice_set[0].original_id]
    assert cards[0]["due"] == due.isoformat() and cards[0]["lapses"] == 1
    delete_account(user=user)
    assert not ReviewCard.objects.filter(user_id=user.pk).exists()
    assert ReviewCard.objects.filter(user=other).count() == 1
