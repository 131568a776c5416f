"""Tests for the reads behind the score report and the item screen."""

import pytest

from exams.models import Module, Syllabus
from exams.selectors import block_breakdown, options_in_attempt_order
from exams.tests.factories import ExamSessionFactory, UserResponseFactory, make_question


def objective_in_block(syllabus: Syllabus, number: int):
    return Module.objects.get(syllabus=syllabus, number=number).topics.first()


@pytest.mark.django_db
def test_block_breakdown_sums_points_earned_and_possible_per_block(syllabus):
    attempt = ExamSessionFactory()
    items = [(1, 20, 20), (1, 40, 10), (2, 30, 0), (4, 20, 13.3333), (4, 40, 40)]
    for number, points, earned in items:
        question = make_question(
            exam=attempt.exam, topic=objective_in_block(syllabus, number), points=points
        )
        UserResponseFactory(session=attempt, question=question, points_earned=earned)
    # Another attempt's items in the same blocks must not count.
    other = UserResponseFactory(question__topic=objective_in_block(syllabus, 1), points_earned=20)
    assert other.session != attempt

    breakdown = block_breakdown(attempt=attempt)

    names = dict(Module.objects.filter(syllabus=syllabus).values_list("number", "name"))
    assert breakdown == [
        {"number": 1, "name": names[1], "earned": 30, "possible": 60, "percent": 50},
        {"number": 2, "name": names[2], "earned": 0, "possible": 30, "percent": 0},
        {"number": 4, "name": names[4], "earned": 53.3333, "possible": 60, "percent": 89},
    ]


@pytest.mark.django_db
def test_block_breakdown_of_an_attempt_without_items_is_empty():
    assert block_breakdown(attempt=ExamSessionFactory()) == []


@pytest.mark.django_db
class TestOptionsInAttemptOrder:
    def test_returns_the_options_in_the_order_stored_for_the_attempt(self):
        question = make_question(kind="single", options=4)
        a, b, c, d = question.answers.order_by("answer_order")
        item = UserResponseFactory(
            question=question, response_data={"option_order": [c.pk, a.pk, d.pk, b.pk]}
        )

        assert options_in_attempt_order(item) == [c, a, d, b]

    def test_without_a_stored_order_returns_the_options_by_id(self):
        question = make_question(kind="single", options=3)
        item = UserResponseFactory(question=question, response_data={})

        assert [answer.pk for answer in options_in_attempt_order(item)] == sorted(
            question.answers.values_list("pk", flat=True)
        )

    def test_skips_an_option_deleted_since_the_attempt_started(self):
        question = make_question(kind="single", options=3)
        a, b, c = question.answers.order_by("answer_order")
        item = UserResponseFactory(
            question=question, response_data={"option_order": [b.pk, c.pk, a.pk]}
        )
        c.delete()

        assert options_in_attempt_order(item) == [b, a]
