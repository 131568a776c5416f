"""Reads that span relations: the syllabus as shown to learners."""

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from exams.content.rules import INSERT_LINE_PATTERN, split_gaps
from exams.models import Answer, ExamSession, Module, Question, Syllabus, Topic, UserResponse
from exams.rendering import GapCode
from exams.report_answers import own_answer
from exams.snapshots import shown_question


def syllabus_modules(*, syllabus: Syllabus | None = None) -> QuerySet[Module]:
    """Blocks in exam order with their objectives and active question counts."""
    modules = Module.objects.all()
    if syllabus is not None:
        modules = modules.filter(syllabus=syllabus)
    topics = Topic.objects.annotate(
        active_question_count=Count(
            "questions",
            filter=Q(questions__is_active=True, questions__exam__is_active=True),
        )
    ).order_by("display_order", "id")
    return modules.select_related("syllabus").prefetch_related(Prefetch("topics", queryset=topics))


def current_syllabus() -> Syllabus | None:
    return current_syllabus_ids().first()


def current_syllabus_ids() -> QuerySet[Syllabus]:
    """The current syllabus as a lazy query, for filters built before any request."""
    return Syllabus.objects.order_by("-syllabus_date", "-id")[:1]


def item_status(item) -> str:
    """ "answered", "incomplete" (a multiple-answer item with fewer picks than it asks for:
    it can earn at most part of its points) or "unanswered"."""
    if item.is_skipped:
        return "unanswered"
    question = item.question
    if question.kind in question.MULTIPLE_ANSWER_KINDS and question.choose:
        picked = len((item.response_data or {}).get("choices") or ())
        if picked < question.choose:
            return "incomplete"
    return "answered"


def practice_verdict(*, attempt, item) -> str:
    """ "right", "partly right" or "wrong" for a practice item already answered (its key is
    shown then), "" otherwise: an exam's items get no verdict before the report."""
    if attempt.mode != ExamSession.Mode.PRACTICE or item.answered_at is None:
        return ""
    if item.is_correct:
        return "right"
    return "partly right" if item.points_earned else "wrong"


def attempt_items(*, attempt) -> list:
    """The attempt's items in order, with their questions, `status` (navigator and review
    screen) and, in practice, each answered item's `verdict`."""
    items = list(
        attempt.responses.select_related("question").only(
            "id", "session_id", "position", "question_id", "is_skipped", "is_bookmarked",
            "answered_at", "is_correct", "points_earned", "response_data", "question__kind",
            "question__points", "question__choose",
        )
    )  # fmt: skip
    for entry in items:
        entry.status = item_status(entry)
        entry.verdict = practice_verdict(attempt=attempt, item=entry)
    return items


def resume_position(*, attempt) -> int:
    """Where a learner coming back to the attempt (on any device) carries on: the item after
    the one they answered last, or that item when it is the last one; item 1 before any
    answer. Derived from the saved answers, so viewing an item writes nothing."""
    last = (
        attempt.responses.filter(answered_at__isnull=False)
        .order_by("-answered_at", "-position")
        .values_list("position", flat=True)
        .first()
    )
    if last is None:
        return 1
    return min(last + 1, attempt.responses.count())


def options_in_attempt_order(item) -> list:
    """The item's options in the order stored for this attempt."""
    answers = {answer.pk: answer for answer in item.question.answers.all()}
    stored = item.response_data or {}
    # An ordering question shows the learner's saved arrangement once there is one.
    order = stored.get("order") or stored.get("option_order") or sorted(answers)
    return [answers[pk] for pk in order if pk in answers]


def block_breakdown(*, attempt) -> list[dict]:
    """Per syllabus block: points earned ÷ points possible, as on the real score report."""
    rows = (
        attempt.responses.values("question__topic__module__number", "question__topic__module__name")
        .annotate(earned=Sum("points_earned"), possible=Sum("question__points"))
        .order_by("question__topic__module__number")
    )
    return [
        {
            "number": row["question__topic__module__number"],
            "name": row["question__topic__module__name"],
            **_points_share(row),
        }
        for row in rows
    ]


def _points_share(row: dict) -> dict:
    """Points earned, possible and the percentage, from a row summing both."""
    earned, possible = row["earned"] or 0, row["possible"] or 0
    return {
        "earned": earned,
        "possible": possible,
        "percent": round(100 * earned / possible) if possible else 0,
    }


def objective_breakdown(*, attempt) -> list[dict]:
    """Per objective: items, points earned ÷ points possible (the report's second table)."""
    rows = (
        attempt.responses.values("question__topic__code", "question__topic__name")
        .annotate(items=Count("id"), earned=Sum("points_earned"), possible=Sum("question__points"))
        .order_by("question__topic__module__number", "question__topic__code")
    )
    return [
        {
            "code": row["question__topic__code"],
            "name": row["question__topic__name"],
            "items": row["items"],
            **_points_share(row),
        }
        for row in rows
    ]


def ran_out_of_time(*, attempt) -> bool:
    """Whether a timed attempt ended at its deadline rather than being submitted."""
    return bool(attempt.deadline and attempt.end_time and attempt.end_time >= attempt.deadline)


def review_items(*, attempt) -> list:
    """Every item with its question and options, for the finished attempt's report."""
    return list(
        attempt.responses.select_related("question__topic", "answer").prefetch_related(
            Prefetch("question__answers", queryset=Answer.objects.order_by("answer_order", "id"))
        )
    )


def history(*, user):
    return ExamSession.objects.for_user(user).select_related("exam").order_by("-start_time")


def questions_with_learner_answers(*, question_ids) -> set[int]:
    """Which of these questions learners answered: their options keep their identity."""
    return set(
        UserResponse.objects.filter(
            Q(answered_at__isnull=False) | Q(answer__isnull=False), question_id__in=question_ids
        )
        .values_list("question_id", flat=True)
        .distinct()
    )


def question_has_learner_answers(*, question) -> bool:
    return bool(questions_with_learner_answers(question_ids=[question.pk]))


def seconds_left(*, attempt, now=None) -> int | None:
    """Time left on the server's clock (None for untimed practice), never negative."""
    if attempt.deadline is None:
        return None
    return max(int((attempt.deadline - (now or timezone.now())).total_seconds()), 0)


def feedback_is_visible(*, attempt, item) -> bool:
    """Keys and explanations reach the learner only after finishing, or after answering in
    practice; every learner-facing page and API response asks this one question."""
    if attempt.is_completed:
        return True
    return attempt.mode == ExamSession.Mode.PRACTICE and item.answered_at is not None


def gap_parts(*, item) -> list[dict]:
    """The gap (or tiles) question's code split into text and numbered gaps, with saved texts;
    item.html shows them as highlighted, numbered lines (`.lines`), the API as they are."""
    question = item.question
    if not question.takes_gap_texts:
        return GapCode()
    saved = (item.response_data or {}).get("gaps") or []
    return GapCode(split_gaps(question.code_snippet or "", values=saved))


def marker_lines(code: str) -> list[int]:
    """The numbers (from 1) of a code-insertion item's `# insert here` line."""
    return [
        number
        for number, line in enumerate(code.splitlines(), start=1)
        if INSERT_LINE_PATTERN.fullmatch(line)
    ]


def _line_number(answer) -> int | None:
    try:
        return int(str(answer.text).strip())
    except ValueError:
        return None


def code_lines(*, code: str, answers, chosen=()) -> list[dict]:
    """A select-the-lines item's code as numbered lines; each offered line has its option."""
    offered = {_line_number(answer): answer for answer in answers}
    chosen = set(chosen)
    return [
        {
            "number": number,
            "text": line,
            "option": offered.get(number),
            "checked": number in offered and offered[number].pk in chosen,
        }
        for number, line in enumerate(code.splitlines(), start=1)
    ]


def item_code_lines(*, item) -> list[dict]:
    question = item.question
    if question.kind != Question.Kind.LINES:
        return []
    stored = item.response_data or {}
    return code_lines(
        code=question.code_snippet or "",
        answers=question.answers.all(),
        chosen=stored.get("choices") or [],
    )


def tile_pool(*, item) -> list[dict]:
    """A tiles item's pool in its order, each tile marked when one of the gaps holds it."""
    if item.question.kind != Question.Kind.TILES:
        return []
    placed = [text for text in (item.response_data or {}).get("gaps") or [] if text]
    return [
        {"tile": answer, "placed": answer.text in placed}
        for answer in options_in_attempt_order(item)
    ]


def item_feedback(*, item) -> dict:
    """An answered item with its key and explanations, as the attempt showed it."""
    stored = item.response_data or {}
    if item.shown:
        # What the attempt showed, not today's version of the question.
        question = shown_question(item.shown)
        answers = list(question.answers)
        objective = question.objective
    else:
        question = item.question
        answers = list(question.answers.all())
        objective = question.topic.code if question.topic else ""
    answers.sort(key=lambda answer: (answer.answer_order, answer.pk))
    chosen = set(stored.get("choices", []))
    gaps_given = stored.get("gaps", [])
    feedback = {
        "item": item,
        "question": question,
        "objective": objective,
        "answers": answers,
        "chosen": chosen,
        "order_given": stored.get("order", []),
        "gaps_given": gaps_given,
        # The font of each option (report_answers.option_is_code) follows how its key is
        # checked; the attempt's copy of the question does not keep that.
        "verify_mode": item.question.verify_mode,
        **own_answer(kind=question.kind, answers=answers, stored=stored),
    }
    if question.kind == Question.Kind.LINES:
        lines = code_lines(code=question.code_snippet or "", answers=answers, chosen=chosen)
        by_number = {line["number"]: line["text"] for line in lines}
        feedback["lines_review"] = [
            {"answer": answer, "number": _line_number(answer),
             "code": by_number.get(_line_number(answer), "")}
            for answer in sorted(answers, key=lambda answer: _line_number(answer) or 0)
        ]  # fmt: skip
    return feedback


def key_checks() -> dict[str, int]:
    """What the home page may claim about the keys: of the questions learners can be given,
    how many had their key confirmed by running the code, and how many a reviewer read."""
    counts = dict(
        Question.objects.drawable()
        .order_by()
        .values("verification_status")
        .annotate(count=Count("pk"))
        .values_list("verification_status", "count")
    )
    reviewed = (
        Question.objects.drawable()
        .filter(verification_status=Question.VerificationStatus.NOT_VERIFIABLE)
        .exclude(reviewed_by="")
        .count()
    )
    return {
        "drawable": sum(counts.values()),
        "verified": counts.get(Question.VerificationStatus.VERIFIED, 0),
        "reviewed": reviewed,
    }
