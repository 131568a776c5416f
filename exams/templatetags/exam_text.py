"""Template filters for authored text."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from exams.rendering import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Authored Markdown (explanations use `code`), sanitized by exams.rendering."""
    return mark_safe(render_markdown(text or ""))
