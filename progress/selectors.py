"""Reads for the learner's progress: per-objective rows, mastery with its range, readiness.

The Progress page, the home page and (later) the REST API read through these functions.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    FilteredRelation,
    FloatField,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from exams.models import Exam, ExamSession, Question, Topic, UserResponse
from exams.point_quota import PointQuotaUnsatisfiable
from pcep_site.db import EpochSeconds
from progress.mastery import (
    Evidence,
    LevelSums,
    Mastery,
    aged_sums,
    estimate_masteries,
    level_sums,
    masteries_from_sums,
)
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


def _evidence(*, user, topic_ids=None) -> QuerySet[UserResponse]:
    """The responses that count as evidence of mastery (see `evidence_responses`)."""
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
    return responses


def _moment_seconds() -> EpochSeconds:
    """When the evidence was given, as seconds since 1970: the answer's time, or for an item
    left blank the end of its exam."""
    return EpochSeconds(Coalesce("answered_at", "session__end_time"))


def evidence_responses(*, user, topic_ids=None, estimates_only=False) -> QuerySet[UserResponse]:
    """The responses that count as evidence of mastery, as plain rows.

    Answered items count wherever they were given; an item left unanswered in a finished
    exam counts as a wrong answer, as it scores 0 on the real exam (docs/mastery.md).
    `estimates_only`: without `is_correct` and `time_taken`, which only the progress rows
    need; every column left is then a plain number or string, so the ORM converts no value
    (a page reads thousands of rows).
    """
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
    return (
        _evidence(user=user, topic_ids=topic_ids)
        .values(
            *columns,
            # The moment as seconds since 1970, computed by the database: a learner can have
            # thousands of rows, and parsing two datetimes per row was most of a page's time.
            moment=Unconverted(_moment_seconds(), output_field=FloatField()),
            # 1 or 0: an integer needs no conversion per row, as a boolean would.
            answered=Unconverted(
                Case(When(answered_at__isnull=False, then=Value(1)), default=Value(0)),
                output_field=IntegerField(),
            ),
        )
        .order_by()
    )


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


def evidence_by_topic_of(rows, *, misses: MissCredit) -> dict[int, list[Evidence]]:
    """Evidence rows as the model's evidence, per objective, one answer per question and
    day (`first_answer_per_question_and_day`)."""
    by_topic: dict[int, list[Evidence]] = defaultdict(list)
    for row in first_answer_per_question_and_day(rows):
        by_topic[row["question__topic_id"]].append(evidence_of(row, misses=misses))
    return by_topic


def masteries_from(
    rows, *, now: datetime, topic_ids=None, misses: MissCredit | None = None
) -> dict[int, Mastery]:
    """Mastery per objective from evidence rows (all of one learner's: the general level
    needs them); for `topic_ids`, or else for every objective with evidence. `misses`: what
    misses earn, by default the population's (cached)."""
    misses = miss_credit() if misses is None else misses
    by_topic = evidence_by_topic_of(rows, misses=misses)
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
    if snapshot.exam is None:
        return None
    estimates = snapshot.estimates
    return Readiness(
        exam_title=snapshot.exam.title,
        answers=estimates.answers,
        days=estimates.days,
        prediction=estimates.prediction,
        unavailable=estimates.unavailable,
    )


@dataclass(frozen=True)
class LearnerEstimates:
    """Everything the pages derive from the learner's evidence rows: the costly part of a
    page view (reading thousands of rows, estimating mastery, simulating exams), kept as
    one value so a page view can reuse it while the evidence is unchanged."""

    answers: int
    days: int
    evidence_by_topic: Counter  # evidence rows per objective: answers and blanks in exams
    left_blank: Counter  # per objective, items left blank in finished exams
    masteries: dict[int, Mastery]
    prediction: Prediction | None
    unavailable: str = ""


# Estimates reused across page views (LearnerSnapshot(reuse_estimates=True)): keyed on the
# learner's evidence version, so a new answer or a finished exam shows at the next view; the
# population's figures (miss credit, item difficulties) and bank edits show within this time,
# as the miss-credit cache's do, and so does the estimates' slow decay with age.
ESTIMATES_SECONDS = 600
ESTIMATES_CACHE_PREFIX = "progress:estimates:v2"
# Each objective's level sums, kept while its evidence is unchanged, so the first view after
# an answer reads and weighs again only the answered objective's rows (docs/capacity.md).
SUMS_CACHE_PREFIX = "progress:objective-sums:v1"


@dataclass(frozen=True)
class ObjectiveEvidence:
    """What the pages show of one objective's evidence rows, and what changes whenever they
    change: an answer given, changed or cleared (the count, the latest moment), a regrade
    (the points), an attempt finished (its blanks become evidence)."""

    block: int
    rows: int
    blanks: int  # items left blank in finished exams
    first_moment: float  # seconds since 1970
    last_moment: float
    points: float

    @property
    def version(self) -> tuple:
        return (self.rows, self.blanks, self.last_moment, self.points)


def evidence_by_objective(*, user) -> dict[int, ObjectiveEvidence]:
    """Per objective, the `ObjectiveEvidence` of the learner's evidence rows: one grouped
    query, however long the history."""
    moment = _moment_seconds()
    rows = (
        _evidence(user=user)
        .values("question__topic_id", "question__topic__module__number")
        .annotate(
            rows=Count("id"),
            blanks=Count("id", filter=Q(answered_at__isnull=True)),
            first_moment=Min(moment),
            last_moment=Max(moment),
            points=Coalesce(Sum("points_earned"), Value(0.0), output_field=FloatField()),
        )
        .order_by()
    )
    return {
        row["question__topic_id"]: ObjectiveEvidence(
            block=row["question__topic__module__number"],
            rows=row["rows"],
            blanks=row["blanks"],
            first_moment=row["first_moment"],
            last_moment=row["last_moment"],
            points=row["points"],
        )
        for row in rows
    }


def objective_evidence_of(rows: list[dict]) -> dict[int, ObjectiveEvidence]:
    """`evidence_by_objective` from the evidence rows themselves."""
    by_topic: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_topic[row["question__topic_id"]].append(row)
    return {
        topic_id: ObjectiveEvidence(
            block=own[0]["question__topic__module__number"],
            rows=len(own),
            blanks=sum(1 for row in own if not row["answered"]),
            first_moment=min(row["moment"] for row in own),
            last_moment=max(row["moment"] for row in own),
            points=sum(row["points_earned"] or 0.0 for row in own),
        )
        for topic_id, own in by_topic.items()
    }


def evidence_version(*, user) -> str:
    """A digest that changes whenever the learner's evidence does: an answer given, changed
    or cleared (its time, the count of answered items, the points: a regrade), an attempt
    finished (its blanks become evidence). One aggregate query, cheaper than
    `evidence_by_objective`'s (it needs no join to the questions), so a repeat view checks
    this one only."""
    figures = ExamSession.objects.filter(user=user).aggregate(
        finished=Count("id", filter=Q(is_completed=True), distinct=True),
        last_end=Max("end_time"),
        answered=Count("responses__answered_at"),
        last_answer=Max("responses__answered_at"),
        points=Sum("responses__points_earned"),
    )
    return hashlib.sha256(repr(sorted(figures.items())).encode()).hexdigest()[:32]


def estimate_from_evidence(
    *,
    figures: dict[int, ObjectiveEvidence],
    masteries: dict[int, Mastery],
    exam: Exam | None,
    shape: ExamShape | None,
) -> LearnerEstimates:
    """The figures of `LearnerEstimates` from the evidence per objective and the masteries
    estimated from it."""
    offset = local_offset_seconds()
    per_block: dict[str, int] = defaultdict(int)
    for figure in figures.values():
        per_block[str(figure.block)] += figure.rows
    answers = sum(per_block.values())
    prediction, unavailable = None, ""
    enough = (
        exam is not None
        and answers >= MIN_ANSWERS_FOR_READINESS
        and all(per_block[block] >= MIN_ANSWERS_PER_BLOCK for block in exam.blueprint)
    )
    if enough:
        try:
            prediction = predict_score(masteries=masteries, shape=shape)
        except PointQuotaUnsatisfiable as error:
            unavailable = (
                f"No prediction today: the question bank cannot fill a fresh {exam.title} "
                f"right now ({error}). Your answers are kept and count as soon as it can."
            )
    days = 0
    if figures:
        first_day = (min(f.first_moment for f in figures.values()) + offset) // _SECONDS_PER_DAY
        last_day = (max(f.last_moment for f in figures.values()) + offset) // _SECONDS_PER_DAY
        days = int(last_day - first_day) + 1
    return LearnerEstimates(
        answers=answers,
        days=days,
        evidence_by_topic=Counter({topic_id: f.rows for topic_id, f in figures.items()}),
        left_blank=Counter({topic_id: f.blanks for topic_id, f in figures.items() if f.blanks}),
        masteries=masteries,
        prediction=prediction,
        unavailable=unavailable,
    )


@dataclass(frozen=True)
class KeptSums:
    """One objective's level sums as made at `made` (seconds since 1970), for the evidence
    at `version`."""

    version: tuple
    made: float
    sums: LevelSums


def objective_sums_key(*, user) -> str:
    """Where the learner's level sums per objective are kept, for the current time zone
    (it tells days apart, so which answers count)."""
    return ":".join((SUMS_CACHE_PREFIX, str(user.pk), timezone.get_current_timezone_name()))


class LearnerSnapshot:
    """One page view's reads of the learner, each done once (and only when asked for) and
    shared by the mastery table, readiness and the study plan.

    Mastery is estimated once, for every objective the page can show or predict from: an
    objective's estimate does not depend on which others are asked for
    (progress.mastery.estimate_masteries), so one estimate serves them all. With
    `reuse_estimates`, what it derives from the evidence (`estimates`) is kept between page
    views under the learner's evidence version, so a new answer, a finished attempt or a
    regrade shows on the next view, and the level sums of each objective whose evidence
    did not change are reused too (docs/capacity.md); everything else is read per request.
    """

    def __init__(
        self,
        *,
        user,
        syllabus=None,
        now: datetime | None = None,
        evidence: list[dict] | None = None,
        misses: MissCredit | None = None,
        reuse_estimates: bool = False,
    ):
        self.user = user
        self.syllabus = syllabus
        self.now = now or timezone.now()
        self._misses = misses
        # Only a page view of the learner's own evidence, as the database holds it, may
        # reuse estimates made for an earlier view (ESTIMATES_SECONDS).
        self._reuse = reuse_estimates and evidence is None and misses is None
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
    def objective_evidence(self) -> dict[int, ObjectiveEvidence]:
        """The learner's evidence per objective: from the database with `reuse_estimates`
        (one grouped query, when the estimates are made), else from the evidence rows."""
        if self._reuse:
            return evidence_by_objective(user=self.user)
        return objective_evidence_of(self.evidence)

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
    def estimates(self) -> LearnerEstimates:
        """The figures derived from the evidence: computed, or reused from an earlier page
        view while the learner's evidence, syllabus and time zone are the same."""
        if not self._reuse:
            return self._estimate()
        key = self.estimates_key
        estimates = cache.get(key)
        if estimates is None:
            estimates = self._estimate()
            cache.set(key, estimates, ESTIMATES_SECONDS)
        return estimates

    @cached_property
    def estimates_key(self) -> str:
        """Where reused estimates are kept: the learner's, for this syllabus and time zone
        (days are told apart in it), at this evidence version."""
        return ":".join(
            (
                ESTIMATES_CACHE_PREFIX,
                str(self.user.pk),
                str(self.syllabus.pk if self.syllabus is not None else "current"),
                timezone.get_current_timezone_name(),
                evidence_version(user=self.user),
            )
        )

    def _estimate(self) -> LearnerEstimates:
        figures = self.objective_evidence
        topic_ids = self._estimated_topic_ids(practised=figures.keys())
        if self._reuse:
            masteries = masteries_from_sums(
                sums_by_topic=self._sums_by_topic(figures), topic_ids=topic_ids
            )
        else:
            masteries = masteries_from(
                self.evidence, now=self.now, topic_ids=topic_ids, misses=self.misses
            )
        return estimate_from_evidence(
            figures=figures, masteries=masteries, exam=self.exam, shape=self.shape
        )

    def _estimated_topic_ids(self, *, practised) -> list[int]:
        """Every objective of the syllabus, of the predicted exam's bank and every one with
        evidence (those without get the learner's general level)."""
        topic_ids = {row["id"] for row in self.objectives} | set(practised)
        if self.shape is not None:
            topic_ids.update(
                item.topic_id for items in self.shape.items_by_block.values() for item in items
            )
        return sorted(topic_ids)

    def _sums_by_topic(self, figures: dict[int, ObjectiveEvidence]) -> dict[int, LevelSums]:
        """Each objective's level sums as of now: those kept from an earlier view while the
        objective's evidence is unchanged (aged to now), the others made from its rows (one
        query for all of them). Kept sums are made again after ESTIMATES_SECONDS, so the
        population's figures they were weighed with stay as fresh as the estimates."""
        now = self.now.timestamp()
        key = objective_sums_key(user=self.user)
        kept: dict[int, KeptSums] = {
            topic_id: entry
            for topic_id, entry in (cache.get(key) or {}).items()
            if topic_id in figures
            and entry.version == figures[topic_id].version
            and 0.0 <= now - entry.made < ESTIMATES_SECONDS
        }
        stale = sorted(set(figures) - set(kept))
        if stale:
            rows = evidence_responses(user=self.user, topic_ids=stale, estimates_only=True)
            evidence = evidence_by_topic_of(rows, misses=self.misses)
            for topic_id in stale:
                sums = level_sums(evidence=evidence.get(topic_id, ()), now=self.now)
                kept[topic_id] = KeptSums(
                    version=figures[topic_id].version, made=now, sums=dict(sums)
                )
            cache.set(key, kept, ESTIMATES_SECONDS)
        return {
            topic_id: aged_sums(entry.sums, made=entry.made, now=now)
            for topic_id, entry in kept.items()
        }

    @property
    def practised(self) -> frozenset[int]:
        """The objectives with evidence."""
        return frozenset(self.estimates.evidence_by_topic)

    @property
    def left_blank(self) -> Counter[int]:
        """Per objective, the items left blank in finished exams (evidence, as misses)."""
        return self.estimates.left_blank

    @property
    def masteries(self) -> dict[int, Mastery]:
        return self.estimates.masteries

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
