"""Template views for learners: home, syllabus, exams, practice, attempts and score reports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exams import drawing, selectors, services
from exams.errors import AttemptError, AttemptNotFound
from exams.models import Exam, ExamSession, Module, Question, Topic
from exams.rendering import highlight_code
from progress.selectors import LearnerSnapshot, readiness

HISTORY_PAGE_SIZE = 25
NUMBER_KEY_KINDS = frozenset(
    {Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.INSERT, Question.Kind.LINES}
)


def home(request: HttpRequest) -> HttpResponse:
    syllabus = selectors.current_syllabus()
    modules = selectors.syllabus_modules(syllabus=syllabus)
    in_progress = []
    learner_readiness = None
    review_due = 0
    snapshot = None
    if request.user.is_authenticated:
        # Read and estimated once: the readiness panel, the study plan and the review button
        # share these figures.
        snapshot = LearnerSnapshot(
            user=request.user, syllabus=syllabus, now=timezone.now(), reuse_estimates=True
        )
        review_due = snapshot.due_reviews
        in_progress = list(
            ExamSession.objects.for_user(request.user).in_progress().select_related("exam")
        )
        learner_readiness = readiness(user=request.user, snapshot=snapshot)
    return render(
        request,
        "exams/home.html",
        {
            "syllabus": syllabus,
            "modules": modules,
            "in_progress": in_progress,
            "readiness": learner_readiness,
            "review_due": review_due,
            "snapshot": snapshot,
            "review_session_size": min(review_due, drawing.MAX_PRACTICE_ITEMS),
            "key_checks": selectors.key_checks(),
        },
    )


@login_required
def syllabus(request: HttpRequest) -> HttpResponse:
    syllabus = selectors.current_syllabus()
    modules = selectors.syllabus_modules(syllabus=syllabus)
    return render(request, "exams/syllabus.html", {"syllabus": syllabus, "modules": modules})


class PracticeForm(forms.Form):
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.select_related("module"), required=False, label="Objective"
    )
    module = forms.ModelChoiceField(queryset=Module.objects.all(), required=False, label="Block")
    difficulty = forms.TypedChoiceField(
        choices=[("", "Any")] + [(level, str(level)) for level in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    count = forms.IntegerField(
        min_value=1, max_value=drawing.MAX_PRACTICE_ITEMS, initial=10, label="Questions"
    )
    mistakes_only = forms.BooleanField(required=False, label="Only questions I got wrong")
    review_due = forms.BooleanField(
        required=False, label="Only my items due for review (spaced review)"
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for field, message in drawing.PracticeChoice(**cleaned).problems().items():
                self.add_error(field, message)
        return cleaned


@login_required
@require_GET
def exam_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "exams/exam_list.html",
        {
            "exams": services.offered_exams(),
            "practice_form": PracticeForm(),
            "syllabus": selectors.current_syllabus(),
            "in_progress": ExamSession.objects.for_user(request.user)
            .in_progress()
            .select_related("exam"),
        },
    )


def _exam_blocks(exam: Exam) -> list[dict]:
    """The exam's blocks with the items and points each contributes, from the exam's data:
    a mock exam's blueprint and block maxima (points None when the exam fixes none), a
    fixed set's own questions grouped by block."""
    if exam.kind == Exam.Kind.MOCK:
        names = {}
        if exam.syllabus_id:
            names = {
                str(number): name
                for number, name in exam.syllabus.modules.values_list("number", "name")
            }
        block_points = exam.block_points or {}
        return [
            {
                "number": block,
                "name": names.get(str(block), ""),
                "items": count,
                "points": block_points.get(str(block)),
            }
            for block, count in sorted(exam.blueprint.items())
        ]
    rows = (
        exam.questions.drawable()
        .values("topic__module__number", "topic__module__name")
        .annotate(items=Count("id"), points=Sum("points"))
        .order_by("topic__module__number")
    )
    return [
        {
            "number": row["topic__module__number"],
            "name": row["topic__module__name"] or "",
            "items": row["items"],
            "points": row["points"],
        }
        for row in rows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def start_exam(request: HttpRequest, exam_id: int) -> HttpResponse:
    """GET: the exam's rules and a "Start the exam" button; POST: start (or resume) it."""
    exam = get_object_or_404(Exam.objects.offered().select_related("syllabus"), pk=exam_id)
    if request.method == "GET":
        running = services.running_attempt(user=request.user, exam=exam)
        blocks = _exam_blocks(exam)
        seconds_left = selectors.seconds_left(attempt=running) if running else None
        return render(
            request,
            "exams/exam_start.html",
            {
                "exam": exam,
                "blocks": blocks,
                "item_count": sum(block["items"] for block in blocks),
                # attempt.passed is score >= pass_percent: the lowest whole number of points
                # that reaches it.
                "pass_points": -(-exam.max_score * exam.pass_percent // 100),
                "running": running,
                "minutes_left": -(-seconds_left // 60) if seconds_left is not None else None,
            },
        )
    try:
        attempt = services.start_attempt(user=request.user, exam=exam)
    except AttemptError as error:
        messages.error(request, error.message)
        return redirect("exams:list")
    return redirect("exams:attempt", attempt_id=attempt.pk)


@login_required
@require_POST
def start_practice(request: HttpRequest) -> HttpResponse:
    form = PracticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please correct the practice choices.")
        return render(
            request,
            "exams/exam_list.html",
            {"exams": services.offered_exams(), "practice_form": form, "in_progress": []},
            status=400,
        )
    try:
        attempt = services.start_practice(
            user=request.user, choice=drawing.PracticeChoice(**form.cleaned_data)
        )
    except AttemptError as error:
        messages.error(request, error.message)
        return redirect("exams:list")
    return redirect("exams:attempt", attempt_id=attempt.pk)


def _get_attempt_for_user(request: HttpRequest, attempt_id: int) -> ExamSession:
    """Another learner's attempt is a 404, for reading and writing alike."""
    return get_object_or_404(
        ExamSession.objects.select_related("exam"), pk=attempt_id, user=request.user
    )


@login_required
@require_GET
def attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request, attempt_id)
    services.expire_if_overdue(attempt=attempt)
    if attempt.is_completed:
        return redirect("exams:report", attempt_id=attempt.pk)
    return redirect(
        "exams:item", attempt_id=attempt.pk, position=selectors.resume_position(attempt=attempt)
    )


def _duration(seconds: int) -> str:
    minutes, seconds = divmod(max(seconds, 0), 60)
    return f"{minutes} min {seconds:02d} s"


def _code_html(question) -> str:
    """The item's code, highlighted; a code-insertion item's marker line stands out."""
    code = question.code_snippet or ""
    if not code:
        return ""
    marked = selectors.marker_lines(code) if question.kind == Question.Kind.INSERT else ()
    return highlight_code(code, marked_lines=tuple(marked))


def _item_code_html(question) -> str:
    # Gap and tiles items show their code with the gaps, select-the-lines items as lines
    # with a checkbox each: not as a highlighted block.
    if question.takes_gap_texts or question.kind == Question.Kind.LINES:
        return ""
    return _code_html(question)


@login_required
@require_GET
def item(request: HttpRequest, attempt_id: int, position: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request, attempt_id)
    if services.expire_if_overdue(attempt=attempt):
        if not attempt.is_completed:
            messages.info(request, "Time is up: your exam was submitted with your saved answers.")
        return redirect("exams:report", attempt_id=attempt.pk)
    items = selectors.attempt_items(attempt=attempt)
    if not 1 <= position <= len(items):
        raise Http404("No such item in this attempt.")
    current = next(entry for entry in items if entry.position == position)
    current = (
        attempt.responses.select_related("question")
        .prefetch_related("question__answers")
        .get(pk=current.pk)
    )
    context = {
        "attempt": attempt,
        "items": items,
        "item": current,
        "question": current.question,
        "options": selectors.options_in_attempt_order(current),
        # Keys 1-9 pick options or lines (attempt.js); other kinds have nothing to pick so.
        "number_keys_choose": current.question.kind in NUMBER_KEY_KINDS,
        "gap_parts": selectors.gap_parts(item=current),
        "code_lines": selectors.item_code_lines(item=current),
        "tile_pool": selectors.tile_pool(item=current),
        "code_html": _item_code_html(current.question),
        "seconds_left": selectors.seconds_left(attempt=attempt),
        "previous_position": position - 1 if position > 1 else None,
        "next_position": position + 1 if position < len(items) else None,
        "answered_count": sum(1 for entry in items if not entry.is_skipped),
        "feedback": selectors.item_feedback(item=current)
        if selectors.feedback_is_visible(attempt=attempt, item=current)
        else None,
    }
    return render(request, "exams/item.html", context)


def _int_list(values: list[str]) -> list[int]:
    try:
        return [int(value) for value in values if value != ""]
    except ValueError:
        raise AttemptError("An option must be given by its number.") from None


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _error_response(request, attempt, position, error: AttemptError, status: int = 400):
    if _wants_json(request):
        return JsonResponse({"saved": False, "error": error.message}, status=status)
    messages.error(request, error.message)
    if attempt.is_completed:
        return redirect("exams:report", attempt_id=attempt.pk)
    return redirect("exams:item", attempt_id=attempt.pk, position=position)


@login_required
@require_POST
def answer(request: HttpRequest, attempt_id: int, position: int) -> HttpResponse:
    # The hot path: the service reads the learner's attempt and the item in one query (a
    # stranger's attempt is AttemptNotFound, a 404); the view reads the attempt itself only
    # to answer an error.
    try:
        question_id = _int_list([request.POST.get("question", "")])
        if len(question_id) != 1:
            raise AttemptError("The question is missing from the request.")
        saved = services.record_learner_answer(
            learner_id=request.user.pk,
            attempt_id=attempt_id,
            question_id=question_id[0],
            choice_ids=_int_list(request.POST.getlist("choice")),
            order_ids=_int_list(request.POST.getlist("order")),
            gap_texts=request.POST.getlist("gap"),
        )
    except AttemptNotFound:
        raise Http404("No such attempt.") from None
    except AttemptError as error:
        attempt = _get_attempt_for_user(request, attempt_id)
        status = 409 if attempt.is_completed else 400
        return _error_response(request, attempt, position, error, status)
    attempt = saved.session
    if _wants_json(request):
        payload = {
            "saved": True,
            "answered": not saved.is_skipped,
            "incomplete": selectors.item_status(saved) == "incomplete",
        }
        if verdict := selectors.practice_verdict(attempt=attempt, item=saved):
            payload["verdict"] = verdict
        if selectors.feedback_is_visible(attempt=attempt, item=saved):
            payload["feedback_html"] = render_to_string(
                "exams/_feedback.html",
                {"feedback": selectors.item_feedback(item=saved)},
                request=request,
            )
        return JsonResponse(payload)
    return redirect("exams:item", attempt_id=attempt.pk, position=position)


@login_required
@require_POST
def flag(request: HttpRequest, attempt_id: int, position: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request, attempt_id)
    try:
        question_id = _int_list([request.POST.get("question", "")])
        flagged = request.POST.get("flagged") == "1"
        services.set_flag(attempt=attempt, question_id=question_id[0], flagged=flagged)
    except (AttemptError, IndexError) as error:
        message = error if isinstance(error, AttemptError) else AttemptError("Bad request.")
        return _error_response(request, attempt, position, message)
    if _wants_json(request):
        return JsonResponse({"saved": True, "flagged": flagged})
    return redirect("exams:item", attempt_id=attempt.pk, position=position)


@login_required
@require_GET
def review(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request, attempt_id)
    if services.expire_if_overdue(attempt=attempt):
        return redirect("exams:report", attempt_id=attempt.pk)
    items = selectors.attempt_items(attempt=attempt)
    return render(
        request,
        "exams/review.html",
        {
            "attempt": attempt,
            "items": items,
            "unanswered": [entry for entry in items if entry.is_skipped],
            "incomplete": [entry for entry in items if entry.status == "incomplete"],
            "flagged": [entry for entry in items if entry.is_bookmarked],
            "seconds_left": selectors.seconds_left(attempt=attempt),
        },
    )


@login_required
@require_POST
def finish(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request, attempt_id)
    services.finish_attempt(attempt=attempt)
    return redirect("exams:report", attempt_id=attempt.pk)


@login_required
@require_GET
def report(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request, attempt_id)
    services.expire_if_overdue(attempt=attempt)
    attempt.refresh_from_db()
    if not attempt.is_completed:
        messages.info(request, "The score report appears once the attempt is submitted.")
        return redirect("exams:attempt", attempt_id=attempt.pk)
    items = selectors.review_items(attempt=attempt)
    # "Show only what I got wrong": every item not fully right, blanks included.
    only_wrong = request.GET.get("only") == "wrong"
    wrong_count = sum(1 for entry in items if not entry.is_correct)
    if only_wrong:
        items = [entry for entry in items if not entry.is_correct]
    reviewed = [selectors.item_feedback(item=entry) for entry in items]
    for entry in reviewed:
        entry["code_html"] = _code_html(entry["question"])
    return render(
        request,
        "exams/report.html",
        {
            "attempt": attempt,
            "blocks": selectors.block_breakdown(attempt=attempt),
            "objectives": selectors.objective_breakdown(attempt=attempt),
            "ran_out_of_time": selectors.ran_out_of_time(attempt=attempt),
            "time_taken": _duration(attempt.time_spent),
            "reviewed": reviewed,
            "only_wrong": only_wrong,
            "wrong_count": wrong_count,
            "retake_url": reverse("exams:start", args=[attempt.exam_id]) if attempt.exam_id else "",
        },
    )


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    # A page at a time: a learner with hundreds of attempts gets pages, not one huge table.
    # Out-of-range or malformed page numbers show the nearest real page.
    page = Paginator(selectors.history(user=request.user), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "exams/history.html", {"attempts": page.object_list, "page": page})
