"""Item reports: learners report problems with items they answered; instructors work the queue."""

from __future__ import annotations

import random

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import issue_api_token
from accounts.tests.factories import UserFactory
from exams import reports, services
from exams.errors import AttemptError
from exams.models import Answer, Exam, ExamSession, ItemReport, UserResponse
from exams.tests.factories import ExamFactory, ExamSessionFactory, make_question

pytestmark = pytest.mark.django_db

API = "/api/v1"
CHANGELIST_URL = reverse("admin:exams_itemreport_changelist")


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def exam() -> Exam:
    exam = ExamFactory(kind=Exam.Kind.FIXED, time_limit=600)
    make_question(exam=exam, options=2)
    make_question(exam=exam, options=2)
    return exam


def questions_of(attempt: ExamSession):
    return [item.question for item in attempt.responses.order_by("position")]


def answer(attempt: ExamSession, question, *, correct: bool = True) -> UserResponse:
    choice = question.answers.filter(is_correct=correct).first()
    return services.record_answer(attempt=attempt, question_id=question.pk, choice_ids=[choice.pk])


def report_url(attempt: ExamSession, question) -> str:
    return reverse("exams:report_problem", args=[attempt.pk, question.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def api_client(user) -> APIClient:
    _, key = issue_api_token(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# Services


def test_reporting_an_unanswered_item_is_refused(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    first, second = questions_of(attempt)
    answer(attempt, first)

    with pytest.raises(AttemptError, match="once you have answered it") as error:
        reports.report_item(
            user=user, session=attempt, question=second, reason="wrong_key", message=""
        )

    assert error.value.code == "not_answered"
    assert not ItemReport.objects.exists()


def test_a_question_outside_the_attempt_cannot_be_reported(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    stranger = make_question(options=2)

    with pytest.raises(AttemptError, match="not part of this attempt"):
        reports.report_item(user=user, session=attempt, question=stranger, reason="typo")


def test_another_learners_session_is_refused_by_the_service(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    answer(attempt, first)

    with pytest.raises(AttemptError, match="not yours"):
        reports.report_item(user=UserFactory(), session=attempt, question=first, reason="typo")


def test_every_item_of_a_finished_attempt_can_be_reported(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    unanswered = questions_of(attempt)[1]
    services.finish_attempt(attempt=attempt)
    attempt.refresh_from_db()

    report = reports.report_item(
        user=user, session=attempt, question=unanswered, reason="unclear", message="  Hm.  "
    )

    assert (report.status, report.reason, report.message) == ("open", "unclear", "Hm.")


def test_reason_and_message_are_validated(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    answer(attempt, first)

    with pytest.raises(AttemptError, match="Choose a reason") as error:
        reports.report_item(user=user, session=attempt, question=first, reason="bogus")
    assert error.value.field == "reason"
    with pytest.raises(AttemptError, match="say what the problem is") as error:
        reports.report_item(user=user, session=attempt, question=first, reason="other", message=" ")
    assert error.value.field == "message"
    with pytest.raises(AttemptError, match="too long"):
        reports.report_item(
            user=user, session=attempt, question=first, reason="typo", message="x" * 2001
        )
    assert not ItemReport.objects.exists()


def test_a_second_report_updates_the_open_one(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    answer(attempt, first)

    one = reports.report_item(user=user, session=attempt, question=first, reason="typo")
    two = reports.report_item(
        user=user, session=attempt, question=first, reason="wrong_key", message="B is right."
    )

    assert two.pk == one.pk
    assert list(ItemReport.objects.values_list("reason", "message")) == [
        ("wrong_key", "B is right.")
    ]
    reports.resolve_report(report=two, by=None)
    three = reports.report_item(user=user, session=attempt, question=first, reason="typo")
    assert three.pk != one.pk  # a resolved report is closed: a new problem is a new report
    assert ItemReport.objects.count() == 2


def test_resolve_and_dismiss_record_who_and_when(user, exam, admin_user):
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    answer(attempt, first)
    report = reports.report_item(user=user, session=attempt, question=first, reason="typo")

    result = reports.resolve_report(report=report, by=admin_user, resolution=" Fixed. ")

    report.refresh_from_db()
    assert result is None
    assert (report.status, report.resolved_by, report.resolution) == (
        "resolved",
        admin_user,
        "Fixed.",
    )
    assert report.resolved_at is not None
    reports.resolve_report(report=report, by=admin_user, dismiss=True)
    report.refresh_from_db()
    assert report.status == "dismissed"


def flip_key(question) -> None:
    old_key, new_key = question.answers.order_by("answer_order")
    Answer.objects.filter(pk=old_key.pk).update(is_correct=False)
    Answer.objects.filter(pk=new_key.pk).update(is_correct=True)


def test_resolve_with_regrade_rescores_a_wrong_keyed_response(user, exam, admin_user):
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    item = answer(attempt, first, correct=False)  # the learner chose the option keyed wrong
    assert item.points_earned == 0
    report = reports.report_item(
        user=user, session=attempt, question=first, reason="wrong_key", message="B is right."
    )
    flip_key(first)  # the instructor fixes the key

    result = reports.resolve_report(report=report, by=admin_user, regrade=True)

    item.refresh_from_db()
    assert result.responses_changed == 1
    assert item.is_correct is True
    assert item.points_earned == first.points
    assert ItemReport.objects.get().status == "resolved"


# Learner pages


def test_the_form_posts_a_report_and_redirects_with_thanks(client, user, exam):
    client.force_login(user)
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    answer(attempt, first)

    response = client.post(report_url(attempt, first), {"reason": "typo", "message": "Typo."})

    assert response.status_code == 302
    assert response.url == reverse("exams:item", args=[attempt.pk, 1])
    assert messages_of(response) == ["Thanks: an instructor will look at it."]
    report = ItemReport.objects.get()
    assert (report.user, report.session, report.question) == (user, attempt, first)


def test_the_form_shows_the_error_for_an_unanswered_item(client, user, exam):
    client.force_login(user)
    attempt = services.start_attempt(user=user, exam=exam)
    second = questions_of(attempt)[1]

    response = client.post(report_url(attempt, second), {"reason": "typo"})

    assert response.status_code == 302
    assert response.url == reverse("exams:item", args=[attempt.pk, 2])
    assert messages_of(response) == [
        "You can report a problem with an item once you have answered it."
    ]
    assert not ItemReport.objects.exists()


def test_another_learners_attempt_is_a_404(client, user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    answer(attempt, first)
    client.force_login(UserFactory())

    response = client.post(report_url(attempt, first), {"reason": "typo"})

    assert response.status_code == 404
    assert not ItemReport.objects.exists()


def test_the_form_needs_login_post_and_csrf(client, user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    answer(attempt, first)
    url = report_url(attempt, first)

    assert client.post(url, {"reason": "typo"}).status_code == 302  # to the login page
    client.force_login(user)
    assert client.get(url).status_code == 405
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    assert csrf_client.post(url, {"reason": "typo"}).status_code == 403
    assert not ItemReport.objects.exists()


def test_practice_feedback_and_the_finished_report_show_the_form(client, user, exam):
    client.force_login(user)
    practice = ExamSessionFactory(user=user, exam=None, mode=ExamSession.Mode.PRACTICE)
    question = exam.questions.first()
    services._create_items(practice, [question.pk], random.Random(1))
    item_url = reverse("exams:item", args=[practice.pk, 1])
    assert "Report a problem with this item" not in client.get(item_url).content.decode()

    answer(practice, question)

    page = client.get(item_url).content.decode()
    assert "Report a problem with this item" in page
    assert report_url(practice, question) in page
    assert 'value="wrong_key"' in page

    attempt = services.start_attempt(user=user, exam=exam)
    services.finish_attempt(attempt=attempt)
    page = client.get(reverse("exams:report", args=[attempt.pk])).content.decode()
    for item in questions_of(attempt):
        assert report_url(attempt, item) in page


def test_the_finished_reports_form_returns_to_the_report(client, user, exam):
    client.force_login(user)
    attempt = services.start_attempt(user=user, exam=exam)
    services.finish_attempt(attempt=attempt)
    second = questions_of(attempt)[1]

    response = client.post(report_url(attempt, second), {"reason": "unclear"})

    assert response.url == reverse("exams:report", args=[attempt.pk])
    assert messages_of(response) == ["Thanks: an instructor will look at it."]


# REST API


def api_url(attempt: ExamSession, question) -> str:
    return f"{API}/attempts/{attempt.pk}/items/{question.pk}/report/"


def test_api_report_returns_201_and_updates_the_open_report(user, exam):
    api = api_client(user)
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    answer(attempt, first)

    response = api.post(api_url(attempt, first), {"reason": "typo"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["reason"], body["status"], body["question"]) == ("typo", "open", first.pk)
    again = api.post(
        api_url(attempt, first), {"reason": "wrong_key", "message": "B."}, format="json"
    )
    assert again.status_code == 201
    assert again.json()["id"] == body["id"]
    assert ItemReport.objects.get().reason == "wrong_key"


@pytest.mark.parametrize(
    ("answered", "payload", "code", "field"),
    [
        (False, {"reason": "typo"}, "not_answered", "question"),
        (True, {"reason": "bogus"}, "invalid_choice", "reason"),
        (True, {}, "required", "reason"),
        (True, {"reason": "other", "message": "  "}, "attempt_rule", "message"),
        (True, {"reason": "typo", "message": "x" * 2001}, "max_length", "message"),
    ],
)
def test_api_refusals_come_in_the_envelope(user, exam, answered, payload, code, field):
    api = api_client(user)
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    if answered:
        answer(attempt, first)

    response = api.post(api_url(attempt, first), payload, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert not ItemReport.objects.exists()


def test_api_another_learners_attempt_is_a_404_in_the_envelope(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    answer(attempt, first)

    response = api_client(UserFactory()).post(
        api_url(attempt, first), {"reason": "typo"}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not ItemReport.objects.exists()


def test_api_route_is_in_the_schema(admin_client):
    response = admin_client.get(f"{API}/schema/")
    if response.status_code == 404:
        pytest.skip("no schema endpoint at /api/v1/schema/")
    assert "/api/v1/attempts/{attempt_id}/items/{question_id}/report/" in response.content.decode()


# Admin


def select(action: str, reports_) -> dict:
    return {"action": action, ACTION_CHECKBOX_NAME: [report.pk for report in reports_]}


@pytest.fixture
def reported(user, exam):
    """A finished attempt whose first answer was marked wrong, and a wrong_key report on it."""
    attempt = services.start_attempt(user=user, exam=exam)
    first = questions_of(attempt)[0]
    answer(attempt, first, correct=False)
    attempt = services.finish_attempt(attempt=attempt)
    report = reports.report_item(user=user, session=attempt, question=first, reason="wrong_key")
    return attempt, first, report


def test_admin_lists_and_filters_reports(admin_client, reported):
    _, _, report = reported
    change_url = reverse("admin:exams_itemreport_change", args=[report.pk])

    open_page = admin_client.get(CHANGELIST_URL, {"status__exact": "open"}).content.decode()
    resolved_page = admin_client.get(CHANGELIST_URL, {"status__exact": "resolved"})

    assert change_url in open_page
    assert "The key is wrong" in open_page
    assert change_url not in resolved_page.content.decode()
    assert admin_client.get(change_url).status_code == 200


@pytest.mark.parametrize(
    ("action", "status"), [("mark_resolved", "resolved"), ("dismiss", "dismissed")]
)
def test_admin_resolve_and_dismiss_actions(admin_client, admin_user, reported, action, status):
    _, _, report = reported

    response = admin_client.post(CHANGELIST_URL, select(action, [report]))

    report.refresh_from_db()
    assert response.status_code == 302
    assert (report.status, report.resolved_by) == (status, admin_user)


def test_admin_resolve_and_regrade_action(admin_client, reported):
    attempt, first, report = reported
    assert attempt.scaled_score == 0
    flip_key(first)

    response = admin_client.post(CHANGELIST_URL, select("resolve_and_regrade", [report]))

    attempt.refresh_from_db()
    report.refresh_from_db()
    assert report.status == "resolved"
    assert attempt.scaled_score == 500  # one of two items now right
    assert messages_of(response) == [
        "Resolved 1 report(s); regraded 1 question(s): 1 response(s) regraded, "
        "1 attempt score(s) changed."
    ]


def test_inline_and_column_for_the_question_admin(reported):
    from exams.admin.reports import (
        ItemReportInline,
        open_report_count_column,
        with_open_report_count,
    )
    from exams.models import Question

    _, first, _ = reported
    assert ItemReportInline.model is ItemReport
    assert open_report_count_column(first) == 1
    annotated = with_open_report_count(Question.objects.filter(pk=first.pk)).get()
    assert open_report_count_column(annotated) == 1


def test_api_ids_beyond_any_database_column_are_404_not_a_crash(user, exam):
    # Found by schemathesis: the id overflowed the bigint on its way to the database (500).
    attempt = services.start_attempt(user=user, exam=exam)
    client = api_client(user)

    for url in (
        f"{API}/attempts/{attempt.pk}/items/{2**70}/report/",
        f"{API}/attempts/{2**70}/items/1/report/",
    ):
        response = client.post(url, {"reason": "typo"}, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
