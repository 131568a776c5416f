"""A learner's mock exam and practice session, in a real browser against the live server."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams.models import UserResponse
from exams.tests.browser.conftest import option_explanation, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5_000


def wait_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=TIMEOUT)


def answer_item(page: Page, kind: str) -> dict:
    """Answer the current item; returns what to look for after a reload."""
    # The first item is reached by a redirect: its URL shows before attempt.js has run, and
    # typing into a gap before then saves nothing (the page's script wires the inputs).
    page.wait_for_load_state("load")
    form = page.locator("#answer-form")
    if kind == "single":
        radio = form.locator("input[name=choice]").nth(1)
        radio.check()
        wait_saved(page)
        return {"checked": [radio.get_attribute("value")]}
    if kind == "multiple":
        choose = int(form.get_attribute("data-choose"))
        boxes = form.locator("input[name=choice]")
        values = []
        for index in range(choose):
            boxes.nth(index).check()
            values.append(boxes.nth(index).get_attribute("value"))
        wait_saved(page)
        return {"checked": values}
    if kind == "order":
        before = form.locator("input[name=order]").evaluate_all("els => els.map(e => e.value)")
        form.locator("button.move-down").first.click()
        wait_saved(page)
        after = form.locator("input[name=order]").evaluate_all("els => els.map(e => e.value)")
        assert after == [before[1], before[0], *before[2:]]
        return {"order": after}
    gap = form.locator("input[name=gap]").first
    gap.fill("5")
    gap.blur()
    wait_saved(page)
    return {"gap": "5"}


def test_mock_exam_survives_reload_and_reports_score(page: Page, live_server, mock_bank):
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("#id_username", "browser-learner")
    page.fill("#id_email", "browser-learner@example.com")
    page.fill("#id_password1", DEFAULT_PASSWORD)
    page.fill("#id_password2", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("link", name="Log in")).to_have_count(0)

    page.goto(f"{live_server.url}/exams/")
    page.get_by_role("link", name="Start PCEP-30-02 mock exam").click()
    expect(page).to_have_url(re.compile(r"/exams/\d+/start/$"))
    page.get_by_role("button", name="Start the exam").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/items/1/$"))
    expect(page.locator(".navigator .nav-item[data-position]")).to_have_count(30)

    # Walk the items with the Next link and answer the first of each kind.
    answered: dict[str, tuple[str, dict]] = {}
    while len(answered) < 4:
        kind = page.locator("#answer-form").get_attribute("data-kind")
        if kind not in answered:
            answered[kind] = (page.url, answer_item(page, kind))
        if len(answered) < 4:
            page.locator("#next-link").click()
            page.wait_for_load_state()

    # Every answer is still there after a reload, and the countdown still runs.
    for kind, (url, expected) in answered.items():
        page.goto(url)
        page.reload()
        form = page.locator("#answer-form")
        expect(page.locator("#save-status")).to_have_text("Saved")
        expect(page.locator(".nav-item.current")).to_have_class(re.compile(r"\banswered\b"))
        expect(page.locator("#countdown-value")).to_have_text(re.compile(r"^\d+:\d{2}$"))
        for value in expected.get("checked", []):
            expect(form.locator(f"input[name=choice][value='{value}']")).to_be_checked()
        if "gap" in expected:
            expect(form.locator("input[name=gap]").first).to_have_value(expected["gap"])
        if "order" in expected:
            # The order is saved on the server; the item page does not show it again after a
            # reload yet (exams/views.py `item` lists options by their stored option_order and
            # ignores response_data["order"]), so check the stored answer instead.
            stored = UserResponse.objects.get(
                session__user__username="browser-learner",
                position=int(url.rstrip("/").split("/")[-1]),
            )
            assert [str(pk) for pk in stored.response_data["order"]] == expected["order"], kind

    # Flag the current item.
    flag = page.locator("#flag-button")
    expect(flag).to_have_attribute("aria-pressed", "false")
    flag.click()
    expect(flag).to_have_attribute("aria-pressed", "true")
    current = page.locator(".nav-item.current")
    expect(current).to_have_class(re.compile(r"\bflagged\b"))
    flagged_position = current.get_attribute("data-position")
    page.screenshot(path=str(screenshot_path("exam-page.png")), full_page=True)

    page.get_by_role("link", name="Review and submit").click()
    flagged_cell = page.locator("#review-grid li").nth(int(flagged_position) - 1)
    expect(flagged_cell).to_contain_text(f"Item {flagged_position}")
    expect(flagged_cell.locator(".flag")).to_have_text("flagged")
    expect(page.locator("#review-grid li")).to_have_count(30)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#submit-attempt").click()

    expect(page).to_have_url(re.compile(r"/report/$"))
    expect(page.locator("#scaled-score")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator(".score")).to_contain_text("/1000")
    expect(page.locator("#verdict")).to_have_text(re.compile(r"^(PASS|FAIL)$"))
    cells = page.locator(".block-percent")
    expect(cells).to_have_count(4)
    for text in cells.all_inner_texts():
        assert text.strip().endswith("%")
    page.screenshot(path=str(screenshot_path("score-report.png")), full_page=True)


def test_practice_shows_feedback_after_each_answer(page: Page, live_server, single_bank):
    page.set_default_timeout(TIMEOUT)
    user = UserFactory()
    page.goto(f"{live_server.url}/accounts/login/?next=/exams/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/exams/$"))

    page.fill("#id_count", "3")
    page.get_by_role("button", name="Start practice").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/items/1/$"))
    expect(page.locator(".navigator .nav-item[data-position]")).to_have_count(3)
    expect(page.locator("#answer-form")).to_have_attribute("data-kind", "single")

    # No key and no explanations before the item is answered.
    explanations = [
        option_explanation(question, letter) for question in single_bank for letter in "ABCD"
    ]
    html = page.content()
    assert "correct answer" not in html
    assert not any(text in html for text in explanations)
    expect(page.locator("#feedback")).to_be_empty()

    expect(page.locator("[data-answered-count]")).to_have_text("0")
    page.locator("#answer-form input[name=choice]").first.check()
    section = page.locator("#feedback section.feedback")
    expect(section).to_be_visible()
    # The count above the item follows the answer at once, without a reload.
    expect(page.locator("[data-answered-count]")).to_have_text("1")
    # With the feedback shown, Next is the main button and finishing the secondary one.
    expect(page.locator("#next-link")).not_to_have_class(re.compile(r"\bsecondary\b"))
    expect(page.locator("#finish-link")).to_have_class(re.compile(r"\bsecondary\b"))
    expect(section.locator("h2")).to_have_text(re.compile(r"^(Correct|Not correct)\b"))
    # The navigator marks the item right or wrong at once, as the feedback says.
    verdict = "right" if section.locator("h2").inner_text().startswith("Correct") else "wrong"
    first = page.locator('.navigator .nav-item[data-position="1"]')
    expect(first).to_have_class(re.compile(rf"\bverdict-{verdict}\b"))
    expect(first).to_have_attribute("aria-label", re.compile(rf"^Item 1, answered, {verdict}"))
    expect(section.locator(".badge.ok")).to_have_text("correct answer")
    expect(section.locator(".explanation").first).to_contain_text("Why option")
    html = page.content()
    assert sum(text in html for text in explanations) == 4
    expect(page.locator("#answer-form input[name=choice]").first).to_be_disabled()
