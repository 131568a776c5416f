"""kill -9 of a real gunicorn (master and workers) while learners save answers over HTTP:
every answer whose request got a 2xx reply is in the database afterwards (docs/backup.md)."""

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection

from exams.tests.database_files import environment_for, migrated_database, run_manage

GUNICORN = Path(settings.BASE_DIR) / ".venv" / "bin" / "gunicorn"
LEARNERS = 2
# Enough saves acknowledged before the kill for the check to mean something.
ACKNOWLEDGED_BEFORE_KILL = 60

SET_UP = """
import json
from accounts.services import issue_api_token
from accounts.tests.factories import UserFactory
from exams.models import Exam
from exams.tests.factories import ExamFactory, make_question

exam = ExamFactory(kind=Exam.Kind.FIXED, title="Crash", time_limit=3600)
for _ in range(5):
    make_question(kind="gap", exam=exam)
tokens = [issue_api_token(user=UserFactory(), name="crash")[1] for _ in range({learners})]
print(json.dumps({{"exam": exam.pk, "tokens": tokens}}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(base_url: str, server: subprocess.Popen, log: Path) -> None:
    give_up = time.monotonic() + 60
    last_reply = "no reply"
    while time.monotonic() < give_up:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{log.read_text()}")
        try:
            reply = httpx.get(f"{base_url}/healthz", timeout=2)
        except httpx.HTTPError as error:
            last_reply = repr(error)
        else:
            if reply.status_code == 200:
                return
            last_reply = f"{reply.status_code} {reply.text}"
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not become healthy ({last_reply}):\n{log.read_text()}")


class Learner(threading.Thread):
    """Saves answers one after another as fast as the server replies, until it stops replying."""

    def __init__(self, *, base_url: str, token: str, exam_id: int):
        super().__init__(daemon=True)
        self.client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        self.exam_id = exam_id
        self.attempt_id: int | None = None
        self.acknowledged: list[tuple[int, int]] = []  # (position, sequence) replied 2xx
        self.sent: list[tuple[int, int]] = []
        self.refused: list[int] = []

    def run(self) -> None:
        try:
            started = self.client.post("/api/v1/attempts/", json={"exam": self.exam_id})
            started.raise_for_status()
            self.attempt_id = started.json()["id"]
            items = started.json()["total_questions"]
            sequence = 0
            while True:
                sequence += 1
                position = 1 + sequence % items
                self.sent.append((position, sequence))
                reply = self.client.put(
                    f"/api/v1/attempts/{self.attempt_id}/items/{position}/answer/",
                    json={"gaps": [str(sequence), "+"]},
                )
                if reply.is_success:
                    self.acknowledged.append((position, sequence))
                else:
                    self.refused.append(reply.status_code)
        except httpx.HTTPError:
            return  # The server is gone: the kill this test is about.
        finally:
            self.client.close()


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in .venv")
def test_kill_9_of_gunicorn_loses_no_acknowledged_answer(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("runs its own SQLite file database; the SQLite run of the suite covers it")
    database = migrated_database(tmp_path, "crash.sqlite3")
    set_up = run_manage(database, "shell", "-c", SET_UP.format(learners=LEARNERS))
    assert set_up.returncode == 0, set_up.stderr
    fixture = json.loads(set_up.stdout.strip().splitlines()[-1])
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    environment = environment_for(
        database,
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        # The API answers JSON: no page needs the collected static files' manifest.
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    with open(log, "wb") as log_file:
        # Its own process group: one killpg reaches the master and every worker at once,
        # and nothing else on the machine.
        server = subprocess.Popen(
            [str(GUNICORN), "--config", "deploy/gunicorn.conf.py", "pcep_site.wsgi"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    learners = []
    try:
        wait_until_healthy(base_url, server, log)
        learners = [
            Learner(base_url=base_url, token=token, exam_id=fixture["exam"])
            for token in fixture["tokens"]
        ]
        for learner in learners:
            learner.start()
        give_up = time.monotonic() + 20
        while (
            sum(len(learner.acknowledged) for learner in learners) < ACKNOWLEDGED_BEFORE_KILL
            and time.monotonic() < give_up
            and any(learner.is_alive() for learner in learners)
        ):
            time.sleep(0.02)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        for learner in learners:
            learner.join(timeout=15)

    assert server.returncode == -signal.SIGKILL
    assert all(learner.attempt_id for learner in learners), log.read_text()
    assert all(learner.refused == [] for learner in learners)
    assert sum(len(learner.acknowledged) for learner in learners) >= ACKNOWLEDGED_BEFORE_KILL
    # Opened after the crash, as the restarted server would: SQLite recovers from the WAL.
    with sqlite3.connect(database) as crashed:
        assert crashed.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        for learner in learners:
            stored = {
                position: json.loads(data)["gaps"]
                for position, data in crashed.execute(
                    "SELECT position, response_data FROM user_responses WHERE session_id = ?",
                    (learner.attempt_id,),
                )
                if "gaps" in json.loads(data)
            }
            last_acknowledged = dict(learner.acknowledged)
            sent = set(learner.sent)
            for position, sequence in last_acknowledged.items():
                stored_sequence = int(stored[position][0])
                # The acknowledged answer or one sent after it (its reply cut off by the kill).
                assert stored_sequence >= sequence, (position, sequence, stored[position])
                assert (position, stored_sequence) in sent
    crashed.close()
