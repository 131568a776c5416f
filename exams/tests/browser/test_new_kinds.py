"""The tiles, code-insertion and select-the-lines items in Chromium: answered by mouse and by
keyboard, saved at once, kept over a reload, and scored with the points of each kind."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams import services
from exams.content.importing import import_content
from exams.models import Exam, UserResponse
from exams.tests.browser.conftest import screenshot_path
from exams.tests.factories import load_pcep_syllabus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5_000
SAMPLE = Path(__file__).parent / "samples" / "new_kinds.yaml"


@pytest.fixture
def new_kinds_exam(jail) -> Exam:
    load_pcep_syllabus()
    report = import_content(paths=[SAMPLE])  # verifies the four keys on the way in
    assert report.ok and report.verified == 3, [str(problem) for problem in report.problems]
    return Exam.objects.get(source_file="new_kinds.yaml")


def saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=TIMEOUT)


def stored(attempt, position: int) -> dict:
    return UserResponse.objects.get(session=attempt, position=position).response_data


def test_tiles_insert_and_lines_by_mouse_and_keyboard(page: Page, live_server, new_kinds_exam):
    page.set_default_timeout(TIMEOUT)
    user = UserFactory()
    page.goto(f"{live_server.url}/accounts/login/?next=/exams/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/exams/$"))
    attempt = services.start_attempt(user=user, exam=new_kinds_exam)
    item = f"{live_server.url}/exams/attempts/{attempt.pk}/items/"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(item + "1/")
    page.wait_for_load_state("load")

    # Tiles: gap 1 by keyboard (a tile, then a gap), gap 2 by dragging with the mouse.
    page.locator(".tile[data-text='range']").focus()
    page.keyboard.press("Enter")
    page.locator(".tile-slot[data-gap='1']").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".tile-slot[data-gap='1']")).to_have_attribute("aria-label", "Gap 1: range")
    expect(page.locator(".tile[data-text='range']")).to_be_hidden()  # it left the pool
    page.drag_and_drop(".tile[data-text='*']", ".tile-slot[data-gap='2']")
    expect(page.locator(".tile-slot[data-gap='2']")).to_have_attribute("aria-label", "Gap 2: *")
    saved(page)
    page.screenshot(path=screenshot_path("tiles.png"), full_page=True)
    assert stored(attempt, 1)["gaps"] == ["range", "*"]

    # Code insertion: the line that replaces "# insert here".
    page.goto(item + "2/")
    page.wait_for_load_state("load")
    page.locator("label", has_text="total += n").locator("input").check()
    saved(page)
    page.screenshot(path=screenshot_path("insert.png"), full_page=True)

    # Select the lines: two checkboxes beside the numbered lines.
    page.goto(item + "3/")
    page.wait_for_load_state("load")
    page.get_by_label("Line 2").check()
    page.keyboard.press("Tab")
    page.get_by_label("Line 4").focus()
    page.keyboard.press("Space")
    saved(page)
    page.screenshot(path=screenshot_path("lines.png"), full_page=True)

    # Every answer is still there after a reload.
    page.goto(item + "1/")
    page.reload()
    expect(page.locator(".tile-slot[data-gap='2']")).to_have_attribute("aria-label", "Gap 2: *")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshot_path("tiles-phone.png"), full_page=True)
    page.goto(item + "3/")
    expect(page.get_by_label("Line 2")).to_be_checked()
    expect(page.get_by_label("Line 4")).to_be_checked()

    finished = services.finish_attempt(attempt=attempt)
    points = dict(
        UserResponse.objects.filter(session=finished).values_list("position", "points_earned")
    )
    assert (points[1], points[2], points[3]) == (30, 20, 30)  # every new-kind item right
