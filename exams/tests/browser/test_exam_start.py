"""The exam start page in a real browser: list → rules → "Start the exam" → item 1, and back."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from exams.models import Exam, ExamSession
from exams.tests.browser.conftest import screenshot_path
from exams.tests.browser.test_pwa_offline import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START_PAGE = re.compile(r"/exams/\d+/start/$")


def assert_no_axe_violations(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_start_page_then_start_then_resume(page: Page, live_server, mock_bank):
    user = log_in(page, live_server)

    page.get_by_role("link", name="Start PCEP-30-02 mock exam").click()
    expect(page).to_have_url(START_PAGE)
    start_url = page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("PCEP-30-02 mock exam")
    exam = Exam.objects.get(kind=Exam.Kind.MOCK)
    expect(page.locator("#fact-items")).to_have_text(str(sum(exam.blueprint.values())))
    expect(page.locator("#fact-time")).to_have_text(f"{exam.time_limit // 60} minutes")
    pass_points = exam.max_score * exam.pass_percent // 100
    expect(page.locator("#fact-pass")).to_have_text(
        f"{exam.pass_percent}% ({pass_points} of {exam.max_score} points)"
    )
    expect(page.locator(".exam-blocks tbody tr")).to_have_count(4)
    for rule in ("Move freely.", "Answers save themselves", "At 0:00 the exam ends."):
        expect(page.locator(".exam-rules")).to_contain_text(rule)
    expect(page.get_by_role("button", name="Resume the exam")).to_have_count(0)
    assert not ExamSession.objects.filter(user=user).exists()
    assert_no_axe_violations(page)
    page.screenshot(path=str(screenshot_path("exam-start.png")), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    page.screenshot(path=str(screenshot_path("exam-start-390.png")), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Start the exam").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/items/1/$"))
    expect(page.locator("#countdown-value")).to_have_text(re.compile(r"^\d+:\d{2}$"))
    attempt = ExamSession.objects.get(user=user)

    page.goto(start_url)
    expect(page.locator("#in-progress")).to_have_text(
        re.compile(rf"^You have this exam in progress: {exam.time_limit // 60} min left\.")
    )
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Resume the exam").click()
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt.pk}/items/1/$"))
    assert ExamSession.objects.filter(user=user).count() == 1
