"""The installable app offline: the service worker keeps the pages of an attempt, and answers
given without a connection wait in IndexedDB until the server takes (or refuses) them."""

import re
import threading

import pytest
from django.core.servers.basehttp import ServerHandler
from playwright.sync_api import BrowserContext, Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams import services
from exams.models import ExamSession, UserResponse
from exams.tests.browser.conftest import screenshot_path
from exams.tests.browser.test_offline import (
    choose,
    eventually,
    item_url,
    leave_anyway,
    start,
    stored_choices,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5_000
RESEND_TIMEOUT = 25_000  # ms: the retries back off to at most 15 s apart
# How many changes this browser still keeps to send, for any attempt (static/js/attempt.js).
WAITING_RECORDS = """() => new Promise((resolve) => {
    const request = indexedDB.open("pcep-offline");
    request.onsuccess = () => {
        const count = request.result.transaction("pending").objectStore("pending").count();
        count.onsuccess = () => resolve(count.result);
    };
})"""


def log_in(page: Page, live_server):
    page.set_default_timeout(TIMEOUT)
    user = UserFactory()
    page.goto(f"{live_server.url}/accounts/login/?next=/exams/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/exams/$"))
    return user


def wait_for_worker(page: Page) -> str:
    """Wait until the service worker controls the page; its script URL."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    return page.evaluate("navigator.serviceWorker.controller.scriptURL")


def test_service_worker_registers_for_the_whole_site_and_precaches_the_shell(
    page: Page, live_server
):
    log_in(page, live_server)
    page.evaluate("navigator.serviceWorker.ready")
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == f"{live_server.url}/"
    page.reload()  # the first page loaded before the worker; this one is controlled
    assert wait_for_worker(page) == f"{live_server.url}/sw.js"
    cached = page.evaluate(
        """async () => {
            const names = await caches.keys();
            const urls = [];
            for (const name of names) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
            }
            return {names, urls};
        }"""
    )
    assert any(name.startswith("pcep-static-") for name in cached["names"])
    assert "/static/css/site.css" in cached["urls"]
    assert "/static/js/attempt.js" in cached["urls"]
    assert "/offline/" in cached["urls"]
    assert not [url for url in cached["urls"] if url.startswith("/static/vendor/")]


class Connection:
    """The learner's connection, cut and restored for the page and its service worker alike.

    Chromium's offline emulation (`context.set_offline`) reaches neither the worker's own
    requests nor, at times, the first requests of a page the worker served, and Playwright's
    routes miss those too: so while the connection is cut the live server also hangs up on
    every request without an answer, which is what the browser sees of a dropped network."""

    def __init__(self, context: BrowserContext, monkeypatch):
        self.context = context
        self.cut = threading.Event()
        answer = ServerHandler.run

        # Checked once the request is read: a request on a kept-alive connection, whose
        # server thread was already waiting for it, is refused too.
        def answer_unless_cut(handler, application):
            if self.cut.is_set():
                handler.request_handler.close_connection = True
                return
            answer(handler, application)

        monkeypatch.setattr(ServerHandler, "run", answer_unless_cut)

    def drop(self) -> None:
        self.cut.set()
        self.context.set_offline(True)

    def restore(self) -> None:
        self.cut.clear()
        self.context.set_offline(False)


@pytest.fixture
def connection(context: BrowserContext, monkeypatch) -> Connection:
    return Connection(context, monkeypatch)


def batch_responses(page: Page) -> list[int]:
    """Statuses of the API batch saves (POST .../answers/) the page gets from now on."""
    statuses: list[int] = []
    page.on(
        "response",
        lambda response: (
            statuses.append(response.status) if response.url.endswith("/answers/") else None
        ),
    )
    return statuses


def open_items_online(page: Page, live_server, attempt: ExamSession, positions) -> None:
    """Open each item once while online, so that the worker keeps a copy of its page."""
    wait_for_worker(page)
    for position in positions:
        page.goto(item_url(live_server, attempt, position))
        expect(page.locator("#answer-form")).to_be_visible()


def answer_offline_and_move_on(page: Page, index: int) -> int:
    """Choose the option at `index` (no connection), then leave for the next item anyway."""
    value = choose(page, index)
    expect(page.locator("#save-status")).to_contain_text("Not saved yet: no connection.")
    leave_anyway(page, page.locator("#next-link"))
    return value


def test_three_answers_given_offline_survive_a_reload_and_are_all_saved_when_back_online(
    page: Page, connection: Connection, live_server, single_exam
):
    attempt = start(page, live_server, single_exam)
    open_items_online(page, live_server, attempt, [1, 2, 3])
    page.goto(item_url(live_server, attempt, 1))
    sync = page.locator("#sync-status")
    batches = batch_responses(page)

    connection.drop()
    first = answer_offline_and_move_on(page, 0)
    expect(page).to_have_url(item_url(live_server, attempt, 2))  # the worker's copy
    expect(sync).to_have_text("Offline — 1 answer waiting")
    second = answer_offline_and_move_on(page, 1)
    expect(page).to_have_url(item_url(live_server, attempt, 3))
    third = choose(page, 2)
    expect(sync).to_have_text("Offline — 3 answers waiting")

    # Reloading offline: the browser asks first (the answers are not on the server yet), then
    # the worker's copy of the page comes back with the waiting answers put back into it.
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    expect(sync).to_have_text("Offline — 3 answers waiting")
    expect(page.locator(f"#answer-form input[name=choice][value='{third}']")).to_be_checked()
    page.screenshot(path=screenshot_path("offline-answers-waiting.png"))
    assert [stored_choices(attempt, position) for position in (1, 2, 3)] == [None, None, None]

    connection.restore()
    expect(sync).to_have_text("All answers saved", timeout=RESEND_TIMEOUT)
    expect(page.locator("#save-status")).to_have_text("Saved")
    assert eventually(page, lambda: stored_choices(attempt, 3)) == [third]
    assert stored_choices(attempt, 1) == [first]
    assert stored_choices(attempt, 2) == [second]
    expect(page.locator(".nav-item.answered[data-position]")).to_have_count(3)
    assert page.evaluate(WAITING_RECORDS) == 0
    assert batches == [200]  # the three went together, once


def test_answers_kept_offline_past_the_deadline_are_refused_and_named(
    page: Page, connection: Connection, live_server, single_exam
):
    attempt = start(page, live_server, single_exam)
    open_items_online(page, live_server, attempt, [1, 2])
    page.goto(item_url(live_server, attempt, 1))
    sync = page.locator("#sync-status")
    batches = batch_responses(page)

    connection.drop()
    answer_offline_and_move_on(page, 0)
    expect(page).to_have_url(item_url(live_server, attempt, 2))
    choose(page, 1)
    expect(sync).to_have_text("Offline — 2 answers waiting")
    # The time runs out (grace included) while the learner is offline: the server's clock rules.
    ExamSession.objects.filter(pk=attempt.pk).update(
        deadline=attempt.start_time - services.DEADLINE_GRACE
    )

    connection.restore()
    expect(sync).to_have_text(
        "Item 1 was not saved: time was up. Item 2 was not saved: time was up",
        timeout=RESEND_TIMEOUT,
    )
    expect(page.locator("#save-status")).to_contain_text("Not saved: " + services.TIME_IS_UP)
    expect(page.locator("#answer-form input[name=choice]").first).to_be_disabled()
    assert stored_choices(attempt, 1) is None
    assert stored_choices(attempt, 2) is None
    attempt.refresh_from_db()
    assert attempt.is_completed
    assert page.evaluate(WAITING_RECORDS) == 0  # nothing left to send again
    page.wait_for_timeout(2000)
    assert batches == [409]  # refused whole, and never tried again


def test_a_flag_set_offline_is_kept_across_a_reload_and_sent_when_back_online(
    page: Page, connection: Connection, live_server, single_exam
):
    attempt = start(page, live_server, single_exam)
    open_items_online(page, live_server, attempt, [1])
    flag = page.locator("#flag-button")

    connection.drop()
    flag.click()
    expect(page.locator("#save-status")).to_contain_text("Flagged on this device")
    expect(page.locator("#sync-status")).to_have_text("Offline — 1 flag waiting")
    page.reload()
    expect(flag).to_have_text("Unflag")
    expect(page.locator(".nav-item.current")).to_have_class(re.compile(r"\bflagged\b"))

    connection.restore()
    expect(page.locator("#sync-status")).to_have_text("All answers saved", timeout=RESEND_TIMEOUT)
    assert eventually(
        page, lambda: UserResponse.objects.get(session=attempt, position=1).is_bookmarked
    )


KEPT_PAGES = """async () => {
    const urls = [];
    for (const name of await caches.keys()) {
        if (!name.startsWith("pcep-pages-")) continue;
        const cache = await caches.open(name);
        for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
}"""


def test_logging_out_empties_the_kept_pages_so_the_next_learner_sees_none(
    page: Page, live_server, single_exam
):
    attempt = start(page, live_server, single_exam)
    open_items_online(page, live_server, attempt, [1])
    item_path = f"/exams/attempts/{attempt.pk}/items/1/"
    assert item_path in page.evaluate(KEPT_PAGES)

    # The exam's pages keep the site menu out of the way: log out from the home page.
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Log out").click()
    expect(page.locator(".site-header").get_by_role("link", name="Log in")).to_be_visible()

    # Only the page shown after logging out (the home page, as anyone sees it) is kept now.
    assert page.evaluate(KEPT_PAGES) == ["/"]


def test_keep_for_offline_keeps_item_pages_never_opened(
    page: Page, live_server, single_exam, connection: Connection
):
    attempt = start(page, live_server, single_exam)
    wait_for_worker(page)
    page.reload()  # controlled by the worker now
    kept_before = page.evaluate(KEPT_PAGES)
    assert item_url(live_server, attempt, 3).removeprefix(live_server.url) not in kept_before

    page.get_by_role("button", name="Keep these 3 items for offline use").click()
    expect(page.locator("#keep-offline-status")).to_have_text(
        "All 3 items are kept for offline use."
    )

    connection.drop()
    page.goto(item_url(live_server, attempt, 3))
    # Item 3 was never opened, yet it is there offline, without its key.
    expect(page.locator("#answer-form")).to_be_visible()
    expect(page.get_by_text("Single 3?")).to_be_visible()
    assert "correct answer" not in page.content()
    connection.restore()
