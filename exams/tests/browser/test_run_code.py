""" "Run this code" in Chromium: the vendored Pyodide runs an answered practice item's snippet."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams import services
from exams.models import Exam, Module, Topic
from exams.tests.browser.conftest import _dress, screenshot_path
from exams.tests.factories import ExamFactory, load_pcep_syllabus, make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5_000
# The first run loads and compiles about 13 MB of WebAssembly on a shared, busy machine.
FIRST_RUN_TIMEOUT = 90_000
SNIPPET = 'name = input()\nfor n in range(3):\n    print(f"Hello, {name}! #{n}")\n'


def _code_question(exam: Exam, order: int = 0):
    module = Module.objects.filter(syllabus=load_pcep_syllabus()).order_by("number").first()
    question = make_question(
        kind="single",
        topic=Topic.objects.filter(module=module).first(),
        exam=exam,
        text="What does this program print?",
        code_snippet=SNIPPET,
        stdin="Ada\n",
        question_order=order,
    )
    return _dress(question)


@pytest.fixture
def code_bank():
    """Two single-choice practice questions whose code reads its stdin."""
    bank = ExamFactory(kind=Exam.Kind.BANK, title="Code bank")
    return [_code_question(bank), _code_question(bank)]


def log_in(page: Page, live_server, user, next_path: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_run_this_code_after_a_practice_answer(page: Page, live_server, code_bank):
    page.set_default_timeout(TIMEOUT)
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(urlsplit(request.url).netloc))
    log_in(page, live_server, UserFactory(), "/exams/")
    page.fill("#id_count", "2")
    page.get_by_role("button", name="Start practice").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/items/1/$"))
    page.wait_for_load_state("load")
    # Before the answer: no button, and the runner and its worker are not loaded.
    expect(page.get_by_role("button", name="Run this code")).to_have_count(0)
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [url for url in loaded if "run-code.js" in url or "pyodide" in url]

    page.locator("#answer-form input[name=choice]").first.check()
    page.get_by_role("button", name="Run this code").click()

    status = page.locator("[data-run-code-status]")
    stdout = page.locator("[data-run-code-stdout]")
    expect(status).to_have_text("Finished", timeout=FIRST_RUN_TIMEOUT)
    expect(stdout).to_have_text("Hello, Ada! #0\nHello, Ada! #1\nHello, Ada! #2\n")
    expect(page.locator("[data-run-code-exception-box]")).to_be_hidden()
    page.screenshot(path=str(screenshot_path("run-code.png")), full_page=True)

    source = page.locator("[data-run-code-source]")
    item_url = page.url
    source.fill("")
    # Typed, not filled: the item page's N/P/1-9 shortcuts must leave the code box alone.
    source.press_sequentially(
        'import sys\nprint("before")\nprint("warning", file=sys.stderr)\nprint(1/0)\n'
    )
    assert page.url == item_url
    page.get_by_role("button", name="Run", exact=True).click()
    expect(status).to_have_text("Finished")
    expect(stdout).to_have_text("before\n")
    expect(page.locator("[data-run-code-stderr]")).to_have_text("warning\n")
    expect(page.locator("[data-run-code-exception]")).to_have_text(
        "ZeroDivisionError: division by zero"
    )
    traceback = page.locator("[data-run-code-traceback]").text_content()
    assert 'File "snippet.py", line 4, in <module>' in traceback
    assert "_pcep_run" not in traceback  # the driver's own frame is not the learner's

    source.fill("while True:\n    pass\n")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(status).to_have_text("Running…")
    expect(status).to_have_text("Stopped after 5 s", timeout=15_000)

    # The worker was terminated: Reset brings the snippet back and a fresh worker runs it.
    page.get_by_role("button", name="Reset").click()
    expect(source).to_have_value(SNIPPET)
    page.get_by_role("button", name="Run", exact=True).click()
    expect(status).to_have_text("Finished", timeout=FIRST_RUN_TIMEOUT)
    expect(stdout).to_have_text(re.compile(r"Hello, Ada! #2\n$"))

    assert requested_hosts == {urlsplit(live_server.url).netloc}


def test_run_this_code_in_a_finished_exams_report(page: Page, live_server):
    page.set_default_timeout(TIMEOUT)
    user = UserFactory()
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="Code exam", time_limit=1800)
    _code_question(exam, order=1)
    attempt = services.start_attempt(user=user, exam=exam)
    services.finish_attempt(attempt=attempt)

    log_in(page, live_server, user, reverse("exams:report", args=[attempt.pk]))
    expect(page.locator("#scaled-score")).to_be_visible()
    page.get_by_role("button", name="Run this code").click()

    status = page.locator("[data-run-code-status]")
    expect(status).to_have_text("Finished", timeout=FIRST_RUN_TIMEOUT)
    expect(page.locator("[data-run-code-stdout]")).to_have_text(re.compile(r"^Hello, Ada! #0\n"))
