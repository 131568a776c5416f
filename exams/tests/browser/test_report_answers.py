"""The score report in Chromium: every kind shows the learner's own answer beside the key,
prose options in the text font and code options in the code font, on a desktop, on a 390 px
phone (nothing wider than the screen) and in dark mode."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams import services
from exams.drawing import PracticeChoice
from exams.models import Exam
from exams.tests.browser.conftest import screenshot_path
from exams.tests.factories import AnswerFactory, ExamFactory, make_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5_000
KINDS = ("single", "multiple", "order", "gap", "tiles", "insert", "lines")
PROSE = "It prints nothing, because the list is empty"
CODE = "['a', 'b']"


def _explain(question) -> None:
    for answer in question.answers.all():
        answer.explanation = f"Why `{answer.text}` is {'right' if answer.is_correct else 'wrong'}."
        answer.save(update_fields=["explanation"])


def _exam() -> Exam:
    """One item of each kind; the single-choice one mixes prose and code options."""
    exam = ExamFactory(title="Every kind", kind=Exam.Kind.FIXED)
    for order, kind in enumerate(KINDS, start=1):
        extra = {"correct": 2, "options": 4} if kind == "multiple" else {}
        question = make_question(
            kind=kind, exam=exam, question_order=order, verify_mode="output", **extra
        )
        question.html_content = f"<p>The {kind} item: what happens?</p>"
        question.save(update_fields=["html_content"])
        if kind == "single":
            texts = (CODE, PROSE, "A SyntaxError is raised", "['a']")
            for answer, text in zip(question.answers.order_by("answer_order"), texts, strict=True):
                answer.text = text
                answer.save(update_fields=["text"])
        if kind == "gap":
            AnswerFactory(question=question, text="2 + 3", is_correct=True, gap_number=1)
        _explain(question)
    return exam


def _answer_partly_wrong(attempt, item) -> None:
    ids = {answer.text: answer.pk for answer in item.question.answers.all()}
    record = {"attempt": attempt, "question_id": item.question_id}
    kind = item.question.kind
    if kind == "single":
        services.record_answer(**record, choice_ids=[ids[PROSE]])
    elif kind == "multiple":
        services.record_answer(**record, choice_ids=[ids["Option A"], ids["Option D"]])
    elif kind == "order":
        order = [ids["print(2)"], ids["print(1)"], ids["print(3)"], ids["print(4)"]]
        services.record_answer(**record, order_ids=order)
    elif kind == "gap":
        services.record_answer(**record, gap_texts=["7", "+"])
    elif kind == "tiles":
        services.record_answer(**record, gap_texts=["", "*"])
    elif kind == "insert":
        services.record_answer(**record, choice_ids=[ids["total -= n"]])
    elif kind == "lines":
        services.record_answer(**record, choice_ids=[ids["3"], ids["4"]])


def _item(page: Page, position: int):
    return page.locator("article.review-item").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^Item {position} "))
    )


def _font(locator) -> str:
    return locator.evaluate("element => getComputedStyle(element).fontFamily")


def _no_horizontal_overflow(page: Page) -> None:
    overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], f"the page is {overflow[0]} px wide in {overflow[1]} px"


def test_report_shows_each_kinds_own_answer_on_desktop_phone_and_dark(page: Page, live_server):
    page.set_default_timeout(TIMEOUT)
    user = UserFactory()
    attempt = services.start_attempt(user=user, exam=_exam())
    for item in attempt.responses.select_related("question"):
        _answer_partly_wrong(attempt, item)
    services.finish_attempt(attempt=attempt)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/?next=/exams/attempts/{attempt.pk}/report/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Score report")).to_be_visible()

    # Single choice: their choice marked, the key marked; prose and code in their fonts.
    single = _item(page, 1)
    chosen = single.locator("li.chosen")
    expect(chosen).to_have_count(1)
    expect(chosen).to_contain_text(PROSE)
    expect(chosen.locator(".badge.mine.wrong")).to_have_text("your choice")
    expect(single.locator("li.key")).to_contain_text(CODE)
    prose = single.locator(".option-text.prose", has_text=PROSE)
    code = single.locator("code.option-text", has_text=CODE)
    assert "monospace" not in _font(prose)
    assert "monospace" in _font(code)
    # The explanation is its own block under the option, not run on after it.
    option_box = chosen.locator(".option-block").bounding_box()
    explanation_box = chosen.locator(".explanation").bounding_box()
    assert explanation_box["y"] >= option_box["y"] + option_box["height"] - 1

    # Multiple choice: one right choice, one wrong one.
    multiple = _item(page, 2)
    expect(multiple.locator(".badge.mine.right")).to_have_count(1)
    expect(multiple.locator(".badge.mine.wrong")).to_have_count(1)

    # Order: lines 1 and 2 swapped, each marked with the place it belongs.
    order = _item(page, 3).locator(".order-given li")
    expect(order).to_have_count(4)
    expect(order.nth(0)).to_contain_text("print(2)")
    expect(order.nth(0).locator(".mark")).to_have_text("misplaced — belongs at position 2")
    expect(order.nth(1).locator(".mark")).to_have_text("misplaced — belongs at position 1")
    expect(order.nth(2).locator(".mark")).to_have_text("in the right place")
    expect(_item(page, 3).locator(".order-key li").first).to_contain_text("print(1)")

    # Gap: what they typed beside every accepted text.
    gaps = _item(page, 4).locator(".gap-review li")
    expect(gaps.nth(0)).to_contain_text("you wrote 7")
    expect(gaps.nth(0).locator(".mark")).to_have_text("wrong")
    expect(gaps.nth(0).locator("code.accepted")).to_have_text(["5", "2 + 3"])
    expect(gaps.nth(1).locator(".mark")).to_have_text("right")

    # Tiles: the empty gap is named; the tile placed beside the right one.
    tiles = _item(page, 5).locator(".gap-review li")
    expect(tiles.nth(0)).to_contain_text("Gap 1: you placed nothing")
    expect(tiles.nth(0)).to_contain_text("right tile range")
    expect(tiles.nth(1)).to_contain_text("you placed *")
    expect(tiles.nth(1).locator(".mark")).to_have_text("right")

    # Code insertion: the line chosen, the line that belonged there.
    insert = _item(page, 6)
    expect(insert.locator("li.chosen")).to_contain_text("total -= n")
    expect(insert.locator("li.key")).to_contain_text("total += n")
    assert "monospace" in _font(insert.locator("code.option-text").first)

    # Select the lines: line 4 right, line 3 wrong, line 2 missed.
    lines = _item(page, 7).locator(".lines-review li")
    expect(lines.nth(0)).to_contain_text("Line 2")
    expect(lines.nth(0).locator(".badge.mine")).to_have_count(0)
    expect(lines.nth(1).locator(".badge.mine.wrong")).to_have_text("your choice")
    expect(lines.nth(2).locator(".badge.mine.right")).to_have_text("your choice")

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.screenshot(path=screenshot_path("report-answers-1280.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _no_horizontal_overflow(page)
    page.screenshot(path=screenshot_path("report-answers-390.png"), full_page=True)

    page.emulate_media(color_scheme="dark")
    page.reload()
    _no_horizontal_overflow(page)
    # The marks and answers in dark mode; the highlighted code blocks' dark colours are
    # static/css/code.css's, checked by the learner pages' test.
    results = Axe().run(page, context="section.feedback")
    assert results.violations_count == 0, results.generate_report()
    page.screenshot(path=screenshot_path("report-answers-390-dark.png"), full_page=True)

    # Only what they got wrong: every item here lost points, so all seven stay.
    page.get_by_role("link", name=re.compile(r"Show only what I got wrong")).click()
    expect(page.locator("article.review-item")).to_have_count(len(KINDS))
    expect(_item(page, 3).locator(".order-given .mark").first).to_contain_text("misplaced")


def test_practice_item_options_take_their_fonts_and_feedback_shows_the_own_answer(
    page: Page, live_server
):
    page.set_default_timeout(TIMEOUT)
    user = UserFactory()
    exam = _exam()
    single = exam.questions.get(kind="single")
    attempt = services.start_practice(user=user, choice=PracticeChoice(topic=single.topic, count=1))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/?next=/exams/attempts/{attempt.pk}/items/1/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    options = page.locator("#answer-form .option")
    expect(options).to_have_count(4)
    assert "monospace" not in _font(page.locator("#answer-form .option-text.prose", has_text=PROSE))
    assert "monospace" in _font(page.locator("#answer-form code.option-text", has_text=CODE))

    options.filter(has_text=PROSE).locator("input").check()
    feedback = page.locator("#feedback section.feedback")
    expect(feedback).to_be_visible()
    expect(feedback.locator("li.chosen .badge.mine.wrong")).to_have_text("your choice")
    expect(feedback.locator("li.key")).to_contain_text(CODE)
    _no_horizontal_overflow(page)
    page.screenshot(path=screenshot_path("practice-feedback-390.png"), full_page=True)
