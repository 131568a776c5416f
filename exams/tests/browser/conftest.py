"""Browser tests: Debian's Chromium driven by Playwright against Django's live server."""

import os
import tempfile
from pathlib import Path

import pytest

from exams.models import Exam, Module, Question, Topic
from exams.tests.factories import ExamFactory, load_pcep_syllabus, make_question, quota_points

# Playwright's sync API runs an event loop in the main thread; Django's ORM would refuse
# to run from the test body otherwise.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Mixed kinds, cycled over each block's questions.
KINDS = ("single", "multiple", "order", "gap")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium (Playwright's own browser download is not available)."""
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing, and chromium is required in CI.")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium).")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


def option_explanation(question: Question, letter: str) -> str:
    """The explanation text given to one option, to look for in the page."""
    return f"Why option {letter} of question {question.pk} is right or wrong."


def _dress(question: Question) -> Question:
    """Give the question and its answers the HTML and explanations the pages show."""
    question.html_content = f"<p>{question.text}</p>"
    question.save(update_fields=["html_content"])
    for answer in question.answers.all():
        answer.html_content = answer.text
        letter = (answer.original_id or str(answer.pk))[0].upper()
        answer.explanation = option_explanation(question, letter)
        answer.save(update_fields=["html_content", "explanation"])
    return question


def build_bank(*, per_block: int = 8, kinds=KINDS) -> list[Question]:
    """The real PCEP syllabus and its mock exam, plus `per_block` bank questions per block,
    worth points a draw can add up to the real block maxima."""
    syllabus = load_pcep_syllabus()
    bank = ExamFactory(kind=Exam.Kind.BANK, title="Test bank")
    questions = []
    for module in Module.objects.filter(syllabus=syllabus).order_by("number"):
        topic = Topic.objects.filter(module=module).first()
        for index in range(per_block):
            kind = kinds[index % len(kinds)]
            extra = {"correct": 2, "options": 4} if kind == "multiple" else {}
            question = make_question(
                kind=kind,
                topic=topic,
                exam=bank,
                points=quota_points(module.number, index),
                text=f"Block {module.number} {kind} question {index + 1}: what happens?",
                **extra,
            )
            questions.append(_dress(question))
    return questions


@pytest.fixture
def mock_bank():
    """Enough questions of every kind for the 7/8/7/8 mock exam blueprint."""
    return build_bank()


@pytest.fixture
def single_bank():
    """Three single-choice questions: every practice item is a single choice."""
    syllabus = load_pcep_syllabus()
    bank = ExamFactory(kind=Exam.Kind.BANK, title="Test bank")
    module = Module.objects.filter(syllabus=syllabus).order_by("number").first()
    topic = Topic.objects.filter(module=module).first()
    return [
        _dress(make_question(kind="single", topic=topic, exam=bank, text=f"Single {n}?"))
        for n in range(3)
    ]


def screenshot_path(name: str) -> Path:
    """docs/screenshots/NAME when UPDATE_SCREENSHOTS=1 (to refresh the docs), else a temp file,
    so an ordinary test run leaves the checkout clean."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[3] / "docs" / "screenshots" / name
    folder = Path(tempfile.gettempdir()) / "pcep-screenshots"
    folder.mkdir(exist_ok=True)
    return folder / name


@pytest.fixture
def single_exam():
    """A fixed exam of three single-choice questions, in that order."""
    syllabus = load_pcep_syllabus()
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="Three singles", time_limit=1800)
    module = Module.objects.filter(syllabus=syllabus).order_by("number").first()
    topic = Topic.objects.filter(module=module).first()
    for n in range(3):
        question = make_question(kind="single", topic=topic, exam=exam, text=f"Single {n + 1}?")
        question.question_order = n + 1
        question.save(update_fields=["question_order"])
        _dress(question)
    return exam
