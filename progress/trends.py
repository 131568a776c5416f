"""Reads for the Progress page's trends: mock-exam scores, accuracy per day, answer stats.

The design's analytics queries (docs/mastery.md, "Trends"), each done in a fixed number
of database queries whatever the length of the learner's history: the grouping and
counting happen in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, F, FloatField, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from exams.models import Exam, ExamSession, UserResponse
from progress.selectors import Unconverted

DIFFICULTIES = range(1, 6)


@dataclass(frozen=True)
class MockExamScore:
    """One finished mock-exam attempt, as the attempt stored it when it was scored."""

    finished_at: datetime
    exam_title: str
    score: int  # out of max_score
    max_score: int
    percent: float
    passed: bool | None
    pass_percent: int

    @property
    def pass_mark(self) -> int:
        return round(self.max_score * self.pass_percent / 100)


def mock_exam_scores(*, user) -> list[MockExamScore]:
    """The learner's finished mock-exam attempts, oldest first (one query)."""
    rows = (
        ExamSession.objects.for_user(user)
        .completed()
        .filter(mode=ExamSession.Mode.EXAM, exam__kind=Exam.Kind.MOCK, end_time__isnull=False)
        .order_by("end_time", "id")
        .values(
            "end_time",
            "exam__title",
            "scaled_score",
            "exam__max_score",
            "score",
            "passed",
            "exam__pass_percent",
        )
    )
    return [
        MockExamScore(
            finished_at=row["end_time"],
            exam_title=row["exam__title"],
            score=row["scaled_score"] or 0,
            max_score=row["exam__max_score"],
            percent=row["score"],
            passed=row["passed"],
            pass_percent=row["exam__pass_percent"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class DayAccuracy:
    day: date
    answered: int
    credit: float  # share of the points available, 0..1 (partly right answers count in part)


@dataclass(frozen=True)
class AccuracyTrend:
    """One block's or one objective's accuracy per day, on the days it was answered."""

    key: int  # block number, or the objective's Topic id
    label: str  # "Block 1" or the objective code
    name: str
    days: list[DayAccuracy]


def answered_responses(*, user) -> QuerySet[UserResponse]:
    """The learner's answered items (not the ones left blank) on a syllabus objective."""
    sessions = ExamSession.objects.for_user(user).values("id")
    return UserResponse.objects.filter(
        session_id__in=sessions, answered_at__isnull=False, question__topic__isnull=False
    )


# The credit of one answer as in progress.selectors.evidence_of: points earned out of the
# item's points (an item without points counts as 1 point).
_CREDIT = Cast(F("points_earned"), FloatField()) / Cast(
    Coalesce(NullIf(F("question__points"), Value(0)), Value(1)), FloatField()
)


def window_start(*, days: int, now: datetime | None) -> datetime:
    """Midnight (site time) at the start of the last `days` days, today included."""
    return _midnight(_first_day(days=days, now=now))


def _first_day(*, days: int, now: datetime | None) -> date:
    return timezone.localdate(now or timezone.now()) - timedelta(days=days - 1)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _day_index(*, first_day: date, days: int) -> Unconverted:
    """Which of the `days` days from `first_day` an answer was given on (0 the first), as
    the database finds it by comparing the answer's time with each day's end (site time,
    so exact across a daylight-saving change; no per-row function call as a date cast
    is on SQLite)."""
    ends = (_midnight(first_day + timedelta(days=index + 1)) for index in range(days))
    return Unconverted(
        Case(
            *(When(answered_at__lt=end, then=Value(index)) for index, end in enumerate(ends)),
            default=Value(days),
        ),
        output_field=IntegerField(),
    )


def _accuracy_by_day(*, user, days: int, now: datetime | None, group: dict) -> QuerySet:
    first_day = _first_day(days=days, now=now)
    return (
        answered_responses(user=user)
        .filter(answered_at__gte=_midnight(first_day))
        .annotate(day_index=_day_index(first_day=first_day, days=days))
        .values("day_index", **group)
        .annotate(answered=Count("id"), credit_sum=Sum(_CREDIT))
        .order_by("day_index")
    )


def _trends(rows, *, key: str, label, name: str, first_day: date) -> list[AccuracyTrend]:
    by_key: dict[int, AccuracyTrend] = {}
    for row in rows:
        trend = by_key.get(row[key])
        if trend is None:
            trend = by_key[row[key]] = AccuracyTrend(
                key=row[key], label=label(row), name=row[name], days=[]
            )
        trend.days.append(
            DayAccuracy(
                day=first_day + timedelta(days=row["day_index"]),
                answered=row["answered"],
                credit=(row["credit_sum"] or 0.0) / row["answered"],
            )
        )
    return sorted(by_key.values(), key=lambda trend: trend.key)


def block_accuracy_by_day(*, user, days: int = 30, now: datetime | None = None):
    """Per syllabus block, per day of the last `days`: items answered and credit share."""
    rows = _accuracy_by_day(
        user=user,
        days=days,
        now=now,
        group={
            "block": F("question__topic__module__number"),
            "block_name": F("question__topic__module__name"),
        },
    ).filter(question__topic__module__number__isnull=False)
    return _trends(
        rows,
        key="block",
        label=lambda row: f"Block {row['block']}",
        name="block_name",
        first_day=_first_day(days=days, now=now),
    )


def objective_accuracy_by_day(*, user, days: int = 30, now: datetime | None = None):
    """Per objective, per day of the last `days`: items answered and credit share."""
    rows = _accuracy_by_day(
        user=user,
        days=days,
        now=now,
        group={
            "topic": F("question__topic_id"),
            "topic_code": F("question__topic__code"),
            "topic_name": F("question__topic__name"),
        },
    )
    return _trends(
        rows,
        key="topic",
        label=lambda row: row["topic_code"],
        name="topic_name",
        first_day=_first_day(days=days, now=now),
    )


@dataclass(frozen=True)
class DifficultyShare:
    difficulty: int
    answered: int
    correct: int


@dataclass(frozen=True)
class PerformanceStats:
    answers: int
    correct: int
    average_seconds: float | None  # None before the first answer


def answer_summary(*, user) -> tuple[PerformanceStats, list[DifficultyShare]]:
    """The learner's answer totals and their split by authored difficulty 1–5 (zeros
    included), from one grouped query."""
    rows = list(
        answered_responses(user=user)
        .values("question__difficulty")
        .annotate(
            answered=Count("id"),
            correct=Count("id", filter=Q(is_correct=True)),
            seconds=Sum("time_taken"),
            timed=Count("time_taken"),
        )
        .order_by()
    )
    by_level = {row["question__difficulty"]: row for row in rows}
    timed = sum(row["timed"] for row in rows)
    stats = PerformanceStats(
        answers=sum(row["answered"] for row in rows),
        correct=sum(row["correct"] for row in rows),
        average_seconds=sum(row["seconds"] or 0.0 for row in rows) / timed if timed else None,
    )
    shares = [
        DifficultyShare(
            difficulty=level,
            answered=by_level.get(level, {}).get("answered", 0),
            correct=by_level.get(level, {}).get("correct", 0),
        )
        for level in DIFFICULTIES
    ]
    return stats, shares


def difficulty_distribution(*, user) -> list[DifficultyShare]:
    """Answered and correct items per authored difficulty 1–5 (zeros included)."""
    return answer_summary(user=user)[1]


def performance_stats(*, user) -> PerformanceStats:
    """How many items the learner answered, how many right, the average time per answer."""
    return answer_summary(user=user)[0]
