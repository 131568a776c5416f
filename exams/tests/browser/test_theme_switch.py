"""The footer's light/dark switch in Chromium: a learner's choice survives a reload and
follows them to another browser, a manual Light beats a dark system setting, code colours
follow, and the switch works for a visitor and without JavaScript."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.tests.factories import UserFactory
from exams import services
from exams.tests.browser.conftest import screenshot_path
from exams.tests.browser.test_item_keyboard import fixed_exam, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5_000
LIGHT_BG = "rgb(253, 253, 252)"  # --bg, light
DARK_BG = "rgb(20, 23, 28)"  # --bg, dark
KEYWORD_LIGHT = "rgb(0, 128, 0)"  # Pygments "default" keyword
KEYWORD_DARK = "rgb(102, 217, 239)"  # Pygments "monokai" keyword


def body_background(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def choose(page: Page, theme: str) -> None:
    """Pick a theme in the footer and wait until the background save has been answered."""
    with page.expect_response(lambda response: response.url.endswith("/accounts/theme/")) as saved:
        page.select_option("#theme-choice", theme)
    assert saved.value.status == 204


@pytest.fixture
def code_item_path():
    """A one-item exam whose item shows highlighted code; returns the item's path for a user."""
    exam = fixed_exam(title="One insert", kinds=["insert"])

    def path_for(user) -> str:
        attempt = services.start_attempt(user=user, exam=exam)
        return f"/exams/attempts/{attempt.pk}/items/1/"

    return path_for


def test_dark_is_kept_over_a_reload_and_in_another_browser(
    page: Page, browser: Browser, live_server, code_item_path
):
    user = UserFactory()
    item = code_item_path(user)
    log_in(page, live_server, user, item)
    assert body_background(page) == LIGHT_BG  # Playwright's default system setting is light
    expect(page.locator("#theme-apply")).to_be_hidden()  # JavaScript applies on change

    choose(page, "dark")
    assert body_background(page) == DARK_BG  # at once, without a page load
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert body_background(page) == DARK_BG
    expect(page.locator("#theme-choice")).to_have_value("dark")
    keyword = page.locator(".codehilite .k").first
    expect(keyword).to_have_css("color", KEYWORD_DARK)
    page.screenshot(path=screenshot_path("theme-dark-item.png"), full_page=True)

    other = browser.new_context()
    try:
        elsewhere = other.new_page()
        log_in(elsewhere, live_server, user)
        assert body_background(elsewhere) == DARK_BG
    finally:
        other.close()


def test_manual_light_beats_a_dark_system_and_auto_follows_it(
    browser: Browser, live_server, code_item_path
):
    user = UserFactory()
    item = code_item_path(user)
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        log_in(page, live_server, user, item)
        assert body_background(page) == DARK_BG  # Auto: as the system
        expect(page.locator(".codehilite .k").first).to_have_css("color", KEYWORD_DARK)

        choose(page, "light")
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        assert body_background(page) == LIGHT_BG
        expect(page.locator(".codehilite .k").first).to_have_css("color", KEYWORD_LIGHT)
        # Native controls (the select itself) are light too, not the system's dark.
        assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "light"
        page.screenshot(path=screenshot_path("theme-light-on-dark-system.png"), full_page=True)

        choose(page, "auto")
        page.reload()
        assert page.locator("html").get_attribute("data-theme") is None
        assert body_background(page) == DARK_BG
    finally:
        context.close()


def test_a_visitor_choice_is_kept_in_a_cookie(page: Page, live_server):
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{live_server.url}/")
    choose(page, "dark")
    page.goto(f"{live_server.url}/accounts/login/")
    assert body_background(page) == DARK_BG


def test_the_switch_works_without_javascript(browser: Browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(f"{live_server.url}/accounts/login/")
        page.select_option("#theme-choice", "dark")
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(re.compile(r"/accounts/login/$"))  # back where it was
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        assert body_background(page) == DARK_BG
    finally:
        context.close()
