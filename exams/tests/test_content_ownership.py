"""Who owns a question: a re-run of setup never undoes an instructor's work, a wrong key
never reaches a learner, and verdicts are cached so that an unchanged bank verifies at once."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from exams.content import verification
from exams.content.exporting import export_exam_files
from exams.content.importing import import_content
from exams.content.verification import verify_stored_questions
from exams.drawing import PracticeChoice, draw_practice_questions, draw_questions
from exams.models import Exam, KeyVerdict, Question
from exams.rendering import render_markdown
from exams.tests.factories import UserFactory
from exams.tests.test_content_import import (
    SAMPLE_TEXT,
    database_state,
    edited,
    row_counts,
    write_file,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jail")]

BUNDLED = sorted((Path(__file__).resolve().parents[2] / "content" / "questions").glob("*.yaml"))


@pytest.fixture
def sample(syllabus, tmp_path: Path) -> Path:
    path = write_file(tmp_path, "sample.yaml", SAMPLE_TEXT)
    assert import_content(paths=[path]).ok
    return path


def admin_edit_explanation(question_id: str, text: str) -> Question:
    """What saving the admin's change form does to the row (the admin tests cover the form)."""
    question = Question.objects.get(original_id=question_id)
    question.explanation = text
    question.explanation_html = render_markdown(text)
    question.save()
    return question


def test_setup_run_twice_keeps_an_admin_edit_and_an_admin_question(syllabus, remembered_verdicts):
    call_command("import_questions", *BUNDLED, verbosity=0)
    edited_question = admin_edit_explanation("q-1.1-001", "An instructor's better explanation.")
    own = Question.objects.create(
        exam=edited_question.exam,
        topic=edited_question.topic,
        original_id="instructor-1",
        text="Written in admin inside a bundled set.",
    )

    report = import_content(paths=BUNDLED)  # what `make run` runs again

    assert report.ok and (report.created, report.updated, report.retired) == (0, 0, 0)
    assert [(c.question_id, c.fields) for c in report.conflicts] == [
        ("q-1.1-001", ("explanation",))
    ]
    assert Question.objects.get(pk=edited_question.pk).explanation == (
        "An instructor's better explanation."
    )
    own.refresh_from_db()
    assert own.is_active is True


def test_take_file_overwrites_only_the_named_edited_question(sample: Path):
    admin_edit_explanation("pipeline-single", "Edited one.")
    admin_edit_explanation("pipeline-order", "Edited two.")

    report = import_content(paths=[sample], take_file=["pipeline-single"])

    assert report.taken_from_file == 1 and report.updated == 1
    assert [conflict.question_id for conflict in report.conflicts] == ["pipeline-order"]
    assert Question.objects.get(original_id="pipeline-single").explanation != "Edited one."
    assert Question.objects.get(original_id="pipeline-order").explanation == "Edited two."


def test_file_change_to_an_edited_question_is_a_conflict_naming_both(sample: Path):
    admin_edit_explanation("pipeline-gap", "Edited here.")
    text = edited(
        SAMPLE_TEXT,
        (
            'difficulty: 3\n    points: 40\n    text: "Fill',
            'difficulty: 4\n    points: 40\n    text: "Fill',
        ),
    )
    write_file(sample.parent, sample.name, text)

    (conflict,) = import_content(paths=[sample]).conflicts

    assert conflict.question_id == "pipeline-gap" and conflict.file_changed is True
    assert set(conflict.fields) == {"difficulty", "explanation"}
    question = Question.objects.get(original_id="pipeline-gap")
    assert (question.explanation, question.difficulty) == ("Edited here.", 3)
    assert question.file_hash != question.imported_hash  # admin can tell the file differs


def test_unedited_question_left_out_of_its_file_is_retired_but_an_edited_one_is_not(
    sample: Path,
):
    admin_edit_explanation("pipeline-order", "Kept by its editor.")
    document = yaml.safe_load(SAMPLE_TEXT)
    document["questions"] = [
        q for q in document["questions"] if q["id"] not in ("pipeline-gap", "pipeline-order")
    ]
    write_file(sample.parent, sample.name, yaml.safe_dump(document))

    report = import_content(paths=[sample])

    assert report.retired == 1
    assert Question.objects.get(original_id="pipeline-gap").is_active is False
    assert Question.objects.get(original_id="pipeline-order").is_active is True


def test_export_then_reimport_of_an_edited_bank_changes_nothing(sample: Path, tmp_path: Path):
    admin_edit_explanation("pipeline-multiple", "Edited before the export.")
    out = tmp_path / "exported"
    (exported,) = export_exam_files(out_dir=out)
    before = database_state()

    report = import_content(paths=[exported])

    assert report.ok and report.writes == 0 and not report.conflicts
    assert database_state() == before


def test_dry_run_reports_a_wrong_key_with_expected_and_actual_output(syllabus, tmp_path: Path):
    wrong = """format: 1
exam: {title: "Wrong key", description: "", version: "1.0"}
questions:
  - id: wrong-key
    objective: "1.4"
    kind: single
    difficulty: 1
    points: 20
    text: "What does it print?"
    code: "print(1 + 1)"
    verify: output
    explanation: "Addition."
    answers:
      - {text: "3", correct: true, explanation: "Keyed wrongly on purpose."}
      - {text: "2", explanation: "What it really prints."}
"""
    path = write_file(tmp_path, "wrong.yaml", wrong)
    counts = row_counts()

    report = import_content(paths=[path], dry_run=True)

    assert not report.ok
    messages = [problem.message for problem in report.problems]
    assert any(
        message.startswith("wrong key: answer a is keyed correct but the code prints '2'")
        and "actual: prints '2'" in message
        for message in messages
    ), messages
    assert row_counts() == counts
    assert not import_content(paths=[path]).ok  # nor does the real run take it
    assert row_counts() == counts


def test_mismatched_or_unrunnable_question_is_never_drawn(sample: Path):
    user = UserFactory()
    single = Question.objects.get(original_id="pipeline-single")
    Question.objects.filter(pk=single.pk).update(verification_status="mismatch")
    Question.objects.filter(original_id="pipeline-gap").update(verification_status="error")
    fixed = single.exam
    fixed.kind = Exam.Kind.FIXED
    fixed.save()

    practice = {
        qid
        for _ in range(20)
        for qid in draw_practice_questions(user=user, choice=PracticeChoice(count=10))
    }
    in_fixed_set = draw_questions(exam=fixed, user=user)

    blocked = set(Question.objects.blocked().values_list("pk", flat=True))
    assert len(blocked) == 2
    assert practice and not practice & blocked
    assert in_fixed_set and not set(in_fixed_set) & blocked


def test_an_unchanged_bank_verifies_from_the_cache_without_running(sample: Path, monkeypatch):
    verify_stored_questions()
    assert KeyVerdict.objects.count() == 4  # one verdict per distinct key

    def must_not_run(*args, **kwargs):
        raise AssertionError("a cached verdict was run again")

    monkeypatch.setattr(verification, "verify_questions", must_not_run)
    results = verify_stored_questions()

    assert {result.status for result in results} <= {"verified", "not_verifiable"}


def test_all_ignores_the_cache(sample: Path, monkeypatch):
    verify_stored_questions()
    KeyVerdict.objects.update(status="mismatch")  # a stale verdict the cache would repeat

    results = verify_stored_questions(use_cache=False)

    assert all(result.status != "mismatch" for result in results)
    assert set(KeyVerdict.objects.values_list("status", flat=True)) != {"mismatch"}


def test_an_edited_key_is_not_served_from_the_cache(sample: Path):
    verify_stored_questions()
    question = Question.objects.get(original_id="pipeline-single")
    right = question.answers.get(is_correct=True)
    wrong = question.answers.exclude(pk=right.pk).first()
    right.is_correct, wrong.is_correct = False, True
    right.save()
    wrong.save()

    (result,) = verify_stored_questions(questions=Question.objects.filter(pk=question.pk))

    assert result.status == "mismatch"


def test_home_page_claims_only_the_keys_that_were_run(sample: Path, client):
    # The sample's import verified its four keys...
    Question.objects.filter(original_id="pipeline-single").update(verification_status="mismatch")
    Question.objects.filter(original_id="pipeline-order").update(verification_status="unchecked")

    html = client.get("/").content.decode()

    # ...one is now held back (not offered, not counted) and one is unchecked.
    drawable = Question.objects.drawable().count()
    verified = Question.objects.drawable().filter(verification_status="verified").count()
    assert (drawable, verified) == (3, 2)
    assert f"Of the {drawable} questions you can be given, {verified} have a key checked" in html
