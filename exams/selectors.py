"""Reads that span relations: the syllabus as shown to learners."""

from django.db.models import Count, Prefetch, Q, QuerySet

from exams.models import Module, Syllabus, Topic


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
    return Syllabus.objects.order_by("-syllabus_date", "-id").first()
