"""End to end over real HTTP, as an LMS would: a token, a mock exam answered in one batch,
the report, and the signed webhook arriving at a local receiver."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from exams.models import ExamSession, WebhookEndpoint
from exams.tests.lms_client import LmsClient, token_by_logging_in
from exams.webhooks import verify_signature

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    """A local HTTP server that records every POST it receives."""
    received: list[tuple[dict, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(({key.lower(): value for key, value in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_an_lms_runs_a_whole_mock_exam_over_http(live_server, user, mock_exam, receiver):
    url, received = receiver
    endpoint = WebhookEndpoint.objects.create(name="LMS", url=url)

    token = token_by_logging_in(
        base_url=live_server.url, username=user.username, password=DEFAULT_PASSWORD, name="LMS"
    )
    lms = LmsClient(live_server.url, token)
    attempt = lms.start_mock_exam()
    assert len(attempt["items"]) == 30
    results = lms.answer_all_in_one_batch(attempt)
    assert [result["saved"] for result in results] == [True] * 30
    report = lms.finish(attempt)
    assert lms.report(attempt) == report
    stored = ExamSession.objects.get(pk=attempt["id"])
    assert (report["scaled_score"], report["passed"]) == (stored.scaled_score, stored.passed)
    assert len(report["blocks"]) == 4

    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    ((headers, body),) = received
    assert verify_signature(secret=endpoint.secret, header=headers["x-pcep-signature"], body=body)
    payload = json.loads(body)
    assert payload["event"] == "attempt.finished"
    assert payload["attempt"]["id"] == attempt["id"]
    assert payload["attempt"]["score"] == report["scaled_score"]
