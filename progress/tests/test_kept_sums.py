"""A page view after an answer weighs again only the answered objective's evidence.

progress.selectors.LearnerSnapshot keeps each objective's level sums between page views
(reuse_estimates) while that objective's evidence is unchanged; these tests check that the
kept sums give the estimates a fresh read of every row gives, and what is read again when.
"""

from datetime import timedelta

import pytest

from exams.models import ExamSession, Question
from exams.tests.factories import ExamSessionFactory, UserResponseFactory
from progress import selectors
from progress.mastery import level_sums
from progress.selectors import ESTIMATES_SECONDS, LearnerSnapshot
from progress.tests.test_page_figures import (
    NOW,
    bank,  # noqa: F401 (a fixture)
    varied_history,
)


@pytest.fixture
def sums_made(monkeypatch) -> list[int]:
    """The number of answers each objective's sums were made from, one entry per sum made."""
    made = []

    def counting_level_sums(*, evidence, now):
        evidence = list(evidence)
        made.append(len(evidence))
        return level_sums(evidence=evidence, now=now)

    monkeypatch.setattr(selectors, "level_sums", counting_level_sums)
    return made


def kept_view(user, *, now):
    return LearnerSnapshot(user=user, now=now, reuse_estimates=True)


def assert_same_estimates(found, expected):
    assert found.keys() == expected.keys()
    for topic_id, mastery in expected.items():
        assert found[topic_id].ability == pytest.approx(mastery.ability, abs=1e-9)
        assert found[topic_id].spread == pytest.approx(mastery.spread, abs=1e-9)
        assert found[topic_id].weight == pytest.approx(mastery.weight, rel=1e-9)
        assert found[topic_id].shared_spread == pytest.approx(mastery.shared_spread, abs=1e-9)


def answer_now(*, user, question: Question, at, share: float) -> None:
    practice = ExamSessionFactory(
        user=user, exam=None, mode=ExamSession.Mode.PRACTICE, start_time=at
    )
    UserResponseFactory(
        session=practice,
        question=question,
        points_earned=question.points * share,
        is_correct=share == 1.0,
        answered_at=at,
        time_taken=12.0,
    )


@pytest.mark.django_db
def test_an_answer_weighs_again_only_its_objective_and_the_estimates_match_a_fresh_read(
    user,
    bank,  # noqa: F811
    sums_made,
):
    varied_history(user=user, bank=bank)
    first = kept_view(user, now=NOW)
    assert_same_estimates(first.masteries, LearnerSnapshot(user=user, now=NOW).masteries)
    practised = len(first.estimates.evidence_by_topic)
    assert len(sums_made) == practised > 1

    # Five minutes later, one wrong answer on one objective.
    later = NOW + timedelta(minutes=5)
    question = Question.objects.filter(exam=bank).order_by("id").first()
    answer_now(user=user, question=question, at=later, share=0.0)
    sums_made.clear()
    after = kept_view(user, now=later)
    after_masteries = after.masteries
    made_for_the_view = list(sums_made)

    # Only the answered objective's sums are made again, from all of its answers...
    fresh = LearnerSnapshot(user=user, now=later)
    answered = selectors.evidence_by_topic_of(fresh.evidence, misses=fresh.misses)
    assert made_for_the_view == [len(answered[question.topic_id])]
    # ... and every estimate is what a fresh read of every row gives (the others' kept sums
    # aged by the five minutes), the answered objective's lower than before.
    assert_same_estimates(after_masteries, fresh.masteries)
    assert after_masteries[question.topic_id].ability < first.masteries[question.topic_id].ability
    assert after.estimates.answers == first.estimates.answers + 1


@pytest.mark.django_db
def test_unchanged_evidence_reuses_the_estimates_and_old_sums_are_made_again(
    user,
    bank,  # noqa: F811
    sums_made,
):
    varied_history(user=user, bank=bank)
    assert kept_view(user, now=NOW).masteries
    practised = len(sums_made)

    sums_made.clear()
    assert kept_view(user, now=NOW + timedelta(minutes=1)).masteries
    assert sums_made == []  # nothing changed: the estimates themselves are reused

    # Past the estimates' lifetime every objective's sums are made again: they were weighed
    # with the population's figures of then (miss credit, item difficulties).
    later = NOW + timedelta(seconds=ESTIMATES_SECONDS + 1)
    question = Question.objects.filter(exam=bank).order_by("id").first()
    answer_now(user=user, question=question, at=later, share=1.0)
    assert kept_view(user, now=later).masteries
    assert len(sums_made) == practised


@pytest.mark.django_db
def test_a_regrade_makes_the_objectives_sums_again(
    user,
    bank,  # noqa: F811
    sums_made,
):
    varied_history(user=user, bank=bank)
    before = kept_view(user, now=NOW).masteries
    response = (
        ExamSession.objects.filter(user=user, mode=ExamSession.Mode.EXAM)
        .get(start_time=NOW - timedelta(days=2, hours=2))
        .responses.filter(answered_at__isnull=False, points_earned=0)
        .select_related("question")
        .first()
    )
    sums_made.clear()
    # The points change, not the answer's time: as a regrade writes them.
    type(response).objects.filter(pk=response.pk).update(points_earned=response.question.points)

    after = kept_view(user, now=NOW).masteries

    assert len(sums_made) == 1
    topic_id = response.question.topic_id
    assert after[topic_id].ability > before[topic_id].ability
    assert_same_estimates(after, LearnerSnapshot(user=user, now=NOW).masteries)
