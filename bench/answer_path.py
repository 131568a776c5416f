"""Benchmark: the cost of an answer save against a bare Django view that writes one row.

Run from the project folder (importing the bank verifies its keys, so it needs bubblewrap):

    .venv/bin/python bench/answer_path.py [--rounds 600] [--warmup 60]

It migrates a throwaway SQLite database, loads the syllabus and the bundled bank, starts one
mock-exam attempt for one learner, and serves the site with gunicorn (one sync worker, the
production settings: DEBUG off) plus one extra URL, the floor: a view behind the same
middleware, login and CSRF check that UPDATEs one row of the same table and answers JSON.
It then sends, one after another and interleaved, an answer save (the item page's own
POST, `Accept: application/json`, cycling over the 30 items with a valid answer each) and
a floor request, and reads gunicorn's access log for the time each request spent inside
the server (%(D)s, microseconds). It prints both medians and the ratio; the issue-13 goal
is a ratio of at most 1.3.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PROJECT_DIR = Path(__file__).resolve().parent.parent
GOAL_RATIO = 1.3
FLOOR_MODULE = "answer_path_floor"
FLOOR_URLS = '''
"""The site's URLs plus the benchmark's floor view (written by bench/answer_path.py)."""
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from exams.models import UserResponse
from pcep_site.urls import urlpatterns as site_urlpatterns


@login_required
@require_POST
def floor(request, pk):
    UserResponse.objects.filter(pk=pk).update(time_taken=F("time_taken") + 0.1)
    return JsonResponse({"saved": True})


urlpatterns = [*site_urlpatterns, path("bench/floor/<int:pk>/", floor)]
'''
FLOOR_SETTINGS = f"""
from pcep_site.settings import *  # noqa: F403
ROOT_URLCONF = "{FLOOR_MODULE}_urls"
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(workdir: Path, env: dict[str, str], *, reused: bool) -> dict:
    """Database, bank, learner, attempt and a logged-in session; returns what the client needs."""
    manage = [sys.executable, str(PROJECT_DIR / "manage.py")]
    commands = [["migrate", "--noinput", "--verbosity", "0"]]
    if not reused:
        bank = sorted(str(path) for path in (PROJECT_DIR / "content/questions").glob("*.yaml"))
        commands += [["load_syllabus"], ["import_questions", *bank]]
    for command in commands:
        subprocess.run([*manage, *command], env=env, check=True, stdout=subprocess.DEVNULL)
    os.environ.update(env)
    sys.path[:0] = [str(workdir), str(PROJECT_DIR)]
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from exams import services
    from exams.models import Exam

    name = f"bench-{secrets.token_hex(4)}"
    learner = get_user_model().objects.create_user(
        name, f"{name}@example.com", secrets.token_urlsafe(12)
    )
    exam = Exam.objects.filter(kind=Exam.Kind.MOCK).order_by("id").first()
    attempt = services.start_attempt(user=learner, exam=exam)
    client = Client()
    client.force_login(learner)
    items = []
    for item in attempt.responses.select_related("question").prefetch_related("question__answers"):
        answers = sorted(item.question.answers.all(), key=lambda answer: answer.answer_order)
        data: dict[str, object] = {"question": str(item.question_id)}
        kind = item.question.kind
        if kind == "order":
            data["order"] = [str(answer.pk) for answer in answers]
        elif kind in ("gap", "tiles"):
            gaps: dict[int, str] = {}
            for answer in answers:
                if answer.is_correct and answer.gap_number is not None:
                    gaps.setdefault(answer.gap_number, answer.text)
            data["gap"] = [gaps[number] for number in sorted(gaps)]
        else:
            data["choice"] = [str(answer.pk) for answer in answers if answer.is_correct]
        items.append((item.position, data))
    return {
        "attempt": attempt.pk,
        "items": sorted(items),
        "floor_row": attempt.responses.order_by("id").first().pk,
        "session_cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def serve(env: dict[str, str], *, port: int, access_log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(PROJECT_DIR / "deploy/gunicorn.conf.py"),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(m)s %(U)s %(s)s %(D)s",
            "--max-requests",
            "0",
            "pcep_site.wsgi",
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def server_times(access_log: Path, *, skip: int) -> dict[str, list[float]]:
    """Milliseconds inside the server per request kind, after the first `skip` of each."""
    times: dict[str, list[float]] = {"answer": [], "floor": []}
    pattern = re.compile(r"^POST (\S+) (\d{3}) (\d+)$")
    for line in access_log.read_text().splitlines():
        match = pattern.match(line.strip())
        if not match:
            continue
        url, status, micros = match.groups()
        if status != "200":
            raise SystemExit(f"a request failed: {line}")
        kind = "floor" if url.startswith("/bench/floor/") else "answer"
        times[kind].append(int(micros) / 1000)
    return {kind: values[skip:] for kind, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=60)
    parser.add_argument(
        "--database",
        type=Path,
        help="SQLite file to keep between runs (the bank import takes minutes; later runs "
        "reuse it and only migrate)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="answer-path-") as folder:
        workdir = Path(folder)
        database = args.database or workdir / "bench.sqlite3"
        reused = database.exists()
        (workdir / f"{FLOOR_MODULE}_urls.py").write_text(FLOOR_URLS)
        (workdir / f"{FLOOR_MODULE}_settings.py").write_text(FLOOR_SETTINGS)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database.resolve()}",
            "DJANGO_SETTINGS_MODULE": f"{FLOOR_MODULE}_settings",
            "PYTHONPATH": os.pathsep.join([str(workdir), str(PROJECT_DIR)]),
            "DEBUG": "false",
            "HTTPS": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "ERROR",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        }
        print("Preparing the database and the bank...", flush=True)
        setup = prepare(workdir, env, reused=reused)
        port = free_port()
        access_log = workdir / "access.log"
        server = serve(env, port=port, access_log=access_log)
        try:
            base = f"http://127.0.0.1:{port}"
            attempt = setup["attempt"]
            with httpx.Client(base_url=base, timeout=10) as client:
                client.cookies.set("sessionid", setup["session_cookie"])
                client.get(f"/exams/attempts/{attempt}/items/1/").raise_for_status()
                token = client.cookies["csrftoken"]
                headers = {"X-CSRFToken": token, "Accept": "application/json"}
                items = setup["items"]
                total = args.rounds + args.warmup
                for number in range(total):
                    position, data = items[number % len(items)]
                    answer = (f"/exams/attempts/{attempt}/items/{position}/answer/", data)
                    floor = (f"/bench/floor/{setup['floor_row']}/", None)
                    # Alternate which goes first, so neither always follows the other.
                    for url, payload in (answer, floor) if number % 2 else (floor, answer):
                        client.post(url, data=payload, headers=headers).raise_for_status()
            time.sleep(0.5)  # gunicorn writes the access log after the response
        finally:
            server.terminate()
            server.wait(timeout=20)
        times = server_times(access_log, skip=args.warmup)
    answer_ms = statistics.median(times["answer"])
    floor_ms = statistics.median(times["floor"])
    ratio = answer_ms / floor_ms
    print(f"answer saves: {len(times['answer'])}, floor requests: {len(times['floor'])}")
    print(f"answer save median {answer_ms:.2f} ms (p90 {quantile(times['answer'], 0.9):.2f} ms)")
    print(f"floor view median  {floor_ms:.2f} ms (p90 {quantile(times['floor'], 0.9):.2f} ms)")
    verdict = "met" if ratio <= GOAL_RATIO else "not met"
    print(f"ratio {ratio:.2f} (goal <= {GOAL_RATIO}: {verdict})")


def quantile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)]


if __name__ == "__main__":
    main()
