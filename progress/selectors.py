"""Reads for the learner's progress page."""

from django.db.models import FilteredRelation, Q, QuerySet

from exams.models import Topic


def progress_by_objective(*, user, syllabus=None) -> QuerySet[Topic]:
    """Every objective with this learner's progress row (or none yet), in syllabus order."""
    topics = Topic.objects.select_related("module").annotate(
        mine=FilteredRelation("user_progress", condition=Q(user_progress__user=user))
    )
    if syllabus is not None:
        topics = topics.filter(module__syllabus=syllabus)
    return topics.values(
        "code",
        "name",
        "module__number",
        "mine__questions_attempted",
        "mine__questions_correct",
        "mine__proficiency_level",
        "mine__average_time",
        "mine__last_practice_date",
    ).order_by("module__number", "display_order")
