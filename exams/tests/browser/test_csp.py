"""The Content Security Policy holds in a real browser: the site's pages run with no
violation, and a script that got into a page anyway does not run."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from exams import services
from exams.models import Exam

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 10_000


def _watch_violations(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def _log_in(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Log in")).to_have_count(0)


def test_the_sites_pages_run_without_a_policy_violation(page: Page, live_server, mock_bank):
    page.set_default_timeout(TIMEOUT)
    violations = _watch_violations(page)
    user = UserFactory()
    _log_in(page, live_server, user)
    attempt = services.start_attempt(user=user, exam=Exam.objects.get(kind=Exam.Kind.MOCK))
    for path in (
        "/",
        "/syllabus/",
        f"/exams/attempts/{attempt.pk}/items/1/",
        "/progress/",
        "/accounts/profile/",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    # The item page's own script runs under the policy: it saves a choice as it is made.
    for position in range(1, 31):
        page.goto(f"{live_server.url}/exams/attempts/{attempt.pk}/items/{position}/")
        page.wait_for_load_state("load")
        choices = page.locator("#answer-form input[name=choice]")
        if choices.count():
            choices.first.check()
            expect(page.locator("#save-status")).to_have_text("Saved")
            break
    else:
        pytest.fail("no choice item in the attempt")

    assert violations == []


def test_the_api_docs_render_under_their_policy(page: Page, live_server):
    page.set_default_timeout(TIMEOUT)
    violations = _watch_violations(page)
    staff = get_user_model().objects.create_user(
        username="docs-reader", password=DEFAULT_PASSWORD, is_staff=True
    )
    _log_in(page, live_server, staff)

    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("PCEP Exam Accelerator API")
    page.goto(f"{live_server.url}/api/v1/docs/redoc/")
    expect(page.locator("h1").first).to_contain_text("PCEP Exam Accelerator API")

    # Redoc's footer asks for its vendor's logo from another site: blocked, as it should
    # be (the product works offline). Nothing of ours is.
    ours = [text for text in violations if "'http" not in text or live_server.url in text]
    assert ours == []
    assert all("Loading the image" in text for text in violations)


def test_an_injected_inline_script_does_not_run(page: Page, live_server):
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{live_server.url}/accounts/login/")

    # As if sanitising had let markup through: an inline script and an inline handler.
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.appendChild(script);
            const image = document.createElement('img');
            image.setAttribute('onerror', 'window.handler = true');
            image.src = 'data:,not-an-image';
            document.body.appendChild(image);
        }"""
    )
    page.wait_for_timeout(300)

    assert page.evaluate("() => window.injected") is None
    assert page.evaluate("() => window.handler") is None
