"""Authored text to safe HTML: Markdown via an allowlist sanitizer, code via Pygments."""

from functools import cached_property, lru_cache

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from pygments.token import STANDARD_TYPES

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
    # The block scrolls sideways when a line is wider than the screen (static/css/code.css):
    # a keyboard user reaches it with Tab and scrolls it with the arrow keys.
    return highlight(code, PythonLexer(), formatter).replace(
        '<div class="codehilite">',
        '<div class="codehilite" tabindex="0" role="group" aria-label="Code">',
        1,
    )


# Stands in for each gap while the code is lexed: a control character, which authored code
# never holds (exams.content.rules refuses them), so it cannot clash with the code's text.
_GAP_STAND_IN = "\x00"


def _css_class(token_type) -> str:
    """The Pygments CSS class of a token, as HtmlFormatter names it (code.css styles it)."""
    while token_type not in STANDARD_TYPES:
        token_type = token_type.parent
    return STANDARD_TYPES[token_type]


def highlight_gap_lines(parts: list[dict]) -> list[dict]:
    """A gap or tiles item's code (split_gaps' parts) as numbered lines, each a list of
    segments: highlighted HTML ({"html"}) or a gap (its part: {"gap", "value"}). The whole
    code is lexed once with the gaps in place, so text around a gap (in a string, a call)
    takes the colours it has in the full program, the same classes as highlight_code."""
    gaps = iter([part for part in parts if "gap" in part])
    code = _GAP_STAND_IN.join(part.get("text", "") for part in parts if "gap" not in part)
    lines = [[]]  # per line: gap parts and (css class, text) pieces
    for token_type, value in PythonLexer(stripnl=False).get_tokens(code):
        for piece_index, piece in enumerate(value.split(_GAP_STAND_IN)):
            if piece_index:
                lines[-1].append(next(gaps))
            for line_index, line_text in enumerate(piece.split("\n")):
                if line_index:
                    lines.append([])
                if line_text:
                    lines[-1].append((_css_class(token_type), line_text))
    while lines and not lines[-1]:
        lines.pop()  # the lexer ends the code with a newline; that line is not shown
    return [
        {"number": number, "segments": _segments(pieces)}
        for number, pieces in enumerate(lines, start=1)
    ]


def _segments(pieces: list) -> list[dict]:
    """One line's pieces as template segments: each run of text between gaps is one HTML
    segment, and neighbouring tokens of one class share a span, as in HtmlFormatter's."""
    segments, run = [], []
    for piece in [*pieces, None]:
        if isinstance(piece, tuple):
            if run and run[-1][0] == piece[0]:
                run[-1] = (piece[0], run[-1][1] + piece[1])
            else:
                run.append(piece)
            continue
        if run:
            segments.append({"html": "".join(_span(*token) for token in run)})
            run = []
        if piece is not None:
            segments.append(piece)
    return segments


def _span(css_class: str, text: str) -> str:
    return f'<span class="{css_class}">{escape(text)}</span>' if css_class else escape(text)


class GapCode(list):
    """split_gaps' parts, the shape the API sends, which item.html can also show highlighted
    with line numbers as `.lines` (highlight_gap_lines)."""

    @cached_property
    def lines(self) -> list[dict]:
        return highlight_gap_lines(self)
