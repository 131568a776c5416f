"""Integration webhooks: what a receiver gets when an attempt is finished (over real HTTP to a
local server), signing, retries with backoff, a receiver that is down, the admin and the
deliver_webhooks command."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from exams import services, webhooks
from exams.models import (
    ExamSession,
    Module,
    Syllabus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from exams.tests.factories import ExamFactory, make_question

# Retries in tests wait milliseconds, not minutes.
QUICK_RETRIES = (0.01, 0.01, 0.01, 0.01, 0.01)


@dataclass
class Received:
    path: str
    headers: Message  # looked up case-insensitively, as HTTP headers are
    body: bytes


@dataclass
class Receiver:
    """A local HTTP server that records every request and answers with `statuses` in turn
    (then 200). `hold` keeps each request open until it is set."""

    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    answer_body: bytes = b"ok"
    extra_headers: dict[str, str] = field(default_factory=dict)
    hold: threading.Event | None = None


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(Received(self.path, self.headers, body))
            if state.hold is not None:
                state.hold.wait(timeout=10)
            self.send_response(state.statuses.pop(0) if state.statuses else 200)
            for name, value in state.extra_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(state.answer_body)))
            self.end_headers()
            self.wfile.write(state.answer_body)

        def log_message(self, format, *args) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/pcep"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    if state.hold is not None:
        state.hold.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


@pytest.fixture
def send_inline(monkeypatch):
    """The background sender runs in the caller's thread, so a test sees its outcome."""
    monkeypatch.setattr(webhooks, "start_thread", lambda work: work())


@pytest.fixture
def quick_retries(settings):
    settings.WEBHOOK_RETRY_DELAYS = QUICK_RETRIES


@pytest.fixture
def background_threads():
    """For tests that use the real sending thread: wait for it, and fail if it hangs."""
    yield
    for thread in threading.enumerate():
        if thread.name == "pcep-webhook":
            thread.join(timeout=10)
            assert not thread.is_alive(), "a webhook thread was left running"


def finished_attempt_setup(syllabus: Syllabus) -> tuple[ExamSession, list]:
    """An attempt at a 3-question set: block 1 (20 points) right, block 2 (30 right, 40
    wrong). Finishing it scores 50 of 90 points: 55.56 %, 556 of 1000, not passed."""
    blocks = {module.number: module for module in Module.objects.filter(syllabus=syllabus)}
    exam = ExamFactory(title="Webhook set", time_limit=600)
    right_1 = make_question(exam=exam, topic=blocks[1].topics.first(), points=20)
    right_2 = make_question(exam=exam, topic=blocks[2].topics.first(), points=30)
    wrong_2 = make_question(exam=exam, topic=blocks[2].topics.last(), points=40)
    attempt = services.start_attempt(user=UserFactory(username="ada"), exam=exam)
    for question, is_correct in ((right_1, True), (right_2, True), (wrong_2, False)):
        choice = question.answers.filter(is_correct=is_correct).first()
        services.record_answer(attempt=attempt, question_id=question.pk, choice_ids=[choice.pk])
    return attempt, [blocks[1], blocks[2]]


def endpoint_for(url: str, **fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(name="LMS", url=url, **fields)


# attempt.finished end to end -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_finishing_an_attempt_posts_one_signed_event_with_its_scores(
    syllabus, receiver, send_inline
):
    endpoint = endpoint_for(receiver.url)
    attempt, (block_1, block_2) = finished_attempt_setup(syllabus)

    services.finish_attempt(attempt=attempt)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    delivery = WebhookDelivery.objects.get()
    assert request.path == "/hooks/pcep"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-PCEP-Event"] == "attempt.finished"
    assert request.headers["X-PCEP-Delivery"] == str(delivery.pk)
    assert webhooks.verify_signature(
        secret=endpoint.secret, header=request.headers["X-PCEP-Signature"], body=request.body
    )
    payload = json.loads(request.body)
    attempt.refresh_from_db()
    assert payload["event"] == "attempt.finished"
    assert payload["id"] == str(delivery.pk)
    assert payload["created_at"] == delivery.created_at.isoformat()
    assert payload["attempt"] == {
        "id": attempt.pk,
        "user": {"id": attempt.user_id, "username": "ada"},
        "exam": {"id": attempt.exam_id, "title": "Webhook set"},
        "mode": "exam",
        "score": 556,
        "max_score": 1000,
        "score_percent": 55.56,
        "points_earned": 50.0,
        "points_possible": 90,
        "correct_answers": 2,
        "total_questions": 3,
        "passed": False,
        "started_at": attempt.start_time.isoformat(),
        "finished_at": attempt.end_time.isoformat(),
        "time_spent_seconds": attempt.time_spent,
        "blocks": [
            {"number": 1, "name": block_1.name, "earned": 20.0, "possible": 20, "percent": 100},
            {"number": 2, "name": block_2.name, "earned": 30.0, "possible": 70, "percent": 43},
        ],
    }
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None


@pytest.mark.django_db(transaction=True)
def test_each_active_subscribed_endpoint_gets_its_own_delivery(syllabus, receiver, send_inline):
    first, second = endpoint_for(receiver.url), endpoint_for(receiver.url + "/other")
    endpoint_for(receiver.url + "/paused", is_active=False)
    endpoint_for(receiver.url + "/other-events", events=[])
    attempt, _ = finished_attempt_setup(syllabus)

    services.finish_attempt(attempt=attempt)

    assert sorted(request.path for request in receiver.requests) == [
        "/hooks/pcep",
        "/hooks/pcep/other",
    ]
    deliveries = WebhookDelivery.objects.all()
    assert {delivery.endpoint for delivery in deliveries} == {first, second}
    assert len({request.headers["X-PCEP-Delivery"] for request in receiver.requests}) == 2


@pytest.mark.django_db(transaction=True)
def test_finishing_twice_sends_once(syllabus, receiver, send_inline):
    endpoint_for(receiver.url)
    attempt, _ = finished_attempt_setup(syllabus)

    services.finish_attempt(attempt=attempt)
    services.finish_attempt(attempt=attempt)

    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_finish_that_is_rolled_back_is_not_announced(syllabus, receiver, send_inline):
    endpoint_for(receiver.url)
    attempt, _ = finished_attempt_setup(syllabus)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.finish_attempt(attempt=attempt)
        raise RuntimeError("the surrounding request failed")

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()
    assert not ExamSession.objects.get(pk=attempt.pk).is_completed


@pytest.mark.django_db(transaction=True)
def test_the_learner_never_waits_for_the_receiver(syllabus, receiver, background_threads):
    receiver.hold = threading.Event()
    endpoint_for(receiver.url)
    attempt, _ = finished_attempt_setup(syllabus)

    finished = services.finish_attempt(attempt=attempt)

    # The receiver is still holding the request open, and the finish is already done.
    assert finished.is_completed
    assert not receiver.hold.is_set()
    receiver.hold.set()
    for thread in threading.enumerate():
        if thread.name == "pcep-webhook":
            thread.join(timeout=10)
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_is_down_leaves_the_finish_alone_and_the_delivery_pending(
    syllabus, closed_port_url, background_threads, settings
):
    settings.WEBHOOK_RETRY_DELAYS = (3600,)
    endpoint_for(closed_port_url)
    attempt, _ = finished_attempt_setup(syllabus)

    started = time.monotonic()
    finished = services.finish_attempt(attempt=attempt)
    elapsed = time.monotonic() - started
    for thread in threading.enumerate():
        if thread.name == "pcep-webhook":
            thread.join(timeout=10)

    assert finished.is_completed and elapsed < webhooks.REQUEST_TIMEOUT_SECONDS
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "refused" in delivery.last_error.lower()
    # Retried after the first delay: by deliver_webhooks, as it is longer than the thread waits.
    expected_retry = timezone.now() + timedelta(seconds=3600)
    assert abs((delivery.next_attempt_at - expected_retry).total_seconds()) < 30


@pytest.mark.django_db
def test_a_failure_to_queue_is_logged_and_the_finish_still_succeeds(
    syllabus, receiver, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    endpoint_for(receiver.url)
    attempt, _ = finished_attempt_setup(syllabus)

    def broken_queue(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(webhooks, "queue_event", broken_queue)
    with django_capture_on_commit_callbacks(execute=True):
        finished = services.finish_attempt(attempt=attempt)

    assert finished.is_completed
    assert receiver.requests == []
    assert "Could not queue the attempt.finished webhook" in caplog.text
    assert "database went away" in caplog.text


# Retries ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_is_retried_until_it_accepts(
    syllabus, receiver, send_inline, quick_retries
):
    receiver.statuses = [500, 500, 200]
    endpoint = endpoint_for(receiver.url)
    attempt, _ = finished_attempt_setup(syllabus)

    services.finish_attempt(attempt=attempt)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert delivery.last_error == ""
    assert len(receiver.requests) == 3
    assert {request.body for request in receiver.requests} == {receiver.requests[0].body}
    assert {request.headers["X-PCEP-Delivery"] for request in receiver.requests} == {
        str(delivery.pk)
    }
    assert all(
        webhooks.verify_signature(
            secret=endpoint.secret, header=request.headers["X-PCEP-Signature"], body=request.body
        )
        for request in receiver.requests
    )


@pytest.mark.django_db
def test_a_receiver_that_keeps_failing_ends_failed_after_the_last_attempt(
    receiver, send_inline, settings
):
    settings.WEBHOOK_RETRY_DELAYS = (0.01, 0.01)
    receiver.statuses = [500] * 10
    receiver.answer_body = b"\x00" + b"stack trace " * 20_000
    endpoint_for(receiver.url)
    (queued,) = webhooks.queue_event(event=WebhookEvent.ATTEMPT_FINISHED, data={})

    webhooks.send_in_background(delivery_ids=[queued.pk])

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 3, 500)
    assert delivery.next_attempt_at is None
    assert delivery.last_error.startswith("HTTP 500: stack trace")
    assert len(delivery.last_error) == webhooks.MAX_ERROR_LENGTH
    assert len(receiver.requests) == 3


def test_backoff_grows_and_allows_six_attempts_by_default():
    assert webhooks.DEFAULT_RETRY_DELAYS == (10, 60, 300, 1800, 7200)
    assert webhooks.max_attempts() == 6


@pytest.mark.django_db
def test_a_delivery_being_sent_is_not_taken_by_a_second_sender(receiver):
    endpoint_for(receiver.url)
    (queued,) = webhooks.queue_event(event=WebhookEvent.ATTEMPT_FINISHED, data={})
    now = timezone.now()

    assert webhooks._claim(delivery_id=queued.pk, now=now) is not None
    assert webhooks._claim(delivery_id=queued.pk, now=now) is None
    assert webhooks.attempt_delivery(delivery_id=queued.pk, now=now) is None
    assert receiver.requests == []


# What the sender refuses -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_redirect_is_not_followed(receiver, send_inline, settings):
    settings.WEBHOOK_RETRY_DELAYS = ()
    receiver.statuses = [302]
    receiver.extra_headers = {"Location": "file:///etc/passwd"}
    endpoint_for(receiver.url)
    (queued,) = webhooks.queue_event(event=WebhookEvent.ATTEMPT_FINISHED, data={})

    webhooks.send_in_background(delivery_ids=[queued.pk])

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("failed", 302)
    assert delivery.last_error == "Redirect to 'file:///etc/passwd' not followed."
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_stored_url_that_is_not_http_is_never_opened(send_inline, settings):
    settings.WEBHOOK_RETRY_DELAYS = ()
    endpoint_for("file:///etc/passwd")
    (queued,) = webhooks.queue_event(event=WebhookEvent.ATTEMPT_FINISHED, data={})

    webhooks.send_in_background(delivery_ids=[queued.pk])

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.last_error == "Refused: the URL is not http or https."


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["ftp://example.com/hook", "file:///etc/passwd", "javascript:x"])
def test_endpoint_urls_must_be_http_or_https(url):
    with pytest.raises(ValidationError) as error:
        WebhookEndpoint(name="Bad", url=url).full_clean()
    assert "url" in error.value.message_dict


@pytest.mark.django_db
def test_a_blank_secret_is_generated_and_a_given_one_kept():
    generated = endpoint_for("https://example.com/hook")
    given = endpoint_for("https://example.com/hook", secret="from-the-receiver")

    assert len(generated.secret) >= 40
    assert generated.secret != endpoint_for("https://example.com/hook").secret
    assert given.secret == "from-the-receiver"


# Signatures ------------------------------------------------------------------------------


def signed(body: bytes, *, secret: str = "s3cret", age: int = 0) -> str:
    return webhooks.signature_header(secret=secret, body=body, timestamp=int(time.time()) - age)


def test_a_fresh_signature_of_the_body_verifies():
    body = b'{"event":"attempt.finished"}'
    header = signed(body)
    timestamp = header.split(",")[0].removeprefix("t=")

    assert webhooks.verify_signature(secret="s3cret", header=header, body=body)
    assert webhooks.verify_signature(secret="s3cret", header=header, body=body.decode())
    assert header.endswith(
        hmac.new(b"s3cret", f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    )


@pytest.mark.parametrize(
    ("header_body", "checked_body", "secret", "age"),
    [
        (b'{"score":556}', b'{"score":999}', "s3cret", 0),  # tampered body
        (b'{"score":556}', b'{"score":556}', "other", 0),  # wrong secret
        (b'{"score":556}', b'{"score":556}', "s3cret", 301),  # expired
        (b'{"score":556}', b'{"score":556}', "s3cret", -301),  # from the future
    ],
    ids=["tampered body", "wrong secret", "expired", "future"],
)
def test_a_signature_that_does_not_match_fails(header_body, checked_body, secret, age):
    header = signed(header_body, age=age)
    assert not webhooks.verify_signature(secret=secret, header=header, body=checked_body)


@pytest.mark.parametrize("header", ["", "v1=abc", "t=now,v1=abc", "t=123"])
def test_a_malformed_signature_header_fails(header):
    assert not webhooks.verify_signature(secret="s3cret", header=header, body=b"{}")


def test_a_wider_tolerance_accepts_an_older_signature():
    body = b"{}"
    header = signed(body, age=600)
    assert webhooks.verify_signature(
        secret="s3cret", header=header, body=body, tolerance_seconds=900
    )


# Admin -----------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.django_db
def test_endpoint_list_and_delivery_log_render_without_the_secret(superuser_client):
    endpoint = endpoint_for("https://lms.example.com/hook")
    webhooks.queue_event(event=WebhookEvent.ATTEMPT_FINISHED, data={"attempt": {"id": 1}})

    endpoints = superuser_client.get(reverse("admin:exams_webhookendpoint_changelist"))
    log = superuser_client.get(reverse("admin:exams_webhookdelivery_changelist"))
    filtered = superuser_client.get(
        reverse("admin:exams_webhookdelivery_changelist"),
        {"status__exact": "pending", "endpoint__id__exact": endpoint.pk},
    )
    change = superuser_client.get(reverse("admin:exams_webhookendpoint_change", args=[endpoint.pk]))

    assert endpoints.status_code == log.status_code == filtered.status_code == 200
    assert "https://lms.example.com/hook" in endpoints.text
    assert "attempt.finished" in log.text and "1 webhook delivery" in filtered.text
    assert change.status_code == 200
    assert f"••••••••{endpoint.secret[-4:]}" in change.text
    for page in (endpoints, log, change):
        assert endpoint.secret not in page.text


def endpoint_form(**fields) -> dict:
    """What the admin's endpoint form posts, with `fields` changed or added."""
    return {
        "name": "LMS",
        "url": "https://lms.example.com/hook",
        "is_active": "on",
        "events": ["attempt.finished"],
        **fields,
    }


@pytest.mark.django_db
def test_adding_an_endpoint_with_another_scheme_is_refused(superuser_client):
    response = superuser_client.post(
        reverse("admin:exams_webhookendpoint_add"),
        endpoint_form(url="ftp://example.com/hook"),
    )

    assert response.status_code == 200
    assert "Enter a valid URL." in response.text
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_an_added_endpoint_shows_its_generated_secret_once(superuser_client):
    added = superuser_client.post(
        reverse("admin:exams_webhookendpoint_add"),
        endpoint_form(secret=""),
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    later = superuser_client.get(reverse("admin:exams_webhookendpoint_change", args=[endpoint.pk]))

    assert endpoint.events == ["attempt.finished"]
    assert endpoint.secret in added.text
    assert endpoint.secret not in later.text


@pytest.mark.django_db
def test_replacing_the_secret_generates_a_new_one(superuser_client):
    endpoint = endpoint_for("https://lms.example.com/hook")
    old_secret = endpoint.secret

    response = superuser_client.post(
        reverse("admin:exams_webhookendpoint_change", args=[endpoint.pk]),
        endpoint_form(replace_secret="on"),
        follow=True,
    )

    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    assert endpoint.secret in response.text


@pytest.mark.django_db
def test_retry_now_sends_a_failed_delivery_again(superuser_client, receiver, send_inline):
    endpoint = endpoint_for(receiver.url)
    (queued,) = webhooks.queue_event(event=WebhookEvent.ATTEMPT_FINISHED, data={})
    WebhookDelivery.objects.filter(pk=queued.pk).update(
        status=WebhookDelivery.Status.FAILED, attempts=6, next_attempt_at=None
    )

    response = superuser_client.post(
        reverse("admin:exams_webhookdelivery_changelist"),
        {"action": "retry_selected_now", "_selected_action": [queued.pk]},
        follow=True,
    )

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 7)
    assert "1 delivery(ies) being sent again" in response.text
    assert webhooks.verify_signature(
        secret=endpoint.secret,
        header=receiver.requests[0].headers["X-PCEP-Signature"],
        body=receiver.requests[0].body,
    )


@pytest.mark.django_db
def test_staff_who_may_only_view_the_log_cannot_retry(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_webhookdelivery"))
    client.force_login(viewer)

    log = client.get(reverse("admin:exams_webhookdelivery_changelist"))

    assert log.status_code == 200
    assert "retry_selected_now" not in log.text
    assert client.get(reverse("admin:exams_webhookendpoint_changelist")).status_code == 403


# deliver_webhooks ------------------------------------------------------------------------


@pytest.mark.django_db
def test_deliver_webhooks_sends_the_due_deliveries_only(receiver, capsys):
    endpoint_for(receiver.url)
    (due,) = webhooks.queue_event(event=WebhookEvent.ATTEMPT_FINISHED, data={})
    (later,) = webhooks.queue_event(event=WebhookEvent.ATTEMPT_FINISHED, data={})
    WebhookDelivery.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    call_command("deliver_webhooks")

    assert [request.headers["X-PCEP-Delivery"] for request in receiver.requests] == [str(due.pk)]
    assert WebhookDelivery.objects.get(pk=due.pk).status == WebhookDelivery.Status.DELIVERED
    assert WebhookDelivery.objects.get(pk=later.pk).status == WebhookDelivery.Status.PENDING
    assert "1 delivered, 0 to retry later, 0 failed." in capsys.readouterr().out
