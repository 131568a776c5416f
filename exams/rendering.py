"""Authored text to safe HTML: Markdown via an allowlist sanitizer, code via Pygments."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

# Raw HTML in content is escaped by the parser and anything left is cleaned by nh3, so an
# author's (or an imported file's) <script> never runs in a learner's browser.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a",
    "table", "thead", "tbody", "tr", "th", "td", "h3", "h4", "hr",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> str:
    return nh3.clean(
        _markdown.render(text or ""),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


@lru_cache(maxsize=4096)
def highlight_code(code: str, *, marked_lines: tuple[int, ...] = ()) -> str:
    """Server-side highlighted Python with line numbers (a table of numbers and code);
    marked_lines (numbered from 1; a tuple, as results are cached) are emphasised, like
    the `# insert here` line."""
    formatter = HtmlFormatter(
        linenos="table", cssclass="codehilite", wrapcode=True, hl_lines=list(marked_lines)
    )
    return highlight(code, PythonLexer(), formatter)


def code_stylesheet() -> str:
    light = HtmlFormatter(style="default").get_style_defs(".codehilite")
    dark = HtmlFormatter(style="monokai").get_style_defs(".codehilite")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
