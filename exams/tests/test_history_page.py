"""The History page: pages of attempts, results in words and colour, ending a practice."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exams import services
from exams.drawing import PracticeChoice
from exams.models import ExamSession
from exams.tests.factories import make_question
from exams.views import HISTORY_PAGE_SIZE


@pytest.fixture
def bank(syllabus):
    topic = syllabus.modules.get(number=1).topics.first()
    return [make_question(topic=topic, text=f"Stem {n}") for n in range(3)]


def _finished_attempts(user, count: int) -> None:
    start = timezone.now() - timedelta(days=count)
    ExamSession.objects.bulk_create(
        ExamSession(
            user=user,
            start_time=start + timedelta(hours=n),
            end_time=start + timedelta(hours=n, minutes=10),
            is_completed=True,
            score=50,
            scaled_score=500,
            passed=n % 2 == 0,
            session_data={"title": f"Attempt {n}"},
        )
        for n in range(count)
    )


@pytest.mark.django_db
def test_a_long_history_comes_in_pages_at_a_fixed_query_count(
    client, user, django_assert_max_num_queries
):
    _finished_attempts(user, 60)
    client.force_login(user)

    with django_assert_max_num_queries(8):
        first = client.get(reverse("exams:history"))
    html = first.content.decode()
    assert html.count("<tr>") == HISTORY_PAGE_SIZE + 1  # the header row too
    assert "Page 1 of 3" in html
    assert "Attempt 59" in html  # newest first
    last = client.get(reverse("exams:history"), {"page": 3}).content.decode()
    assert last.count("<tr>") == 60 - 2 * HISTORY_PAGE_SIZE + 1
    assert "Attempt 0" in last
    # A page that does not exist shows the nearest one instead of an error.
    beyond = client.get(reverse("exams:history"), {"page": "99"})
    assert beyond.status_code == 200
    assert "Page 3 of 3" in beyond.content.decode()
    assert client.get(reverse("exams:history"), {"page": "x"}).status_code == 200


@pytest.mark.django_db
def test_results_are_shown_in_words_with_their_colour_class(client, user):
    _finished_attempts(user, 2)
    client.force_login(user)

    html = client.get(reverse("exams:history")).content.decode()

    assert '<span class="result pass">PASS</span>' in html
    assert '<span class="result fail">FAIL</span>' in html
    assert "data-local-time" in html and " UTC</time>" in html


@pytest.mark.django_db
def test_a_practice_in_progress_can_be_ended_from_history_keeping_its_answers(client, user, bank):
    practice = services.start_practice(user=user, choice=PracticeChoice(count=3))
    first = practice.responses.order_by("position").first()
    right = first.question.answers.get(is_correct=True)
    services.record_answer(attempt=practice, question_id=first.question_id, choice_ids=[right.pk])
    client.force_login(user)

    html = client.get(reverse("exams:history")).content.decode()
    assert "End practice" in html
    response = client.post(reverse("exams:finish", args=[practice.pk]))

    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.is_completed
    assert practice.responses.filter(question_id=first.question_id, is_correct=True).exists()
    assert "End practice" not in client.get(reverse("exams:history")).content.decode()
