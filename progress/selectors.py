"""Reads for the learner's progress: per-objective rows, mastery with its range, readiness.

The Progress page, the home page and (later) the REST API read through these functions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from django.db.models import (
    Case,
    ExpressionWrapper,
    FilteredRelation,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from exams.models import Exam, ExamSession, Question, Topic, UserResponse
from exams.point_quota import PointQuotaUnsatisfiable
from pcep_site.db import EpochSeconds
from progress.mastery import Evidence, Mastery, estimate_masteries
from progress.miss_credit import MissCredit, miss_credit
from progress.models import ReviewCard
from progress.readiness import BankItem, ExamShape, Prediction, predict_score

# Below this much evidence a prediction would mostly echo the population prior, so the
# page says "not enough data yet" instead (docs/mastery.md).
MIN_ANSWERS_FOR_READINESS = 30
_SECONDS_PER_DAY = 86_400
MIN_ANSWERS_PER_BLOCK = 5


def progress_by_objective(*, user, syllabus=None) -> QuerySet[Topic]:
    """Every objective with this learner's progress row (or none yet), in syllabus order."""
    topics = Topic.objects.select_related("module").annotate(
        mine=FilteredRelation("user_progress", condition=Q(user_progress__user=user))
    )
    if syllabus is not None:
        topics = topics.filter(module__syllabus=syllabus)
    return topics.values(
        "id",
        "code",
        "name",
        "module__number",
        "mine__questions_attempted",
        "mine__questions_correct",
        "mine__proficiency_level",
        "mine__average_time",
        "mine__last_practice_date",
    ).order_by("module__number", "display_order")


class Unconverted(ExpressionWrapper):
    """A number read as the database driver returns it: the ORM otherwise calls float() or
    int() on every row's value, which it already is."""

    convert_value = staticmethod(ExpressionWrapper._convert_value_noop)


def evidence_responses(*, user, topic_ids=None, estimates_only=False) -> QuerySet[UserResponse]:
    """The responses that count as evidence of mastery, as plain rows.

    Answered items count wherever they were given; an item left unanswered in a finished
    exam counts as a wrong answer, as it scores 0 on the real exam (docs/mastery.md).
    `estimates_only`: without `is_correct` and `time_taken`, which only the progress rows
    need; every column left is then a plain number or string, so the ORM converts no value
    (a page reads thousands of rows).
    """
    skipped_in_finished_exam = Q(
        answered_at__isnull=True,
        session__mode=ExamSession.Mode.EXAM,
        session__is_completed=True,
    )
    # The learner's sessions as a subquery: with the cross-table OR above, PostgreSQL
    # otherwise chose a plan that took minutes on freshly filled (unanalysed) tables.
    sessions = ExamSession.objects.filter(user=user).values("id")
    responses = UserResponse.objects.filter(
        Q(answered_at__isnull=False) | skipped_in_finished_exam,
        session_id__in=sessions,
        question__topic__isnull=False,
    )
    if topic_ids is not None:
        responses = responses.filter(question__topic_id__in=topic_ids)
    columns = [
        "question_id",
        "question__topic_id",
        "question__topic__module__number",
        "question__difficulty",
        "question__kind",
        "question__points",
        "points_earned",
    ]
    if not estimates_only:
        columns += ["is_correct", "time_taken"]
    return responses.values(
        *columns,
        # The moment as seconds since 1970, computed by the database: a learner can have
        # thousands of rows, and parsing two datetimes per row was most of a page's time.
        moment=Unconverted(
            EpochSeconds(Coalesce("answered_at", "session__end_time")), output_field=FloatField()
        ),
        # 1 or 0: an integer needs no conversion per row, as a boolean would.
        answered=Unconverted(
            Case(When(answered_at__isnull=False, then=Value(1)), default=Value(0)),
            output_field=IntegerField(),
        ),
    ).order_by()


def moment_of(row: dict) -> datetime:
    return datetime.fromtimestamp(row["moment"], tz=UTC)


def evidence_of(row: dict, *, misses: MissCredit) -> Evidence:
    """The answer as evidence of getting the item fully right: its credit with what a miss
    of the item earns anyway taken off (progress/miss_credit.py); a skip counts 0."""
    points = row["question__points"] or 1
    credit = (row["points_earned"] or 0.0) / points if row["answered"] else 0.0
    return Evidence(
        difficulty=row["question__difficulty"],
        credit=misses.full_credit_share(
            credit=credit, question_id=row["question_id"], kind=row["question__kind"]
        ),
        moment=row["moment"],
        level=misses.level_of(
            question_id=row["question_id"], difficulty=row["question__difficulty"]
        ),
    )


def first_answer_per_question_and_day(rows) -> list[dict]:
    """One row per question per day: the earliest of the day.

    A spaced review (or a retry) of an item the learner just saw shows short-term memory of
    its feedback, not mastery, so it must not count twice in one day; the first answer of
    the day was given before that day's feedback, so it is the one kept (docs/mastery.md).
    """
    offset = local_offset_seconds()
    kept: dict[tuple[int, int], dict] = {}
    for row in rows:
        key = (row["question_id"], int((row["moment"] + offset) // _SECONDS_PER_DAY))
        if key not in kept or row["moment"] < kept[key]["moment"]:
            kept[key] = row
    return list(kept.values())


def local_offset_seconds() -> float:
    """The site's time zone offset now, to tell days apart in moments (seconds since 1970);
    a daylight-saving change moves a day's edge by an hour for older moments: accepted."""
    offset = timezone.localtime().utcoffset()
    return offset.total_seconds() if offset else 0.0


def masteries_from(
    rows, *, now: datetime, topic_ids=None, misses: MissCredit | None = None
) -> dict[int, Mastery]:
    """Mastery per objective from evidence rows (all of one learner's: the general level
    needs them); for `topic_ids`, or else for every objective with evidence. `misses`: what
    misses earn, by default the population's (cached)."""
    misses = miss_credit() if misses is None else misses
    by_topic: dict[int, list[Evidence]] = defaultdict(list)
    for row in first_answer_per_question_and_day(rows):
        by_topic[row["question__topic_id"]].append(evidence_of(row, misses=misses))
    return estimate_masteries(
        evidence_by_topic=by_topic,
        topic_ids=list(by_topic) if topic_ids is None else topic_ids,
        now=now,
    )


@dataclass(frozen=True)
class ObjectiveMastery:
    code: str
    name: str
    block: int
    answered: int
    correct: int
    last_practised: datetime | None
    mastery: Mastery | None  # None: no evidence yet
    topic_id: int | None = None
    # Items left blank in finished exams: not in `answered`, but in mastery as misses.
    left_blank: int = 0


def mastery_by_objective(
    *,
    user,
    syllabus=None,
    now: datetime | None = None,
    evidence: list[dict] | None = None,
    snapshot: LearnerSnapshot | None = None,
):
    """Every objective of the syllabus with the learner's figures and mastery range.

    `evidence`: the learner's `evidence_responses` rows when the page already read them;
    `snapshot`: the page's reads, shared with readiness and the study plan."""
    if snapshot is None:
        snapshot = LearnerSnapshot(user=user, syllabus=syllabus, now=now, evidence=evidence)
    masteries, practised = snapshot.masteries, snapshot.practised
    return [
        ObjectiveMastery(
            code=row["code"],
            name=row["name"],
            block=row["module__number"],
            answered=row["mine__questions_attempted"] or 0,
            correct=row["mine__questions_correct"] or 0,
            last_practised=row["mine__last_practice_date"],
            mastery=masteries[row["id"]] if row["id"] in practised else None,
            topic_id=row["id"],
            left_blank=snapshot.left_blank[row["id"]],
        )
        for row in snapshot.objectives
    ]


@dataclass(frozen=True)
class Readiness:
    """A prediction for a fresh mock exam, or None when the evidence is too thin."""

    exam_title: str
    answers: int
    days: int
    prediction: Prediction | None
    min_answers: int = MIN_ANSWERS_FOR_READINESS
    min_per_block: int = MIN_ANSWERS_PER_BLOCK
    # Why there is no prediction although the evidence suffices (the bank cannot fill the
    # exam right now), in words for the learner.
    unavailable: str = ""


def mock_exam_shape(*, exam: Exam, misses: MissCredit | None = None) -> ExamShape:
    """The exam's blueprint and scoring, with the active bank items each block draws from
    and what a miss of each earns (by default the population's figures, cached)."""
    misses = miss_credit() if misses is None else misses
    items_by_block: dict[str, list[BankItem]] = defaultdict(list)
    for question_id, kind, topic_id, difficulty, points, block in (
        Question.objects.drawable()
        .filter(topic__module__syllabus_id=exam.syllabus_id, topic__module__number__isnull=False)
        .values_list("id", "kind", "topic_id", "difficulty", "points", "topic__module__number")
        .order_by("id")
    ):
        items_by_block[str(block)].append(
            BankItem(
                topic_id=topic_id,
                difficulty=difficulty,
                points=points,
                miss_credit=misses.of(question_id=question_id, kind=kind),
                level=misses.level_of(question_id=question_id, difficulty=difficulty),
            )
        )
    return ExamShape(
        items_by_block=items_by_block,
        blueprint={str(block): count for block, count in exam.blueprint.items()},
        pass_percent=exam.pass_percent,
        max_score=exam.max_score,
        block_points={str(block): points for block, points in (exam.block_points or {}).items()},
    )


def predicted_mock_exam(*, syllabus=None) -> Exam | None:
    """The mock exam readiness predicts and the study plan weighs: the syllabus' first
    active mock exam with a blueprint."""
    exams = Exam.objects.active().filter(kind=Exam.Kind.MOCK).exclude(blueprint={})
    if syllabus is not None:
        exams = exams.filter(syllabus=syllabus)
    return exams.order_by("id").first()


def readiness(
    *,
    user,
    syllabus=None,
    now: datetime | None = None,
    evidence: list[dict] | None = None,
    snapshot: LearnerSnapshot | None = None,
) -> Readiness | None:
    """Predicted score and P(pass) on a fresh attempt of the syllabus' mock exam.

    None when there is no active mock exam to predict. `evidence`: the learner's
    `evidence_responses` rows when the page already read them; `snapshot`: the page's
    reads, shared with the mastery table and the study plan.
    """
    if snapshot is None:
        snapshot = LearnerSnapshot(user=user, syllabus=syllabus, now=now, evidence=evidence)
    exam = snapshot.exam
    if exam is None:
        return None
    rows = snapshot.evidence
    offset = local_offset_seconds()
    first_day = last_day = None
    per_block: dict[str, int] = defaultdict(int)
    for row in rows:
        day = (row["moment"] + offset) // _SECONDS_PER_DAY
        if first_day is None or day < first_day:
            first_day = day
        if last_day is None or day > last_day:
            last_day = day
        per_block[str(row["question__topic__module__number"])] += 1
    days = int(last_day - first_day) + 1 if rows else 0
    enough = len(rows) >= MIN_ANSWERS_FOR_READINESS and all(
        per_block[block] >= MIN_ANSWERS_PER_BLOCK for block in exam.blueprint
    )
    prediction, unavailable = None, ""
    if enough:
        try:
            prediction = predict_score(masteries=snapshot.masteries, shape=snapshot.shape)
        except PointQuotaUnsatisfiable as error:
            unavailable = (
                f"No prediction today: the question bank cannot fill a fresh {exam.title} "
                f"right now ({error}). Your answers are kept and count as soon as it can."
            )
    return Readiness(
        exam_title=exam.title,
        answers=len(rows),
        days=days,
        prediction=prediction,
        unavailable=unavailable,
    )


class LearnerSnapshot:
    """One page view's reads of the learner, each done once (and only when asked for) and
    shared by the mastery table, readiness and the study plan.

    Mastery is estimated once, for every objective the page can show or predict from: an
    objective's estimate does not depend on which others are asked for
    (progress.mastery.estimate_masteries), so one estimate serves them all. Nothing here
    outlives the request, so a new answer shows on the next page view.
    """

    def __init__(
        self,
        *,
        user,
        syllabus=None,
        now: datetime | None = None,
        evidence: list[dict] | None = None,
        misses: MissCredit | None = None,
    ):
        self.user = user
        self.syllabus = syllabus
        self.now = now or timezone.now()
        self._misses = misses
        if evidence is not None:
            self.evidence = evidence

    @cached_property
    def misses(self) -> MissCredit:
        return miss_credit() if self._misses is None else self._misses

    @cached_property
    def evidence(self) -> list[dict]:
        """The learner's `evidence_responses` rows (the columns the estimates read)."""
        return list(evidence_responses(user=self.user, estimates_only=True))

    @cached_property
    def objectives(self) -> list[dict]:
        """The syllabus' `progress_by_objective` rows of the learner."""
        return list(progress_by_objective(user=self.user, syllabus=self.syllabus))

    @cached_property
    def exam(self) -> Exam | None:
        return predicted_mock_exam(syllabus=self.syllabus)

    @cached_property
    def shape(self) -> ExamShape | None:
        return None if self.exam is None else mock_exam_shape(exam=self.exam, misses=self.misses)

    @cached_property
    def practised(self) -> frozenset[int]:
        """The objectives with evidence."""
        return frozenset(row["question__topic_id"] for row in self.evidence)

    @cached_property
    def left_blank(self) -> Counter[int]:
        """Per objective, the items left blank in finished exams (evidence, as misses)."""
        return Counter(row["question__topic_id"] for row in self.evidence if not row["answered"])

    @cached_property
    def masteries(self) -> dict[int, Mastery]:
        """Mastery of every objective of the syllabus, of the predicted exam's bank and of
        every one with evidence (those without get the learner's general level)."""
        topic_ids = {row["id"] for row in self.objectives} | self.practised
        if self.shape is not None:
            topic_ids.update(
                item.topic_id for items in self.shape.items_by_block.values() for item in items
            )
        return masteries_from(
            self.evidence, now=self.now, topic_ids=sorted(topic_ids), misses=self.misses
        )

    @cached_property
    def due_reviews(self) -> int:
        return due_review_count(user=self.user, now=self.now)


# Spaced review (progress/review.py writes the cards) -------------------------------------


def due_review_count(*, user, now: datetime) -> int:
    # Only drawable items: a card whose question was withdrawn cannot be reviewed.
    return (
        ReviewCard.objects.for_user(user)
        .due(now=now)
        .filter(question__in=Question.objects.drawable())
        .count()
    )


def due_question_ids(*, user, now: datetime, limit: int) -> list[int]:
    """The learner's due items that can still be drawn, the longest overdue first."""
    return list(
        ReviewCard.objects.for_user(user)
        .due(now=now)
        .filter(question__in=Question.objects.drawable())
        .order_by("due", "id")
        .values_list("question_id", flat=True)[:limit]
    )
