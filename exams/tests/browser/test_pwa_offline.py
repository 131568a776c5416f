"""The installable app offline: the service worker keeps the pages of an attempt, and answers
given without a connection wait in IndexedDB until the server takes (or refuses) them."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5_000
RESEND_TIMEOUT = 25_000  # ms: the retries back off to at most 15 s apart


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
