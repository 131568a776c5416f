"""The exam clock warns before time is up and takes no new input at 0:00."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams import services
from exams.models import Exam, ExamSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _attempt_ending_in(page: Page, live_server, seconds: int) -> ExamSession:
    page.set_default_timeout(10_000)
    user = UserFactory()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log in")).to_have_count(0)
    attempt = services.start_attempt(user=user, exam=Exam.objects.get(kind=Exam.Kind.MOCK))
    ExamSession.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + timedelta(seconds=seconds)
    )
    # A choice item, so there is an option to try to pick after time is up.
    position = (
        attempt.responses.filter(question__kind="single").order_by("position").first().position
    )
    page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/items/{position}/")
    return attempt


def test_the_one_minute_warning_is_shown_and_announced(page: Page, live_server, mock_bank):
    _attempt_ending_in(page, live_server, 63)

    warning = page.locator("#time-warning")
    # Opened with the 10- and 5-minute marks already past: only the next one comes.
    expect(warning).to_be_hidden()
    expect(warning).to_have_text(re.compile(r"^1 minute left"), timeout=8_000)
    expect(warning).to_have_attribute("role", "alert")
    expect(warning).to_be_visible()


def test_at_zero_the_page_takes_no_new_input_and_says_so(page: Page, live_server, mock_bank):
    _attempt_ending_in(page, live_server, 3)

    expect(page.locator("#time-warning")).to_have_text(
        "Time is up — your answers were submitted.", timeout=8_000
    )
    expect(page.locator("#answer-form input[name=choice]").first).to_be_disabled()
    expect(page.locator("#flag-button")).to_be_disabled()
    # Then the report, once the server has finished the attempt.
    expect(page).to_have_url(re.compile(r"/report/$"), timeout=15_000)
