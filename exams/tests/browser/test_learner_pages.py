"""Every learner page at desktop and phone width, light and dark: axe-core finds no
violation and nothing is wider than the viewport."""

import random

import pytest
from axe_playwright_python.sync_playwright import Axe  # bundles axe-core: runs offline
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from accounts.tests.factories import UserFactory
from exams import services
from exams.drawing import PracticeChoice
from exams.models import Exam, ExamSession, Module, Topic
from exams.tests.browser.conftest import _dress, build_bank, screenshot_path
from exams.tests.factories import ExamFactory, load_pcep_syllabus, make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5_000
KINDS = ("single", "multiple", "order", "gap", "tiles", "insert", "lines")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# A gap line far wider than a phone: the code block has to scroll (or wrap) inside itself.
LONG_GAP_CODE = (
    "def describe(first_value, second_value, third_value, fourth_value):\n"
    "    return first_value * second_value + third_value - fourth_value * {{1}}\n"
    'print(describe(1, 2, 3, 4), "and a long tail of text that goes on", {{2}})\n'
)
# What to look at, by page: saved as NAME-desktop|phone-light|dark.png (screenshot_path).
SCREENSHOTS = {
    "gap item": "article.question",
    "tiles item": "article.question",
    "progress": "#progress-table",
    "history": "main",
}
# What each page must show for its audit to count (the state the learner data sets up).
MUST_SHOW = {
    "gap item": ".gap-code .gap-line input.gap-input",
    "tiles item": ".gap-code .gap-line .tile-slot",
    "practice feedback": "#feedback section.feedback",
    "review": ".review-cell",
    "score report": "#scaled-score",
    "history": "table.history tbody tr",
    "progress": "#mock-trend svg",
}
# Tables that reflow into blocks at phone width.
REFLOWED_TABLES = {"progress", "history"}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
axe = Axe()


def _learner_data() -> dict[str, str]:
    """A learner with a finished exam (its report, history and progress), an exam attempt in
    progress with one item of every kind, and a practice item whose feedback shows."""
    syllabus = load_pcep_syllabus()
    module = Module.objects.filter(syllabus=syllabus).order_by("number").first()
    topic = Topic.objects.filter(module=module).first()
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="Every kind", time_limit=3600)
    for order, kind in enumerate(KINDS, start=1):
        extra = {"correct": 2, "options": 4} if kind == "multiple" else {}
        if kind == "gap":
            extra["code_snippet"] = LONG_GAP_CODE
        question = make_question(
            kind=kind, topic=topic, exam=exam, text=f"A {kind} question: what happens?", **extra
        )
        question.question_order = order
        question.save(update_fields=["question_order"])
        _dress(question)
    user = UserFactory()

    finished = services.start_attempt(user=user, exam=exam, rng=random.Random(1))
    for item in finished.responses.select_related("question").order_by("position")[:3]:
        answers = list(item.question.answers.order_by("answer_order"))
        services.record_answer(
            attempt=finished,
            question_id=item.question_id,
            choice_ids=[answers[0].pk] if item.question.kind == "single" else [],
            order_ids=[answer.pk for answer in answers] if item.question.kind == "order" else [],
        )
    services.finish_attempt(attempt=finished)

    # A finished mock exam too, so the Progress page's mock score chart has a point.
    build_bank()
    mock = Exam.objects.get(kind=Exam.Kind.MOCK)
    services.finish_attempt(attempt=services.start_attempt(user=user, exam=mock))

    running = services.start_attempt(user=user, exam=exam, rng=random.Random(2))
    practice = services.start_practice(
        user=user, choice=PracticeChoice(topic=topic, count=3), rng=random.Random(3)
    )
    first = practice.responses.select_related("question").get(position=1)
    answer = first.question.answers.order_by("answer_order").first()
    services.record_answer(
        attempt=practice,
        question_id=first.question_id,
        choice_ids=[answer.pk] if first.question.kind in ("single", "multiple") else [],
        order_ids=[answer.pk for answer in first.question.answers.all()]
        if first.question.kind == "order"
        else [],
        gap_texts=["5", "+"] if first.question.takes_gap_texts else [],
    )

    pages = {
        "home": "/",
        "syllabus": "/syllabus/",
        "exam list": "/exams/",
        "exam start": f"/exams/{exam.pk}/start/",
        **{
            f"{kind} item": f"/exams/attempts/{running.pk}/items/{position}/"
            for position, kind in enumerate(KINDS, start=1)
        },
        "practice feedback": f"/exams/attempts/{practice.pk}/items/1/",
        "review": f"/exams/attempts/{running.pk}/review/",
        "score report": f"/exams/attempts/{finished.pk}/report/",
        "history": "/exams/history/",
        "progress": "/progress/",
        "profile": "/accounts/profile/",
    }
    client = Client()
    client.force_login(user)
    pages["session"] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert ExamSession.objects.filter(user=user).count() == 4
    return pages


ANONYMOUS_PAGES = {
    "login": "/accounts/login/",
    "sign-up": "/accounts/signup/",
    "password reset": "/accounts/password/reset/",
    "404": "/no-such-page/",
}
WIDEST = """() => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + el.className)"""


def _fit_and_axe_problems(page: Page) -> list[str]:
    """Horizontal overflow and axe violations of the page as it is now shown."""
    problems = []
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        problems.append(f"{overflow}px wider than the viewport: {page.evaluate(WIDEST)}")
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for violation in results["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"]]
        summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")
        problems.append(f"axe {violation['id']} on {targets}: {violation['help']}. {summary}")
    return problems


def _table_role_problems(page: Page) -> list[str]:
    """Chromium's own accessibility tree: a table laid out as blocks on a phone (site.css
    "phone layout") must still be a table of rows, cells and column headers."""
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    roles = [node.get("role", {}).get("value") for node in nodes]
    counts = {role: roles.count(role) for role in ("table", "row", "columnheader", "cell")}
    return [] if all(counts.values()) else [f"table semantics lost: {counts}"]


def _audit(page: Page, name: str, url: str) -> list[str]:
    """Load one page once, then check it at each width in each colour scheme."""
    response = page.goto(url)
    page.wait_for_load_state("load")
    expected = 404 if name == "404" else 200
    problems = [] if response.status == expected else [f"status {response.status}"]
    if name in MUST_SHOW and not page.locator(MUST_SHOW[name]).count():
        problems.append(f"nothing matches {MUST_SHOW[name]!r}: the page is not what is audited")
    page.evaluate(axe.axe_script)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for viewport, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            found = _fit_and_axe_problems(page)
            if name in REFLOWED_TABLES:
                found += _table_role_problems(page)
            problems += [f"{viewport} {scheme}: {problem}" for problem in found]
            if name in SCREENSHOTS:
                file_name = f"{name.replace(' ', '-')}-{viewport}-{scheme}.png"
                page.locator(SCREENSHOTS[name]).first.screenshot(path=screenshot_path(file_name))
    return [f"{name} ({url}) {problem}" for problem in problems]


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "learner"])
def test_every_learner_page_passes_axe_and_fits_desktop_and_phone(
    browser: Browser, live_server, signed_in: bool
):
    context = browser.new_context(base_url=live_server.url)
    if signed_in:
        pages = _learner_data()
        session = pages.pop("session")
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    else:
        pages = ANONYMOUS_PAGES
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    problems = [problem for name, url in pages.items() for problem in _audit(page, name, url)]
    context.close()
    assert not problems, "\n".join(problems)


def test_a_long_gap_line_scrolls_inside_its_block_on_a_phone_and_its_inputs_work(
    browser: Browser, live_server
):
    load_pcep_syllabus()
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="One long gap", time_limit=1800)
    make_question(kind="gap", exam=exam, question_order=1, code_snippet=LONG_GAP_CODE)
    user = UserFactory()
    attempt = services.start_attempt(user=user, exam=exam)
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS["phone"])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(f"/exams/attempts/{attempt.pk}/items/1/")
    page.wait_for_load_state("load")

    block = page.locator(".gap-code")
    assert block.evaluate("el => el.scrollWidth > el.clientWidth")  # it scrolls, not the page
    assert page.evaluate(OVERFLOW) <= 0
    last_gap = page.locator("#gap-2")
    expect(last_gap).not_to_be_in_viewport()  # at the end of line 3, past the screen's edge
    last_gap.fill("True")  # Playwright scrolls it into view and types as a learner would
    expect(last_gap).to_be_in_viewport()
    assert block.evaluate("el => el.scrollLeft") > 0
    last_gap.blur()
    expect(page.locator("#save-status")).to_have_text("Saved")
    context.close()
    saved = attempt.responses.get(position=1).response_data["gaps"]
    assert saved == ["", "True"]
