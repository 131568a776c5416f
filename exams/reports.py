"""Item reports: a learner flags a problem with an item they answered; an instructor works
the queue (resolve, dismiss, or resolve and regrade after fixing the key).

The template view, the REST API and the admin all call these functions.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from exams.errors import AttemptError, ExamsError
from exams.models import ExamSession, ItemReport, Question, UserResponse
from exams.services import RegradeResult, regrade_question

MAX_MESSAGE_LENGTH = 2000


def _check_reportable(*, user, session: ExamSession | None, question: Question) -> None:
    """A learner may report only an item they were shown and answered (or whose attempt is
    over): no reports on unseen items, nor through someone else's attempt."""
    if session is None:
        raise AttemptError("A report needs the attempt the item was answered in.", field="session")
    if session.user_id is None or session.user_id != user.pk:
        raise AttemptError("This attempt is not yours.", code="not_found", field="session")
    item = UserResponse.objects.filter(session=session, question=question).first()
    if item is None:
        raise AttemptError("This question is not part of this attempt.", field="question")
    if item.answered_at is None and not session.is_completed:
        raise AttemptError(
            "You can report a problem with an item once you have answered it.",
            code="not_answered",
            field="question",
        )


def _clean_reason(reason: str) -> str:
    if reason not in ItemReport.Reason.values:
        choices = ", ".join(ItemReport.Reason.values)
        raise AttemptError(f"Choose a reason: one of {choices}.", field="reason")
    return reason


def _clean_message(message: str | None, *, reason: str) -> str:
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE_LENGTH:
        raise AttemptError(
            f"The message is too long: at most {MAX_MESSAGE_LENGTH} characters "
            f"(it has {len(message)}).",
            field="message",
        )
    if reason == ItemReport.Reason.OTHER and not message:
        raise AttemptError("Please say what the problem is.", field="message")
    return message


def report_item(
    *,
    user,
    session: ExamSession | None,
    question: Question,
    reason: str,
    message: str = "",
) -> ItemReport:
    """Record (or update) the learner's open report on this item.

    One open report per learner and question: reporting again changes that report's reason
    and message instead of adding a duplicate to the instructors' queue.
    """
    _check_reportable(user=user, session=session, question=question)
    reason = _clean_reason(reason)
    message = _clean_message(message, reason=reason)
    with transaction.atomic():
        # Lock the question row so two concurrent reports cannot both create one.
        Question.objects.select_for_update().filter(pk=question.pk).first()
        report = (
            ItemReport.objects.open()
            .select_for_update()
            .filter(user=user, question=question)
            .order_by("-created_at", "-id")
            .first()
        )
        if report is None:
            return ItemReport.objects.create(
                user=user, session=session, question=question, reason=reason, message=message
            )
        report.reason, report.message, report.session = reason, message, session
        report.save(update_fields=["reason", "message", "session"])
        return report


def resolve_report(
    *,
    report: ItemReport,
    by,
    resolution: str = "",
    dismiss: bool = False,
    regrade: bool = False,
) -> RegradeResult | None:
    """Close a report: resolved, or dismissed (no problem found).

    With `regrade=True` (after the instructor fixed the item's key) every answer to the
    question is re-scored with `services.regrade_question`, whose result is returned.
    """
    if dismiss and regrade:
        raise ExamsError("A dismissed report does not regrade anything.", field="regrade")
    with transaction.atomic():
        report.status = ItemReport.Status.DISMISSED if dismiss else ItemReport.Status.RESOLVED
        report.resolved_at = timezone.now()
        report.resolved_by = by
        report.resolution = (resolution or "").strip()
        report.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
        if regrade:
            return regrade_question(question=report.question)
    return None
