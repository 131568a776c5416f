"""Load test: simulated learners taking mock exams over HTTP against running servers.

Run from the project folder against one or more servers on loopback that share the database
named by DATABASE_URL (this script opens it too: it creates the learners and counts rows):

    DATABASE_URL=... .venv/bin/python bench/load.py --url http://127.0.0.1:8000 \\
        [--url http://127.0.0.1:8001] [--learners 20] [--duration 60] \\
        [--profile flat-out|real-pace] [--pace-scale 1] [--ramp 0] [--access-log FILE]

Each learner (started one after another over --ramp seconds) logs in through the login
form, then in a loop until --duration has passed: starts the mock exam (POST
/api/v1/attempts/), reads its remaining time from every server
(they must agree within 1 s), saves each item's answer with a think time between answers,
finishes it (and finishes it again on another server, which must change nothing) and reads
the report; at real pace, when --duration runs out mid-exam it submits what it has
answered. Requests go round-robin over the --url servers, so with two servers every
learner's consecutive requests alternate between them.

Think time: flat-out waits 0-200 ms between answers; real-pace waits 60-90 s, as in a
40-minute 30-item exam, divided by --pace-scale to keep runs short (100 learners at scale
30 send what 3,000 learners at real pace would).

At the end it prints throughput, p50/p95/p99 per request type (measured by this client, so
they include its own overhead: an upper bound of the server time; with --access-log, also
the servers' own time from gunicorn's access log), errors, and checks the
database: every acknowledged answer is stored exactly once, every attempt's finish time is
the one the first finish returned. Exit status 1 when any check fails or any request erred.
"""

from __future__ import annotations

import argparse
import ipaddress
import itertools
import os
import random
import re
import statistics
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

PROJECT_DIR = Path(__file__).resolve().parent.parent
API = "/api/v1"
PASSWORD = "load-test-password-1"
THINK_SECONDS = {"flat-out": (0.0, 0.2), "real-pace": (60.0, 90.0)}
TIMER_TOLERANCE_SECONDS = 1
REQUEST_TIMEOUT_SECONDS = 30


@dataclass
class Tally:
    """What all learners saw, shared between their threads (appends under one lock)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    acknowledged: set[tuple[int, int]] = field(default_factory=set)
    finish_times: dict[int, str] = field(default_factory=dict)
    finished_again_differently: list[int] = field(default_factory=list)
    timer_gaps: list[float] = field(default_factory=list)

    def timed(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.timings[kind].append(seconds * 1000)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class RequestFailed(Exception):
    pass


class Learner:
    """One simulated learner: a cookie session used against every server in turn."""

    def __init__(
        self,
        *,
        username: str,
        urls: list[str],
        tally: Tally,
        rng: random.Random,
        submit_when_time_is_up: bool,
    ):
        self.username = username
        # Real pace: an exam takes minutes, so one still open at the end is submitted as it
        # is. Flat out, an exam takes seconds and is answered in full: the checks then see
        # whole attempts however late the log-ins were.
        self.submit_when_time_is_up = submit_when_time_is_up
        self.urls = urls
        self.next_url = itertools.cycle(urls)
        self.tally = tally
        self.rng = rng
        # Cookies do not depend on the port: the session works against every loopback server.
        self.http = httpx.Client(timeout=REQUEST_TIMEOUT_SECONDS)

    def request(self, kind: str, method: str, path: str, *, url: str | None = None, **kwargs):
        base = url or next(self.next_url)
        headers = kwargs.pop("headers", {})
        if method != "GET" and "csrftoken" in self.http.cookies:
            headers["X-CSRFToken"] = self.http.cookies["csrftoken"]
        started = time.perf_counter()
        try:
            response = self.http.request(method, base + path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            self.tally.error(f"{kind}: {type(error).__name__} {error}")
            raise RequestFailed(kind) from error
        self.tally.timed(kind, time.perf_counter() - started)
        if response.status_code >= 400:
            self.tally.error(f"{kind}: {response.status_code} {response.text[:200]}")
            raise RequestFailed(kind)
        return response

    def log_in(self) -> None:
        page = self.request("login page", "GET", "/accounts/login/")
        form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not form_token:
            self.tally.error("login page: no CSRF token in the form")
            raise RequestFailed("login page")
        response = self.request(
            "login",
            "POST",
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": form_token.group(1),
            },
        )
        # A failed login answers 200 with the form again; a successful one redirects.
        if response.status_code != 302:
            self.tally.error(f"login: {self.username} was not logged in")
            raise RequestFailed("login")

    def take_exam(self, *, exam_id: int, think: tuple[float, float], stop_at: float) -> None:
        attempt = self.request("start", "POST", f"{API}/attempts/", json={"exam": exam_id}).json()
        attempt_id = attempt["id"]
        self.compare_timers(attempt_id)
        for number, item in enumerate(attempt["items"]):
            if number:
                time.sleep(self.rng.uniform(*think))
            if self.submit_when_time_is_up and time.monotonic() >= stop_at:
                break  # submit what is answered, as a learner out of time would
            path = f"{API}/attempts/{attempt_id}/items/{item['position']}/answer/"
            self.request("answer", "PUT", path, json=some_answer(item))
            with self.tally.lock:
                self.tally.acknowledged.add((attempt_id, item["position"]))
        first = self.request("finish", "POST", f"{API}/attempts/{attempt_id}/finish/").json()
        with self.tally.lock:
            self.tally.finish_times[attempt_id] = first["finished_at"]
        # A double submit, on the other server when there is one: it must change nothing.
        again = self.request("finish again", "POST", f"{API}/attempts/{attempt_id}/finish/").json()
        if again["finished_at"] != first["finished_at"]:
            with self.tally.lock:
                self.tally.finished_again_differently.append(attempt_id)
        self.request("report", "GET", f"{API}/attempts/{attempt_id}/report/")

    def compare_timers(self, attempt_id: int) -> None:
        """Every server's remaining time for the attempt, read one after the other.

        A server computed its `seconds_left` at some moment between sending the request and
        receiving the answer (a queued request can wait seconds), so each reading places
        the deadline it implies in a window: [sent + left, received + left + 1), the 1 for
        whole seconds. The servers disagree by how far apart their windows are.
        """
        windows = []
        for url in self.urls:
            sent = time.monotonic()
            body = self.request("attempt", "GET", f"{API}/attempts/{attempt_id}/", url=url).json()
            received = time.monotonic()
            if body["seconds_left"] is None:
                return
            windows.append((sent + body["seconds_left"], received + body["seconds_left"] + 1))
        if len(windows) > 1:
            latest_start = max(low for low, _ in windows)
            earliest_end = min(high for _, high in windows)
            with self.tally.lock:
                self.tally.timer_gaps.append(round(max(latest_start - earliest_end, 0.0), 1))

    def run(
        self, *, exam_id: int, think: tuple[float, float], start_at: float, stop_at: float
    ) -> None:
        time.sleep(max(start_at - time.monotonic(), 0.0))
        try:
            self.log_in()
            while time.monotonic() < stop_at:
                self.take_exam(exam_id=exam_id, think=think, stop_at=stop_at)
        except RequestFailed:
            pass  # already counted; this learner stops, the others go on
        finally:
            self.http.close()


def some_answer(item: dict) -> dict:
    """An answer of the right shape for the item (the learner guesses), never blank."""
    gap_count = sum(1 for part in item["gap_parts"] if "gap" in part)
    if item["kind"] == "gap":
        return {"gaps": ["x"] * gap_count}
    if item["kind"] == "tiles":
        return {"gaps": [option["text"] for option in item["options"][:gap_count]]}
    options = [option["id"] for option in item["options"]]
    if item["kind"] == "order":
        return {"order": options}
    return {"choices": options[: item["choose"] or 1]}


def loopback_only(urls: list[str]) -> None:
    for url in urls:
        host = urlsplit(url).hostname or ""
        try:
            is_loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            is_loopback = False
        if not is_loopback:
            raise SystemExit(f"--url {url}: only loopback servers may be loaded (127.0.0.1)")


def set_up_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcep_site.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


def create_learners(count: int) -> list[str]:
    """`load-1` … `load-N`, created once with one shared password hash (hashing is slow)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    user_model = get_user_model()
    usernames = [f"load-{number}" for number in range(1, count + 1)]
    existing = set(
        user_model.objects.filter(username__in=usernames).values_list("username", flat=True)
    )
    password_hash = make_password(PASSWORD)
    user_model.objects.bulk_create(
        user_model(username=name, email=f"{name}@example.com", password=password_hash)
        for name in usernames
        if name not in existing
    )
    user_model.objects.filter(username__in=usernames).update(password=password_hash)
    return usernames


def mock_exam_id() -> int:
    from exams.models import Exam

    exam = Exam.objects.filter(kind=Exam.Kind.MOCK).order_by("id").first()
    if exam is None:
        raise SystemExit("No mock exam in the database: load the syllabus and questions first.")
    return exam.pk


def database_checks(tally: Tally) -> list[str]:
    """Every acknowledged answer stored once; every finish time as first acknowledged."""
    from exams.models import ExamSession, UserResponse

    attempt_ids = {attempt_id for attempt_id, _ in tally.acknowledged} | set(tally.finish_times)
    stored = list(
        UserResponse.objects.filter(session_id__in=attempt_ids, answered_at__isnull=False)
        .values_list("session_id", "position")
        .order_by()
    )
    stored_once = set(stored)
    missing = tally.acknowledged - stored_once
    problems = []
    print(f"acknowledged answers = {len(tally.acknowledged)}, rows found = {len(stored)}")
    if missing:
        problems.append(f"{len(missing)} acknowledged answers are not in the database")
    if len(stored) != len(stored_once):
        problems.append(f"{len(stored) - len(stored_once)} answers are stored more than once")
    stored_finish = dict(
        ExamSession.objects.filter(pk__in=tally.finish_times).values_list("pk", "end_time")
    )
    from django.utils.dateparse import parse_datetime

    moved = [
        attempt_id
        for attempt_id, finished_at in tally.finish_times.items()
        if stored_finish.get(attempt_id) != parse_datetime(finished_at)
    ]
    print(
        f"attempts finished = {len(tally.finish_times)}, finished again with another time = "
        f"{len(tally.finished_again_differently)}, stored finish time differs = {len(moved)}"
    )
    if tally.finished_again_differently or moved:
        problems.append("an attempt was finished twice")
    return problems


def percentile_line(kind: str, timings: list[float]) -> str:
    if len(timings) >= 2:
        cuts = statistics.quantiles(timings, n=100, method="inclusive")
        p50, p95, p99 = cuts[49], cuts[94], cuts[98]
    else:
        p50 = p95 = p99 = timings[0]
    return f"  {kind:<13} {len(timings):>7} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}"


# deploy/gunicorn.conf.py's access_log_format: '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'.
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" \d+ \S+ (?P<ms>\d+)ms')
REQUEST_KINDS = (
    ("answer", "PUT", re.compile(r"/api/v1/attempts/\d+/items/\d+/answer/$")),
    ("finish", "POST", re.compile(r"/api/v1/attempts/\d+/finish/$")),
    ("report", "GET", re.compile(r"/api/v1/attempts/\d+/report/$")),
    ("attempt", "GET", re.compile(r"/api/v1/attempts/\d+/$")),
    ("start", "POST", re.compile(r"/api/v1/attempts/$")),
    ("login", "POST", re.compile(r"/accounts/login/$")),
    ("login page", "GET", re.compile(r"/accounts/login/$")),
)


def print_server_times(log_offsets: dict[Path, int]) -> None:
    """Per request type, the time the servers' workers spent on it (gunicorn's %(M)s):
    what the client measured less the network and the wait in the server's queue."""
    server_times: dict[str, list[float]] = defaultdict(list)
    for log, offset in log_offsets.items():
        with log.open(encoding="utf-8", errors="replace") as lines:
            lines.seek(offset)
            for line in lines:
                match = ACCESS_LINE.search(line)
                if not match:
                    continue
                path = match["path"].split("?")[0]
                for kind, method, pattern in REQUEST_KINDS:
                    if match["method"] == method and pattern.search(path):
                        server_times[kind].append(float(match["ms"]))
                        break
    print("  server time (access logs; 'finish' includes the second finish)")
    for kind, timings in server_times.items():
        if timings:
            print(percentile_line(kind, timings))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True, help="a server (repeatable)")
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--profile", choices=sorted(THINK_SECONDS), default="flat-out")
    parser.add_argument(
        "--pace-scale", type=float, default=1.0, help="divide the think time by this"
    )
    parser.add_argument(
        "--ramp",
        type=float,
        default=0.0,
        help="seconds over which the learners start, one after another (a log-in costs far "
        "more than an answer: all of them at once is a burst no exam room makes)",
    )
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--access-log",
        action="append",
        default=[],
        type=Path,
        help="a server's gunicorn access log (deploy/gunicorn.conf.py's format, repeatable): "
        "its lines written during the run give the server time per request type",
    )
    arguments = parser.parse_args()
    urls = [url.rstrip("/") for url in arguments.url]
    loopback_only(urls)
    if arguments.learners < 1 or arguments.duration <= 0 or arguments.pace_scale <= 0:
        raise SystemExit("--learners, --duration and --pace-scale must be positive")
    set_up_django()
    usernames = create_learners(arguments.learners)
    exam_id = mock_exam_id()
    low, high = THINK_SECONDS[arguments.profile]
    think = (low / arguments.pace_scale, high / arguments.pace_scale)
    print(
        f"{arguments.learners} learners, {arguments.profile} (think {think[0]:.2f}-{think[1]:.2f}"
        f" s, pace scale {arguments.pace_scale:g}), {arguments.duration:g} s "
        f"(starts spread over {arguments.ramp:g} s), "
        f"servers: {' '.join(urls)}"
    )
    tally = Tally()
    rng = random.Random(arguments.seed)
    learners = [
        Learner(
            username=name,
            urls=urls,
            tally=tally,
            rng=random.Random(rng.random()),
            submit_when_time_is_up=arguments.profile == "real-pace",
        )
        for name in usernames
    ]
    log_offsets = {log: log.stat().st_size for log in arguments.access_log}
    started = time.monotonic()
    stop_at = started + arguments.duration
    threads = [
        threading.Thread(
            target=learner.run,
            kwargs={
                "exam_id": exam_id,
                "think": think,
                "start_at": started + arguments.ramp * number / len(learners),
                "stop_at": stop_at,
            },
        )
        for number, learner in enumerate(learners)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    requests_made = sum(len(timings) for timings in tally.timings.values())
    answers = len(tally.timings.get("answer", []))
    print(
        f"ran {elapsed:.1f} s: {requests_made} requests ({requests_made / elapsed:.1f}/s), "
        f"{answers} answers ({answers / elapsed:.1f}/s), {len(tally.errors)} errors"
    )
    print(f"  {'request':<13} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, timings in tally.timings.items():
        if timings:
            print(percentile_line(kind, timings))
    if log_offsets:
        print_server_times(log_offsets)
    for message in tally.errors[:10]:
        print(f"  error: {message}")
    problems = database_checks(tally)
    if tally.timer_gaps:
        worst_gap = max(tally.timer_gaps)
        print(f"timers: {len(tally.timer_gaps)} compared across servers, worst gap {worst_gap} s")
        if worst_gap > TIMER_TOLERANCE_SECONDS:
            problems.append(f"servers disagree on the time left by {worst_gap} s")
    if tally.errors:
        problems.append(f"{len(tally.errors)} requests failed")
    if not tally.acknowledged:
        problems.append("no answer was saved: the run checked nothing (a longer --duration?)")
    for problem in problems:
        print(f"FAILED: {problem}")
    print("all checks passed" if not problems else "checks failed")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
