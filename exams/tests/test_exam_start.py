"""The exam start page: the exam's rules on GET, the clock started (or resumed) on POST."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exams.models import Exam, ExamSession, UserResponse
from exams.tests.factories import ExamFactory, ExamSessionFactory, make_question


@pytest.fixture
def learner_client(client, user):
    client.force_login(user)
    return client


def _start_url(exam: Exam) -> str:
    return reverse("exams:start", args=[exam.pk])


def _text(response) -> str:
    """The page's text with tags dropped and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_get_shows_the_rules_and_creates_nothing(learner_client, mock_exam):
    response = learner_client.get(_start_url(mock_exam))

    assert response.status_code == 200
    assert ExamSession.objects.count() == 0
    assert UserResponse.objects.count() == 0
    text = _text(response)
    assert mock_exam.title in text
    assert "Start the exam" in text
    assert "Resume the exam" not in text
    for rule in (
        "Move freely.",
        "Flag what you want to check again.",
        "review screen shows every item",
        "Answers save themselves",
        "The clock is kept by our server.",
        "keeps running if you close the page",
        "At 0:00 the exam ends.",
        "stops taking answers",
        "asked to confirm",
    ):
        assert rule in text, rule
    assert f'action="{_start_url(mock_exam)}"' in response.content.decode()


def test_numbers_come_from_the_exam_row(learner_client, mock_exam):
    mock_exam.time_limit = 45 * 60
    mock_exam.pass_percent = 75
    mock_exam.max_score = 500
    mock_exam.blueprint = {"1": 2, "2": 3}
    mock_exam.block_points = {"1": 200, "2": 300}
    mock_exam.save()

    response = learner_client.get(_start_url(mock_exam))

    text = _text(response)
    assert "Items 5 " in text
    assert "Time 45 minutes" in text
    assert "Pass mark 75% (375 of 500 points)" in text
    assert "Score out of 500 points" in text
    names = dict(mock_exam.syllabus.modules.values_list("number", "name"))
    assert f"Block 1: {names[1]} 2 200" in text
    assert f"Block 2: {names[2]} 3 300" in text
    assert "Block 3" not in text


def test_a_mock_exam_without_block_maxima_says_points_depend_on_the_draw(learner_client, mock_exam):
    mock_exam.block_points = {}
    mock_exam.save()

    text = _text(learner_client.get(_start_url(mock_exam)))

    assert text.count("depends on the items drawn") == len(mock_exam.blueprint)


def test_a_fixed_set_lists_its_own_questions_by_block(learner_client, syllabus):
    exam = ExamFactory(title="Two-block set", time_limit=600, pass_percent=60, max_score=100)
    block_1, block_2 = syllabus.modules.order_by("number")[:2]
    for topic, points in ((block_1.topics.first(), 10), (block_1.topics.first(), 20)):
        make_question(kind="single", exam=exam, topic=topic, points=points)
    make_question(kind="single", exam=exam, topic=block_2.topics.first(), points=40)
    make_question(kind="single", exam=exam, topic=block_2.topics.first(), is_active=False)

    text = _text(learner_client.get(_start_url(exam)))

    assert "Items 3 " in text
    assert "Time 10 minutes" in text
    assert "Pass mark 60% (60 of 100 points)" in text
    assert f"Block 1: {block_1.name} 2 30" in text
    assert f"Block 2: {block_2.name} 1 40" in text


def test_post_starts_the_clock_and_lands_on_item_1(learner_client, user, mock_exam):
    response = learner_client.post(_start_url(mock_exam), follow=True)

    attempt = ExamSession.objects.get(user=user)
    assert attempt.exam == mock_exam
    assert attempt.deadline is not None
    assert response.redirect_chain[-1][0] == reverse("exams:item", args=[attempt.pk, 1])
    assert "Item 1 of 30" in response.content.decode()


def test_posting_again_while_it_runs_resumes_the_same_attempt(learner_client, user, mock_exam):
    learner_client.post(_start_url(mock_exam))
    first = ExamSession.objects.get(user=user)

    response = learner_client.post(_start_url(mock_exam))

    assert response.url == reverse("exams:attempt", args=[first.pk])
    assert ExamSession.objects.count() == 1
    assert UserResponse.objects.count() == 30


def test_the_page_says_when_the_exam_is_in_progress(learner_client, user, mock_exam):
    learner_client.post(_start_url(mock_exam))
    ExamSession.objects.filter(user=user).update(
        deadline=timezone.now() + timedelta(minutes=22, seconds=30)
    )

    text = _text(learner_client.get(_start_url(mock_exam)))

    assert "You have this exam in progress: 23 min left." in text
    assert "Resume the exam" in text
    assert "Start the exam" not in text


def test_another_learners_running_attempt_is_not_yours(learner_client, mock_exam):
    ExamSessionFactory(exam=mock_exam)

    text = _text(learner_client.get(_start_url(mock_exam)))

    assert "in progress" not in text
    assert "Start the exam" in text


def test_a_finished_attempt_does_not_count_as_running(learner_client, user, mock_exam):
    finished = ExamSessionFactory(user=user, exam=mock_exam, is_completed=True)

    text = _text(learner_client.get(_start_url(mock_exam)))
    assert "in progress" not in text
    assert "Start the exam" in text

    response = learner_client.post(_start_url(mock_exam))
    started = ExamSession.objects.exclude(pk=finished.pk).get()
    assert response.url == reverse("exams:attempt", args=[started.pk])


def test_an_overdue_attempt_is_not_offered_and_viewing_writes_nothing(
    learner_client, user, mock_exam
):
    overdue = ExamSessionFactory(
        user=user,
        exam=mock_exam,
        start_time=timezone.now() - timedelta(hours=2),
        deadline=timezone.now() - timedelta(hours=1),
    )

    text = _text(learner_client.get(_start_url(mock_exam)))

    assert "in progress" not in text
    assert "Start the exam" in text
    overdue.refresh_from_db()
    assert not overdue.is_completed
    # Starting finishes the overdue attempt with what it saved and starts a fresh one.
    learner_client.post(_start_url(mock_exam))
    overdue.refresh_from_db()
    assert overdue.is_completed
    assert ExamSession.objects.filter(is_completed=False).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_exam_not_on_offer_is_404(learner_client, bank, mock_exam, method):
    mock_exam.is_active = False
    mock_exam.save(update_fields=["is_active"])
    send = getattr(learner_client, method)

    assert send(_start_url(bank)).status_code == 404
    assert send(_start_url(mock_exam)).status_code == 404
    assert send(reverse("exams:start", args=[999999])).status_code == 404
    assert not ExamSession.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_log_in(client, mock_exam, method):
    response = getattr(client, method)(_start_url(mock_exam))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not ExamSession.objects.exists()


def test_other_methods_are_refused(learner_client, mock_exam):
    assert learner_client.put(_start_url(mock_exam)).status_code == 405
    assert not ExamSession.objects.exists()


def test_the_exam_list_links_to_the_start_page(learner_client, mock_exam):
    page = learner_client.get(reverse("exams:list")).content.decode()

    link = re.search(rf'<a class="button" href="{_start_url(mock_exam)}">([^<]+)</a>', page)
    assert link and link.group(1) == f"Start {mock_exam.title}"
    assert f'action="{_start_url(mock_exam)}"' not in page


@pytest.mark.parametrize("running", [False, True])
def test_the_start_page_reads_in_few_queries(
    learner_client, user, mock_exam, running, django_assert_max_num_queries
):
    if running:
        learner_client.post(_start_url(mock_exam))
    # Session, user, exam with its syllabus, the running attempt, the block names.
    with django_assert_max_num_queries(5):
        response = learner_client.get(_start_url(mock_exam))
    assert ("Resume the exam" in response.content.decode()) is running


def test_take_it_again_on_the_report_leads_to_the_start_page(learner_client, user, mock_exam):
    # A retake shows the rules first, like the first start: a link, not a POST that starts
    # the clock straight from the report.
    finished = ExamSessionFactory(user=user, exam=mock_exam, is_completed=True)

    page = learner_client.get(reverse("exams:report", args=[finished.pk])).content.decode()

    link = re.search(r'<a class="button" href="([^"]+)">Take it again</a>', page)
    assert link and link.group(1) == _start_url(mock_exam)
    assert ExamSession.objects.count() == 1
