"""Panels other pages show with one tag: `{% load progress_panels %}{% study_plan_panel user %}`."""

from django import template

from exams.selectors import current_syllabus
from progress.study_plan import study_plan

register = template.Library()


@register.inclusion_tag("progress/_study_plan.html")
def study_plan_panel(user, syllabus=None, evidence=None) -> dict:
    """The "Practise next" panel of the learner; nothing for an anonymous visitor.

    `evidence`: the learner's evidence rows, when the page already read them."""
    if not getattr(user, "is_authenticated", False):
        return {"plan": None}
    return {
        "plan": study_plan(user=user, syllabus=syllabus or current_syllabus(), evidence=evidence)
    }
