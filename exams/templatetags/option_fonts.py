"""The option text tag: prose options in the text font, code options in the code font
(the rule is exams.report_answers.option_is_code)."""

from django import template
from django.utils.safestring import SafeString

from exams.report_answers import option_is_code, option_markup

register = template.Library()


@register.simple_tag
def option_text(text: str, kind: str, verify_mode: str = "") -> SafeString:
    """`{% option_text option.text question.kind question.verify_mode %}`"""
    return option_markup(
        text, is_code=option_is_code(kind=kind, text=text, verify_mode=verify_mode)
    )
