"""The keyboard path through an exam item in Chromium: the first Tab is "Skip to the answer",
Enter puts focus on the item's first option, the item's controls come before the 30-link
navigator, and the navigator is still reachable after them (and shown above the question on
a wide screen)."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams import services
from exams.models import Exam, Module, Topic
from exams.tests.browser.conftest import _dress, screenshot_path
from exams.tests.factories import ExamFactory, load_pcep_syllabus, make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5_000
# The first item of each kind, and what "its first option" is on the page.
FIRST_OPTION = {
    "single": "#answer-form input[name=choice] >> nth=0",
    "multiple": "#answer-form input[name=choice] >> nth=0",
    "order": "#answer-form .order-item >> nth=0 >> button.move-up",
    "gap": "#answer-form #gap-1",
    "tiles": "#tile-pool .tile >> nth=0",
    "insert": "#answer-form input[name=choice] >> nth=0",
    "lines": "#answer-form input[name=choice] >> nth=0",
}
KINDS = list(FIRST_OPTION)
ITEMS = 30


def log_in(page: Page, live_server, user, next_path: str = "/exams/") -> None:
    """Log in through the form and land on next_path."""
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def fixed_exam(*, title: str, kinds: list[str]) -> Exam:
    """A fixed exam of one dressed item per kind, in that order."""
    syllabus = load_pcep_syllabus()
    exam = ExamFactory(kind=Exam.Kind.FIXED, title=title, time_limit=3600)
    topic = Topic.objects.filter(
        module=Module.objects.filter(syllabus=syllabus).order_by("number").first()
    ).first()
    for position, kind in enumerate(kinds, start=1):
        extra = {"correct": 2, "options": 4} if kind == "multiple" else {}
        question = make_question(
            kind=kind, topic=topic, exam=exam, text=f"Item {position}, {kind}?", **extra
        )
        question.question_order = position
        question.save(update_fields=["question_order"])
        _dress(question)
    return exam


@pytest.fixture
def thirty_items() -> Exam:
    """One item of each kind first, then singles up to 30 items."""
    return fixed_exam(title="Thirty items", kinds=KINDS + ["single"] * (ITEMS - len(KINDS)))


def _focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            return {
                id: element.id,
                tag: element.tagName,
                inNavigator: Boolean(element.closest(".navigator")),
                inForm: Boolean(element.closest("#answer-form")),
                text: (element.getAttribute("aria-label") || element.textContent).trim(),
            };
        }"""
    )


def _is_focused(page: Page, selector: str) -> bool:
    return page.locator(selector).evaluate("element => element === document.activeElement")


@pytest.fixture
def attempt_url(page: Page, live_server, thirty_items) -> str:
    page.set_default_timeout(TIMEOUT)
    user = UserFactory()
    log_in(page, live_server, user)
    attempt = services.start_attempt(user=user, exam=thirty_items)
    assert attempt.responses.count() == ITEMS
    return f"{live_server.url}/exams/attempts/{attempt.pk}/items/"


@pytest.mark.parametrize("position,kind", list(enumerate(KINDS, start=1)))
def test_skip_link_lands_on_the_first_option_and_controls_come_before_the_navigator(
    page: Page, attempt_url, position, kind
):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{attempt_url}{position}/")
    page.wait_for_load_state("load")
    expect(page.locator("#answer-form")).to_have_attribute("data-kind", kind)

    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "skip-to-answer"
    expect(page.locator("#skip-to-answer")).to_be_visible()  # shown while focused
    expect(page.locator("#skip-to-answer")).to_have_text("Skip to the answer")
    page.keyboard.press("Enter")
    assert _is_focused(page, FIRST_OPTION[kind]), _focused(page)

    # From the first option to Flag or Next without a single navigator link on the way.
    path = []
    for _ in range(9):
        page.keyboard.press("Tab")
        path.append(_focused(page))
        if path[-1]["id"] in ("flag-button", "next-link"):
            break
    assert path[-1]["id"] in ("flag-button", "next-link"), path
    assert not any(stop["inNavigator"] for stop in path), path

    # The navigator's 30 links come after the item's controls, all still reachable.
    for _ in range(12):
        page.keyboard.press("Tab")
        if _focused(page)["inNavigator"]:
            break
    assert _focused(page)["text"].startswith("Item 1,"), _focused(page)
    assert page.locator(".navigator a.nav-item").count() == ITEMS

    # Seen on a wide screen, the navigator still sits above the question.
    navigator = page.locator(".navigator").bounding_box()
    question = page.locator("article.question").bounding_box()
    assert navigator["y"] + navigator["height"] <= question["y"]
    if kind == "single":
        page.screenshot(path=screenshot_path("item-keyboard-wide.png"), full_page=True)


def test_on_a_phone_the_navigator_follows_the_item(page: Page, attempt_url):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{attempt_url}1/")
    page.wait_for_load_state("load")

    navigator = page.locator(".navigator").bounding_box()
    actions = page.locator(".item-actions").bounding_box()
    assert navigator["y"] >= actions["y"] + actions["height"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=screenshot_path("item-keyboard-phone.png"), full_page=True)
