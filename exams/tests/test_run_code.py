""" "Run this code": the program offered, where the button may appear, the vendored Pyodide."""

from __future__ import annotations

import hashlib
import html
import importlib.util
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.views import serve
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exams import runnable
from exams.models import Exam, ExamSession, Question
from exams.tests.factories import ExamFactory, load_pcep_syllabus, make_question

JSON = {"HTTP_ACCEPT": "application/json"}
GREETING = 'name = input()\nprint("Hello,", name)\n'
BUTTON = "Run this code"
# Scripts and markers that must not reach a page before the learner may run code.
RUNNER_MARKERS = ("run-code.js", "run-code-worker.js", "data-run-code", BUTTON, "pyodide")
VENDORED = Path(settings.BASE_DIR) / "static" / runnable.PYODIDE_STATIC_DIRECTORY


@pytest.fixture
def learner_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def code_bank(db) -> list[Question]:
    """A practice bank whose every item has code reading one line of stdin."""
    syllabus = load_pcep_syllabus()
    bank = ExamFactory(kind=Exam.Kind.BANK, title="Code bank")
    topic = syllabus.modules.order_by("number").first().topics.first()
    return [
        make_question(kind="single", topic=topic, exam=bank, code_snippet=GREETING, stdin="Ada\n")
        for _ in range(3)
    ]


@pytest.fixture
def code_exam(db) -> Exam:
    """A fixed exam: item 1 has code, item 2 has none."""
    syllabus = load_pcep_syllabus()
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="Code exam", time_limit=1800)
    topic = syllabus.modules.order_by("number").first().topics.first()
    make_question(kind="single", topic=topic, exam=exam, code_snippet="print(6 * 7)\n")
    make_question(kind="single", topic=topic, exam=exam, code_snippet="", question_order=2)
    return exam


def _practice(client, user) -> ExamSession:
    client.post(reverse("exams:practice"), {"count": 1})
    return ExamSession.objects.get(user=user, mode=ExamSession.Mode.PRACTICE)


def _answer(client, attempt: ExamSession, position: int) -> dict:
    item = attempt.responses.select_related("question").get(position=position)
    correct = item.question.answers.get(is_correct=True)
    url = reverse("exams:answer", args=[attempt.pk, position])
    response = client.post(url, {"question": item.question_id, "choice": [correct.pk]}, **JSON)
    assert response.status_code == 200
    return response.json()


def _page(client, name: str, *args) -> str:
    response = client.get(reverse(f"exams:{name}", args=args))
    assert response.status_code == 200
    return response.content.decode()


def _assert_no_runner(page: str) -> None:
    for marker in RUNNER_MARKERS:
        assert marker not in page, marker


# --- the program offered --------------------------------------------------------------------


def test_gap_item_runs_with_its_first_accepted_texts_in_place(db):
    question = make_question(kind="gap")
    code = runnable.runnable_code(
        kind=question.kind, code=question.code_snippet, answers=list(question.answers.all())
    )
    assert code == "x = 5\nprint(x + 1)\n"


def test_tiles_item_runs_with_its_keyed_tiles_and_no_spare_tile(db):
    question = make_question(kind="tiles")
    code = runnable.runnable_code(
        kind=question.kind, code=question.code_snippet, answers=list(question.answers.all())
    )
    assert code == 'for i in range(3):\n    print(i * 2, end=" ")\n'


def test_insert_item_runs_with_the_keyed_line_at_the_markers_indentation(db):
    question = make_question(kind="insert")
    code = runnable.runnable_code(
        kind=question.kind, code=question.code_snippet, answers=list(question.answers.all())
    )
    assert code == "total = 0\nfor n in range(4):\n    total += n\nprint(total)\n"


def test_a_gap_without_a_keyed_text_is_left_as_written(db):
    question = make_question(kind="gap")
    question.answers.filter(gap_number=2).delete()
    code = runnable.runnable_code(
        kind=question.kind, code=question.code_snippet, answers=list(question.answers.all())
    )
    assert code == "x = 5\nprint(x {{2}} 1)\n"


def test_item_without_code_offers_nothing_to_run(db):
    question = make_question(kind="single", code_snippet="  \n")
    assert runnable.runnable_code(kind="single", code=question.code_snippet, answers=[]) == ""


# --- never before the answer; after it in practice; in the report ----------------------------


def test_practice_item_before_answering_carries_no_runner(learner_client, user, code_bank):
    attempt = _practice(learner_client, user)
    page = _page(learner_client, "item", attempt.pk, 1)
    _assert_no_runner(page)
    # Only the tiny hook that loads the runner once a button is clicked.
    assert "run-code-hook.js" in page


def test_practice_feedback_fragment_brings_the_button_code_and_stdin(
    learner_client, user, code_bank
):
    attempt = _practice(learner_client, user)
    fragment = _answer(learner_client, attempt, 1)["feedback_html"]

    assert BUTTON in fragment
    assert html.escape(GREETING) in fragment
    assert 'data-stdin="Ada\n"' in fragment
    assert f"/static/{runnable.PYODIDE_STATIC_DIRECTORY}pyodide.mjs" in fragment
    assert f'data-index-url="/static/{runnable.PYODIDE_STATIC_DIRECTORY}"' in fragment
    assert "/static/js/run-code.js" in fragment
    assert f'data-timeout-seconds="{runnable.RUN_TIMEOUT_SECONDS}"' in fragment


def test_practice_item_after_answering_shows_the_button(learner_client, user, code_bank):
    attempt = _practice(learner_client, user)
    _answer(learner_client, attempt, 1)
    page = _page(learner_client, "item", attempt.pk, 1)
    assert BUTTON in page
    assert "run-code-hook.js" in page


def test_exam_item_page_never_carries_the_runner_even_after_answering(learner_client, code_exam):
    learner_client.post(reverse("exams:start", args=[code_exam.pk]))
    attempt = ExamSession.objects.get(exam=code_exam)
    _assert_no_runner(_page(learner_client, "item", attempt.pk, 1))
    assert "run-code-hook.js" not in _page(learner_client, "item", attempt.pk, 1)

    payload = _answer(learner_client, attempt, 1)

    assert "feedback_html" not in payload
    page = _page(learner_client, "item", attempt.pk, 1)
    _assert_no_runner(page)
    assert "run-code-hook.js" not in page


def test_finished_exams_report_offers_the_button_for_items_with_code_only(
    learner_client, code_exam
):
    learner_client.post(reverse("exams:start", args=[code_exam.pk]))
    attempt = ExamSession.objects.get(exam=code_exam)
    learner_client.post(reverse("exams:finish", args=[attempt.pk]))

    page = _page(learner_client, "report", attempt.pk)

    assert page.count(BUTTON) == 1
    assert "print(6 * 7)" in page
    assert "run-code-hook.js" in page


def test_hostile_snippet_cannot_close_the_code_box_and_inject_a_script(
    learner_client, user, code_bank
):
    attack = "</textarea><script>alert(document.cookie)</script>"
    Question.objects.filter(pk__in=[q.pk for q in code_bank]).update(code_snippet=attack)
    Question.objects.update(stdin='"><img src=x onerror=alert(1)>')
    attempt = _practice(learner_client, user)
    fragment = _answer(learner_client, attempt, 1)["feedback_html"]

    assert "<script>alert" not in fragment
    assert "&lt;/textarea&gt;&lt;script&gt;" in fragment
    assert "<img src=x" not in fragment


def _finished_report_queries(client, *, code_items: int) -> int:
    exam = ExamFactory(kind=Exam.Kind.FIXED, title=f"{code_items} code items", time_limit=1800)
    topic = load_pcep_syllabus().modules.order_by("number").first().topics.first()
    for order in range(code_items):
        make_question(kind="single", topic=topic, exam=exam, code_snippet=f"print({order})\n")
    client.post(reverse("exams:start", args=[exam.pk]))
    attempt = ExamSession.objects.get(exam=exam)
    client.post(reverse("exams:finish", args=[attempt.pk]))
    with CaptureQueriesContext(connection) as queries:
        assert BUTTON in _page(client, "report", attempt.pk)
    return len(queries)


def test_report_runs_as_many_queries_with_one_code_item_as_with_four(learner_client):
    one = _finished_report_queries(learner_client, code_items=1)
    assert _finished_report_queries(learner_client, code_items=4) == one


# --- the vendored Pyodide -------------------------------------------------------------------


def _vendor_script():
    path = Path(settings.BASE_DIR) / "scripts" / "vendor_pyodide.py"
    spec = importlib.util.spec_from_file_location("vendor_pyodide", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_pages_point_at_the_version_the_vendor_script_pins():
    script = _vendor_script()
    assert script.VERSION == runnable.PYODIDE_VERSION
    assert VENDORED.resolve() == script.DESTINATION


def test_vendored_files_are_the_ones_the_version_note_lists():
    note = (VENDORED / "VERSION").read_text()
    for name in _vendor_script().CORE_FILES:
        digest = hashlib.sha256((VENDORED / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in note, name
    assert "Mozilla Public License" in (VENDORED / "LICENSE").read_text()


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("pyodide.asm.wasm", "application/wasm"), ("pyodide.mjs", "text/javascript")],
)
def test_static_files_serve_wasm_and_modules_with_their_types(name, content_type):
    path = f"{runnable.PYODIDE_STATIC_DIRECTORY}{name}"
    response = serve(RequestFactory().get(f"/static/{path}"), path, insecure=True)
    assert response["Content-Type"] == content_type


def test_vendor_script_refuses_a_tarball_whose_integrity_differs(tmp_path):
    script = _vendor_script()
    tampered = tmp_path / "pyodide.tgz"
    tampered.write_bytes(b"not the pinned tarball")
    with pytest.raises(script.VendorError, match="refusing to vendor"):
        script.check_integrity(tampered)
