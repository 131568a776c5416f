"""Integration webhooks: a signed JSON POST to every active endpoint when an event happens.

Event `attempt.finished` (sent when `exams.services.finish_attempt` commits)::

    {
      "event": "attempt.finished",
      "id": "<delivery uuid, also the X-PCEP-Delivery header>",
      "created_at": "<ISO 8601, UTC>",
      "attempt": {
        "id": 42,
        "user": {"id": 7, "username": "ada"} | null,
        "exam": {"id": 3, "title": "PCEP-30-02 mock exam"} | null,   (null: practice)
        "mode": "exam" | "practice",
        "score": 733,              scaled score, out of max_score
        "max_score": 1000,
        "score_percent": 73.33,
        "points_earned": 440.0,
        "points_possible": 600,
        "correct_answers": 22,
        "total_questions": 30,
        "passed": true | false | null,   (null: practice)
        "started_at": "<ISO 8601>",
        "finished_at": "<ISO 8601>",
        "time_spent_seconds": 1234,
        "blocks": [{"number": 1, "name": "...", "earned": 120.0, "possible": 140,
                    "percent": 86}, ...]
      }
    }

Every request carries `X-PCEP-Event` (the event name), `X-PCEP-Delivery` (the delivery id)
and `X-PCEP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` keyed
with the endpoint's secret; receivers check it with `verify_signature` (or its three
lines in their own language) and drop deliveries whose id they have already seen.

A 2xx answer is a delivery; anything else (another status, a redirect, a timeout, a refused
connection) is retried after each of `WEBHOOK_RETRY_DELAYS` (seconds), then the delivery is
marked failed. Short waits are retried in the background thread that sends the first
attempt; `manage.py deliver_webhooks` (run it from cron) sends every delivery that is due.
Delivery is at least once: a process that dies mid-send sends again later.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connections
from django.db.models import F
from django.utils import timezone

from exams.models import ExamSession, WebhookDelivery, WebhookEndpoint, WebhookEvent
from exams.selectors import block_breakdown

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-PCEP-Signature"
EVENT_HEADER = "X-PCEP-Event"
DELIVERY_HEADER = "X-PCEP-Delivery"
REQUEST_TIMEOUT_SECONDS = 5
# Only an error excerpt is kept from the answer, but a hostile receiver must not make us
# read an endless body.
MAX_RESPONSE_BYTES = 64 * 1024
MAX_ERROR_LENGTH = 1000
# Overridable in settings: WEBHOOK_RETRY_DELAYS, WEBHOOK_INLINE_RETRY_LIMIT (seconds).
DEFAULT_RETRY_DELAYS = (10, 60, 5 * 60, 30 * 60, 2 * 60 * 60)
# Waits up to this long are slept through by the sending thread; longer ones are left to
# the deliver_webhooks command, so a thread never outlives a worker restart by much.
DEFAULT_INLINE_RETRY_LIMIT = 60
# A claimed delivery is not due again for this long: time for one send with its timeout,
# after which a sender that died is assumed gone and another may take it.
CLAIM_LEASE = timedelta(seconds=60)
ALLOWED_SCHEMES = ("http", "https")

# No redirect handler (a redirect is a failed delivery, never followed to another host or
# scheme), no file/ftp/data handlers, and no error processor: every status comes back as a
# response. The proxy handler keeps the usual *_proxy environment variables working.
_opener = urllib.request.OpenerDirector()
for _handler in (urllib.request.ProxyHandler(), urllib.request.HTTPHandler(),
                 urllib.request.HTTPSHandler()):  # fmt: skip
    _opener.add_handler(_handler)


def retry_delays() -> tuple[float, ...]:
    return tuple(getattr(settings, "WEBHOOK_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


def max_attempts() -> int:
    return len(retry_delays()) + 1


# Signing ---------------------------------------------------------------------------------


def compute_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of "<timestamp>.<body>": the timestamp is signed so a captured
    request cannot be replayed later with a fresh one."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    signature = compute_signature(secret=secret, timestamp=timestamp, body=body)
    return f"t={timestamp},v1={signature}"


def verify_signature(
    *, secret: str, header: str, body: bytes | str, tolerance_seconds: int = 300
) -> bool:
    """True if `header` (X-PCEP-Signature) signs this raw body with this secret and its
    timestamp is within `tolerance_seconds` of now."""
    if isinstance(body, str):
        body = body.encode()
    timestamp, signatures = None, []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures or abs(time.time() - timestamp) > tolerance_seconds:
        return False
    expected = compute_signature(secret=secret, timestamp=timestamp, body=body)
    # Every candidate is compared, in constant time, so timing says nothing about which.
    matches = [hmac.compare_digest(expected, signature) for signature in signatures]
    return any(matches)


def encode_payload(payload: dict) -> bytes:
    # Sorted keys: the same body whatever order the database stored the JSON in.
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


# Payloads --------------------------------------------------------------------------------


def _isoformat(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def attempt_summary(*, attempt: ExamSession) -> dict:
    """The "attempt" object of attempt.finished."""
    user, exam = attempt.user, attempt.exam
    return {
        "id": attempt.pk,
        "user": {"id": user.pk, "username": user.get_username()} if user else None,
        "exam": {"id": exam.pk, "title": exam.title} if exam else None,
        "mode": attempt.mode,
        "score": attempt.scaled_score,
        "max_score": attempt.max_score,
        "score_percent": attempt.score,
        "points_earned": attempt.points_earned,
        "points_possible": attempt.points_possible,
        "correct_answers": attempt.correct_answers,
        "total_questions": attempt.total_questions,
        "passed": attempt.passed,
        "started_at": _isoformat(attempt.start_time),
        "finished_at": _isoformat(attempt.end_time),
        "time_spent_seconds": attempt.time_spent,
        "blocks": block_breakdown(attempt=attempt),
    }


# Queueing --------------------------------------------------------------------------------


def queue_event(*, event: str, data: dict, now: datetime | None = None) -> list[WebhookDelivery]:
    """One pending delivery of this event per active endpoint that subscribes to it, due now.
    `data` is merged into the envelope {"event", "id", "created_at"}."""
    now = now or timezone.now()
    deliveries = []
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        if event not in endpoint.events:
            continue
        delivery = WebhookDelivery(
            endpoint=endpoint, event=event, created_at=now, next_attempt_at=now
        )
        delivery.payload = {
            "event": event,
            "id": str(delivery.pk),
            "created_at": _isoformat(now),
            **data,
        }
        deliveries.append(delivery)
    return WebhookDelivery.objects.bulk_create(deliveries)


def announce_attempt_finished(*, attempt_id: int) -> None:
    """Queue attempt.finished and send it in the background. Runs after the finish commits
    (transaction.on_commit), so it never raises: the learner's attempt is already saved and
    a webhook problem must not turn that into an error page."""
    try:
        attempt = ExamSession.objects.select_related("user", "exam").get(pk=attempt_id)
        deliveries = queue_event(
            event=WebhookEvent.ATTEMPT_FINISHED, data={"attempt": attempt_summary(attempt=attempt)}
        )
        send_in_background(delivery_ids=[delivery.pk for delivery in deliveries])
    except Exception:
        logger.exception("Could not queue the attempt.finished webhook of attempt %s", attempt_id)


# Sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    error: str


def _post(*, url: str, body: bytes, headers: dict[str, str]) -> SendResult:
    if urlsplit(url).scheme.lower() not in ALLOWED_SCHEMES:
        return SendResult(status_code=None, error="Refused: the URL is not http or https.")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            answer = response.read(MAX_RESPONSE_BYTES)
            status = response.status
            location = response.headers.get("Location", "")
    except (OSError, http.client.HTTPException, ValueError) as error:
        return SendResult(status_code=None, error=f"{type(error).__name__}: {error}")
    if 200 <= status < 300:
        return SendResult(status_code=status, error="")
    if 300 <= status < 400:
        return SendResult(status_code=status, error=f"Redirect to {location!r} not followed.")
    excerpt = answer.decode("utf-8", errors="replace")
    return SendResult(status_code=status, error=f"HTTP {status}: {excerpt}")


def _storable_error(error: str) -> str:
    # PostgreSQL refuses NUL in text; a receiver's answer may contain anything.
    return error.replace("\x00", "")[:MAX_ERROR_LENGTH]


def _claim(*, delivery_id, now: datetime) -> WebhookDelivery | None:
    """Take a due delivery for one send, or None if it is not due or another sender has it.

    One conditional UPDATE, so the sending thread and deliver_webhooks never both send it.
    The attempt is counted here: a send that kills its process still uses one up.
    """
    due = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
    )
    if not due.update(next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1):
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def attempt_delivery(*, delivery_id, now: datetime | None = None) -> WebhookDelivery | None:
    """Send a due delivery once and record the outcome; None if it was not due or taken."""
    delivery = _claim(delivery_id=delivery_id, now=now or timezone.now())
    if delivery is None:
        return None
    body = encode_payload(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "PCEP-Webhooks/1",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
        SIGNATURE_HEADER: signature_header(
            secret=delivery.endpoint.secret, body=body, timestamp=int(time.time())
        ),
    }
    result = _post(url=delivery.endpoint.url, body=body, headers=headers)
    finished = timezone.now()
    delivery.last_status_code = result.status_code
    delivery.last_error = _storable_error(result.error)
    if not result.error:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = finished
        delivery.next_attempt_at = None
    elif delivery.attempts >= max_attempts():
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
        logger.warning("Webhook delivery %s failed for good: %s", delivery.pk, result.error)
    else:
        delay = retry_delays()[delivery.attempts - 1]
        delivery.next_attempt_at = finished + timedelta(seconds=delay)
    delivery.save(
        update_fields=[
            "status", "delivered_at", "next_attempt_at", "last_status_code", "last_error",
        ]
    )  # fmt: skip
    return delivery


def deliver_with_retries(*, delivery_id) -> None:
    """Send a delivery, sleeping through retry waits up to WEBHOOK_INLINE_RETRY_LIMIT."""
    inline_limit = getattr(settings, "WEBHOOK_INLINE_RETRY_LIMIT", DEFAULT_INLINE_RETRY_LIMIT)
    delivery = attempt_delivery(delivery_id=delivery_id)
    while delivery is not None and delivery.status == WebhookDelivery.Status.PENDING:
        wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
        if wait > inline_limit:
            return
        time.sleep(max(wait, 0))
        delivery = attempt_delivery(delivery_id=delivery_id)


def _in_thread(work: Callable[[], None]) -> None:
    try:
        work()
    except Exception:
        logger.exception("Webhook sending thread failed")
    finally:
        # The thread's own database connection, which nothing else would close.
        connections.close_all()


def start_thread(work: Callable[[], None]) -> None:
    """Run `work` in a daemon thread. Tests replace this to run it in their own thread."""
    threading.Thread(target=_in_thread, args=(work,), name="pcep-webhook", daemon=True).start()


def send_in_background(*, delivery_ids: Iterable) -> None:
    """One thread per delivery, so a slow or dead endpoint does not hold up the others."""
    for delivery_id in delivery_ids:
        start_thread(partial(deliver_with_retries, delivery_id=delivery_id))


@dataclass(frozen=True)
class DeliveryRun:
    delivered: int
    retrying: int
    failed: int


def deliver_due(*, now: datetime | None = None) -> DeliveryRun:
    """Send, once each, every pending delivery that is due (manage.py deliver_webhooks)."""
    now = now or timezone.now()
    due_ids = (
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now,
            endpoint__is_active=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)
    )
    outcomes = [attempt_delivery(delivery_id=delivery_id, now=now) for delivery_id in due_ids]
    statuses = [delivery.status for delivery in outcomes if delivery is not None]
    return DeliveryRun(
        delivered=statuses.count(WebhookDelivery.Status.DELIVERED),
        retrying=statuses.count(WebhookDelivery.Status.PENDING),
        failed=statuses.count(WebhookDelivery.Status.FAILED),
    )


def retry_now(*, deliveries: Iterable[WebhookDelivery], now: datetime | None = None) -> int:
    """Make these undelivered deliveries due now and send them in the background (the admin's
    "retry now"). A failed one gets one more attempt; it does not restart the backoff."""
    now = now or timezone.now()
    ids = [d.pk for d in deliveries if d.status != WebhookDelivery.Status.DELIVERED]
    WebhookDelivery.objects.filter(pk__in=ids).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=now
    )
    send_in_background(delivery_ids=ids)
    return len(ids)
