"""Mastery per objective: evidence, difficulty, recency and partial credit all move it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exams import services
from exams.drawing import PracticeChoice
from exams.tests.factories import make_question
from progress.mastery import (
    Evidence,
    estimate_masteries,
    estimate_mastery,
    logistic,
    masteries_from_sums,
)
from progress.models import UserProgress

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
OBJECTIVE, OTHER = 1, 2


def answers(right: int, wrong: int, *, difficulty: int = 3, days_ago: float = 0) -> list:
    moment = NOW - timedelta(days=days_ago)
    return [Evidence(difficulty=difficulty, credit=1.0, moment=moment.timestamp())] * right + [
        Evidence(difficulty=difficulty, credit=0.0, moment=moment.timestamp())
    ] * wrong


def mastery_of(evidence: list, *, elsewhere: list = ()):
    by_topic = {OBJECTIVE: evidence, **({OTHER: list(elsewhere)} if elsewhere else {})}
    return estimate_masteries(evidence_by_topic=by_topic, topic_ids=[OBJECTIVE], now=NOW)[OBJECTIVE]


def test_four_of_five_right_no_longer_reads_96_percent():
    mastery = mastery_of(answers(4, 1))
    assert 0.5 < mastery.estimate < 0.8  # five answers are weak evidence: it stays below 4/5
    assert mastery.low < mastery.estimate < mastery.high


def test_more_evidence_narrows_the_range():
    few, many = mastery_of(answers(4, 1)), mastery_of(answers(40, 10))
    assert many.high - many.low < (few.high - few.low) / 2
    assert many.estimate > few.estimate  # and lets the estimate move further from the prior


def test_harder_items_raise_the_estimate_for_the_same_accuracy():
    easy, hard = mastery_of(answers(8, 2, difficulty=1)), mastery_of(answers(8, 2, difficulty=5))
    assert hard.estimate > easy.estimate + 0.1


def test_older_answers_weigh_less():
    fresh = mastery_of(answers(8, 0))
    old = mastery_of(answers(8, 0, days_ago=90))
    assert old.weight == pytest.approx(fresh.weight / 8)  # three half-lives
    assert old.estimate < fresh.estimate
    assert old.high - old.low > fresh.high - fresh.low
    # A recent mistake outweighs an old success.
    recent_wrong = mastery_of(answers(1, 0, days_ago=60) + answers(0, 1))
    assert recent_wrong.estimate < 0.5


def test_partial_credit_counts_in_part():
    half = [Evidence(difficulty=3, credit=0.5, moment=NOW.timestamp())] * 10
    assert mastery_of(answers(0, 10)).estimate < mastery_of(half).estimate
    assert mastery_of(half).estimate < mastery_of(answers(10, 0)).estimate
    assert mastery_of(half).estimate == pytest.approx(0.5, abs=0.02)


def test_an_objective_leans_on_the_learners_level_elsewhere():
    strong_elsewhere = mastery_of(answers(1, 0), elsewhere=answers(45, 5))
    weak_elsewhere = mastery_of(answers(1, 0), elsewhere=answers(5, 45))
    assert strong_elsewhere.estimate > weak_elsewhere.estimate + 0.3


def test_without_evidence_the_estimate_is_the_prior():
    prior = estimate_mastery(evidence=[], now=NOW)
    assert prior.estimate == pytest.approx(0.5)
    assert prior.weight == 0


@pytest.mark.django_db
def test_mastery_update_adds_at_most_two_queries_to_an_answer_save(user, syllabus, monkeypatch):
    topic = syllabus.modules.get(number=1).topics.get(code="1.3")
    for order in range(12):
        make_question(topic=topic, question_order=order, difficulty=order % 5 + 1)
    attempt = services.start_practice(user=user, choice=PracticeChoice(topic=topic, count=12))
    items = list(attempt.responses.select_related("question"))
    for item in items[:8]:  # some history first
        right = item.question.answers.get(is_correct=True)
        services.record_answer(attempt=attempt, question_id=item.question_id, choice_ids=[right.pk])

    def save(item) -> int:
        right = item.question.answers.get(is_correct=True)
        with CaptureQueriesContext(connection) as queries:
            services.record_answer(
                attempt=attempt, question_id=item.question_id, choice_ids=[right.pk]
            )
        return len(queries)

    with_mastery = save(items[8])
    monkeypatch.setattr(services, "refresh_progress", lambda **_: [])
    without_mastery = save(items[9])

    assert with_mastery - without_mastery <= 2
    row = UserProgress.objects.get(user=user, topic=topic)
    assert row.questions_attempted == 9


def test_the_general_level_is_the_centre_of_the_objectives_not_shrunk_toward_the_items():
    # Two objectives half a logit either side of a general level of 1, answered at medium
    # difficulty as often as their abilities say (many answers, so the prior hardly counts).
    answers = 400.0
    sums_by_topic = {
        topic_id: {0.0: [answers, answers * logistic(ability)]}
        for topic_id, ability in ((1, 0.5), (2, 1.5))
    }

    unanswered = masteries_from_sums(sums_by_topic=sums_by_topic, topic_ids=[3])[3]

    # An objective without answers leans on the general level alone. Fitted as if both
    # objectives sat at g, the same answers give about 0.94: the objectives' spread flattens
    # the pooled chance of a right answer (progress/mastery.py GENERAL_LEVEL_SCALE).
    assert abs(unanswered.ability - 1.0) < 0.03
