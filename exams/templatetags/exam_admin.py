"""The admin index's bank health line: what learners are not given, and why."""

from django import template

from exams.models import ItemReport, Question

register = template.Library()


@register.simple_tag
def bank_health() -> dict[str, int]:
    return {
        "held_back": Question.objects.active().blocked().count(),
        "unchecked": Question.objects.active()
        .filter(verification_status=Question.VerificationStatus.UNCHECKED)
        .count(),
        "open_reports": ItemReport.objects.open().count(),
    }
