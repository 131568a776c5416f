"""A dropped connection loses no answer, and the page says what the server has (not) got."""

import re
import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams import services
from exams.models import ExamSession, UserResponse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5_000
RESEND_TIMEOUT = 25  # seconds: the retries back off to at most 15 s apart
# Both ways an answer reaches the server: an item's own endpoint, and the API's batch save
# (static/js/attempt.js sends answers to several items in one batch).
ANSWER_SAVES = re.compile(r"/answers?/$")
KEPT = (
    "Not saved yet: no connection. Your answer is kept on this page "
    "and will be sent when the connection returns."
)


def start(page: Page, live_server, exam) -> ExamSession:
    """Log a new learner in and open item 1 of a new attempt at `exam`."""
    page.set_default_timeout(TIMEOUT)
    user = UserFactory()
    page.goto(f"{live_server.url}/accounts/login/?next=/exams/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/exams/$"))
    attempt = services.start_attempt(user=user, exam=exam)
    page.goto(item_url(live_server, attempt, 1))
    return attempt


def item_url(live_server, attempt: ExamSession, position: int) -> str:
    return f"{live_server.url}/exams/attempts/{attempt.pk}/items/{position}/"


def stored_choices(attempt: ExamSession, position: int) -> list[int] | None:
    """The choices the server has stored for the item, or None if it has no answer."""
    response = UserResponse.objects.get(session=attempt, position=position)
    return None if response.is_skipped else response.response_data.get("choices")


def eventually(page: Page, check, timeout: float = RESEND_TIMEOUT):
    """Poll `check` (a database query) until it is truthy, letting the page run meanwhile.

    Callers first wait for the page to say it is done: the shared in-memory SQLite database
    of the tests refuses a write ("table is locked") while this thread reads."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, "timed out waiting for the server to get the answer"
        page.wait_for_timeout(200)
    return value


def choose(page: Page, index: int) -> int:
    radio = page.locator("#answer-form input[name=choice]").nth(index)
    radio.check()
    return int(radio.get_attribute("value"))


def choose_offline(page: Page, context: BrowserContext, index: int) -> int:
    """Cut the connection, choose the option at `index`, and see the page keep the answer."""
    context.set_offline(True)
    value = choose(page, index)
    expect(page.locator("#save-status")).to_have_text(KEPT)
    return value


def choose_while_server_is_down(page: Page, index: int) -> int:
    """Make every answer-save request fail (the server is down, the network is not), then
    choose the option at `index` and see the page keep the answer."""
    page.route(ANSWER_SAVES, lambda route: route.abort("connectionrefused"))
    value = choose(page, index)
    expect(page.locator("#save-status")).to_have_text(KEPT)
    return value


def leave_anyway(page: Page, link) -> None:
    """Choose `link` with an answer unsent: held, with a warning; chosen again, it goes."""
    link.click()
    expect(page.locator("#save-status")).to_contain_text(
        "To leave now anyway, choose the link again"
    )
    link.click()


def answer_responses(page: Page) -> list[int]:
    """Statuses of the answer-save responses the page gets from now on."""
    statuses: list[int] = []
    page.on(
        "response",
        lambda response: statuses.append(response.status) if "/answer/" in response.url else None,
    )
    return statuses


def test_answer_given_offline_is_sent_when_the_connection_returns(
    page: Page, context: BrowserContext, live_server, single_exam
):
    attempt = start(page, live_server, single_exam)
    status = page.locator("#save-status")
    responses = answer_responses(page)

    choose_offline(page, context, 0)
    latest = choose(page, 1)  # a second change offline: only this one may reach the server
    expect(status).to_have_text(KEPT)
    # Reloading now would drop the page: the browser asks first (dismissed here).
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.evaluate("location.reload()")
    expect(status).to_have_text(KEPT)
    assert dialogs == ["beforeunload"]
    page.wait_for_timeout(1500)  # a retry or two, still offline
    assert stored_choices(attempt, 1) is None
    expect(page.locator(".nav-item.current")).not_to_have_class(re.compile(r"\banswered\b"))

    context.set_offline(False)
    expect(status).to_have_text("Saved", timeout=RESEND_TIMEOUT * 1000)
    assert eventually(page, lambda: stored_choices(attempt, 1)) == [latest]
    expect(page.locator(".nav-item.current")).to_have_class(re.compile(r"\banswered\b"))
    assert responses == [200]  # the stale first answer was never sent

    page.reload()
    expect(page.locator(f"#answer-form input[name=choice][value='{latest}']")).to_be_checked()
    expect(status).to_have_text("Saved")


def test_leaving_an_item_waits_for_its_answer(
    page: Page, context: BrowserContext, live_server, single_exam
):
    attempt = start(page, live_server, single_exam)
    status = page.locator("#save-status")

    first = choose_offline(page, context, 1)
    page.locator("#next-link").click()  # held: the answer is not sent yet
    expect(status).to_contain_text("You will move on once it is sent")
    expect(status).to_contain_text("Not saved yet: no connection.")
    expect(page).to_have_url(item_url(live_server, attempt, 1))
    assert stored_choices(attempt, 1) is None

    context.set_offline(False)
    expect(page).to_have_url(item_url(live_server, attempt, 2), timeout=RESEND_TIMEOUT * 1000)
    assert stored_choices(attempt, 1) == [first]
    expect(page.locator(".nav-item[data-position='1']")).to_have_class(re.compile(r"\banswered\b"))

    second = choose(page, 2)
    expect(status).to_have_text("Saved")
    assert eventually(page, lambda: stored_choices(attempt, 2)) == [second]

    page.locator(".nav-item[data-position='1']").click()
    expect(page).to_have_url(item_url(live_server, attempt, 1))
    expect(page.locator(f"#answer-form input[name=choice][value='{first}']")).to_be_checked()
    expect(page.locator(".nav-item.current")).to_have_class(re.compile(r"\banswered\b"))
    expect(status).to_have_text("Saved")


def test_answers_kept_across_pages_while_the_server_is_down(page: Page, live_server, single_exam):
    """No `online` event here: the network is up, the server is not; the retries deliver."""
    attempt = start(page, live_server, single_exam)
    status = page.locator("#save-status")
    first = choose_while_server_is_down(page, 0)
    leave_anyway(page, page.locator("#next-link"))  # the answer stays in this tab
    expect(page).to_have_url(item_url(live_server, attempt, 2))
    expect(status).to_contain_text("Your answer to item 1 is kept on this page")

    second = choose(page, 1)
    expect(status).to_contain_text("Your answer and 1 earlier one are kept on this page")
    assert stored_choices(attempt, 1) is None
    assert stored_choices(attempt, 2) is None

    page.unroute(ANSWER_SAVES)
    expect(status).to_have_text("Saved", timeout=RESEND_TIMEOUT * 1000)
    eventually(page, lambda: stored_choices(attempt, 1) and stored_choices(attempt, 2))
    assert stored_choices(attempt, 1) == [first]
    assert stored_choices(attempt, 2) == [second]
    expect(page.locator(".nav-item.answered[data-position]")).to_have_count(2)

    page.goto(item_url(live_server, attempt, 1))
    expect(page.locator(f"#answer-form input[name=choice][value='{first}']")).to_be_checked()
    expect(page.locator(".nav-item.current")).to_have_class(re.compile(r"\banswered\b"))


def test_an_answer_kept_past_the_deadline_is_refused_by_the_server(
    page: Page, context: BrowserContext, live_server, single_exam
):
    attempt = start(page, live_server, single_exam)
    status = page.locator("#save-status")
    responses = answer_responses(page)

    choose_offline(page, context, 1)
    # The time runs out while the learner is offline: the server's clock rules.
    ExamSession.objects.filter(pk=attempt.pk).update(
        deadline=attempt.start_time - services.DEADLINE_GRACE
    )

    context.set_offline(False)
    expect(status).to_contain_text(
        "Not saved: " + services.TIME_IS_UP, timeout=RESEND_TIMEOUT * 1000
    )
    expect(status.get_by_role("link", name="See the report.")).to_be_visible()
    expect(page.locator("#answer-form input[name=choice]").first).to_be_disabled()
    page.wait_for_timeout(3000)  # no retries after a refusal
    assert responses == [409]
    assert stored_choices(attempt, 1) is None
    assert page.evaluate("Object.keys(sessionStorage)") == []


def test_a_refused_answer_is_shown_and_not_retried(
    page: Page, context: BrowserContext, live_server, single_exam
):
    attempt = start(page, live_server, single_exam)
    status = page.locator("#save-status")
    responses = answer_responses(page)

    # An option that is not the question's: the server refuses it.
    page.locator("#answer-form input[name=choice]").first.evaluate("input => input.value = '0'")
    choose_offline(page, context, 0)

    context.set_offline(False)
    expect(status).to_have_text(
        "Not saved: That option does not belong to this question.",
        timeout=RESEND_TIMEOUT * 1000,
    )
    page.wait_for_timeout(3000)  # retries would have come after 1 and 2 seconds
    assert responses == [400]
    assert stored_choices(attempt, 1) is None
    assert page.evaluate("Object.keys(sessionStorage)") == []

    # The next change is saved as usual.
    value = choose(page, 1)
    expect(status).to_have_text("Saved")
    assert stored_choices(attempt, 1) == [value]


def test_submitting_waits_for_kept_answers(page: Page, live_server, single_exam):
    attempt = start(page, live_server, single_exam)
    status = page.locator("#save-status")
    first = choose_while_server_is_down(page, 2)
    leave_anyway(page, page.get_by_role("link", name="Review and submit"))
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(status).to_contain_text("Your answer to item 1 is kept on this page")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#submit-attempt").click()
    expect(status).to_contain_text("The attempt will be submitted once it is sent")
    expect(page).to_have_url(re.compile(r"/review/$"))
    attempt.refresh_from_db()
    assert not attempt.is_completed

    page.unroute(ANSWER_SAVES)
    expect(page).to_have_url(re.compile(r"/report/$"), timeout=RESEND_TIMEOUT * 1000)
    assert stored_choices(attempt, 1) == [first]
    attempt.refresh_from_db()
    assert attempt.is_completed
