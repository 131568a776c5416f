"""Reads that span relations: the syllabus as shown to learners."""

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from exams.content.rules import split_gaps
from exams.models import Answer, ExamSession, Module, Question, Syllabus, Topic, UserResponse
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


def attempt_items(*, attempt) -> list:
    """The attempt's items in order, with their questions (navigator and review screen)."""
    return list(
        attempt.responses.select_related("question").only(
            "id", "session_id", "position", "question_id", "is_skipped", "is_bookmarked",
            "answered_at", "question__kind", "question__points",
        )
    )  # fmt: skip


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
            "earned": row["earned"] or 0,
            "possible": row["possible"] or 0,
            "percent": round(100 * (row["earned"] or 0) / row["possible"])
            if row["possible"]
            else 0,
        }
        for row in rows
    ]


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
    """The gap question's code split into text and numbered inputs, with saved texts."""
    question = item.question
    if question.kind != Question.Kind.GAP:
        return []
    saved = (item.response_data or {}).get("gaps") or []
    return split_gaps(question.code_snippet or "", values=saved)


def item_feedback(*, item) -> dict:
    """An answered item with its key and explanations, as the attempt showed it."""
    stored = item.response_data or {}
    if "shown" in stored:
        # What the attempt showed, not today's version of the question.
        question = shown_question(stored["shown"])
        answers = list(question.answers)
        objective = question.objective
    else:
        question = item.question
        answers = list(question.answers.all())
        objective = question.topic.code if question.topic else ""
    answers.sort(key=lambda answer: (answer.answer_order, answer.pk))
    return {
        "item": item,
        "question": question,
        "objective": objective,
        "answers": answers,
        "chosen": set(stored.get("choices", [])),
        "order_given": stored.get("order", []),
        "gaps_given": stored.get("gaps", []),
    }
