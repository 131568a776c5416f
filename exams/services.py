"""Exam and practice rules: start, answer, flag, finish, score and regrade an attempt.

Template views, admin actions and commands all call these functions (drawing the items is
in exams/drawing.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from weakref import WeakKeyDictionary

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet
from django.db.models.expressions import Col
from django.utils import timezone

from exams.drawing import PracticeChoice, draw_practice_questions, draw_questions
from exams.errors import ATTEMPT_FINISHED, AttemptError, AttemptNotFound
from exams.models import Answer, Exam, ExamSession, Question, UserResponse
from exams.scoring import score_response
from exams.snapshots import answer_snapshot, question_snapshot, shown_question
from exams.webhooks import announce_attempt_finished
from progress.review import Outcome, schedule_review, schedule_reviews
from progress.services import refresh_progress

# Answers that arrive this long after the deadline still count: the request left the
# browser before time ran out and only the network was slow.
DEADLINE_GRACE = timedelta(seconds=5)
MAX_GAP_TEXT_LENGTH = 200
# Shown in their stored order, never shuffled: a tile pool in the file's order, the
# selectable lines in the code's order.
KEPT_ORDER_KINDS = (Question.Kind.TILES, Question.Kind.LINES)


def _create_items(attempt: ExamSession, question_ids: list[int], rng) -> None:
    questions = Question.objects.select_related("topic").in_bulk(question_ids)
    answers_by_question: dict[int, list[Answer]] = {pk: [] for pk in question_ids}
    for answer in Answer.objects.filter(question_id__in=question_ids).order_by(
        "answer_order", "id"
    ):
        answers_by_question[answer.question_id].append(answer)
    responses = []
    for position, question_id in enumerate(question_ids, start=1):
        answers = answers_by_question[question_id]
        # Options are shuffled once per attempt and stored, so a reload shows the same order.
        order = [answer.pk for answer in answers]
        question = questions[question_id]
        if question.kind not in KEPT_ORDER_KINDS:
            rng.shuffle(order)
        if question.kind == Question.Kind.ORDER and len(order) > 1:
            # Never show an ordering item already in its key order.
            key = [answer.pk for answer in answers]
            while order == key:
                rng.shuffle(order)
        responses.append(
            UserResponse(
                session=attempt,
                question_id=question_id,
                position=position,
                is_correct=False,
                is_skipped=True,
                response_data={"option_order": order},
                shown=question_snapshot(question, answers),
            )
        )
    UserResponse.objects.bulk_create(responses)


def _unfinished_attempt(*, user, exam: Exam) -> ExamSession | None:
    attempts = ExamSession.objects.for_user(user).in_progress().filter(exam=exam)
    return attempts.order_by("-id").first()


def running_attempt(*, user, exam: Exam, now: datetime | None = None) -> ExamSession | None:
    """The learner's attempt of this exam that is still on the clock, read without writing:
    starting again resumes it (start_attempt); an overdue one is finished by that start, not
    by viewing the start page."""
    current = _unfinished_attempt(user=user, exam=exam)
    if current is None or is_overdue(attempt=current, now=now):
        return None
    return current


@transaction.atomic
def start_attempt(*, user, exam: Exam, now: datetime | None = None, rng=None) -> ExamSession:
    """Start (or resume the unfinished) attempt of this exam for this learner."""
    now = now or timezone.now()
    if not exam.is_active or exam.kind == Exam.Kind.BANK:
        raise AttemptError("This exam is not available.")
    current = _unfinished_attempt(user=user, exam=exam)
    if current is not None and not expire_if_overdue(attempt=current, now=now):
        return current
    rng = rng or random.SystemRandom()
    question_ids = draw_questions(exam=exam, user=user, rng=rng)
    if not question_ids:
        raise AttemptError("This exam has no questions yet.")
    attempt = ExamSession.objects.create(
        user=user,
        exam=exam,
        mode=ExamSession.Mode.EXAM,
        start_time=now,
        deadline=now + timedelta(seconds=exam.time_limit),
        total_questions=len(question_ids),
        session_data={},
    )
    _create_items(attempt, question_ids, rng)
    return attempt


@transaction.atomic
def start_practice(*, user, choice: PracticeChoice, now=None, rng=None) -> ExamSession:
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    question_ids = draw_practice_questions(user=user, choice=choice, rng=rng)
    description = (
        f"Objective {choice.topic.code}"
        if choice.topic
        else (f"Block {choice.module.number}" if choice.module else "Whole syllabus")
    )
    attempt = ExamSession.objects.create(
        user=user,
        exam=None,
        mode=ExamSession.Mode.PRACTICE,
        start_time=now,
        total_questions=len(question_ids),
        session_data={
            "title": f"Review: {len(question_ids)} due items"
            if choice.review_due
            else f"Practice: {description}" + (" (my mistakes)" if choice.mistakes_only else ""),
        },
    )
    _create_items(attempt, question_ids, rng)
    return attempt


def is_overdue(*, attempt: ExamSession, now: datetime | None = None) -> bool:
    if attempt.deadline is None:
        return False
    return (now or timezone.now()) > attempt.deadline + DEADLINE_GRACE


def expire_if_overdue(*, attempt: ExamSession, now: datetime | None = None) -> bool:
    """Finish an attempt whose time ran out, with what was saved. True if it is finished."""
    if attempt.is_completed:
        return True
    if is_overdue(attempt=attempt, now=now):
        finish_attempt(attempt=attempt, now=now)
        return True
    return False


def _validated_response(question: Question, answers: Sequence[Answer], *, choice_ids,
                        order_ids, gap_texts) -> dict:  # fmt: skip
    """Check a submitted answer against the question; returns the response to store."""
    answer_ids = {answer.pk for answer in answers}
    kind = question.kind
    if question.takes_choices:
        if order_ids or gap_texts:
            raise AttemptError("This question takes a choice of options.")
        choices = list(dict.fromkeys(choice_ids))
        if not set(choices) <= answer_ids:
            raise AttemptError("That option does not belong to this question.")
        if question.takes_one_choice and len(choices) > 1:
            raise AttemptError("Choose only one answer.")
        if kind in Question.MULTIPLE_ANSWER_KINDS and len(choices) > (question.choose or 1):
            what = "lines" if kind == Question.Kind.LINES else "answers"
            raise AttemptError(f"Choose at most {question.choose} {what}.")
        return {"choices": choices}
    if kind == Question.Kind.ORDER:
        if choice_ids or gap_texts:
            raise AttemptError("This question takes an order of items.")
        order = list(order_ids)
        if order and (len(order) != len(answer_ids) or set(order) != answer_ids):
            raise AttemptError("Arrange every item exactly once.")
        return {"order": order}
    if choice_ids or order_ids:
        if kind == Question.Kind.TILES:
            raise AttemptError("This question takes a tile for each gap.")
        raise AttemptError("This question takes text for its gaps.")
    if kind == Question.Kind.TILES:
        # Spare tiles have no gap number: only the keyed tiles count the gaps.
        gap_count = len({a.gap_number for a in answers if a.gap_number is not None})
    else:
        gap_count = len({answer.gap_number for answer in answers})
    texts = [str(text) for text in gap_texts]
    if texts and len(texts) != gap_count:
        raise AttemptError(f"This question has {gap_count} gap(s).")
    if any(len(text) > MAX_GAP_TEXT_LENGTH for text in texts):
        raise AttemptError(f"A gap answer can be at most {MAX_GAP_TEXT_LENGTH} characters.")
    if kind == Question.Kind.TILES:
        pool = {answer.text for answer in answers}
        placed = [text for text in texts if text != ""]
        if not set(placed) <= pool:
            raise AttemptError("Each gap takes one of the tiles of the pool (or stays empty).")
        if len(placed) != len(set(placed)):
            raise AttemptError("Each tile can fill only one gap.")
    return {"gaps": texts}


def _is_blank(response: dict) -> bool:
    return not any(response.get(key) for key in ("choices", "order")) and not any(
        text.strip() for text in response.get("gaps", [])
    )


def get_item(*, attempt: ExamSession, question_id: int) -> UserResponse:
    try:
        return attempt.responses.select_related("question").get(question_id=question_id)
    except UserResponse.DoesNotExist:
        raise AttemptError("That question is not part of this attempt.") from None


def _open_attempt_for_change(attempt: ExamSession, *, now: datetime) -> ExamSession:
    """Lock and re-read the attempt; refuse a finished one, expire an overdue one.

    A save racing the timer's auto-submit must see the finished state, not the copy its
    request loaded earlier: the row lock orders it before or after the finish. Call it
    inside a transaction.
    """
    if not attempt.is_completed and is_overdue(attempt=attempt, now=now):
        raise _Overdue(attempt)
    attempt = ExamSession.objects.select_for_update().get(pk=attempt.pk)
    _refuse_finished(attempt)
    return attempt


def _refuse_finished(attempt: ExamSession) -> None:
    if attempt.is_completed:
        raise AttemptError(
            "This attempt is finished; its answers can no longer be changed.",
            code=ATTEMPT_FINISHED,
        )


# The answer save's two statements. Building them through the ORM (lookups, joins, deferred
# columns, the lock clause) cost more than running them, on the request every learner sends
# every minute or so (issue 13), and their shape never changes: so each is written once per
# database connection, from the models' own table and column names with the backend's
# quoting, lock clause and value conversions, and then only run with the save's values.

# What a save reads: the item, the rules of its attempt, what scoring needs of the question.
SAVE_FIELDS: dict[type[Model], tuple[str, ...]] = {
    UserResponse: (
        "id", "session", "question", "response_data", "shown", "is_bookmarked",
        "time_taken", "answered_at", "position",
    ),
    ExamSession: ("id", "user", "mode", "is_completed", "deadline", "start_time"),
    Question: ("id", "kind", "points", "choose", "topic"),
}  # fmt: skip
# What a save writes of the item (`_save_answer`); never its copy of the question (`shown`).
SAVED_FIELDS = (
    "response_data", "answer", "is_skipped", "is_correct", "points_earned", "time_taken",
    "answered_at",
)  # fmt: skip


@dataclass(frozen=True)
class _ModelColumns:
    """One model's part of the save's SELECT: its columns in the order of its fields (the
    order Model.from_db takes a partial row in) and each column's conversions."""

    model: type[Model]
    attnames: tuple[str, ...]
    converters: tuple[tuple[Callable, ...], ...]
    expressions: tuple[Col, ...]


@dataclass(frozen=True)
class _SaveStatements:
    select_sql: str
    selected: tuple[_ModelColumns, ...]
    update_sql: str
    updated: tuple[Field, ...]
    # The ids a column can hold: a larger one in a request matches no item (as the ORM
    # treats it), where the driver would refuse to send it.
    attempt_ids: tuple[int | None, int | None]
    question_ids: tuple[int | None, int | None]


# Per connection: the conversions are the connection's own (its time zone, its JSON codec).
_save_statements: WeakKeyDictionary[BaseDatabaseWrapper, _SaveStatements] = WeakKeyDictionary()


def _statements_for(connection: BaseDatabaseWrapper) -> _SaveStatements:
    statements = _save_statements.get(connection)
    if statements is None:
        statements = _save_statements[connection] = _write_save_statements(connection)
    return statements


def _write_save_statements(connection: BaseDatabaseWrapper) -> _SaveStatements:
    quote = connection.ops.quote_name
    columns, selected = [], []
    for model, names in SAVE_FIELDS.items():
        wanted = {model._meta.get_field(name).attname for name in names}
        fields = [field for field in model._meta.concrete_fields if field.attname in wanted]
        table = model._meta.db_table
        expressions = tuple(field.get_col(table) for field in fields)
        columns += [f"{quote(table)}.{quote(field.column)}" for field in fields]
        selected.append(
            _ModelColumns(
                model=model,
                attnames=tuple(field.attname for field in fields),
                converters=tuple(
                    tuple(connection.ops.get_db_converters(expression))
                    + tuple(expression.get_db_converters(connection))
                    for expression in expressions
                ),
                expressions=expressions,
            )
        )
    item, attempt, question = (quote(model._meta.db_table) for model in SAVE_FIELDS)
    session_column = quote(UserResponse._meta.get_field("session").column)
    question_column = quote(UserResponse._meta.get_field("question").column)
    select_sql = (
        f"SELECT {', '.join(columns)} FROM {item}"
        f" INNER JOIN {attempt} ON {attempt}.{quote(ExamSession._meta.pk.column)}"
        f" = {item}.{session_column}"
        f" INNER JOIN {question} ON {question}.{quote(Question._meta.pk.column)}"
        f" = {item}.{question_column}"
        f" WHERE {item}.{session_column} = %s AND {item}.{question_column} = %s"
    )
    # Only the attempt's row is locked (select_for_update(of=...)); SQLite has no row locks
    # and takes the database's write lock at BEGIN (settings: transaction_mode IMMEDIATE).
    if connection.features.has_select_for_update:
        locked = ()
        if connection.features.has_select_for_update_of:
            pk_column = quote(ExamSession._meta.pk.column)
            locked = (
                f"{attempt}.{pk_column}"
                if connection.features.select_for_update_of_column
                else attempt,
            )
        select_sql += " " + connection.ops.for_update_sql(of=locked)
    updated = tuple(UserResponse._meta.get_field(name) for name in SAVED_FIELDS)
    update_sql = (
        f"UPDATE {item} SET {', '.join(f'{quote(field.column)} = %s' for field in updated)}"
        f" WHERE {quote(UserResponse._meta.pk.column)} = %s"
    )
    return _SaveStatements(
        select_sql=select_sql,
        selected=tuple(selected),
        update_sql=update_sql,
        updated=updated,
        attempt_ids=connection.ops.integer_field_range(ExamSession._meta.pk.get_internal_type()),
        question_ids=connection.ops.integer_field_range(Question._meta.pk.get_internal_type()),
    )


def _within(value: int, bounds: tuple[int | None, int | None]) -> bool:
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)


def _read_item_for_save(*, attempt_id: int, question_id: int) -> UserResponse | None:
    """The item with its attempt and question attached (as select_related would), or None."""
    connection = connections[UserResponse.objects.db]
    statements = _statements_for(connection)
    if not (
        _within(attempt_id, statements.attempt_ids)
        and _within(question_id, statements.question_ids)
    ):
        return None
    with connection.cursor() as cursor:
        cursor.execute(statements.select_sql, [attempt_id, question_id])
        row = cursor.fetchone()
    if row is None:
        return None
    instances = []
    start = 0
    for part in statements.selected:
        values = list(row[start : start + len(part.attnames)])
        start += len(part.attnames)
        for index, converters in enumerate(part.converters):
            for convert in converters:
                values[index] = convert(values[index], part.expressions[index], connection)
        instances.append(part.model.from_db(connection.alias, part.attnames, values))
    item, attempt, question = instances
    item.session, item.question = attempt, question
    return item


def _write_saved_answer(item: UserResponse) -> None:
    """A plain UPDATE of the item's answer columns, as QuerySet.update would write them."""
    connection = connections[UserResponse.objects.db]
    statements = _statements_for(connection)
    values = [
        field.get_db_prep_save(getattr(item, field.attname), connection)
        for field in statements.updated
    ]
    with connection.cursor() as cursor:
        cursor.execute(statements.update_sql, [*values, item.pk])


def _open_item_for_change(
    *, attempt_id: int, learner_id: int, question_id: int, now: datetime
) -> UserResponse:
    """The item to save, with its attempt locked: one query reads both (an answer save is
    the hot path). The same rules as `_open_attempt_for_change`, in the same order: another
    learner's attempt is not found, a finished one refuses, an overdue one expires, and only
    then is a question outside the attempt refused. Call it inside a transaction."""
    item = _read_item_for_save(attempt_id=attempt_id, question_id=question_id)
    # Checked here rather than filtered on: the lookup stays on the unique index.
    if item is None or item.session.user_id != learner_id:
        attempt = (
            ExamSession.objects.select_for_update()
            .filter(pk=attempt_id, user_id=learner_id)
            .first()
        )
        if attempt is None:
            raise AttemptNotFound("There is no such attempt.")
        _open_attempt_for_change(attempt, now=now)
        raise AttemptError("That question is not part of this attempt.")
    attempt = item.session
    _refuse_finished(attempt)
    if is_overdue(attempt=attempt, now=now):
        raise _Overdue(attempt)
    return item


class _Overdue(Exception):
    """Internal: the attempt's time ran out; the caller finishes it outside its transaction."""

    def __init__(self, attempt: ExamSession):
        super().__init__()
        self.attempt = attempt


TIME_IS_UP = (
    "Time is up: this change arrived after the deadline and was not saved. "
    "The exam was submitted with the answers saved before then."
)


def record_answer(
    *,
    attempt: ExamSession,
    question_id: int,
    choice_ids: Sequence[int] = (),
    order_ids: Sequence[int] = (),
    gap_texts: Sequence[str] = (),
    now: datetime | None = None,
) -> UserResponse:
    """Save (or replace) the learner's answer to one item the moment it is given."""
    return record_learner_answer(
        learner_id=attempt.user_id,
        attempt_id=attempt.pk,
        question_id=question_id,
        choice_ids=choice_ids,
        order_ids=order_ids,
        gap_texts=gap_texts,
        now=now,
    )


def record_learner_answer(
    *,
    learner_id: int,
    attempt_id: int,
    question_id: int,
    choice_ids: Sequence[int] = (),
    order_ids: Sequence[int] = (),
    gap_texts: Sequence[str] = (),
    now: datetime | None = None,
) -> UserResponse:
    """`record_answer` for a caller that holds only the attempt's id (the item page's save):
    the learner's own attempt or AttemptNotFound, read with the item in one query. The
    saved item's `session` is the attempt as it was locked."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            item = _open_item_for_change(
                attempt_id=attempt_id, learner_id=learner_id, question_id=question_id, now=now
            )
            return _save_answer(
                item,
                choice_ids=choice_ids,
                order_ids=order_ids,
                gap_texts=gap_texts,
                now=now,
            )
    except _Overdue as overdue:
        finish_attempt(attempt=overdue.attempt, now=now)
        raise AttemptError(TIME_IS_UP, code=ATTEMPT_FINISHED) from None


def _scoring_answers(item: UserResponse) -> list:
    """The options an answer is checked and scored against: the attempt's copy of the item
    (what the learner was shown; a regrade refreshes its key), or, for a response stored
    before copies were kept, the question's options."""
    if item.shown:
        return list(shown_question(item.shown).answers)
    return list(item.question.answers.all())


def _save_answer(item: UserResponse, *, choice_ids, order_ids, gap_texts, now) -> UserResponse:
    attempt = item.session
    question = item.question
    if attempt.mode == ExamSession.Mode.PRACTICE and item.answered_at is not None:
        raise AttemptError(
            "You have already answered this question; its feedback is below.",
            code="already_answered",
        )
    answers = _scoring_answers(item)
    response = _validated_response(
        question, answers, choice_ids=choice_ids, order_ids=order_ids, gap_texts=gap_texts
    )
    blank = _is_blank(response)
    score = score_response(
        question,
        answers,
        choice_ids=response.get("choices", ()),
        order_ids=response.get("order", ()),
        gap_texts=response.get("gaps", ()),
    )
    previous = item.answered_at or attempt.start_time or now
    item.response_data = {**(item.response_data or {}), **response}
    item.answer_id = response["choices"][0] if question.takes_one_choice and not blank else None
    item.is_skipped = blank
    item.is_correct = score.is_correct and not blank
    item.points_earned = 0 if blank else score.points
    item.time_taken = round(item.time_taken + max((now - previous).total_seconds(), 0), 1)
    item.answered_at = None if blank else now
    # A plain UPDATE of the row created at start: two saves racing each other both succeed
    # and the later one wins, never a duplicate row. The attempt's copy of the item (`shown`)
    # is not part of it.
    _write_saved_answer(item)
    if attempt.mode == ExamSession.Mode.PRACTICE and not blank:
        # Practice sessions are often left unfinished, so they count answer by answer;
        # exam attempts count when they are finished.
        refresh_progress(user=attempt.user, topic_ids=[question.topic_id])
        schedule_review(
            user=attempt.user,
            question=question,
            credit=item.points_earned / (question.points or 1),
            time_taken=item.time_taken,
            now=now,
        )
    return item


@dataclass(frozen=True)
class AnswerInput:
    """One answer of a batch, as an offline or mobile client sends it."""

    question_id: int
    choice_ids: Sequence[int] = ()
    order_ids: Sequence[int] = ()
    gap_texts: Sequence[str] = ()
    # When the learner gave it, by the client's clock: only ever used to refuse an answer
    # the client itself says came after the deadline. The server's clock still decides
    # whether the batch arrived in time.
    answered_at: datetime | None = None


@dataclass(frozen=True)
class AnswerOutcome:
    question_id: int
    item: UserResponse | None = None  # the saved item, when it was saved
    error: AttemptError | None = None


class BatchRefused(AttemptError):
    """Some answers of a batch break a rule: none of the batch was saved."""

    default_code = "batch_invalid"

    def __init__(self, outcomes: list[AnswerOutcome]) -> None:
        refused = sum(1 for outcome in outcomes if outcome.error is not None)
        super().__init__(f"{refused} of {len(outcomes)} answers break a rule; none was saved.")
        self.outcomes = outcomes


LATE_ANSWER_CODE = "late_answer"
LATE_ANSWER = "This answer was given after the deadline, so it was not saved."


def record_answers(
    *, attempt: ExamSession, answers: Sequence[AnswerInput], now: datetime | None = None
) -> list[AnswerOutcome]:
    """Save a batch of answers in one transaction: all of them, or none if any is invalid.

    An answer its client says was given after the deadline is refused on its own (the
    others are saved); a batch that arrives after the deadline is refused whole.
    """
    now = now or timezone.now()
    question_ids = [entry.question_id for entry in answers]
    if len(set(question_ids)) != len(question_ids):
        raise AttemptError("Each item can appear only once in a batch.", field="answers")
    try:
        with transaction.atomic():
            attempt = _open_attempt_for_change(attempt, now=now)
            outcomes = [_save_batch_entry(attempt, entry, now=now) for entry in answers]
            if any(
                outcome.error is not None and outcome.error.code != LATE_ANSWER_CODE
                for outcome in outcomes
            ):
                raise BatchRefused(outcomes)  # rolls back the answers saved before it
            return outcomes
    except _Overdue as overdue:
        finish_attempt(attempt=overdue.attempt, now=now)
        raise AttemptError(TIME_IS_UP, code=ATTEMPT_FINISHED) from None


def _save_batch_entry(attempt: ExamSession, entry: AnswerInput, *, now: datetime) -> AnswerOutcome:
    if attempt.deadline and entry.answered_at and entry.answered_at > attempt.deadline:
        return AnswerOutcome(
            entry.question_id, error=AttemptError(LATE_ANSWER, code=LATE_ANSWER_CODE)
        )
    try:
        item = get_item(attempt=attempt, question_id=entry.question_id)
        item.session = attempt
        item = _save_answer(
            item,
            choice_ids=entry.choice_ids,
            order_ids=entry.order_ids,
            gap_texts=entry.gap_texts,
            now=now,
        )
    except AttemptError as error:
        return AnswerOutcome(entry.question_id, error=error)
    return AnswerOutcome(entry.question_id, item=item)


def set_flag(
    *, attempt: ExamSession, question_id: int, flagged: bool, now: datetime | None = None
) -> UserResponse:
    now = now or timezone.now()
    try:
        with transaction.atomic():
            attempt = _open_attempt_for_change(attempt, now=now)
            item = get_item(attempt=attempt, question_id=question_id)
            UserResponse.objects.filter(pk=item.pk).update(is_bookmarked=flagged)
            item.is_bookmarked = flagged
            return item
    except _Overdue as overdue:
        finish_attempt(attempt=overdue.attempt, now=now)
        raise AttemptError(TIME_IS_UP, code=ATTEMPT_FINISHED) from None


@transaction.atomic
def finish_attempt(*, attempt: ExamSession, now: datetime | None = None) -> ExamSession:
    """Submit: score every item, store the totals. Finishing twice changes nothing."""
    attempt = ExamSession.objects.select_for_update().get(pk=attempt.pk)
    if attempt.is_completed:
        return attempt
    now = now or timezone.now()
    end = min(now, attempt.deadline) if attempt.deadline else now
    items = _store_totals(attempt)
    attempt.is_completed = True
    attempt.end_time = end
    attempt.time_spent = max(int((end - attempt.start_time).total_seconds()), 0)
    attempt.save()
    refresh_progress(
        user=attempt.user,
        topic_ids=attempt.responses.values_list("question__topic_id", flat=True).distinct(),
    )
    if attempt.mode == ExamSession.Mode.EXAM:
        # Every item of a finished exam counts, a blank one as missed (docs/mastery.md).
        schedule_reviews(user=attempt.user, outcomes=_outcomes(items), now=end)
    # After the commit, so integrations never hear of a finish that was rolled back.
    transaction.on_commit(partial(announce_attempt_finished, attempt_id=attempt.pk))
    return attempt


def _outcomes(items: list[UserResponse]) -> list[Outcome]:
    return [
        Outcome(
            question_id=item.question_id,
            credit=(item.points_earned / (item.question.points or 1)) if item.answered_at else 0.0,
            time_taken=item.time_taken,
        )
        for item in items
    ]


def _store_totals(attempt: ExamSession) -> list[UserResponse]:
    items = list(attempt.responses.select_related("question"))
    earned = sum(item.points_earned for item in items)
    possible = sum(item.question.points for item in items)
    attempt.points_earned = round(earned, 4)
    attempt.points_possible = possible
    attempt.correct_answers = sum(1 for item in items if item.is_correct)
    attempt.total_questions = len(items)
    attempt.score = round(100 * earned / possible, 2) if possible else 0.0
    max_score = attempt.max_score
    attempt.scaled_score = round(max_score * earned / possible) if possible else 0
    attempt.passed = (
        attempt.score >= attempt.exam.pass_percent
        if attempt.exam and attempt.mode == ExamSession.Mode.EXAM
        else None
    )
    return items


def finish_overdue_attempts(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    finished = 0
    for attempt in ExamSession.objects.overdue(now=now - DEADLINE_GRACE):
        finish_attempt(attempt=attempt, now=now)
        finished += 1
    return finished


def offered_exams() -> QuerySet[Exam]:
    return Exam.objects.offered().order_by("kind", "title")


@dataclass(frozen=True)
class RegradeResult:
    attempts_checked: int
    responses_changed: int
    scores_changed: int


@transaction.atomic
def regrade_question(*, question: Question) -> RegradeResult:
    """Re-score every response to this question with its current key (after an author fixed
    a wrong key), refresh the key in the attempts' copies, and re-total finished attempts."""
    answers = list(question.answers.order_by("answer_order", "id"))
    # Every copy of the item, answered or not: answers still to come in running attempts
    # are scored against the copy, so it must carry the fixed key too.
    responses = list(UserResponse.objects.filter(question=question).select_for_update())
    changed_sessions: set[int] = set()
    responses_changed = 0
    for response in responses:
        if response.shown:
            response.shown["answers"] = [answer_snapshot(answer) for answer in answers]
            response.shown["explanation_html"] = question.explanation_html or ""
        if response.answered_at is None:
            continue
        stored = response.response_data or {}
        score = score_response(
            question,
            answers,
            choice_ids=stored.get("choices", ()),
            order_ids=stored.get("order", ()),
            gap_texts=stored.get("gaps", ()),
        )
        if score.points != response.points_earned or score.is_correct != response.is_correct:
            responses_changed += 1
            changed_sessions.add(response.session_id)
        response.points_earned, response.is_correct = score.points, score.is_correct
    UserResponse.objects.bulk_update(responses, ["points_earned", "is_correct", "shown"])
    scores_changed = 0
    attempts = ExamSession.objects.filter(pk__in=changed_sessions, is_completed=True)
    for attempt in attempts.select_related("exam"):
        before = (attempt.scaled_score, attempt.passed)
        _store_totals(attempt)
        attempt.save()
        scores_changed += (attempt.scaled_score, attempt.passed) != before
    return RegradeResult(
        attempts_checked=len(
            {response.session_id for response in responses if response.answered_at is not None}
        ),
        responses_changed=responses_changed,
        scores_changed=scores_changed,
    )
