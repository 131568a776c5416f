"""Benchmark: a whole 30-item mock exam through the REST API, one batch versus item by item.

Run from the project folder:

    .venv/bin/python bench/api_flow_bench.py [--runs 5] [--port 8766]

It loads the real bank into a throwaway SQLite database, serves it with `runserver` on
loopback, issues a token, then for each run starts a mock exam, answers all 30 items (in one
batch save, or with 30 PUTs), finishes and reads the report, timing the whole flow with the
same client the end-to-end test uses (exams/tests/lms_client.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from exams.tests.lms_client import LmsClient  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8766)
    arguments = parser.parse_args()
    python = str(PROJECT_DIR / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory(prefix="api-bench-") as temporary:
        environment = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{temporary}/bench.sqlite3",
            "API_RATE_USER": "1000000/minute",
            "API_RATE_TOKEN": "1000000/minute",
        }

        def manage(*command: str) -> str:
            return subprocess.run(
                [python, "manage.py", *command], cwd=PROJECT_DIR, env=environment,
                check=True, capture_output=True, text=True,
            ).stdout.strip()  # fmt: skip

        manage("migrate", "--noinput")
        manage("load_syllabus")
        manage("import_questions", *map(str, sorted(PROJECT_DIR.glob("content/questions/*.yaml"))))
        timings: dict[str, list[float]] = {"one batch": [], "item by item": []}
        tokens = {flow: manage("issue_api_token", f"bench-{i}", "--create", "--name", "bench")
                  for i, flow in enumerate(timings)}  # fmt: skip
        server = subprocess.Popen(
            [python, "manage.py", "runserver", f"127.0.0.1:{arguments.port}", "--noreload"],
            cwd=PROJECT_DIR, env=environment,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base_url = f"http://127.0.0.1:{arguments.port}"
        try:
            _wait_for(base_url)
            for _ in range(arguments.runs):
                for flow, token in tokens.items():
                    lms = LmsClient(base_url, token)
                    started = time.perf_counter()
                    attempt = lms.start_mock_exam()
                    if flow == "one batch":
                        lms.answer_all_in_one_batch(attempt)
                    else:
                        lms.answer_item_by_item(attempt)
                    lms.finish(attempt)
                    timings[flow].append(time.perf_counter() - started)
        finally:
            server.terminate()
            server.wait()
    print(f"30-item mock exam over the API (start, answer all, finish), {arguments.runs} runs:")
    for flow, seconds in timings.items():
        print(f"  {flow:<13} median {statistics.median(seconds) * 1000:7.0f} ms   "
              f"min {min(seconds) * 1000:7.0f} ms   max {max(seconds) * 1000:7.0f} ms")  # fmt: skip
    return 0


def _wait_for(base_url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"{base_url}/api/v1/schema/", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    raise SystemExit(main())
