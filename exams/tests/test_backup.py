"""manage.py backup and restore (pcep_site/backups.py): a copy taken under load holds every
answer acknowledged before it, and a file that is not a backup is refused, database unchanged."""

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from exams import services
from exams.models import Exam, Question
from exams.tests.database_files import migrated_database, run_manage
from exams.tests.factories import ExamFactory, make_question
from pcep_site import backups
from pcep_site.backups import BackupError, back_up_database, restore_database

SQLITE_ENGINE = "django.db.backends.sqlite3"
BALLAST_WORDS = 2_000_000  # 18 MB


def sqlite_database(path: Path) -> dict:
    return {"ENGINE": SQLITE_ENGINE, "NAME": str(path)}


@contextlib.contextmanager
def opened(path):
    """A connection that is closed after use (sqlite3's own `with` only commits), so that
    no connection of the test is left holding the database a restore must replace."""
    database = sqlite3.connect(path)
    try:
        with database:
            yield database
    finally:
        database.close()


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count_users(path: Path) -> int:
    with opened(path) as database:
        return database.execute("SELECT count(*) FROM users").fetchone()[0]


def add_user(path: Path, username: str) -> None:
    with opened(path) as database:
        database.execute(
            "INSERT INTO users (password_hash, is_superuser, username, first_name, "
            "last_name, email, is_staff) VALUES ('!', 0, ?, '', '', ?, 0)",
            (username, f"{username}@example.com"),
        )


@pytest.fixture
def live(tmp_path) -> Path:
    """A migrated project database in a file, with one learner, as a server would have."""
    path = migrated_database(tmp_path)
    add_user(path, "before-backup")
    return path


# --- Backup ---------------------------------------------------------------------------------


def test_backup_is_a_private_dated_self_contained_copy_that_passes_integrity_check(live, tmp_path):
    backup = back_up_database(database=sqlite_database(live), output_dir=tmp_path / "out")

    assert backup.path.parent == tmp_path / "out"
    assert backup.path.name.startswith("pcep-backup-")
    assert backup.path.suffix == ".sqlite3"
    assert backup.size == backup.path.stat().st_size > 0
    assert backup.path.stat().st_mode & 0o777 == 0o600
    # Nothing else is left in the folder (no partial file, no -wal beside the copy).
    assert list((tmp_path / "out").iterdir()) == [backup.path]
    with opened(backup.path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert count_users(backup.path) == 1


def test_two_backups_in_the_same_second_get_two_files(live, tmp_path):
    first = back_up_database(database=sqlite_database(live), output_dir=tmp_path / "out")
    second = back_up_database(database=sqlite_database(live), output_dir=tmp_path / "out")
    assert first.path != second.path
    assert first.path.exists() and second.path.exists()


def test_backup_command_prints_the_path_and_size(live, tmp_path):
    finished = run_manage(live, "backup", "--output", str(tmp_path / "out"))

    assert finished.returncode == 0, finished.stderr
    written = next((tmp_path / "out").iterdir())
    assert f"{written} ({written.stat().st_size:,} bytes)" in finished.stdout


def test_backup_of_an_in_memory_database_is_refused(tmp_path):
    with pytest.raises(BackupError, match="in-memory SQLite database"):
        back_up_database(database=sqlite_database(Path(":memory:")), output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_backup_of_a_missing_database_file_is_refused_without_creating_it(tmp_path):
    missing = tmp_path / "missing.sqlite3"
    with pytest.raises(BackupError, match="does not exist"):
        back_up_database(database=sqlite_database(missing), output_dir=tmp_path / "out")
    assert not missing.exists()
    assert list((tmp_path / "out").iterdir()) == []


def test_backup_to_a_file_instead_of_a_folder_is_refused(live, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(BackupError, match="Cannot create the backup folder"):
        back_up_database(database=sqlite_database(live), output_dir=not_a_folder / "sub")
    with pytest.raises(BackupError, match="is not a folder"):
        back_up_database(database=sqlite_database(live), output_dir=not_a_folder)


def test_backup_to_an_unwritable_folder_is_refused(live, tmp_path, monkeypatch):
    # The tests may run as root, for whom every folder is writable: ask as a user would.
    monkeypatch.setattr(backups.os, "access", lambda path, mode: False)
    with pytest.raises(BackupError, match="not writable"):
        back_up_database(database=sqlite_database(live), output_dir=tmp_path)


def test_pg_dump_gets_the_password_from_the_environment_never_the_command_line(
    tmp_path, monkeypatch
):
    calls = []

    def fake_run(arguments, *, env, **options):
        calls.append((arguments, env))
        return backups.subprocess.CompletedProcess(arguments, 0, "", "")

    monkeypatch.setattr(backups.subprocess, "run", fake_run)
    monkeypatch.setattr(backups, "postgresql_tool", lambda name: f"/usr/bin/{name}")
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "pcep",
        "USER": "pcep",
        "PASSWORD": "s3cret-password",
        "HOST": "db.internal",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "require"},
    }

    backup = back_up_database(database=database, output_dir=tmp_path)

    [(arguments, environment)] = calls
    assert arguments[:2] == ["/usr/bin/pg_dump", "--format=custom"]
    assert not any("s3cret-password" in argument for argument in arguments)
    assert environment["PGPASSWORD"] == "s3cret-password"
    assert (environment["PGHOST"], environment["PGPORT"]) == ("db.internal", "5433")
    assert (environment["PGDATABASE"], environment["PGSSLMODE"]) == ("pcep", "require")
    assert backup.path.name.endswith(".dump")
    assert backup.path.stat().st_mode & 0o777 == 0o600


def test_missing_pg_dump_is_reported_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(backups.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": "pcep"}
    with pytest.raises(BackupError, match="pg_dump is not installed"):
        back_up_database(database=database, output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failing_pg_dump_leaves_no_backup_file(tmp_path, monkeypatch):
    monkeypatch.setattr(backups, "postgresql_tool", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(
        backups.subprocess,
        "run",
        lambda arguments, **options: backups.subprocess.CompletedProcess(
            arguments, 1, "", "pg_dump: error: connection to server failed: no password"
        ),
    )
    database = {"ENGINE": "django.db.backends.postgresql", "NAME": "pcep"}
    with pytest.raises(BackupError, match=r"pg_dump failed: .*connection to server failed"):
        back_up_database(database=database, output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- Restore --------------------------------------------------------------------------------


def test_restore_replaces_the_database_with_the_backup(live, tmp_path):
    backup = back_up_database(database=sqlite_database(live), output_dir=tmp_path / "out")
    add_user(live, "after-backup")
    live.chmod(0o640)

    result = restore_database(database=sqlite_database(live), backup=backup.path)

    assert result.pending_migrations == 0
    assert count_users(live) == 1
    # The app servers' user can still open it, and no stale -wal waits to be replayed.
    assert live.stat().st_mode & 0o777 == 0o640
    assert not Path(f"{live}-wal").exists()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_restore_refuses_a_file_that_is_not_a_database_and_leaves_the_database_as_it_was(
    live, tmp_path
):
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(os.urandom(4096))
    before = fingerprint(live)

    with pytest.raises(BackupError, match=r"is not a SQLite database.*was not changed"):
        restore_database(database=sqlite_database(live), backup=garbage)

    assert fingerprint(live) == before
    assert count_users(live) == 1


def test_restore_refuses_a_sqlite_database_of_another_project(live, tmp_path):
    foreign = tmp_path / "other.sqlite3"
    with opened(foreign) as other:
        other.execute("CREATE TABLE notes (body TEXT)")
        other.execute("INSERT INTO notes VALUES ('not ours')")
    before = fingerprint(live)

    with pytest.raises(BackupError, match=r"not one of this project.*django_migrations"):
        restore_database(database=sqlite_database(live), backup=foreign)

    assert fingerprint(live) == before


def test_restore_refuses_a_truncated_backup(live, tmp_path):
    backup = back_up_database(database=sqlite_database(live), output_dir=tmp_path / "out")
    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(backup.path.read_bytes()[: backup.size // 3])
    before = fingerprint(live)

    with pytest.raises(BackupError, match=r"was not changed|integrity check"):
        restore_database(database=sqlite_database(live), backup=truncated)

    assert fingerprint(live) == before


def test_restore_refuses_a_backup_made_by_a_newer_version(live, tmp_path):
    backup = back_up_database(database=sqlite_database(live), output_dir=tmp_path / "out")
    with opened(backup.path) as newer:
        newer.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('exams', '9999_from_the_future', '2027-01-01')"
        )
    before = fingerprint(live)

    with pytest.raises(BackupError, match=r"newer version.*exams.9999_from_the_future"):
        restore_database(database=sqlite_database(live), backup=backup.path)

    assert fingerprint(live) == before


def test_restore_of_an_older_backup_says_migrations_are_pending(live, tmp_path):
    backup = back_up_database(database=sqlite_database(live), output_dir=tmp_path / "out")
    with opened(backup.path) as older:
        older.execute("DELETE FROM django_migrations WHERE app = 'exams' AND name LIKE '0005%'")

    result = restore_database(database=sqlite_database(live), backup=backup.path)

    assert result.pending_migrations == 1


def test_restore_refuses_while_the_database_is_in_use(live, tmp_path):
    backup = back_up_database(database=sqlite_database(live), output_dir=tmp_path / "out")
    add_user(live, "after-backup")
    app_server = sqlite3.connect(live, isolation_level=None)
    app_server.execute("PRAGMA journal_mode=WAL")
    app_server.execute("SELECT count(*) FROM users").fetchall()
    try:
        with pytest.raises(BackupError, match=r"in use.*stop the app servers"):
            restore_database(database=sqlite_database(live), backup=backup.path)
        assert app_server.execute("SELECT count(*) FROM users").fetchone() == (2,)
    finally:
        app_server.close()
    assert count_users(live) == 2


def test_restore_command_asks_for_the_database_name_before_replacing_it(live, tmp_path):
    backup = back_up_database(database=sqlite_database(live), output_dir=tmp_path / "out")
    add_user(live, "after-backup")

    refused = run_manage(live, "restore", str(backup.path), stdin="something else\n")
    assert refused.returncode != 0
    assert "did not match: nothing was restored" in refused.stderr
    assert count_users(live) == 2

    confirmed = run_manage(live, "restore", str(backup.path), stdin=f"{live.name}\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert f"Restored {live}" in confirmed.stdout
    assert count_users(live) == 1


def test_restore_command_refuses_garbage_with_a_clear_message(live, tmp_path):
    garbage = tmp_path / "notes.txt"
    garbage.write_text("these are not the answers you are looking for")
    before = fingerprint(live)

    refused = run_manage(live, "restore", str(garbage), "--yes")

    assert refused.returncode != 0
    assert "is not a SQLite database" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert fingerprint(live) == before


# --- Under load -----------------------------------------------------------------------------


def _skip_unless_shared_database() -> None:
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        # Saves from other threads and a fresh connection for the copy need a real file.
        pytest.skip("needs a file database: set TEST_SQLITE_FILE (CI does) or PostgreSQL")
    if connection.vendor == "postgresql":
        try:
            backups.postgresql_tool("pg_dump")
            backups.postgresql_tool("pg_restore")
        except BackupError as error:
            pytest.skip(error.message)


class _RestoredDatabase:
    """Reads the restored copy through its own driver: Django only knows the test database."""

    def __init__(self, database: dict):
        self.database = database

    def rows(self, query: str) -> list[tuple]:
        if self.database["ENGINE"] == SQLITE_ENGINE:
            with opened(self.database["NAME"]) as restored:
                return restored.execute(query).fetchall()
        import psycopg

        with psycopg.connect(**_libpq_arguments(self.database)) as restored:
            return restored.execute(query).fetchall()


def _libpq_arguments(database: dict, *, name: str | None = None) -> dict:
    arguments = {
        "dbname": name or database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    return {key: value for key, value in arguments.items() if value is not None}


def _fresh_database(tmp_path: Path):
    """A DATABASES entry for an empty database to restore into, and a function removing it."""
    current = connection.settings_dict
    if connection.vendor == "sqlite":
        return sqlite_database(tmp_path / "fresh.sqlite3"), lambda: None
    import psycopg

    name = f"{current['NAME']}_restored"
    administration = psycopg.connect(**_libpq_arguments(current), autocommit=True)
    administration.execute(f'DROP DATABASE IF EXISTS "{name}"')
    administration.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        administration.execute(f'DROP DATABASE IF EXISTS "{name}"')
        administration.close()

    return {**current, "NAME": name}, drop


def _gaps(response_data) -> list[str]:
    data = json.loads(response_data) if isinstance(response_data, str) else response_data
    return data.get("gaps", [])


@pytest.mark.django_db(transaction=True)
def test_backup_under_load_restores_every_answer_acknowledged_before_it_started(syllabus, tmp_path):
    _skip_unless_shared_database()
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="Under load", time_limit=3600)
    topic = syllabus.modules.first().topics.first()
    for _ in range(6):
        make_question(kind="gap", exam=exam, topic=topic)
    # Ballast, so that the copy takes long enough for saves to land while it runs.
    ballast = make_question(exam=ExamFactory(kind=Exam.Kind.BANK), topic=topic)
    Question.objects.filter(pk=ballast.pk).update(explanation="ballast " * BALLAST_WORDS)
    learners = UserFactory.create_batch(2)
    acknowledged: list[tuple[int, int, int]] = []  # (attempt, question, sequence), saved
    finished: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    stop = threading.Event()

    def keep_answering(learner) -> None:
        sequence = 0
        try:
            while not stop.is_set():
                attempt = services.start_attempt(user=learner, exam=exam)
                items = attempt.responses.order_by("position").values_list("question_id")
                for (question_id,) in list(items) * 3:
                    sequence += 1
                    # Each save is unique and ordered: the copy shows which one it holds.
                    second_gap = "+" if sequence % 2 else "-"
                    services.record_answer(
                        attempt=attempt,
                        question_id=question_id,
                        gap_texts=[f"{sequence}", second_gap],
                    )
                    with lock:
                        acknowledged.append((attempt.pk, question_id, sequence))
                services.finish_attempt(attempt=attempt)
                with lock:
                    finished.append(attempt.pk)
        except BaseException as error:  # the test reports whatever a thread raised
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=keep_answering, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    try:
        give_up = time.monotonic() + 60
        while len(finished) < 2 and time.monotonic() < give_up and not errors:
            time.sleep(0.05)
        with lock:
            before = list(acknowledged)
            finished_before = set(finished)
        backup = back_up_database(
            database=connection.settings_dict, output_dir=tmp_path / "backups"
        )
        saved_during = len(acknowledged) - len(before)
        # The saves go on after the copy, too.
        while len(acknowledged) < len(before) + 20 and time.monotonic() < give_up and not errors:
            time.sleep(0.05)
        saved_after = len(acknowledged) - len(before)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert len(finished_before) >= 2 and saved_after >= 20
    # Writers were not held up by the copy: saves kept being acknowledged while it ran.
    assert saved_during > 0, f"no save landed during a {backup.size:,}-byte backup"
    assert backup.path.stat().st_mode & 0o777 == 0o600
    fresh, drop = _fresh_database(tmp_path)
    try:
        restore_database(database=fresh, backup=backup.path)
        restored = _RestoredDatabase(fresh)
        saved = {
            (session, question): _gaps(data)
            for session, question, data in restored.rows(
                "SELECT session_id, question_id, response_data FROM user_responses"
            )
        }
        sessions = {
            row[0]: row[1:]
            for row in restored.rows(
                "SELECT id, is_completed, total_questions, points_earned FROM exam_sessions"
            )
        }
        items = {
            row[0]: row[1:]
            for row in restored.rows(
                "SELECT session_id, count(*), sum(points_earned) FROM user_responses "
                "GROUP BY session_id"
            )
        }
        if fresh["ENGINE"] == SQLITE_ENGINE:
            assert restored.rows("PRAGMA integrity_check") == [("ok",)]
    finally:
        drop()

    last_acknowledged: dict[tuple[int, int], int] = {}
    for attempt_id, question_id, sequence in before:
        last_acknowledged[(attempt_id, question_id)] = sequence
    for key, sequence in last_acknowledged.items():
        gaps = saved.get(key)
        # The acknowledged answer, or one given after it: never an older one, never none.
        assert gaps and int(gaps[0]) >= sequence, (key, sequence, gaps)
    for attempt_id in finished_before:
        assert sessions[attempt_id][0], f"attempt {attempt_id} was finished before the backup"
    # No torn attempt: every attempt has all its items, and a finished one the totals of them.
    for attempt_id, (is_completed, total_questions, points_earned) in sessions.items():
        item_count, item_points = items[attempt_id]
        assert item_count == total_questions == 6
        if is_completed:
            assert points_earned == pytest.approx(item_points)


@pytest.mark.django_db(transaction=True)
def test_postgresql_restore_refuses_what_is_not_a_backup_of_this_project(user, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: CI's PostgreSQL run covers pg_restore")
    _skip_unless_shared_database()
    import psycopg

    from accounts.models import User

    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(os.urandom(2048))
    with pytest.raises(BackupError, match="not a pg_dump archive"):
        restore_database(database=connection.settings_dict, backup=garbage)

    other, drop = _fresh_database(tmp_path)
    try:
        with psycopg.connect(**_libpq_arguments(other)) as other_project:
            other_project.execute("CREATE TABLE notes (body text)")
        foreign = back_up_database(database=other, output_dir=tmp_path / "out")
    finally:
        drop()
    with pytest.raises(BackupError, match="not one of this project"):
        restore_database(database=connection.settings_dict, backup=foreign.path)

    assert User.objects.filter(pk=user.pk).exists()
