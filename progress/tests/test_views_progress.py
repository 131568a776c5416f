"""The Progress page shows the trend charts, their tables, and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exams.models import Exam, ExamSession, Question
from exams.tests import conftest as exams_fixtures
from exams.tests.factories import ExamSessionFactory, QuestionFactory, UserResponseFactory

# A question bank whose items a mock exam's draw can add up to the block maxima (readiness
# predicts from it); progress/tests/conftest.py shares only `syllabus` and `user`.
bank = exams_fixtures.bank


def finished_mock_with_answers(*, user, exam, questions, at, percent):
    session = ExamSessionFactory(
        user=user,
        exam=exam,
        is_completed=True,
        end_time=at,
        score=percent,
        scaled_score=round(percent * 10),
        passed=percent >= exam.pass_percent,
    )
    for index, question in enumerate(questions):
        UserResponseFactory(
            session=session,
            question=question,
            points_earned=question.points if index % 2 else 0,
            is_correct=bool(index % 2),
            answered_at=at,
            time_taken=25.0,
        )
    return session


def build_history(*, user, bank, attempts, start=0):
    """`attempts` finished mock exams, each answering the whole bank (32 items, 8 a block:
    enough for a readiness prediction from the first two on)."""
    exam = Exam.objects.get(kind=Exam.Kind.MOCK)  # the syllabus' mock exam
    questions = list(Question.objects.filter(exam=bank).select_related("topic"))
    now = timezone.now()
    for index in range(start, start + attempts):
        finished_mock_with_answers(
            user=user,
            exam=exam,
            questions=questions,
            at=now - timedelta(days=index % 25, minutes=index),
            percent=50.0 + index,
        )


@pytest.mark.django_db
def test_progress_page_shows_the_charts_and_their_tables(client, user, bank):
    build_history(user=user, bank=bank, attempts=3)
    client.force_login(user)

    page = client.get(reverse("progress:overview")).content.decode()

    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart') == 3
    assert 'class="pass-line"' in page
    assert page.count("<summary>Show as a table</summary>") == 3
    assert "No finished mock exam yet" not in page
    assert "css/charts.css" in page
    # Each objective of the mastery table has its drill button.
    table = page.split('<table id="progress-table">')[1].split("</table>")[0]
    assert table.count('name="count" value="10"') == 15


@pytest.mark.django_db
def test_progress_page_without_history_shows_empty_states(client, user, syllabus):
    client.force_login(user)

    page = client.get(reverse("progress:overview")).content.decode()

    assert "<svg" not in page
    assert "No finished mock exam yet" in page
    assert "No answers in the last 30 days" in page
    assert "mastery per objective will show here" in page


@pytest.mark.django_db
def test_practice_alone_shows_no_mock_chart_but_the_block_trend(client, user, syllabus):
    topic = syllabus.modules.get(number=2).topics.first()
    session = ExamSessionFactory(user=user, exam=None, mode=ExamSession.Mode.PRACTICE)
    UserResponseFactory(
        session=session,
        question=QuestionFactory(topic=topic),
        points_earned=20,
        is_correct=True,
        answered_at=timezone.now(),
    )
    client.force_login(user)

    page = client.get(reverse("progress:overview")).content.decode()

    assert "No finished mock exam yet" in page
    assert 'class="chart trend-chart"' in page
    assert "Block 2" in page


@pytest.mark.django_db
def test_progress_page_query_count_does_not_grow_with_history(
    client, user, bank, django_assert_num_queries
):
    client.force_login(user)
    build_history(user=user, bank=bank, attempts=2)
    # Both requests with a cold cache: the population's miss credit is read in each too.
    cache.clear()
    with CaptureQueriesContext(connection) as short_history:
        assert client.get(reverse("progress:overview")).status_code == 200

    build_history(user=user, bank=bank, attempts=18, start=2)
    cache.clear()
    with django_assert_num_queries(len(short_history.captured_queries)):
        response = client.get(reverse("progress:overview"))

    assert len(response.context["mock_scores"]) == 20
    assert response.context["readiness"].prediction is not None


@pytest.mark.django_db
def test_items_left_blank_in_a_finished_exam_are_named_beside_the_answered_count(
    client, user, bank
):
    # Two blanks count as misses in mastery but not in "Answered": the row says so, or
    # "1 answered, 1 correct" would sit beside a low mastery unexplained.
    exam = Exam.objects.get(kind=Exam.Kind.MOCK)
    topic = Question.objects.filter(exam=bank).first().topic
    right, *blank = (QuestionFactory(topic=topic, exam=bank) for _ in range(3))
    session = ExamSessionFactory(user=user, exam=exam, is_completed=True, end_time=timezone.now())
    UserResponseFactory(
        session=session,
        question=right,
        points_earned=right.points,
        is_correct=True,
        answered_at=timezone.now(),
    )
    for question in blank:
        UserResponseFactory(session=session, question=question, is_skipped=True, answered_at=None)
    client.force_login(user)

    page = client.get(reverse("progress:overview")).content.decode()
    api = client.get(reverse("api:readiness")).json()

    row = page.split(f"<strong>{right.topic.code}</strong>")[1].split("</tr>")[0]
    assert "+ 2 left blank in exams (count as misses)" in row
    mastery = {entry["code"]: entry for entry in api["mastery"]}
    assert mastery[right.topic.code]["left_blank"] == 2
    others = [entry["left_blank"] for code, entry in mastery.items() if code != right.topic.code]
    assert set(others) == {0}
