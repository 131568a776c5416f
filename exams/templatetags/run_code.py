"""`{% run_code_panel feedback %}`: the "Run this code" fragment of an answered item."""

from __future__ import annotations

from django import template

from exams import runnable

register = template.Library()


@register.inclusion_tag("exams/_run_code.html")
def run_code_panel(feedback: dict) -> dict:
    """Only ever rendered inside item feedback, which selectors.feedback_is_visible guards:
    the key is in the program for gap, tiles and insert items."""
    question = feedback["question"]
    item = feedback["item"]
    code = runnable.runnable_code(
        kind=question.kind, code=question.code_snippet or "", answers=feedback["answers"]
    )
    return {
        "code": code,
        # The attempt's snapshot has no stdin: the live question's is the one to feed.
        "stdin": item.question.stdin if code else "",
        "panel_id": f"run-code-{item.pk}",
        "pyodide_loader": f"{runnable.PYODIDE_STATIC_DIRECTORY}pyodide.mjs",
        "pyodide_directory": runnable.PYODIDE_STATIC_DIRECTORY,
        "timeout_seconds": runnable.RUN_TIMEOUT_SECONDS,
        "rows": min(max(code.count("\n") + 2, 4), 24),
    }
