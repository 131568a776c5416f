"""Moodle XML, GIFT and Aiken through the native import pipeline (docs/interop.md): every
supported construct imports, every refused one is a per-question problem with its file and
line and nothing is written, the command's dry run shows the category mapping, and banks
exported to these formats import back with every item, key and explanation."""

from __future__ import annotations

import io
import random
import shutil
import xml.sax
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exams.content.exporting import question_document, questions_for_export
from exams.content.importing import import_content
from exams.interop import aiken, common, gift, moodle_xml
from exams.interop.common import InteropOptions, parse_category_mapping
from exams.models import Answer, Exam, Question

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "content_samples" / "interop"
MOODLE_CATEGORIES = {"$course$/top/Block 1": "1.3", "$course$/top/Block 2": "2.2"}
GIFT_CATEGORIES = MOODLE_CATEGORIES
REFUSED_CATEGORY = {"$course$/top/Refused": "1.1"}


def sample(tmp_path: Path, name: str, *, rename: str | None = None) -> Path:
    """A private copy of a sample (the import names the question set after the file)."""
    target = tmp_path / (rename or name)
    shutil.copy(SAMPLES / name, target)
    return target


def rows() -> tuple[int, int, int]:
    """Imported question sets, questions and answers (the syllabus brings its mock exam)."""
    imported_sets = Exam.objects.exclude(source_file__isnull=True).exclude(source_file="")
    return imported_sets.count(), Question.objects.count(), Answer.objects.count()


def problems_text(report) -> list[str]:
    return [str(problem) for problem in report.problems]


def document_of(original_id: str) -> dict:
    return question_document(questions_for_export().get(original_id=original_id))


# --- Moodle XML: supported constructs --------------------------------------------------------


def test_moodle_xml_file_imports_every_supported_construct(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml", rename="moodle-bank.xml")
    report = import_content(paths=[path], interop=InteropOptions(categories=MOODLE_CATEGORIES))
    assert report.ok, problems_text(report)
    assert report.created == 8
    exam = Question.objects.get(original_id="mx-single").exam
    # The set is known by a .yaml name, so exporting it and importing the export finds it.
    assert exam.source_file == "moodle-bank.yaml"
    assert exam.title == "Imported from moodle-bank.xml"
    kinds = dict(Question.objects.values_list("original_id", "kind"))
    assert kinds == {
        "mx-single": "single",
        "Two-true-expressions": "multiple",
        "Indentation-matters": "single",
        "Range-gap": "gap",
        "Countdown-order": "order",
        "Doubling-tiles": "tiles",
        "Select-the-operator": "tiles",
        "Cloze-two-gaps": "gap",
    }


def test_moodle_multichoice_keeps_code_key_feedback_and_general_feedback(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    import_content(paths=[path], interop=InteropOptions(categories=MOODLE_CATEGORIES))
    single = document_of("mx-single")
    assert single["objective"] == "1.3"  # its category's mapping
    assert single["text"] == "What is the **output** of the following snippet?"
    assert single["code"] == "print(0x10 + 0o10)\n"  # the <pre> became the question's code
    assert [(a["text"], a.get("correct", False)) for a in single["answers"]] == [
        ("24", True), ("20", False), ("0x100o10", False),
    ]  # fmt: skip
    assert single["answers"][1]["explanation"] == "Reads both literals as decimal 10."
    assert single["explanation"] == "Hexadecimal 10 is 16 and octal 10 is 8."
    assert single["verify"] == "none" and "Moodle XML" in single["verify_reason"]
    multiple = document_of("Two-true-expressions")
    # Two answers at 50%: our multiple-choice kind, each right option earning its share.
    assert multiple["kind"] == "multiple" and multiple["choose"] == 2
    assert [a.get("correct", False) for a in multiple["answers"]] == [True, True, False, False]
    assert multiple["points"] == 30


def test_moodle_truefalse_shortanswer_and_ordering(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    import_content(paths=[path], interop=InteropOptions(categories=MOODLE_CATEGORIES))
    truth = document_of("Indentation-matters")
    assert truth["objective"] == "2.2"
    assert [(a["text"], a.get("correct", False)) for a in truth["answers"]] == [
        ("True", True), ("False", False),
    ]  # fmt: skip
    gap = document_of("Range-gap")
    # The blank in the code is the gap; only the 100% answers are accepted.
    assert gap["code"] == 'for i in {{1}}:\n    print(i, end=" ")\n'
    assert gap["gaps"] == [
        {"accepted": ["range(3)", "range(0, 3)"], "explanation": "range(3) yields 0, 1 and 2."}
    ]
    order = document_of("Countdown-order")
    assert [a["text"] for a in order["answers"]] == [
        "n = 3", "while n > 0:", "    print(n, end=' ')", "    n -= 1",
    ]  # fmt: skip


def test_moodle_drag_and_drop_select_and_cloze_become_tiles_and_gaps(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    import_content(paths=[path], interop=InteropOptions(categories=MOODLE_CATEGORIES))
    tiles = document_of("Doubling-tiles")
    assert tiles["code"] == 'for i in {{1}}(3):\n    print(i {{2}} 2, end=" ")\n'
    assert [(t["text"], t.get("gap")) for t in tiles["tiles"]] == [
        ("range", 1), ("*", 2), ("list", None), ("**", None),
    ]  # fmt: skip
    select = document_of("Select-the-operator")
    # [[2]] names the second option: it fills the first (and only) gap.
    assert select["code"] == "print(7 {{1}} 2)\n"
    assert [(t["text"], t.get("gap")) for t in select["tiles"]] == [
        ("//", None), ("%", 1), ("**", None),
    ]  # fmt: skip
    cloze = document_of("Cloze-two-gaps")
    assert cloze["code"] == "total = {{1}}\nfor n in range(4):\n    total {{2}}n\nprint(total)\n"
    assert cloze["gaps"] == [
        {"accepted": ["0"], "explanation": "Start from zero."},
        {"accepted": ["+="], "explanation": "Add each n."},
    ]


def test_moodle_html_is_sanitised_to_markdown(syllabus, tmp_path):
    path = tmp_path / "hostile-html.xml"
    path.write_text(
        """<quiz><question type="category"><category><text>C</text></category></question>
<question type="truefalse"><name><text>html</text></name>
<questiontext format="html"><text><![CDATA[<p onclick="steal()">Is <em>this</em> safe?</p>
<script>alert(1)</script><iframe src="https://evil.example"></iframe>]]></text></questiontext>
<generalfeedback format="html"><text><![CDATA[<b>Yes</b>: tags are dropped.]]></text>
</generalfeedback>
<answer fraction="100"><text>true</text><feedback><text>Right.</text></feedback></answer>
<answer fraction="0"><text>false</text><feedback><text>Wrong.</text></feedback></answer>
</question></quiz>""",
        encoding="utf-8",
    )
    report = import_content(paths=[path], interop=InteropOptions(categories={"C": "1.1"}))
    assert report.ok, problems_text(report)
    question = Question.objects.get()
    assert question.text == "Is *this* safe?"
    assert question.explanation == "**Yes**: tags are dropped."
    for dangerous in ("script", "alert", "onclick", "iframe", "evil"):
        assert dangerous not in question.text and dangerous not in question.html_content


# --- Moodle XML: refused constructs ----------------------------------------------------------

REFUSED_XML = {
    "Essay": (5, "Moodle question type 'essay' is not supported"),
    "Matching": (10, "Moodle question type 'matching' is not supported"),
    "Numerical": (14, "Moodle question type 'numerical' is not supported"),
    "Description": (18, "Moodle question type 'description' is not supported"),
    "Calculated": (22, "Moodle question type 'calculated' is not supported"),
    "Random": (26, "Moodle question type 'random' is not supported"),
    "Partial-single": (30, "answer 2 at 50%"),
    "Negative-penalty": (38, "negative fractions"),
    "Unequal-shares": (47, "answer 1 at 70%, answer 2 at 30%"),
    "No-general-feedback": (56, "it has no <generalfeedback>"),
    "No-answer-feedback": (62, "answer(s) 1, 2 have no <feedback>"),
    "Wildcard": (70, "uses the '*' wildcard"),
    "Partial-short-answer": (76, "answer 2 has fraction 50%"),
    "Embedded-image": (83, 'embeds files (<file encoding="base64">'),
    "Linked-image": (93, "its text shows images (<img>)"),
    "Cloze-multichoice": (101, "cloze gap 1 is MULTICHOICE"),
}


def test_each_refused_moodle_construct_is_a_problem_naming_file_line_and_question(
    syllabus, tmp_path
):
    path = sample(tmp_path, "refused.xml")
    report = import_content(paths=[path], interop=InteropOptions(categories=REFUSED_CATEGORY))
    assert not report.ok
    for question_name, (line, words) in REFUSED_XML.items():
        matching = [p for p in report.problems if p.question_id == question_name]
        assert matching, f"no problem for {question_name}"
        assert any(words in p.message for p in matching), (question_name, matching)
        assert {p.line for p in matching} == {line}
        assert all(p.path == str(path) for p in matching)
    assert rows() == (0, 0, 0)


def test_one_refused_question_writes_nothing_of_a_valid_file(syllabus, tmp_path):
    good = sample(tmp_path, "supported.xml")
    text = good.read_text(encoding="utf-8").replace(
        '<answer fraction="0" format="html"><text>20</text>',
        '<answer fraction="25" format="html"><text>20</text>',
    )
    good.write_text(text, encoding="utf-8")
    report = import_content(paths=[good], interop=InteropOptions(categories=MOODLE_CATEGORIES))
    assert [p.question_id for p in report.problems] == ["mx-single"]
    assert "answer 2 at 25%" in report.problems[0].message
    assert rows() == (0, 0, 0)


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_entity_attacks_are_refused_before_any_expansion(syllabus, tmp_path, name):
    path = sample(tmp_path, name)
    report = import_content(paths=[path], interop=InteropOptions(default_objective="1.1"))
    assert [p.message for p in report.problems] == [moodle_xml.DTD_REFUSED]
    assert rows() == (0, 0, 0)


def test_entity_attacks_are_refused_by_defusedxml_itself(monkeypatch, tmp_path):
    """The refusal comes from parsing with defusedxml: with the standard library's parser in
    its place, the same file is no longer refused for its entities."""
    text = (SAMPLES / "external-entity.xml").read_text(encoding="utf-8")
    assert moodle_xml.read_moodle_xml(text, path="x.xml").problems[0].message == (
        moodle_xml.DTD_REFUSED
    )

    monkeypatch.setattr(moodle_xml, "_make_parser", xml.sax.make_parser)
    messages = [p.message for p in moodle_xml.read_moodle_xml(text, path="x.xml").problems]
    assert moodle_xml.DTD_REFUSED not in messages


def test_malformed_xml_names_its_line(syllabus, tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text("<quiz>\n<question type='truefalse'>\n<name></quiz>\n", encoding="utf-8")
    report = import_content(paths=[path], interop=InteropOptions(default_objective="1.1"))
    assert len(report.problems) == 1
    assert report.problems[0].message.startswith("malformed XML")
    assert report.problems[0].line == 3


# --- categories and objectives ---------------------------------------------------------------


def test_unmapped_category_is_an_error_naming_it_and_nothing_is_written(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    report = import_content(
        paths=[path], interop=InteropOptions(categories={"$course$/top/Block 1": "1.3"})
    )
    unmapped = [p for p in report.problems if "is not mapped" in p.message]
    assert len(unmapped) == 1
    assert "'$course$/top/Block 2'" in unmapped[0].message
    assert "(6 question(s)" in unmapped[0].message
    assert unmapped[0].line == 42  # the category's <question type="category">
    assert rows() == (0, 0, 0)
    found = {use.category: (use.questions, use.objective) for use in report.categories}
    assert found == {"$course$/top/Block 1": (2, "1.3"), "$course$/top/Block 2": (6, None)}


def test_mapping_to_an_unknown_objective_is_refused_per_question(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    report = import_content(
        paths=[path],
        interop=InteropOptions(categories={**MOODLE_CATEGORIES, "$course$/top/Block 1": "9.9"}),
    )
    assert {p.question_id for p in report.problems} == {"mx-single", "Two-true-expressions"}
    assert all('unknown objective "9.9"' in p.message for p in report.problems)


def test_default_objective_takes_unmapped_categories(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    report = import_content(
        paths=[path],
        interop=InteropOptions(categories={"$course$/top/Block 1": "1.3"}, default_objective="2.2"),
    )
    assert report.ok, problems_text(report)
    sources = {use.category: (use.objective, use.source) for use in report.categories}
    assert sources["$course$/top/Block 2"] == ("2.2", "default")
    assert Question.objects.get(original_id="Range-gap").topic.code == "2.2"


def test_category_mapping_lines_are_parsed_and_bad_ones_reported():
    mapping, errors = parse_category_mapping(
        ["# comment", "", "$course$/a=b/Block 1 = 1.1", "no separator", "=1.2"]
    )
    assert mapping == {"$course$/a=b/Block 1": "1.1"}
    assert len(errors) == 2


# --- the command -----------------------------------------------------------------------------


def test_command_dry_run_prints_the_categories_and_their_mapping(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    out = io.StringIO()
    call_command(
        "import_questions",
        str(path),
        "--dry-run",
        "--category",
        "$course$/top/Block 1=1.3",
        "--category",
        "$course$/top/Block 2=2.2",
        stdout=out,
    )
    printed = out.getvalue()
    assert "Categories found (format moodle-xml):" in printed
    assert "$course$/top/Block 1 (2 question(s)) -> objective 1.3 (mapping)" in printed
    assert "$course$/top/Block 2 (6 question(s)) -> objective 2.2 (mapping)" in printed
    assert "would have 1 file(s): 8 created" in printed
    assert rows() == (0, 0, 0)


def test_command_reads_a_mapping_file_and_refuses_unmapped_categories(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    mapping = tmp_path / "mapping.txt"
    mapping.write_text("# Moodle category = objective\n$course$/top/Block 1=1.3\n")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command(
            "import_questions", str(path), "--category-file", str(mapping), stdout=out, stderr=err
        )
    assert "$course$/top/Block 2 (6 question(s)) -> NOT MAPPED" in out.getvalue()
    assert "category '$course$/top/Block 2' is not mapped" in err.getvalue()
    assert rows() == (0, 0, 0)


def test_command_format_option_overrides_the_file_ending(syllabus, tmp_path):
    path = sample(tmp_path, "supported.gift", rename="bank.data")
    out = io.StringIO()
    call_command(
        "import_questions", str(path), "--format", "gift", "--objective", "1.1", stdout=out
    )
    assert Question.objects.count() == 7


def test_command_refuses_a_bad_category_option(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    with pytest.raises(CommandError, match="is not 'category path=objective'"):
        call_command("import_questions", str(path), "--category", "no-separator")


# --- GIFT ------------------------------------------------------------------------------------


def test_gift_file_imports_every_supported_construct(syllabus, tmp_path):
    path = sample(tmp_path, "supported.gift")
    report = import_content(paths=[path], interop=InteropOptions(categories=GIFT_CATEGORIES))
    assert report.ok, problems_text(report)
    kinds = dict(Question.objects.values_list("original_id", "kind"))
    assert kinds == {
        "Literal-sum": "single",
        "Two-true": "multiple",
        "Escapes": "single",
        "Indentation": "single",
        "Range-gap": "gap",
        "Missing-word": "gap",
        "Html-stem": "single",
    }
    assert Question.objects.get(original_id="Literal-sum").topic.code == "1.3"
    assert Question.objects.get(original_id="Escapes").topic.code == "2.2"


def test_gift_answers_weights_feedback_and_code(syllabus, tmp_path):
    path = sample(tmp_path, "supported.gift")
    import_content(paths=[path], interop=InteropOptions(categories=GIFT_CATEGORIES))
    single = document_of("Literal-sum")
    assert single["code"] == "print(0x10 + 0o10)\n"  # the [markdown] fenced block
    assert [(a["text"], a.get("correct", False), a["explanation"]) for a in single["answers"]] == [
        ("24", True, "16 + 8 is 24."),
        ("20", False, "Reads both literals as decimal 10."),
        ("0x100o10", False, "Thinks the literals are strings."),
    ]
    assert single["explanation"] == "Hexadecimal 10 is 16 and octal 10 is 8."
    multiple = document_of("Two-true")
    assert multiple["choose"] == 2
    # \= and \: are literal; %50% weights make the two right options.
    assert [(a["text"], a.get("correct", False)) for a in multiple["answers"]] == [
        ("-7 // 2 == -4", True), ("-7 % 2 == 1", True),
        ("2 ** 3 ** 2 == 64", False), ("0.1 + 0.2 == 0.3", False),
    ]  # fmt: skip
    assert multiple["answers"][0]["explanation"] == "// floors: -3.5 becomes -4."


def test_gift_escapes_multiline_true_false_short_answer_and_html(syllabus, tmp_path):
    path = sample(tmp_path, "supported.gift")
    import_content(paths=[path], interop=InteropOptions(categories=GIFT_CATEGORIES))
    escapes = document_of("Escapes")
    assert escapes["text"] == "Which literal is a set with one element,\nwritten with braces { }?"
    assert [a["text"] for a in escapes["answers"]] == ["{1}", "{}", "{1: 2}"]
    assert escapes["explanation"] == "Only {1} is a set; {} is a dict."
    truth = document_of("Indentation")
    # {T#feedback for a wrong answer#feedback for a right one}
    assert truth["answers"] == [
        {"text": "True", "correct": True, "explanation": "Right: a block is its indented lines."},
        {"text": "False", "explanation": "Braces delimit blocks in C, not in Python."},
    ]
    gap = document_of("Range-gap")
    assert gap["code"] == 'for i in {{1}}:\n    print(i, end=" ")\n'
    assert gap["gaps"][0]["accepted"] == ["range(3)", "range(0, 3)"]
    missing_word = document_of("Missing-word")
    assert missing_word["text"] == "The keyword _____ starts a function definition."
    assert missing_word["gaps"][0]["accepted"] == ["def"]
    html_stem = document_of("Html-stem")
    assert html_stem["text"] == 'What does `len("ab")` return?'


REFUSED_GIFT = {
    "Essay": (4, "essay question: not supported"),
    "Numerical": (6, "numerical question: not supported"),
    "Matching": (9, "matching question: not supported"),
    "Negative": (14, "negative weights"),
    "Unequal": (21, "found 70%, 30%"),
    "No-general-feedback": (28, "no general feedback"),
    "No-answer-feedback": (30, "answer(s) 1, 2 have no feedback"),
    "Wildcard": (32, "'*' wildcard is not supported"),
    "Description": (34, "is a description: not a question"),
    "Unclosed": (36, "is not closed"),
}


def test_each_refused_gift_construct_is_a_problem_naming_file_line_and_question(syllabus, tmp_path):
    path = sample(tmp_path, "refused.gift")
    report = import_content(paths=[path], interop=InteropOptions(categories=REFUSED_CATEGORY))
    assert not report.ok
    for question_name, (line, words) in REFUSED_GIFT.items():
        matching = [p for p in report.problems if p.question_id == question_name]
        assert matching, f"no problem for {question_name}: {problems_text(report)}"
        assert any(words in p.message for p in matching), (question_name, matching)
        assert {p.line for p in matching} == {line}, question_name
        assert all(p.path == str(path) for p in matching)
    assert rows() == (0, 0, 0)


def test_gift_comments_are_ignored_even_with_answer_syntax(syllabus, tmp_path):
    path = tmp_path / "comments.gift"
    path.write_text(
        "// {=not a question} ~ # ::\n"
        "::Q::Pick one. {\n=a#Right.\n~b#Wrong: see http\\://example.com\n####Because.\n}\n",
        encoding="utf-8",
    )
    report = import_content(paths=[path], interop=InteropOptions(default_objective="1.1"))
    assert report.ok, problems_text(report)
    question = document_of("Q")
    assert question["answers"][1]["explanation"] == "Wrong: see http://example.com"


# --- Aiken -----------------------------------------------------------------------------------


def test_aiken_file_imports_with_its_explanation_lines_and_default_objective(syllabus, tmp_path):
    path = sample(tmp_path, "supported.txt")
    report = import_content(paths=[path], interop=InteropOptions(default_objective="1.4"))
    assert report.ok, problems_text(report)
    power = document_of("aiken-power")  # its ID: line
    assert power["objective"] == "1.4"
    assert power["text"] == "What does 2 ** 3 evaluate to?"
    assert [(a["text"], a.get("correct", False)) for a in power["answers"]] == [
        ("6", False), ("8", True), ("9", False),
    ]  # fmt: skip
    assert power["answers"][0]["explanation"] == "Reads ** as multiplication."
    assert power["explanation"] == "** is exponentiation: 2 * 2 * 2 is 8."
    # Without an ID: line, a question is named by its file and place.
    assert document_of("supported-2")["answers"][0]["correct"] is True


def test_aiken_without_objective_or_explanations_says_what_is_missing(syllabus, tmp_path):
    path = sample(tmp_path, "refused.txt")
    report = import_content(paths=[path], interop=InteropOptions())
    messages = problems_text(report)
    assert any(
        ":1: question refused-1: no 'EXPLANATION: …' line" in message for message in messages
    )
    assert any("no explanation for option(s) A, B" in message for message in messages)
    assert any(":6: question refused-2: ANSWER: D names no option." in m for m in messages)
    assert rows() == (0, 0, 0)
    # A valid Aiken file without a default objective: its one "category" is not mapped.
    good = sample(tmp_path, "supported.txt")
    report = import_content(paths=[good], interop=InteropOptions())
    assert ["category '(no category)' is not mapped" in p.message for p in report.problems] == [
        True
    ]
    assert rows() == (0, 0, 0)


# --- export and round trips ------------------------------------------------------------------

ROUND_TRIP_IDS = [
    "rt-single", "rt-prose", "rt-multiple", "rt-order", "rt-gap", "rt-one-gap", "rt-tiles",
    "rt-insert", "rt-lines",
]  # fmt: skip


@pytest.fixture
def native_bank(syllabus, tmp_path) -> dict[str, dict]:
    """The round-trip bank imported from YAML: each question's document by id."""
    report = import_content(paths=[sample(tmp_path, "roundtrip.yaml")])
    assert report.ok, problems_text(report)
    return {question_id: document_of(question_id) for question_id in ROUND_TRIP_IDS}


def export_to(tmp_path: Path, file_format: str, *extra: str) -> tuple[Path, str]:
    out = io.StringIO()
    call_command(
        "export_questions", "--out", str(tmp_path / "out"), "--format", file_format, *extra,
        stdout=out,
    )  # fmt: skip
    suffix = {"moodle-xml": ".xml", "gift": ".gift", "aiken": ".txt"}[file_format]
    return tmp_path / "out" / f"roundtrip{suffix}", out.getvalue()


def test_moodle_xml_round_trip_keeps_every_item_key_and_explanation(native_bank, tmp_path):
    exported, _ = export_to(tmp_path, "moodle-xml")
    # Every question is in the file, keyed for Moodle itself (fractions, feedback).
    text = exported.read_text(encoding="utf-8")
    assert text.count('<question type="multichoice">') == 5
    for moodle_type in ("ordering", "ddwtos", "shortanswer", "multianswer"):
        assert f'<question type="{moodle_type}">' in text
    report = import_content(paths=[exported], interop=InteropOptions())
    assert report.ok, problems_text(report)
    # The export imports back into the same set, identical: every question unchanged, and
    # the set keeps its title (embedded in <pcep-set>).
    assert (report.created, report.updated, report.unchanged) == (0, 0, len(ROUND_TRIP_IDS))
    assert (report.exams_created, report.exams_updated) == (0, 0)
    assert {document_of(question_id)["id"]: document_of(question_id) for question_id in
            ROUND_TRIP_IDS} == native_bank  # fmt: skip
    assert {use.source for use in report.categories} == {"embedded"}


def test_moodle_xml_export_without_our_metadata_still_carries_keys_and_feedback(
    native_bank, tmp_path
):
    """What Moodle itself reads (it skips <pcep>): the stems, keys and explanations."""
    exported, _ = export_to(tmp_path, "moodle-xml")
    text = exported.read_text(encoding="utf-8")
    stripped = tmp_path / "plain.xml"
    start = text.find("<pcep>")
    while start >= 0:
        text = text[:start] + text[text.find("</pcep>", start) + len("</pcep>") :]
        start = text.find("<pcep>")
    stripped.write_text(text, encoding="utf-8")
    Question.objects.all().delete()  # the ids travel in <idnumber>: import them afresh
    report = import_content(paths=[stripped], interop=InteropOptions(default_objective="1.1"))
    assert report.ok, problems_text(report)
    imported = {question.original_id: question for question in questions_for_export()
                .filter(exam__source_file="plain.yaml")}  # fmt: skip
    assert set(imported) == set(ROUND_TRIP_IDS)  # the ids travel in <idnumber>
    for question_id in ("rt-single", "rt-multiple", "rt-order", "rt-one-gap", "rt-gap"):
        moodle_view = question_document(imported[question_id])
        original = native_bank[question_id]
        assert moodle_view["explanation"] == original["explanation"]
        assert moodle_view.get("code", "") == original.get("code", "")
        for key in ("answers", "gaps"):
            if key in original:
                assert [_key_of(item) for item in moodle_view[key]] == [
                    _key_of(item) for item in original[key]
                ]


def _key_of(item: dict) -> tuple:
    return (item.get("text"), item.get("accepted"), bool(item.get("correct")), item["explanation"])


def test_gift_round_trip_keeps_what_gift_can_hold(native_bank, tmp_path):
    exported, printed = export_to(tmp_path, "gift")
    # GIFT has no ordering, drag-and-drop or multi-gap questions: left out, and said so.
    for question_id in ("rt-order", "rt-tiles", "rt-gap"):
        assert f"left out roundtrip.yaml: {question_id}: not written" in printed
    report = import_content(paths=[exported], interop=InteropOptions())
    assert report.ok, problems_text(report)
    written = [q for q in ROUND_TRIP_IDS if q not in ("rt-order", "rt-tiles", "rt-gap")]
    # Into the same set, by id (some move up a place: the left-out ones are not in the file).
    assert report.created == 0 and report.updated + report.unchanged == len(written)
    assert Exam.objects.get(source_file="roundtrip.yaml").title == "Round trip: every kind"
    # The file stands for the whole set, as a YAML file does: what it lacks is retired (the
    # dry run says so first).
    assert report.retired == 3
    assert set(Question.objects.filter(is_active=False).values_list("original_id", flat=True)) \
        == {"rt-order", "rt-tiles", "rt-gap"}  # fmt: skip
    for question_id in written:
        assert document_of(question_id) == native_bank[question_id]


def test_aiken_round_trip_of_single_choice_questions(native_bank, tmp_path):
    exported, printed = export_to(tmp_path, "aiken")
    assert "left out roundtrip.yaml: rt-single: not written (Aiken's question is one line" in (
        printed
    )
    assert "left out roundtrip.yaml: rt-multiple: not written (a multiple question" in printed
    report = import_content(paths=[exported], interop=InteropOptions(default_objective="1.1"))
    assert report.ok, problems_text(report)
    prose = document_of("rt-prose")
    original = native_bank["rt-prose"]
    assert [_key_of(answer) for answer in prose["answers"]] == [
        _key_of(answer) for answer in original["answers"]
    ]
    assert prose["explanation"] == original["explanation"]


def test_plain_aiken_export_has_no_extension_lines(native_bank, tmp_path):
    exported, _ = export_to(tmp_path, "aiken", "--plain-aiken")
    text = exported.read_text(encoding="utf-8")
    assert "ANSWER: A" in text and "EXPLANATION" not in text and "ID:" not in text


# --- hostile files ---------------------------------------------------------------------------


def test_deeply_nested_xml_is_refused_while_parsing(syllabus, tmp_path):
    path = tmp_path / "deep.xml"
    path.write_text("<quiz>\n" + "<a>" * 50_000 + "</a>" * 50_000 + "\n</quiz>", encoding="utf-8")
    report = import_content(paths=[path], interop=InteropOptions(default_objective="1.1"))
    assert [(p.line, p.message) for p in report.problems] == [
        (2, "elements are nested more than 40 levels deep; a Moodle XML file needs five.")
    ]


def test_embedded_metadata_that_is_not_ours_is_refused_per_question(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    text = path.read_text(encoding="utf-8")
    text = text.replace("<idnumber>mx-single</idnumber>", "<idnumber>mx-single</idnumber>"
                        '<pcep>{"id": "x", "shell": "rm -rf /"}</pcep>', 1)  # fmt: skip
    text = text.replace("<single>false</single>", "<single>false</single><pcep>[[[[</pcep>", 1)
    path.write_text(text, encoding="utf-8")
    report = import_content(paths=[path], interop=InteropOptions(categories=MOODLE_CATEGORIES))
    assert sorted((p.question_id, p.message) for p in report.problems) == [
        ("Two-true-expressions", "the embedded pcep metadata is not valid JSON."),
        ("mx-single", "unknown key(s) in the embedded pcep metadata: shell."),
    ]
    assert rows() == (0, 0, 0)


def test_embedded_metadata_values_go_through_the_native_rules(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    text = path.read_text(encoding="utf-8").replace(
        "<idnumber>mx-single</idnumber>",
        '<idnumber>mx-single</idnumber><pcep>{"difficulty": 9, "code": ["not", "text"]}</pcep>',
        1,
    )
    path.write_text(text, encoding="utf-8")
    report = import_content(paths=[path], interop=InteropOptions(categories=MOODLE_CATEGORIES))
    messages = {p.message for p in report.problems if p.question_id == "mx-single"}
    assert "'difficulty' is 9; it must be one of 1, 2, 3, 4, 5." in messages
    assert "'code' must be text, not a list or mapping." in messages
    assert rows() == (0, 0, 0)


@pytest.mark.parametrize("name", ["supported.xml", "supported.gift", "supported.txt"])
def test_control_characters_in_foreign_files_are_refused_like_in_yaml(syllabus, tmp_path, name):
    path = sample(tmp_path, name)
    text = path.read_text(encoding="utf-8")
    marker = {"supported.xml": "16 + 8 is 24.", "supported.gift": "16 + 8 is 24.",
              "supported.txt": "Two cubed is eight."}[name]  # fmt: skip
    # XML itself refuses C0 controls (a malformed file); C1 ones such as CSI reach our rules.
    control = "\x9b2J" if name.endswith(".xml") else "\x1b[2J"
    path.write_text(text.replace(marker, marker + control), encoding="utf-8")
    report = import_content(
        paths=[path],
        interop=InteropOptions(categories=MOODLE_CATEGORIES, default_objective="1.1"),
    )
    assert report.problems and all("control character" in p.message for p in report.problems)
    assert rows() == (0, 0, 0)


def test_file_over_the_size_limit_is_refused_before_parsing(syllabus, tmp_path, monkeypatch):
    from exams.interop import reading

    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 100)
    path = sample(tmp_path, "supported.gift")
    report = import_content(paths=[path], interop=InteropOptions(default_objective="1.1"))
    assert [p.message for p in report.problems] == [
        f"the file is {path.stat().st_size} bytes; the limit is 100 bytes."
    ]


def test_a_file_with_too_many_questions_stops_being_read(syllabus, tmp_path, monkeypatch):
    from exams.interop import gift

    monkeypatch.setattr(gift, "MAX_QUESTIONS_PER_FILE", 3)
    path = tmp_path / "many.gift"
    path.write_text("::Q::Pick. {=a#r. ~b#w. ####e.}\n\n" * 200, encoding="utf-8")
    report = import_content(paths=[path], interop=InteropOptions(default_objective="1.1"))
    # Reading stops once the limit is passed (a category record may precede each question).
    assert [p.message for p in report.problems] == [common.TOO_MANY_QUESTIONS]
    assert rows() == (0, 0, 0)


def test_a_question_with_too_many_options_is_refused_before_reading_them(syllabus, tmp_path):
    path = tmp_path / "options.gift"
    path.write_text("::Q::Pick. {" + "~a#b " * 5000 + "####e.}\n", encoding="utf-8")
    report = import_content(paths=[path], interop=InteropOptions(default_objective="1.1"))
    assert [(p.question_id, p.message) for p in report.problems] == [("Q", common.TOO_MANY_OPTIONS)]


def test_gift_question_right_after_a_category_line_is_not_lost(syllabus, tmp_path):
    path = tmp_path / "tight.gift"
    path.write_text(
        "$CATEGORY: $course$/top/Block 1\n::Q::Pick. {=a#r. ~b#w. ####e.}\n", encoding="utf-8"
    )
    report = import_content(paths=[path], interop=InteropOptions(categories=MOODLE_CATEGORIES))
    assert report.ok, problems_text(report)
    assert Question.objects.get(original_id="Q").topic.code == "1.3"


def test_a_drag_and_drop_question_with_thousands_of_gaps_is_refused(syllabus, tmp_path):
    path = tmp_path / "gaps.xml"
    path.write_text(
        '<quiz><question type="ddwtos"><name><text>G</text></name><questiontext format="html">'
        "<text>" + "[[1]] " * 20_000 + "</text></questiontext><generalfeedback><text>e"
        "</text></generalfeedback><dragbox><text>a</text></dragbox></question></quiz>",
        encoding="utf-8",
    )
    report = import_content(paths=[path], interop=InteropOptions(default_objective="1.1"))
    assert [(p.question_id, p.message) for p in report.problems] == [
        ("G", "a question here has at most 100 gaps.")
    ]


def test_an_xml_declaration_naming_a_made_up_encoding_is_not_a_crash(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    text = path.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-18"')
    path.write_text(text, encoding="utf-8")
    report = import_content(paths=[path], interop=InteropOptions(categories=MOODLE_CATEGORIES))
    assert report.ok, problems_text(report)  # read as the UTF-8 it is


@pytest.mark.parametrize(
    "name", ["supported.xml", "refused.xml", "supported.gift", "refused.gift", "supported.txt"]
)
def test_mutated_foreign_files_never_crash_a_reader(name):
    """Random edits of every sample (syntax characters swapped in, deleted, truncated): each
    reader returns problems, never an exception (found a LookupError once)."""
    readers = {"xml": moodle_xml.read_moodle_xml, "gift": gift.read_gift, "txt": aiken.read_aiken}
    reader = readers[name.rsplit(".", 1)[1]]
    base = (SAMPLES / name).read_text(encoding="utf-8")
    generator = random.Random(name)
    alphabet = "{}[]=~#%:\\/<>&;\"' \n\t-.0123456789TF$"
    for _ in range(150):
        characters = list(base)
        for _ in range(generator.randint(1, 8)):
            position = generator.randrange(len(characters))
            choice = generator.random()
            if choice < 0.4:
                characters[position] = generator.choice(alphabet)
            elif choice < 0.7:
                del characters[position]
            else:
                characters.insert(position, generator.choice(alphabet))
        text = "".join(characters)
        if generator.random() < 0.1:
            text = text[: generator.randrange(len(text))]
        translation = reader(text, path=name)
        assert isinstance(translation.problems, list)


def test_big_imports_parse_yaml_in_workers_and_foreign_files_in_process(
    syllabus, tmp_path, monkeypatch
):
    """Spawned parse workers have no Django set up: YAML goes to them as before, and a set of
    files with a foreign one is read in this process (its readers need the models)."""
    from exams.content import importing

    monkeypatch.setattr(importing, "PARALLEL_PARSE_MIN_BYTES", 0)
    monkeypatch.setattr(importing.os, "cpu_count", lambda: 2)
    yaml_file = sample(tmp_path, "roundtrip.yaml")
    second = tmp_path / "second.yaml"
    second.write_text(
        (Path(__file__).parent / "content_samples" / "sample.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    report = import_content(paths=[yaml_file, second], dry_run=True, interop=InteropOptions())
    assert report.ok, problems_text(report)
    assert report.created == len(ROUND_TRIP_IDS) + 4
    gift_file = sample(tmp_path, "supported.gift")
    report = import_content(
        paths=[yaml_file, gift_file], dry_run=True, interop=InteropOptions(default_objective="1.1")
    )
    assert report.ok, problems_text(report)
    assert report.created == len(ROUND_TRIP_IDS) + 7


def test_images_in_feedback_are_refused_too(syllabus, tmp_path):
    path = sample(tmp_path, "supported.xml")
    text = path.read_text(encoding="utf-8").replace(
        "<text>16 + 8 is 24.</text>", '<text><![CDATA[16 + 8 <img src="sum.png">]]></text>', 1
    )
    path.write_text(text, encoding="utf-8")
    report = import_content(paths=[path], interop=InteropOptions(categories=MOODLE_CATEGORIES))
    assert [(p.question_id, p.message) for p in report.problems] == [
        ("mx-single", f"answer 1's feedback: {moodle_xml.IMAGES_REFUSED}")
    ]
