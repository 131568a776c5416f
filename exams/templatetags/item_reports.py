"""`{% report_reasons as reasons %}`: the item report form's (value, label) choices."""

from django import template

from exams.models import ItemReport

register = template.Library()


@register.simple_tag
def report_reasons() -> list[tuple[str, str]]:
    return list(ItemReport.Reason.choices)
