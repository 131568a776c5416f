"""Moodle XML (Moodle's question bank export) in and out. Files are parsed only with
defusedxml: a DTD or entity declaration (billion laughs, external entities) is refused."""

from __future__ import annotations

import itertools
import json
import re
import xml.etree.ElementTree as ElementTree
import xml.sax
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from exams.content.parsing import ContentProblem
from exams.interop.common import (
    MAX_OPTIONS,
    MAX_QUESTIONS_PER_FILE,
    TOO_MANY_OPTIONS,
    TOO_MANY_QUESTIONS,
    ForeignQuestion,
    Translation,
    apply_embedded,
    convert_plain,
    convert_text,
    embedded_metadata,
    exam_metadata,
    native_question,
    parse_embedded,
    parse_embedded_exam,
    question_id,
)

VERIFY_REASON = "Imported from Moodle XML: its key has no code to run; a reviewer checks it."
REFUSED_TYPES = {
    "essay": "an essay is marked by a person; this product scores every item itself",
    "matching": "matching pairs have no kind here",
    "randomsamatch": "random short-answer matching has no kind here",
    "numerical": "a numerical answer with a tolerance has no kind here",
    "description": "a description is no question (it asks for no answer)",
    "calculated": "calculated questions draw numbers from formulas; no kind here does",
    "calculatedsimple": "calculated questions draw numbers from formulas; no kind here does",
    "calculatedmulti": "calculated questions draw numbers from formulas; no kind here does",
    "random": "a random question is a placeholder for another question of its category",
    "ddimageortext": "drag and drop onto an image needs the image, which is not imported",
    "ddmarker": "drag and drop onto an image needs the image, which is not imported",
}
DTD_REFUSED = (
    "the file declares a DTD or entities (<!DOCTYPE ...>, <!ENTITY ...>): refused, because "
    "entities can make a small file expand to gigabytes (the 'billion laughs') or read files "
    "from the server (external entities). Moodle's own exports never use them."
)
FILES_REFUSED = (
    'it embeds files (<file encoding="base64">, such as images): question media are not '
    "imported; remove the image, or describe what it shows in the text."
)
IMAGES_REFUSED = (
    "its text shows images (<img>): question media are not imported; remove the image, or "
    "describe what it shows in the text."
)
# Cloze subquestions: {weight:TYPE:answers}, with \} and \~ escaped inside.
CLOZE_PATTERN = re.compile(r"\{(\d*):([A-Za-z_]+):((?:\\.|[^\\}])*)\}")
CLOZE_SHORT_ANSWER_TYPES = {"SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"}
PLACEHOLDER_PATTERN = re.compile(r"\[\[(\d+)\]\]")
BLANK_PATTERN = re.compile(r"_{3,}")
FRACTION_TOLERANCE = 0.01
# A Moodle file nests five deep (quiz, question, answer, feedback, text); deeper nesting is
# refused while parsing, before the recursive walks over the tree could exhaust the stack.
MAX_XML_DEPTH = 40


@dataclass
class _Element:
    """An XML element as read: tag, attributes, children, text, and the line it starts on
    (ElementTree keeps no lines; every problem names one)."""

    tag: str
    attributes: dict[str, str]
    line: int
    children: list[_Element] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def child(self, tag: str) -> _Element | None:
        return next((child for child in self.children if child.tag == tag), None)

    def all(self, tag: str) -> list[_Element]:
        return [child for child in self.children if child.tag == tag]

    def value(self, tag: str) -> str:
        """The text of <tag><text>...</text></tag>, or of <tag>...</tag>, trimmed."""
        return self.raw(tag).strip()

    def raw(self, tag: str) -> str:
        """As `value`, untrimmed: an option's leading spaces may be code indentation."""
        node = self.child(tag)
        if node is None:
            return ""
        inner = node.child("text")
        return inner.text if inner is not None else node.text

    def contains(self, tag: str) -> bool:
        return any(child.tag == tag or child.contains(tag) for child in self.children)


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _TreeBuilder(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.root: _Element | None = None
        self.stack: list[_Element] = []
        self.locator = None

    def setDocumentLocator(self, locator) -> None:
        self.locator = locator

    def startElement(self, name, attrs) -> None:
        line = self.locator.getLineNumber() if self.locator else 0
        if len(self.stack) >= MAX_XML_DEPTH:
            raise _TooDeep(line)
        element = _Element(name, dict(attrs.items()), line)
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def endElement(self, name) -> None:
        self.stack.pop()

    def characters(self, content) -> None:
        if self.stack:
            self.stack[-1].parts.append(content)


def _make_parser():
    """defusedxml's expat reader, refusing any DTD, entity declaration or external entity."""
    return DefusedExpatParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)


def _parse(text: str) -> _Element | None:
    builder = _TreeBuilder()
    parser = _make_parser()
    parser.setContentHandler(builder)
    builder.setDocumentLocator(parser)  # expat's reader is its own locator; feed() sets none
    parser.setErrorHandler(xml.sax.handler.ErrorHandler())
    # Fed as str, not bytes: expat then reads the UTF-8 text it was decoded from, whatever
    # encoding its declaration claims (a made-up one would otherwise raise LookupError).
    parser.feed(text)
    parser.close()
    return builder.root


class _Refused(Exception):
    """The question cannot be translated; the messages say why."""

    def __init__(self, *messages: str) -> None:
        super().__init__(messages)
        self.messages = list(messages)


def read_moodle_xml(text: str, *, path: str) -> Translation:
    """Translate a Moodle XML file into native questions, each with its line."""
    translation = Translation()

    def problem(message: str, line: int | None = None, question: str | None = None) -> None:
        translation.problems.append(ContentProblem(path, line, question, message))

    try:
        root = _parse(text)
    except DefusedXmlException:
        problem(DTD_REFUSED)
        return translation
    except xml.sax.SAXParseException as error:
        problem(f"malformed XML: {error.getMessage()}.", error.getLineNumber())
        return translation
    except _TooDeep as too_deep:
        problem(
            f"elements are nested more than {MAX_XML_DEPTH} levels deep; a Moodle XML file "
            "needs five.",
            too_deep.line,
        )
        return translation
    if root is None or root.tag != "quiz":
        problem("a Moodle XML file holds <quiz> with <question> elements.")
        return translation
    if root.child("pcep-set") is not None:
        translation.exam = parse_embedded_exam(root.child("pcep-set").text)
    category: str | None = None
    taken: dict[str, int] = {}
    stem = PurePath(path).stem
    for position, node in enumerate(root.all("question"), start=1):
        if len(translation.questions) + len(translation.problems) >= MAX_QUESTIONS_PER_FILE:
            problem(TOO_MANY_QUESTIONS, node.line)
            break
        question_type = node.attributes.get("type", "")
        if question_type == "category":
            category = node.value("category") or None
            if category:
                translation.category_lines.setdefault(category, node.line)
            continue
        embedded, embedded_problem = None, None
        if node.child("pcep") is not None:
            embedded, embedded_problem = parse_embedded(node.child("pcep").text)
        candidates = [
            str((embedded or {}).get("id", "")),
            node.value("idnumber"),
            node.value("name"),
        ]
        identifier = question_id(candidates, fallback=f"{stem}-{position}", taken=taken)
        try:
            if embedded_problem:
                raise _Refused(embedded_problem)
            document = _translate(node, question_type, identifier)
        except _Refused as refused:
            for message in refused.messages:
                problem(message, node.line, identifier)
            continue
        if embedded:
            apply_embedded(document, embedded)
            document["id"] = identifier
        objective = (embedded or {}).get("objective")
        translation.questions.append(
            ForeignQuestion(
                document=document,
                line=node.line,
                category=category,
                embedded_objective=objective if isinstance(objective, str) else None,
            )
        )
    return translation


def _translate(node: _Element, question_type: str, identifier: str) -> dict[str, Any]:
    if question_type in REFUSED_TYPES:
        raise _Refused(
            f"Moodle question type '{question_type}' is not supported: "
            f"{REFUSED_TYPES[question_type]}."
        )
    translators = {
        "multichoice": _multichoice,
        "truefalse": _truefalse,
        "shortanswer": _shortanswer,
        "ordering": _ordering,
        "ddwtos": _tile_pool,
        "gapselect": _tile_pool,
        "multianswer": _cloze,
    }
    if question_type not in translators:
        raise _Refused(f"Moodle question type '{question_type or '(none)'}' is not supported.")
    if node.contains("file"):
        raise _Refused(FILES_REFUSED)
    if len(node.all("answer")) + len(node.all("dragbox")) + len(node.all("selectoption")) > (
        MAX_OPTIONS
    ):
        raise _Refused(TOO_MANY_OPTIONS)
    stem_node = node.child("questiontext")
    stem_format = stem_node.attributes.get("format", "html") if stem_node else "html"
    stem = convert_text(node.value("questiontext"), text_format=stem_format, take_code=True)
    if stem.images:
        raise _Refused(IMAGES_REFUSED)
    feedback_node = node.child("generalfeedback")
    general_feedback = convert_text(
        node.value("generalfeedback"),
        text_format=feedback_node.attributes.get("format", "html") if feedback_node else "html",
    )
    if general_feedback.images:
        raise _Refused(f"<generalfeedback>: {IMAGES_REFUSED}")
    explanation = general_feedback.text
    problems = []
    if not explanation:
        problems.append(
            "it has no <generalfeedback>: questions here need an explanation of the key, shown "
            "after answering; write it as the question's general feedback."
        )
    if not stem.text and not stem.code:
        problems.append("its <questiontext> is empty.")
    try:
        document = translators[question_type](node, identifier, stem, explanation)
    except _Refused as refused:
        raise _Refused(*problems, *refused.messages) from None
    if problems:
        raise _Refused(*problems)
    return document


@dataclass
class _Option:
    number: int
    text: str
    fraction: float
    feedback: str


def _options(node: _Element) -> list[_Option]:
    options, problems = [], []
    for number, answer in enumerate(node.all("answer"), start=1):
        text_format = answer.attributes.get("format", "html")
        converted = convert_plain(answer.raw("text"), text_format=text_format)
        if converted.images:
            problems.append(f"answer {number}: {IMAGES_REFUSED}")
        raw_fraction = answer.attributes.get("fraction", "0")
        try:
            fraction = float(raw_fraction)
        except ValueError:
            problems.append(f"answer {number} has fraction {raw_fraction[:20]!r}, not a number.")
            fraction = 0.0
        feedback_node = answer.child("feedback")
        feedback = convert_text(
            answer.value("feedback"),
            text_format=feedback_node.attributes.get("format", "html") if feedback_node else "html",
        )
        if feedback.images:
            problems.append(f"answer {number}'s feedback: {IMAGES_REFUSED}")
        options.append(_Option(number, converted.text, fraction, feedback.text))
    if problems:
        raise _Refused(*problems)
    return options


def _shown(fraction: float) -> str:
    return f"{fraction:g}%"


def _explained(options: list[_Option]) -> list[dict]:
    """Choice options with their feedback as explanations, which every option needs."""
    missing = [str(option.number) for option in options if not option.feedback]
    if missing:
        raise _Refused(
            f"answer(s) {', '.join(missing)} have no <feedback>: every option here needs an "
            "explanation (for a wrong one, the misconception behind it)."
        )
    return [{"text": option.text, "explanation": option.feedback} for option in options]


def _multichoice(node: _Element, identifier: str, stem, explanation: str) -> dict:
    options = _options(node)
    single = node.value("single").lower() in ("true", "1")
    try:
        answers = _explained(options)
    except _Refused as refused:
        try:
            _multichoice_key(options, single=single)
        except _Refused as key_refused:
            raise _Refused(*key_refused.messages, *refused.messages) from None
        raise
    kind, choose = _multichoice_key(options, single=single)
    for answer, option in zip(answers, options, strict=True):
        answer["correct"] = option.fraction > 0
    return native_question(
        question_id=identifier, kind=kind, text=stem.text, code=stem.code, answers=answers,
        choose=choose, explanation=explanation, verify_reason=VERIFY_REASON,
    )  # fmt: skip


def _multichoice_key(options: list[_Option], *, single: bool) -> tuple[str, int | None]:
    """The kind and `choose` Moodle's fractions stand for, or why they cannot be represented."""
    if single:
        partial = [option for option in options if option.fraction not in (0.0, 100.0)]
        if partial:
            raise _Refused(
                "a single-answer question here scores all or nothing, so each answer is 100% "
                "or 0%; found "
                + ", ".join(f"answer {o.number} at {_shown(o.fraction)}" for o in partial)
                + "."
            )
        correct = [option for option in options if option.fraction == 100.0]
        if len(correct) != 1:
            raise _Refused(f"a single-answer question needs one 100% answer; found {len(correct)}.")
        return "single", None
    else:
        negative = [option for option in options if option.fraction < 0]
        if negative:
            raise _Refused(
                "negative fractions (a penalty for choosing a wrong option) cannot be "
                "represented: here a wrong option earns 0; found "
                + ", ".join(f"answer {o.number} at {_shown(o.fraction)}" for o in negative)
                + "."
            )
        correct = [option for option in options if option.fraction > 0]
        shares = {round(option.fraction, 2) for option in correct}
        total = sum(option.fraction for option in correct)
        if not correct:
            raise _Refused("no answer has a positive fraction: nothing is correct.")
        if max(shares) - min(shares) > FRACTION_TOLERANCE or abs(total - 100) > 0.1:
            raise _Refused(
                "the correct answers must share 100% equally (each right option earns "
                "points / choose here); found "
                + ", ".join(f"answer {o.number} at {_shown(o.fraction)}" for o in correct)
                + "."
            )
        return ("single", None) if len(correct) == 1 else ("multiple", len(correct))


def _truefalse(node: _Element, identifier: str, stem, explanation: str) -> dict:
    options = _options(node)
    words = {option.text.strip().lower(): option for option in options}
    if set(words) != {"true", "false"}:
        raise _Refused("a true/false question has the answers 'true' and 'false'.")
    if sorted(option.fraction for option in options) != [0.0, 100.0]:
        raise _Refused("a true/false question keys one of its answers 100% and the other 0%.")
    ordered = [words["true"], words["false"]]
    answers = _explained(ordered)
    answers[0]["text"], answers[1]["text"] = "True", "False"
    for answer, option in zip(answers, ordered, strict=True):
        answer["correct"] = option.fraction == 100.0
    return native_question(
        question_id=identifier, kind="single", text=stem.text, code=stem.code, answers=answers,
        explanation=explanation, verify_reason=VERIFY_REASON,
    )  # fmt: skip


def _accepted_texts(options: list[_Option], *, where: str) -> tuple[list[str], str]:
    """A gap's accepted answers (the 100% ones) and its explanation (their first feedback)."""
    problems = []
    for option in options:
        if 0 < option.fraction < 100 or option.fraction < 0:
            problems.append(
                f"{where}answer {option.number} has fraction {_shown(option.fraction)}: a gap "
                "here is right or wrong, so only 100% answers are accepted (0% ones ignored)."
            )
        if option.fraction == 100 and "*" in option.text:
            problems.append(
                f"{where}answer {option.number} uses the '*' wildcard: a gap here accepts "
                "exact answers (compared as Python tokens), not patterns."
            )
    accepted = [option for option in options if option.fraction == 100]
    if not accepted:
        problems.append(f"{where}no answer is 100%: the gap accepts nothing.")
    if problems:
        raise _Refused(*problems)
    feedback = next((option.feedback for option in accepted if option.feedback), "")
    return [option.text for option in accepted], feedback


def _shortanswer(node: _Element, identifier: str, stem, explanation: str) -> dict:
    accepted, feedback = _accepted_texts(_options(node), where="")
    text, code = stem.text, stem.code
    if code and BLANK_PATTERN.search(code):
        code = BLANK_PATTERN.sub("{{1}}", code, count=1)
    elif "{{1}}" not in code:
        # No blank in the code: the whole answer is the gap; the code stays in the stem.
        text = (text + "\n\n```\n" + code.rstrip("\n") + "\n```").strip() if code else text
        code = "{{1}}\n"
    gaps = [{"accepted": accepted, "explanation": feedback or explanation}]
    return native_question(
        question_id=identifier, kind="gap", text=text, code=code, gaps=gaps,
        explanation=explanation, verify_reason=VERIFY_REASON,
    )  # fmt: skip


def _ordering(node: _Element, identifier: str, stem, explanation: str) -> dict:
    select_type = node.value("selecttype").upper()
    if select_type not in ("", "ALL", "0"):
        raise _Refused(
            f"ordering with selecttype {select_type[:20]} shows learners a subset of the items; "
            "an ordering question here orders all of them."
        )
    options = _options(node)
    # qtype_ordering writes each item's place in the order as its fraction.
    options = sorted(options, key=lambda option: option.fraction)
    answers = [
        {"text": option.text, "explanation": option.feedback or f"Item {place} of the order."}
        for place, option in enumerate(options, start=1)
    ]
    return native_question(
        question_id=identifier, kind="order", text=stem.text, code=stem.code, answers=answers,
        explanation=explanation, verify_reason=VERIFY_REASON,
    )  # fmt: skip


def _gaps_into_code(stem, pattern: re.Pattern, replacement) -> tuple[str, str]:
    """The stem and the code, with the foreign gap markers in the code numbered {{1}}
    upwards by `replacement(match, number)`. Markers in the stem's text move the text into
    the code, since gaps live in code here."""
    text, code = stem.text, stem.code
    if not pattern.search(code):
        code = (text.strip() + "\n" + code).strip("\n") + "\n"
        text = "Fill each gap in the code."
    if len(pattern.findall(code)) > MAX_OPTIONS:
        raise _Refused(f"a question here has at most {MAX_OPTIONS} gaps.")
    counter = itertools.count(1)
    code = pattern.sub(lambda match: replacement(match, next(counter)), code)
    return text, code


def _tile_pool(node: _Element, identifier: str, stem, explanation: str) -> dict:
    tag = "dragbox" if node.attributes.get("type") == "ddwtos" else "selectoption"
    choices = [convert_plain(item.value("text"), text_format="plain") for item in node.all(tag)]
    gap_of_choice: dict[int, int] = {}
    problems = []

    def place(match: re.Match, number: int) -> str:
        choice = int(match.group(1))
        if not 1 <= choice <= len(choices):
            problems.append(f"gap [[{choice}]] names no {tag} (there are {len(choices)}).")
        elif choice in gap_of_choice:
            problems.append(
                f"{tag} {choice} fills two gaps: a tile here fills one gap; add a second tile "
                "with the same text."
            )
        gap_of_choice[choice] = number
        return f"{{{{{number}}}}}"

    text, code = _gaps_into_code(stem, PLACEHOLDER_PATTERN, place)
    if not gap_of_choice:
        problems.append("its text has no gaps [[1]], [[2]], ….")
    if problems:
        raise _Refused(*problems)
    tiles = []
    for number, choice in enumerate(choices, start=1):
        tile: dict[str, Any] = {"text": choice.text}
        if number in gap_of_choice:
            tile["gap"] = gap_of_choice[number]
            tile["explanation"] = f"It fills gap {gap_of_choice[number]}."
        else:
            tile["explanation"] = "A spare tile: it fills no gap."
        tiles.append(tile)
    return native_question(
        question_id=identifier, kind="tiles", text=text, code=code, tiles=tiles,
        explanation=explanation, verify_reason=VERIFY_REASON,
    )  # fmt: skip


def _cloze_answers(body: str, *, number: int) -> list[_Option]:
    """A cloze subquestion's answers: '~'-separated, each '=' or '%n%' weighted, '#' feedback;
    a backslash escapes the next character."""
    pieces: list[list[list[str]]] = [[[], []]]  # per answer: its text, its feedback
    part, escaped = 0, False
    for character in body:
        if escaped:
            pieces[-1][part].append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == "~":
            pieces.append([[], []])
            part = 0
        elif character == "#" and part == 0:
            part = 1
        else:
            pieces[-1][part].append(character)
    options = []
    for position, (answer_characters, feedback_characters) in enumerate(pieces, start=1):
        answer = "".join(answer_characters)
        fraction = 0.0
        if answer.startswith("="):
            fraction, answer = 100.0, answer[1:]
        elif answer.startswith("%") and answer.count("%") >= 2:
            weight, _, answer = answer[1:].partition("%")
            try:
                fraction = float(weight)
            except ValueError:
                raise _Refused(f"gap {number}: weight %{weight[:10]}% is not a number.") from None
        feedback = "".join(feedback_characters).strip()
        options.append(_Option(position, answer.strip(), fraction, feedback))
    return options


def _cloze(node: _Element, identifier: str, stem, explanation: str) -> dict:
    problems: list[str] = []
    gaps: list[dict] = []

    def place(match: re.Match, number: int) -> str:
        subquestion_type = match.group(2).upper()
        if subquestion_type not in CLOZE_SHORT_ANSWER_TYPES:
            problems.append(
                f"cloze gap {number} is {subquestion_type}: only SHORTANSWER gaps are imported."
            )
            return f"{{{{{number}}}}}"
        try:
            accepted, feedback = _accepted_texts(
                _cloze_answers(match.group(3), number=number), where=f"gap {number}: "
            )
        except _Refused as refused:
            problems.extend(refused.messages)
            return f"{{{{{number}}}}}"
        gaps.append({"accepted": accepted, "explanation": feedback or explanation})
        return f"{{{{{number}}}}}"

    text, code = _gaps_into_code(stem, CLOZE_PATTERN, place)
    if not gaps and not problems:
        problems.append("the cloze text has no gaps {1:SHORTANSWER:=answer}.")
    if problems:
        raise _Refused(*problems)
    return native_question(
        question_id=identifier, kind="gap", text=text, code=code, gaps=gaps,
        explanation=explanation, verify_reason=VERIFY_REASON,
    )  # fmt: skip


# --- writing -------------------------------------------------------------------------------


def _text_element(parent, tag: str, text: str, *, text_format: str | None = "markdown"):
    element = ElementTree.SubElement(parent, tag)
    if text_format:
        element.set("format", text_format)
    ElementTree.SubElement(element, "text").text = text
    return element


def _fraction(share: float) -> str:
    return f"{share:.5f}".rstrip("0").rstrip(".")


def _stem(document: dict, code: str | None = None) -> str:
    code = document.get("code", "") if code is None else code
    text = document.get("text", "")
    if code:
        text += "\n\n```\n" + code.rstrip("\n") + "\n```"
    return text


def _cloze_escaped(text: str) -> str:
    return re.sub(r"([}#~/\"\\])", r"\\\1", text)


def write_moodle_xml(documents: list[dict], *, category: str, exam: dict | None = None) -> str:
    """Native question documents (exporting.question_document) as a Moodle XML file. What
    Moodle cannot hold (the objective, code, ids, the kind's details) goes in a <pcep>
    element, and the set's title in <pcep-set>: Moodle's importer reads only <question>
    elements and their known children, and ours reads these back."""
    quiz = ElementTree.Element("quiz")
    if exam:
        ElementTree.SubElement(quiz, "pcep-set").text = json.dumps(
            exam_metadata(exam), ensure_ascii=False, sort_keys=True
        )
    current_category = None
    for document in documents:
        wanted = f"$course$/{category}/{document.get('objective') or 'unsorted'}"
        if wanted != current_category:
            marker = ElementTree.SubElement(quiz, "question", type="category")
            _text_element(marker, "category", wanted, text_format=None)
            current_category = wanted
        _write_question(quiz, document)
    ElementTree.indent(quiz)
    return ElementTree.tostring(quiz, encoding="unicode", xml_declaration=True) + "\n"


def _write_question(quiz, document: dict) -> None:
    kind = document["kind"]
    moodle_type = {"order": "ordering", "tiles": "ddwtos", "gap": "shortanswer"}.get(
        kind, "multichoice"
    )
    if kind == "gap" and len(document.get("gaps", [])) > 1:
        moodle_type = "multianswer"
    question = ElementTree.SubElement(quiz, "question", type=moodle_type)
    _text_element(question, "name", document["id"], text_format=None)
    code = document.get("code", "")
    if kind == "tiles":
        pool = document["tiles"]
        gap_tile = {
            tile["gap"]: index for index, tile in enumerate(pool, start=1) if tile.get("gap")
        }
        code = re.sub(r"\{\{(\d+)\}\}", lambda m: f"[[{gap_tile.get(int(m.group(1)), 0)}]]", code)
    if moodle_type == "multianswer":
        gaps = document["gaps"]

        def cloze(match: re.Match) -> str:
            gap = gaps[int(match.group(1)) - 1]
            answers = "~".join("=" + _cloze_escaped(text) for text in gap["accepted"])
            return f"{{1:SHORTANSWER:{answers}#{_cloze_escaped(gap['explanation'])}}}"

        code = re.sub(r"\{\{(\d+)\}\}", cloze, code)
    _text_element(question, "questiontext", _stem(document, code))
    _text_element(question, "generalfeedback", document.get("explanation", ""))
    ElementTree.SubElement(question, "defaultgrade").text = str(document.get("points", 1))
    ElementTree.SubElement(question, "penalty").text = "0"
    ElementTree.SubElement(question, "hidden").text = "0"
    ElementTree.SubElement(question, "idnumber").text = document["id"]
    if moodle_type == "multichoice":
        _write_choices(question, document)
    elif moodle_type == "ordering":
        for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"),
                           ("selectcount", "0"), ("gradingtype", "ABSOLUTE_POSITION")):  # fmt: skip
            ElementTree.SubElement(question, tag).text = value
        for position, option in enumerate(document["answers"], start=1):
            answer = _text_element(question, "answer", option["text"], text_format="plain_text")
            answer.set("fraction", str(position))
            _text_element(answer, "feedback", option.get("explanation", ""))
    elif moodle_type == "ddwtos":
        ElementTree.SubElement(question, "shuffleanswers").text = "0"
        for tile in document["tiles"]:
            box = ElementTree.SubElement(question, "dragbox")
            ElementTree.SubElement(box, "text").text = tile["text"]
            ElementTree.SubElement(box, "group").text = "1"
    elif moodle_type == "shortanswer":
        ElementTree.SubElement(question, "usecase").text = "1"
        gap = document["gaps"][0]
        for accepted in gap["accepted"]:
            answer = _text_element(question, "answer", accepted, text_format="plain_text")
            answer.set("fraction", "100")
            _text_element(answer, "feedback", gap.get("explanation", ""))
    ElementTree.SubElement(question, "pcep").text = json.dumps(
        embedded_metadata(document), ensure_ascii=False, sort_keys=True
    )


def _write_choices(question, document: dict) -> None:
    kind = document["kind"]
    options = document.get("answers", [])
    several = kind in ("multiple", "lines")
    ElementTree.SubElement(question, "single").text = "false" if several else "true"
    ElementTree.SubElement(question, "shuffleanswers").text = "1"
    ElementTree.SubElement(question, "answernumbering").text = "abc"
    share = 100 / (document.get("choose") or 1)
    for option in options:
        shown = f"Line {option['line']}" if kind == "lines" else option["text"]
        answer = _text_element(question, "answer", shown, text_format="plain_text")
        correct = bool(option.get("correct"))
        answer.set("fraction", _fraction(share if several else 100) if correct else "0")
        _text_element(answer, "feedback", option.get("explanation", ""))
