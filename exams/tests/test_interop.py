"""Moodle XML, GIFT and Aiken through the native import pipeline (docs/interop.md): every
supported construct imports, every refused one is a per-question problem with its file and
line and nothing is written, the command's dry run shows the category mapping, and banks
exported to these formats import back with every item, key and explanation."""

from __future__ import annotations

import io
import shutil
import xml.sax
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exams.content.exporting import question_document, questions_for_export
from exams.content.importing import import_content
from exams.interop import moodle_xml
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

    def standard_library(data, handler, **options):
        xml.sax.parseString(data, handler)

    monkeypatch.setattr(moodle_xml.defusedxml.sax, "parseString", standard_library)
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
