"""Production logs: one JSON object a line, errors with their traceback, no request data."""

import json
import logging
import sys

from django.test import RequestFactory

from pcep_site.log_format import JsonFormatter


def test_an_error_with_its_request_becomes_one_json_line():
    request = RequestFactory().get("/exams/", HTTP_COOKIE="sessionid=secret-session")
    try:
        raise ValueError("the bank is empty")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s",
            ("/exams/",), exc_info=sys.exc_info(),
        )  # fmt: skip
    record.status_code = 500
    record.request = request

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["message"] == "Internal Server Error: /exams/"
    assert entry["status"] == 500
    assert (entry["method"], entry["path"]) == ("GET", "/exams/")
    assert entry["exception"]["type"] == "ValueError"
    assert "the bank is empty" in entry["exception"]["traceback"]
    assert "secret-session" not in line
