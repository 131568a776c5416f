"""Item statistics for instructors: facility, discrimination, option counts, the cohort view.

Every number here comes from aggregate queries (COUNT, AVG, SUM in the database); Python only
does arithmetic on the few per-question totals those queries return (the Pearson formula).

Which responses count:

- "Answered" means `answered_at` is set: the learner committed to an answer. Unanswered
  (skipped) items are left out. Answered responses count in every attempt, finished or still
  in progress, exam or practice: practice sessions are often never finished, and an answer
  saved in an attempt in progress is the learner's current choice. `times_answered`,
  `facility`, `average_time`, `option_counts` and the cohort view all use this rule.
- Discrimination uses FINISHED EXAM-mode attempts only, every item in them, unanswered ones
  scoring 0: it compares an item with the rest of a whole, submitted exam.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from exams.models import Answer, ExamSession, Question, Topic, UserResponse

MIN_RESPONSES_FOR_FLAGS = 30
COHORT_DEFAULT_DAYS = 30
DATE_RANGE_REVERSED = "The start date must be on or before the end date."
FACILITY_LOW = 0.2
FACILITY_HIGH = 0.95
DISCRIMINATION_LOW = 0.1

ANSWERED = Q(answered_at__isnull=False)
# A question worth 0 points has no item score; leaving it out also avoids a division by zero.
IN_FINISHED_EXAM = Q(
    session__is_completed=True, session__mode=ExamSession.Mode.EXAM, question__points__gt=0
)


@dataclass(frozen=True)
class ItemStatistics:
    """One question's statistics, as shown on its admin page."""

    times_answered: int
    facility: float | None
    discrimination: float | None
    average_time: float | None
    option_counts: dict[int, int]
    flags: list[str]


class OptionRow(NamedTuple):
    """How often one option of a choice question was chosen, and its share of the answers."""

    answer: Answer
    count: int
    share: float | None


@dataclass(frozen=True)
class CohortRow:
    """One objective's share of correct answers in the cohort view."""

    objective_code: str
    objective_name: str
    block_number: int | None
    responses: int
    correct: int
    share_correct: float | None


def _answered_aggregates() -> dict[str, Aggregate]:
    """Times answered, facility and average time over UserResponse rows."""
    # A CASE rather than Cast(is_correct, FloatField()): PostgreSQL cannot cast a boolean
    # straight to double precision.
    correct_as_number = Case(
        When(is_correct=True, then=Value(1.0)), default=Value(0.0), output_field=FloatField()
    )
    return {
        "times_answered": Count("pk", filter=ANSWERED),
        "facility": Avg(correct_as_number, filter=ANSWERED),
        "average_time": Avg("time_taken", filter=ANSWERED),
    }


def _discrimination_aggregates() -> dict[str, Aggregate]:
    """The sums the Pearson correlation of item score and rest-of-attempt score needs."""
    item_score = ExpressionWrapper(
        F("points_earned") / F("question__points"), output_field=FloatField()
    )
    rest_score = ExpressionWrapper(
        F("session__points_earned") - F("points_earned"), output_field=FloatField()
    )
    return {
        "pairs": Count("pk", filter=IN_FINISHED_EXAM),
        "sum_x": Sum(item_score, filter=IN_FINISHED_EXAM),
        "sum_y": Sum(rest_score, filter=IN_FINISHED_EXAM),
        "sum_xy": Sum(item_score * rest_score, filter=IN_FINISHED_EXAM),
        "sum_xx": Sum(item_score * item_score, filter=IN_FINISHED_EXAM),
        "sum_yy": Sum(rest_score * rest_score, filter=IN_FINISHED_EXAM),
    }


def _pearson(row: dict) -> float | None:
    """Pearson's r from the sums of `_discrimination_aggregates`; None when undefined."""
    n = row["pairs"]
    if n < 2:
        return None
    sum_x, sum_y = row["sum_x"], row["sum_y"]
    # Everyone with the same item score (or the same rest score) leaves r undefined; the
    # tolerance absorbs floating-point noise from fractional scores.
    if _same_value(n * row["sum_xx"], sum_x * sum_x) or _same_value(
        n * row["sum_yy"], sum_y * sum_y
    ):
        return None
    spread_x = n * row["sum_xx"] - sum_x * sum_x
    spread_y = n * row["sum_yy"] - sum_y * sum_y
    r = (n * row["sum_xy"] - sum_x * sum_y) / math.sqrt(spread_x * spread_y)
    return max(-1.0, min(1.0, r))


def _same_value(first: float, second: float) -> bool:
    return math.isclose(first, second, rel_tol=1e-9, abs_tol=1e-9)


def _flags(
    *, times_answered: int, facility: float | None, discrimination: float | None
) -> list[str]:
    """Why a question needs review; none until it has MIN_RESPONSES_FOR_FLAGS answers."""
    if times_answered < MIN_RESPONSES_FOR_FLAGS:
        return []
    flags = []
    if facility is not None and facility < FACILITY_LOW:
        flags.append(f"facility {facility:.2f} < {FACILITY_LOW}")
    if facility is not None and facility > FACILITY_HIGH:
        flags.append(f"facility {facility:.2f} > {FACILITY_HIGH}")
    if discrimination is not None and discrimination < DISCRIMINATION_LOW:
        flags.append(f"discrimination {discrimination:.2f} < {DISCRIMINATION_LOW}")
    return flags


def annotate_item_statistics(queryset: QuerySet[Question]) -> QuerySet[Question]:
    """Add `times_answered`, `facility` and `average_time` (answered responses, see above).

    Each is a correlated subquery rather than an aggregate over a join, so the columns stay
    right when the caller (the admin changelist) adds other annotations, and they sort.
    `facility` and `average_time` are None for a question nobody has answered.
    """
    per_question = (
        UserResponse.objects.filter(question=OuterRef("pk")).order_by().values("question")
    )
    columns = {
        name: Subquery(per_question.annotate(value=aggregate).values("value"))
        for name, aggregate in _answered_aggregates().items()
    }
    columns["times_answered"] = Coalesce(columns["times_answered"], 0)
    return queryset.annotate(**columns)


def item_statistics(*, question: Question) -> ItemStatistics:
    """All statistics of one question in at most two queries, however many responses it has."""
    option_ids = []
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        option_ids = list(
            question.answers.order_by("answer_order", "id").values_list("pk", flat=True)
        )
    row = UserResponse.objects.filter(question=question).aggregate(
        **_answered_aggregates(),
        **_discrimination_aggregates(),
        **{f"option_{pk}": _option_count(pk, positions=len(option_ids)) for pk in option_ids},
    )
    discrimination = _pearson(row)
    return ItemStatistics(
        times_answered=row["times_answered"],
        facility=row["facility"],
        discrimination=discrimination,
        average_time=row["average_time"],
        option_counts={pk: row[f"option_{pk}"] for pk in option_ids},
        flags=_flags(
            times_answered=row["times_answered"],
            facility=row["facility"],
            discrimination=discrimination,
        ),
    )


def option_rows(*, question: Question, stats: ItemStatistics) -> list[OptionRow]:
    """Each counted option of `question` with its count and share of all answers."""
    answers = {answer.pk: answer for answer in question.answers.all()}
    return [
        OptionRow(
            answers[pk], count, count / stats.times_answered if stats.times_answered else None
        )
        for pk, count in stats.option_counts.items()
        if pk in answers
    ]


def _option_count(answer_id: int, *, positions: int) -> Count:
    """Answered responses whose `response_data["choices"]` holds `answer_id`.

    JSONField's `contains` lookup is not supported on SQLite, so this tests each array
    position instead (`response_data__choices__0 == id`, `__1`, …), which both SQLite and
    PostgreSQL compile to a JSON path comparison. Choices are distinct option ids of this
    question (exams.services._validated_response), so a response has at most one per option:
    `positions` = the number of options covers every position. Single-choice responses store
    their choice the same way, so one rule serves both kinds.
    """
    chosen = Q()
    for position in range(positions):
        chosen |= Q(**{f"response_data__choices__{position}": answer_id})
    return Count("pk", filter=ANSWERED & chosen)


def flagged_question_ids(*, questions: QuerySet[Question]) -> set[int]:
    """The ids among `questions` that `item_statistics` would flag, in one grouped query."""
    rows = (
        UserResponse.objects.filter(question__in=questions.values("pk"))
        .order_by()
        .values("question_id")
        .annotate(**_answered_aggregates(), **_discrimination_aggregates())
        .filter(times_answered__gte=MIN_RESPONSES_FOR_FLAGS)
    )
    return {
        row["question_id"]
        for row in rows
        if _flags(
            times_answered=row["times_answered"],
            facility=row["facility"],
            discrimination=_pearson(row),
        )
    }


def default_cohort_range() -> tuple[date, date]:
    """The cohort view's dates when none are chosen: the last COHORT_DEFAULT_DAYS days,
    today included."""
    today = timezone.localdate()
    return today - timedelta(days=COHORT_DEFAULT_DAYS - 1), today


def date_range_problem(*, start: date | None, end: date | None) -> str | None:
    """What is wrong with a range of whole days, if anything."""
    if start and end and start > end:
        return DATE_RANGE_REVERSED
    return None


def cohort_counts_by_question(*, start: date, end: date) -> QuerySet[Question]:
    """Wrong and correct answered responses per question (`question_id`, `wrong`, `correct`),
    `answered_at` from `start` to `end`.

    Each question's wrong and right answers are counted apart, by two correlated subqueries
    that each read one tight range of `idx_user_responses_question_correct_answered`
    (question, is_correct, answered_at) and never the table. A GROUP BY over a range of
    dates would read the same index entries but sort them all into a temporary tree first:
    at 500,000 responses with 165,000 in the last 30 days that took 100 ms of CPU on SQLite,
    these ranges 12 ms (bench/cohort_bench.py, docs/capacity.md).
    """

    def answered_in_range(*, is_correct: bool) -> Subquery:
        count = (
            UserResponse.objects.filter(
                question=OuterRef("pk"),
                # `in`, not `=`: Django writes a boolean `=` as a bare column (or NOT column),
                # which SQLite does not match against the index's second column.
                is_correct__in=[is_correct],
                answered_at__gte=start_of_day(start),
                answered_at__lt=start_of_day(end + timedelta(days=1)),
            )
            .order_by()
            # COUNT as a plain function: an aggregate would add a GROUP BY to every subquery.
            .annotate(count=Func(F("pk"), function="COUNT"))
            .values("count")
        )
        return Subquery(count)

    return (
        Question.objects.order_by()
        .annotate(
            wrong=answered_in_range(is_correct=False), correct=answered_in_range(is_correct=True)
        )
        .values("wrong", "correct", question_id=F("pk"))
    )


def unverified_counts_by_question(*, start: date, end: date) -> QuerySet[UserResponse]:
    """The part of cohort_counts_by_question that comes from learners who have not confirmed
    their email address yet (User.email_verified; docs/accounts-security.md).

    Subtracted rather than filtered out of the main count, which then keeps to its covering
    index: unverified learners are few (recent sign-ups), so this query starts from them
    (idx_users_unverified) and reads only their responses.
    """
    return (
        UserResponse.objects.filter(
            session__in=ExamSession.objects.filter(user__email_verified=False).values("pk"),
            answered_at__gte=start_of_day(start),
            answered_at__lt=start_of_day(end + timedelta(days=1)),
        )
        .order_by()
        .values("question_id")
        .annotate(responses=Count("pk"), correct=Count("pk", filter=Q(is_correct=True)))
    )


def cohort_by_objective(*, start: date, end: date) -> list[CohortRow]:
    """Per objective, the share of answers correct from `start` to `end` (whole days).

    Counts every verified learner's answered responses whose `answered_at` falls on those
    dates in the site's time zone. Weakest objectives first; ties in syllabus order;
    objectives nobody answered come last with `share_correct` None.

    Four queries whatever the number of responses: the per-question counts, the unverified
    learners' part of them, the questions' objectives and the objectives. The few hundred
    per-question totals are added up per objective here, which spares the database a join
    from every response to its question.
    """
    topic_of_question = dict(
        Question.objects.filter(topic__isnull=False).values_list("pk", "topic_id")
    )
    responses: dict[int, int] = defaultdict(int)
    correct: dict[int, int] = defaultdict(int)
    for row in cohort_counts_by_question(start=start, end=end):
        topic_id = topic_of_question.get(row["question_id"])
        if topic_id is not None:
            responses[topic_id] += row["wrong"] + row["correct"]
            correct[topic_id] += row["correct"]
    for row in unverified_counts_by_question(start=start, end=end):
        topic_id = topic_of_question.get(row["question_id"])
        if topic_id is not None:
            responses[topic_id] -= row["responses"]
            correct[topic_id] -= row["correct"]
    rows = [
        CohortRow(
            objective_code=topic.code,
            objective_name=topic.name,
            block_number=topic.module.number if topic.module else None,
            responses=responses[topic.pk],
            correct=correct[topic.pk],
            share_correct=correct[topic.pk] / responses[topic.pk] if responses[topic.pk] else None,
        )
        for topic in Topic.objects.select_related("module").order_by("display_order", "id")
    ]
    # Weakest first, unanswered last; then syllabus order (block, then the objective's place).
    return sorted(
        rows,
        key=lambda row: (
            row.share_correct is None,
            row.share_correct or 0.0,
            row.block_number is None,
            row.block_number or 0,
        ),
    )


def start_of_day(day: date) -> datetime:
    """Midnight at the start of `day` in the site's time zone: ranges of whole days count
    from here."""
    return timezone.make_aware(datetime.combine(day, time.min))
