"""Panels other pages show with one tag: `{% load progress_panels %}{% study_plan_panel user %}`."""

from django import template

from exams.selectors import current_syllabus
from progress.study_plan import study_plan

register = template.Library()


@register.inclusion_tag("progress/_study_plan.html")
def study_plan_panel(user, syllabus=None, snapshot=None) -> dict:
    """The "Practise next" panel of the learner; nothing for an anonymous visitor.

    `snapshot`: the page's progress.selectors.LearnerSnapshot, when it already has one."""
    if not getattr(user, "is_authenticated", False):
        return {"plan": None}
    if snapshot is None:
        return {"plan": study_plan(user=user, syllabus=syllabus or current_syllabus())}
    return {"plan": study_plan(user=user, snapshot=snapshot)}
