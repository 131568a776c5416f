"""Viewing an item writes nothing; coming back to an attempt resumes after the last answer."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exams import services
from exams.models import Exam
from exams.tests.factories import ExamFactory, make_question


@pytest.fixture
def four_items(syllabus):
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="Four items", time_limit=600)
    topic = syllabus.modules.get(number=1).topics.first()
    for order in range(1, 5):
        make_question(exam=exam, topic=topic, text=f"Stem {order}", question_order=order)
    return exam


def _answer(attempt, position: int) -> None:
    item = attempt.responses.get(position=position)
    choice = item.question.answers.order_by("id").first()
    services.record_answer(attempt=attempt, question_id=item.question_id, choice_ids=[choice.pk])


@pytest.mark.django_db
def test_viewing_an_item_page_writes_nothing(client, user, four_items):
    attempt = services.start_attempt(user=user, exam=four_items)
    client.force_login(user)
    client.get(reverse("exams:item", args=[attempt.pk, 1]))  # the session's login write

    with CaptureQueriesContext(connection) as queries:
        for position in (2, 3, 1):
            assert client.get(reverse("exams:item", args=[attempt.pk, position])).status_code == 200

    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]
    assert writes == []


@pytest.mark.django_db
def test_coming_back_resumes_after_the_last_answer_given(client, user, four_items):
    attempt = services.start_attempt(user=user, exam=four_items)
    client.force_login(user)
    resume = reverse("exams:attempt", args=[attempt.pk])

    assert client.get(resume)["Location"] == reverse("exams:item", args=[attempt.pk, 1])
    _answer(attempt, 3)
    assert client.get(resume)["Location"] == reverse("exams:item", args=[attempt.pk, 4])
    _answer(attempt, 1)  # answered last, though earlier in the exam
    assert client.get(resume)["Location"] == reverse("exams:item", args=[attempt.pk, 2])
    _answer(attempt, 4)  # the last item: stay on it
    assert client.get(resume)["Location"] == reverse("exams:item", args=[attempt.pk, 4])


@pytest.mark.django_db
def test_a_timed_attempt_keeps_the_site_menu_out_of_the_way(client, user, four_items):
    attempt = services.start_attempt(user=user, exam=four_items)
    client.force_login(user)

    for page in (
        reverse("exams:item", args=[attempt.pk, 1]),
        reverse("exams:review", args=[attempt.pk]),
    ):
        html = client.get(page).content.decode()
        assert "Exam in progress" in html
        assert f'href="{reverse("exams:history")}"' not in html
        assert "Log out" not in html
    # Everywhere else, and once the attempt is over, the menu is back.
    assert "Log out" in client.get(reverse("exams:list")).content.decode()
    services.finish_attempt(attempt=attempt)
    report = client.get(reverse("exams:report", args=[attempt.pk])).content.decode()
    assert f'href="{reverse("exams:history")}"' in report


@pytest.fixture
def pick_two(syllabus):
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="Pick two", time_limit=600)
    topic = syllabus.modules.get(number=1).topics.first()
    make_question(exam=exam, topic=topic, kind="multiple", correct=2, options=4, question_order=1)
    make_question(exam=exam, topic=topic, text="Second", question_order=2)
    make_question(exam=exam, topic=topic, text="Third", question_order=3)
    return exam


@pytest.mark.django_db
def test_fewer_choices_than_asked_is_incomplete_in_the_navigator_and_the_review_grid(
    client, user, pick_two
):
    attempt = services.start_attempt(user=user, exam=pick_two)
    multiple = attempt.responses.select_related("question").get(question__kind="multiple")
    assert multiple.question.choose == 2
    options = list(multiple.question.answers.order_by("id"))
    client.force_login(user)
    saved = client.post(
        reverse("exams:answer", args=[attempt.pk, multiple.position]),
        {"question": multiple.question_id, "choice": [options[0].pk]},
        HTTP_ACCEPT="application/json",
    )
    assert saved.json()["incomplete"] is True
    _answer(attempt, 3 if multiple.position != 3 else 2)

    item_page = client.get(reverse("exams:item", args=[attempt.pk, 1])).content.decode()
    assert f'aria-label="Item {multiple.position}, incomplete"' in item_page
    review = client.get(reverse("exams:review", args=[attempt.pk])).content.decode()
    assert "3 items: 1 unanswered, 1 incomplete, 0 flagged." in review
    assert review.count('class="review-cell ') == 3
    assert "incomplete: fewer choices than asked" in review

    client.post(
        reverse("exams:answer", args=[attempt.pk, multiple.position]),
        {"question": multiple.question_id, "choice": [options[0].pk, options[1].pk]},
    )
    review = client.get(reverse("exams:review", args=[attempt.pk])).content.decode()
    assert "0 incomplete" in review


@pytest.mark.django_db
def test_the_report_has_objectives_time_per_item_and_a_wrong_only_view(client, user, four_items):
    attempt = services.start_attempt(user=user, exam=four_items)
    first = attempt.responses.select_related("question").get(position=1)
    right = first.question.answers.get(is_correct=True)
    services.record_answer(attempt=attempt, question_id=first.question_id, choice_ids=[right.pk])
    services.finish_attempt(attempt=attempt)
    client.force_login(user)
    url = reverse("exams:report", args=[attempt.pk])

    html = client.get(url).content.decode()
    assert 'id="objective-table"' in html
    assert f"{first.question.topic.code} {first.question.topic.name}" in html
    assert "<td>4</td>" in html  # the four items of that one objective
    assert html.count('class="review-item"') == 4
    assert " s</span></h3>" in html  # time per item
    assert "Show only what I got wrong (3)" in html
    assert "Time ran out" not in html

    wrong = client.get(url, {"only": "wrong"}).content.decode()
    assert wrong.count('class="review-item"') == 3
    assert "What I got wrong (3)" in wrong
    assert "Item 1 <span" not in wrong


@pytest.mark.django_db
def test_the_report_says_when_time_ran_out(client, user, four_items):
    attempt = services.start_attempt(user=user, exam=four_items)
    services.finish_attempt(attempt=attempt, now=timezone.now() + timedelta(hours=1))
    client.force_login(user)

    html = client.get(reverse("exams:report", args=[attempt.pk])).content.decode()

    assert "Time ran out: the exam was submitted at the deadline" in html
