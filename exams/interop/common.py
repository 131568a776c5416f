"""What every foreign-format reader shares: the translation it returns, the category to
objective mapping, ids, points, the embedded metadata of our own exports, and turning
Moodle's HTML into our Markdown and plain text."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from exams.bank import expected_points
from exams.content.parsing import ID_PATTERN, MAX_QUESTIONS_PER_FILE, ContentProblem

# Formats by name, and the file endings that choose them when no format is given.
FORMATS = ("yaml", "moodle-xml", "gift", "aiken")
FORMAT_BY_SUFFIX = {".yaml": "yaml", ".yml": "yaml", ".xml": "moodle-xml", ".gift": "gift",
                    ".txt": "aiken"}  # fmt: skip
FORMAT_LABELS = {"moodle-xml": "Moodle XML", "gift": "GIFT", "aiken": "Aiken"}
# A foreign file's name (its format given or chosen by its ending): the set it imports into
# takes its stem, so the native characters only.
FOREIGN_FILE_NAME_PATTERN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
FOREIGN_FILE_NAME_RULE = "file names may use letters, digits, '.', '-' and '_'."
# An upload, whose format is chosen by its ending: the native rule, with the foreign endings.
IMPORT_FILE_NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]+\.(ya?ml|xml|gift|txt)")
IMPORT_FILE_NAME_RULE = (
    "file names may use letters, digits, '.', '-' and '_' and end in .yaml, .xml (Moodle XML), "
    ".gift or .txt (Aiken)."
)
DEFAULT_DIFFICULTY = 3
# A question here offers at most 26 lettered options; a foreign one with more than this is
# refused before its options are read, so a hostile file cannot make the reader crawl.
MAX_OPTIONS = 100
TOO_MANY_QUESTIONS = (
    f"the file has more than {MAX_QUESTIONS_PER_FILE} questions; split it into several files "
    "(reading stopped there)."
)
TOO_MANY_OPTIONS = f"a question here has at most {MAX_OPTIONS} options."
MAX_ID_LENGTH = 50
# The keys our exports embed (Moodle XML's <pcep> element, GIFT's "// pcep:" comment) for
# what the foreign format cannot say; a reader takes only these from it.
EMBEDDED_QUESTION_KEYS = (
    "id", "objective", "kind", "difficulty", "points", "code", "stdin", "output", "verify",
    "verify_reason", "select", "choose", "reviewed_by", "reviewed_on", "gaps",
)  # fmt: skip
EMBEDDED_OPTION_KEYS = ("id", "raises", "line", "explanation")
# json.loads recurses per nesting level; the embedded metadata needs three.
MAX_EMBEDDED_CHARACTERS = 200_000


@dataclass(frozen=True)
class InteropOptions:
    """How foreign files are read: the format (None: by file ending) and where questions go."""

    file_format: str | None = None
    categories: Mapping[str, str] = field(default_factory=dict)  # category path -> objective
    default_objective: str | None = None  # for questions whose category is not mapped
    title: str | None = None  # of the question set; default: "Imported from <file>"


@dataclass
class ForeignQuestion:
    """One translated question: the native mapping (its objective still to be decided)."""

    document: dict[str, Any]
    line: int
    category: str | None
    embedded_objective: str | None = None


@dataclass
class Translation:
    """What a reader made of a foreign file; problems name the file and line."""

    questions: list[ForeignQuestion] = field(default_factory=list)
    problems: list[ContentProblem] = field(default_factory=list)
    category_lines: dict[str, int] = field(default_factory=dict)
    # The set's title, description and version, when our own export embedded them.
    exam: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CategoryUse:
    """A category found in a file, and the objective its questions would go to (dry run)."""

    path: str
    category: str
    line: int | None
    questions: int
    objective: str | None
    source: str  # "mapping", "default", "embedded" or "" (not mapped)


def format_for(path_name: str, explicit: str | None) -> str | None:
    """The format a file is read in: the one given, or the one its ending names."""
    if explicit:
        return explicit
    suffix = path_name[path_name.rfind(".") :].lower() if "." in path_name else ""
    return FORMAT_BY_SUFFIX.get(suffix)


def parse_category_mapping(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """'category path=objective' lines (the command's --category, a mapping file, the admin's
    box) into a mapping, and the lines that say nothing sensible. The last '=' splits, so a
    category may contain '='; '#' starts a comment line."""
    mapping: dict[str, str] = {}
    errors = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        category, separator, objective = line.rpartition("=")
        if not separator or not category.strip() or not objective.strip():
            errors.append(f"{line!r} is not 'category path=objective'.")
            continue
        mapping[category.strip()] = objective.strip()
    return mapping, errors


def question_id(candidates: list[str], *, fallback: str, taken: dict[str, int]) -> str:
    """A stable id for a foreign question: the first candidate that is a valid id already
    (Moodle's idnumber, our own export's id), else one made from the name, else `fallback`;
    made unique within the file by a counter."""
    chosen = ""
    for candidate in candidates:
        candidate = (candidate or "").strip()
        if candidate and ID_PATTERN.fullmatch(candidate) and len(candidate) <= MAX_ID_LENGTH:
            chosen = candidate
            break
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", candidate).strip("-.")[:40].rstrip("-.")
        if slug:
            chosen = slug
            break
    chosen = chosen or fallback
    # `taken` maps each id given out to the next counter to try for it, so that a file of
    # thousands of questions with one name numbers them in linear time.
    unique, counter = chosen, taken.get(chosen, 2)
    while unique in taken:
        suffix = f"-{counter}"
        unique = chosen[: MAX_ID_LENGTH - len(suffix)] + suffix
        counter += 1
    if chosen in taken:
        taken[chosen] = counter
    taken[unique] = 2
    return unique


def native_question(
    *,
    question_id: str,
    kind: str,
    text: str,
    explanation: str,
    verify_reason: str,
    code: str = "",
    answers: list[dict] | None = None,
    gaps: list[dict] | None = None,
    tiles: list[dict] | None = None,
    choose: int | None = None,
) -> dict[str, Any]:
    """The native question mapping (docs/content-format.md) for a translated question: its
    points follow the points rule, its difficulty the middle of the scale, and its key is
    not run (a foreign file has no verifiable key), which `verify_reason` says."""
    document: dict[str, Any] = {
        "id": question_id,
        "kind": kind,
        "difficulty": DEFAULT_DIFFICULTY,
        "points": expected_points(
            kind=kind,
            options=len(answers or []),
            choose=choose,
            gaps=len(gaps or []) or len({tile["gap"] for tile in tiles or [] if tile.get("gap")}),
        ),
        "text": text,
    }
    if code:
        document["code"] = code
    if choose is not None:
        document["choose"] = choose
    if gaps is not None:
        document["gaps"] = gaps
    elif tiles is not None:
        document["tiles"] = tiles
    else:
        document["answers"] = answers or []
    document["verify"] = "none"
    document["verify_reason"] = verify_reason
    document["explanation"] = explanation
    return document


def parse_embedded(raw: str) -> tuple[dict[str, Any] | None, str | None]:
    """Our exports' metadata (JSON) from a file: (metadata, problem). Anything but a mapping
    of the known keys is refused; the values go through the native validation like any."""
    if len(raw) > MAX_EMBEDDED_CHARACTERS:
        return None, f"the embedded pcep metadata is over {MAX_EMBEDDED_CHARACTERS} characters."
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None, "the embedded pcep metadata is not valid JSON."
    if not isinstance(data, dict):
        return None, "the embedded pcep metadata must be a JSON object."
    unknown = sorted(set(data) - {*EMBEDDED_QUESTION_KEYS, "options", "tiles"})
    if unknown:
        return None, f"unknown key(s) in the embedded pcep metadata: {', '.join(unknown)[:60]}."
    return data, None


EMBEDDED_EXAM_KEYS = ("title", "description", "version")


def parse_embedded_exam(raw: str) -> dict[str, str]:
    """The set's metadata our exports embed; anything else is ignored (the set then takes
    the default title), since it changes no question."""
    if len(raw) > MAX_EMBEDDED_CHARACTERS:
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: data[key] for key in EMBEDDED_EXAM_KEYS if isinstance(data.get(key), str)}


def exam_metadata(exam: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(exam[key]) for key in EMBEDDED_EXAM_KEYS if exam.get(key)}


def apply_embedded(document: dict[str, Any], embedded: dict[str, Any]) -> None:
    """Overlay what the foreign format could not say (kind refinements, code, ids, the
    verification mode...) on the translated question. What the foreign file shows (texts,
    keys, feedback) stays the foreign file's: it is what an instructor may have edited."""
    for key in EMBEDDED_QUESTION_KEYS:
        if key in embedded and key != "objective":
            document[key] = embedded[key]
    if "verify" in embedded and "verify_reason" not in embedded:
        document.pop("verify_reason", None)  # the reader's "not run": the key runs again
    if embedded.get("kind") == "gap" and "gaps" in embedded:
        document.pop("answers", None)
    if embedded.get("kind") not in ("multiple", "lines") and "choose" not in embedded:
        document.pop("choose", None)
    if embedded.get("kind") != "lines":
        document.pop("select", None)
    for key in ("options", "tiles"):
        extras = embedded.get(key)
        target = document.get("tiles" if key == "tiles" else "answers")
        if not isinstance(extras, list) or not isinstance(target, list):
            continue
        for option, extra in zip(target, extras, strict=False):
            if not isinstance(extra, dict) or not isinstance(option, dict):
                continue
            for name in EMBEDDED_OPTION_KEYS:
                # A tile's explanation has no place in Moodle (the reader writes a stand-in);
                # an option's is its feedback, which the foreign file shows and may change.
                keeps_own = name == "explanation" and key == "options" and option.get(name)
                if name in extra and not keeps_own:
                    option[name] = extra[name]
            if document.get("kind") == "lines" and "line" in extra:
                option.pop("text", None)
    if document.get("kind") == "order":
        for option in document.get("answers", []):
            if isinstance(option, dict):
                option.pop("correct", None)


def embedded_metadata(document: dict[str, Any]) -> dict[str, Any]:
    """What an export embeds for a native question document (the inverse of apply_embedded)."""
    metadata = {key: document[key] for key in EMBEDDED_QUESTION_KEYS if key in document}
    options = []
    for option in document.get("answers", []):
        options.append({name: option[name] for name in EMBEDDED_OPTION_KEYS if name in option})
    if options:
        metadata["options"] = options
    if "tiles" in document:
        metadata["tiles"] = [
            {name: tile[name] for name in ("id", "explanation") if name in tile}
            for tile in document["tiles"]
        ]
    return metadata


# --- Moodle's HTML into our Markdown (the stem, feedback) and plain text (options) -----------

_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "tr"}
# Tags whose content is no text a learner reads: dropped with everything inside.
_DROPPED_TAGS = {"script", "style", "head", "title", "object", "iframe", "svg", "math"}
_INLINE_MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*"}


@dataclass
class ConvertedText:
    text: str
    code: str = ""  # the last <pre> block (or fenced block), when asked to take it
    images: int = 0  # <img> tags met: embedded or linked images are not imported


class _HtmlToMarkdown(HTMLParser):
    """An HTML reader that keeps text and the formatting Markdown can say, and drops the
    rest: no tag, attribute or script of the foreign file reaches a page (our Markdown
    renderer sanitises its own output as well)."""

    def __init__(self, *, plain: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.plain = plain
        self.parts: list[str] = []
        self.pre_blocks: list[str] = []
        self.pre_parts: list[str] | None = None
        self.dropped_depth = 0
        self.images = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _DROPPED_TAGS:
            self.dropped_depth += 1
        elif self.dropped_depth:
            return
        elif tag == "pre":
            self.pre_parts = []
        elif self.pre_parts is not None:
            return
        elif tag == "img":
            self.images += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append("\n" if self.plain else "\n- ")
        elif not self.plain and tag in _INLINE_MARKS:
            self.parts.append(_INLINE_MARKS[tag])
        elif not self.plain and tag == "code":
            self.parts.append("`")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_TAGS:
            self.dropped_depth = max(self.dropped_depth - 1, 0)
        elif self.dropped_depth:
            return
        elif tag == "pre" and self.pre_parts is not None:
            self.pre_blocks.append("".join(self.pre_parts))
            self.parts.append(f"\x00{len(self.pre_blocks) - 1}\x00")
            self.pre_parts = None
        elif self.pre_parts is not None:
            return
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        elif not self.plain and tag in _INLINE_MARKS:
            self.parts.append(_INLINE_MARKS[tag])
        elif not self.plain and tag == "code":
            self.parts.append("`")

    def handle_data(self, data: str) -> None:
        if self.dropped_depth:
            return
        if self.pre_parts is not None:
            self.pre_parts.append(data)
        else:
            # HTML collapses runs of white space; so do we (line breaks come from tags).
            self.parts.append(re.sub(r"\s+", " ", data))


def _tidy(text: str) -> str:
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _code_block(code: str) -> str:
    return "```\n" + code.strip("\n") + "\n```"


def convert_text(text: str, *, text_format: str, take_code: bool = False) -> ConvertedText:
    """Moodle text (html, markdown, plain_text, moodle_auto_format) as our Markdown. With
    `take_code` the last code block (<pre>, or a fenced block in Markdown) is taken out as
    the question's code; other code blocks stay in the text, fenced."""
    if text_format != "html":
        if take_code:
            # The last fenced block: our exports put the code after the stem's own blocks.
            matches = list(
                re.finditer(r"^```[^\n]*\n(.*?)^```[ \t]*$", text, re.MULTILINE | re.DOTALL)
            )
            match = matches[-1] if matches else None
            if match:
                rest = text[: match.start()] + text[match.end() :]
                return ConvertedText(_tidy(rest), code=match.group(1))
        return ConvertedText(text.strip())
    parser = _HtmlToMarkdown(plain=False)
    parser.feed(text)
    parser.close()
    code = ""
    joined = "".join(parser.parts)
    for index, block in enumerate(parser.pre_blocks):
        marker = f"\x00{index}\x00"
        if take_code and index == len(parser.pre_blocks) - 1:
            code = block.strip("\n") + "\n"
            joined = joined.replace(marker, "\n\n")
        else:
            joined = joined.replace(marker, "\n\n" + _code_block(block) + "\n\n")
    return ConvertedText(_tidy_outside_code(joined), code=code, images=parser.images)


def _tidy_outside_code(text: str) -> str:
    # Fenced blocks keep their indentation; everything else is tidied line by line.
    pieces = re.split(r"(```\n.*?\n```)", text, flags=re.DOTALL)
    tidied = [piece if piece.startswith("```\n") else _tidy(piece) for piece in pieces]
    return "\n\n".join(piece for piece in tidied if piece.strip()).strip()


def convert_plain(text: str, *, text_format: str) -> ConvertedText:
    """An option's text: plain text (options are shown as code, whitespace kept: an
    ordering item's indentation is part of it)."""
    if text_format != "html":
        return ConvertedText(text.strip("\r\n").rstrip())
    parser = _HtmlToMarkdown(plain=True)
    parser.feed(text)
    parser.close()
    joined = "".join(parser.parts)
    for index, block in enumerate(parser.pre_blocks):
        joined = joined.replace(f"\x00{index}\x00", block.strip("\n"))
    return ConvertedText(joined.strip(), images=parser.images)
