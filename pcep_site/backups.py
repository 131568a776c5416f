"""Backups and restores of the project's database: SQLite's online backup API, pg_dump/pg_restore.

The database belongs to the whole project (accounts, exams, progress), so this lives beside
pcep_site/health.py rather than in one app; `manage.py backup` and `manage.py restore`
(exams/management/commands/) only parse arguments and call these functions. docs/backup.md
says how to run them and what each guarantees.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

PROJECT_APPS = ("accounts", "exams", "progress")
# A database without these is not this project's, whatever else it holds.
REQUIRED_TABLES = ("django_migrations", "exam_sessions", "user_responses", "questions")
SQLITE_HEADER = b"SQLite format 3\x00"
# Outside WAL mode a backup step holds a read lock that blocks writers: copy in slices.
ROLLBACK_JOURNAL_STEP_PAGES = 256
# Seconds a restore waits for the live database's lock before saying it is in use.
LIVE_DATABASE_LOCK_TIMEOUT = 2.0


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BackupFile:
    path: Path
    size: int


@dataclass(frozen=True)
class RestoreResult:
    target: str
    # Migrations this code has that the backup had not applied: `manage.py migrate` adds them.
    pending_migrations: int


def back_up_database(
    *, database: dict, output_dir: Path, now: datetime | None = None
) -> BackupFile:
    """Write a consistent copy of `database` (a DATABASES entry) to a dated file, mode 0600."""
    output_dir = Path(output_dir)
    _check_output_dir(output_dir)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    vendor = _vendor(database)
    suffix = ".sqlite3" if vendor == "sqlite" else ".dump"
    target = _free_name(output_dir, f"pcep-backup-{stamp}", suffix)
    # Written under a name no reader takes for a backup, renamed only once complete.
    partial = output_dir / f".{target.name}.partial-{secrets.token_hex(4)}"
    _create_private_file(partial)
    try:
        if vendor == "sqlite":
            _back_up_sqlite(_sqlite_path(database), partial)
        else:
            _back_up_postgresql(database, partial)
        os.chmod(partial, 0o600)
        _sync_file(partial)
        os.replace(partial, target)
        _sync_directory(output_dir)
    finally:
        partial.unlink(missing_ok=True)
    return BackupFile(path=target, size=target.stat().st_size)


def restore_database(*, database: dict, backup: Path) -> RestoreResult:
    """Replace `database` with the backup's content; a file that is not a backup of this
    project is refused before anything is touched."""
    backup = Path(backup)
    if not backup.is_file():
        raise BackupError(f"{backup} does not exist or is not a file.")
    if _vendor(database) == "sqlite":
        return _restore_sqlite(backup, _sqlite_path(database))
    return _restore_postgresql(database, backup)


def database_label(database: dict) -> str:
    """What a person types to confirm a restore: the database's name (file name on SQLite)."""
    if _vendor(database) == "sqlite":
        return Path(str(database["NAME"])).name
    return str(database["NAME"])


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_path(database: dict) -> Path:
    name = str(database.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError(
            "The database is an in-memory SQLite database: it lives only inside its process "
            "and there is no file to back up or restore. Set DATABASE_URL to a file database."
        )
    return Path(name)


def _connect_existing(path: Path, *, timeout: float = 20.0) -> sqlite3.Connection:
    # mode=rw: never create an empty database where the named file is missing.
    return sqlite3.connect(
        f"file:{quote(str(path))}?mode=rw", uri=True, timeout=timeout, isolation_level=None
    )


def _back_up_sqlite(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"The database file {source} does not exist.")
    # A fresh connection of our own: the backup API copies what that connection sees.
    reader = _connect_existing(source)
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        journal_mode = reader.execute("PRAGMA journal_mode").fetchone()[0]
        # In WAL mode (what settings.py configures) a reader never blocks writers, so one
        # step copies a single snapshot while answers keep being saved. Copying in several
        # steps would restart the copy whenever a writer commits between two steps, which
        # under a steady stream of answers might never finish.
        pages = -1 if journal_mode == "wal" else ROLLBACK_JOURNAL_STEP_PAGES
        reader.backup(copy, pages=pages, sleep=0.005)
        # A backup is one self-contained file: no -wal beside it to forget when copying it.
        copy.execute("PRAGMA journal_mode=DELETE")
        _require_integrity(copy, f"The copy of {source}")
    except sqlite3.Error as error:
        raise BackupError(f"Could not copy {source}: {error}.") from error
    finally:
        copy.close()
        reader.close()


def _require_integrity(connection: sqlite3.Connection, what: str) -> None:
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    if rows != ["ok"]:
        raise BackupError(f"{what} fails SQLite's integrity check: {'; '.join(rows[:5])}.")


def _restore_sqlite(backup: Path, target: Path) -> RestoreResult:
    with open(backup, "rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise BackupError(
            f"{backup} is not a SQLite database, so not a backup made by `manage.py backup`; "
            "the database was not changed."
        )
    target_dir = target.parent
    if not target_dir.is_dir():
        raise BackupError(f"The database's folder {target_dir} does not exist.")
    # Checked and prepared in the database's own folder, so the final rename is atomic.
    staged = target_dir / f".{target.name}.restore-{secrets.token_hex(4)}"
    _create_private_file(staged)
    try:
        shutil.copyfile(backup, staged)
        pending = _check_sqlite_backup(staged, shown_as=backup)
        _sync_file(staged)
        _replace_live_sqlite(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    return RestoreResult(target=str(target), pending_migrations=pending)


def _check_sqlite_backup(path: Path, *, shown_as: Path) -> int:
    """Raise unless `path` is a sound database of this project; return its pending migrations."""
    connection = _connect_existing(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
        _require_integrity(connection, str(shown_as))
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        missing = [table for table in REQUIRED_TABLES if table not in tables]
        if missing:
            raise BackupError(
                f"{shown_as} is a SQLite database but not one of this project (it has no "
                f"{', '.join(missing)} table); the database was not changed."
            )
        applied = set(connection.execute("SELECT app, name FROM django_migrations").fetchall())
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{shown_as} cannot be read as a SQLite database ({error}); "
            "the database was not changed."
        ) from error
    finally:
        connection.close()
    return _pending_migrations(applied, shown_as=shown_as)


def _pending_migrations(applied: set[tuple[str, str]], *, shown_as: Path) -> int:
    from django.db.migrations.loader import MigrationLoader

    known = {key for key in MigrationLoader(None).disk_migrations if key[0] in PROJECT_APPS}
    ours = {key for key in applied if key[0] in PROJECT_APPS}
    if ("exams", "0001_initial") not in ours:
        raise BackupError(
            f"{shown_as} has no migrations of this project applied; the database was not changed."
        )
    unknown = sorted(ours - known)
    if unknown:
        names = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"{shown_as} was made by a newer version of the product (migrations this code "
            f"does not have: {names}). Upgrade the code first; the database was not changed."
        )
    return len(known - ours)


def _replace_live_sqlite(staged: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staged, target)
        _sync_directory(target.parent)
        return
    live = _connect_existing(target, timeout=LIVE_DATABASE_LOCK_TIMEOUT)
    try:
        # Leaving WAL mode needs the only connection to the database: it fails while an
        # app server holds one, and it folds the -wal file into the database and removes it,
        # so no stale -wal is ever replayed onto the restored file.
        mode = live.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        if mode != "delete":
            raise sqlite3.OperationalError("database is locked")
        # Held across the rename: no one writes to the old file in between.
        live.execute("BEGIN EXCLUSIVE")
        _keep_ownership(of=target, on=staged)
        for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(staged, target)
        _sync_directory(target.parent)
    except sqlite3.OperationalError as error:
        raise BackupError(
            f"The database {target} is in use ({error}): stop the app servers (gunicorn) "
            "and anything else using it, then restore again. The database was not changed."
        ) from error
    finally:
        live.close()


# --- PostgreSQL -----------------------------------------------------------------------------


def _postgresql_environment(database: dict) -> dict[str, str]:
    """libpq's variables for the connection: a password never appears on a command line,
    where any user of the machine could read it in the process list."""
    environment = dict(os.environ)
    values = {
        "PGDATABASE": database.get("NAME"),
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
    }
    options = database.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        values[variable] = options.get(option)
    for variable, value in values.items():
        if value not in (None, ""):
            environment[variable] = str(value)
    return environment


def postgresql_tool(name: str) -> str:
    """The newest installed pg_dump/pg_restore: a newer client handles older servers, an
    older one refuses a newer server."""
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
        reverse=True,
    )
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools of the server's "
            "version (Debian: apt-get install postgresql-client) and try again."
        )
    return found


def _run_postgresql_tool(arguments: list[str], database: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        arguments,
        env=_postgresql_environment(database),
        capture_output=True,
        text=True,
        check=False,
    )


def _back_up_postgresql(database: dict, target: Path) -> None:
    # --no-password: fail at once instead of waiting for a prompt no one will answer.
    finished = _run_postgresql_tool(
        [postgresql_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}"],
        database,
    )
    if finished.returncode != 0:
        raise BackupError(f"pg_dump failed: {finished.stderr.strip()}")


def _restore_postgresql(database: dict, backup: Path) -> RestoreResult:
    pg_restore = postgresql_tool("pg_restore")
    listing = _run_postgresql_tool([pg_restore, "--list", str(backup)], database)
    if listing.returncode != 0:
        raise BackupError(
            f"{backup} is not a pg_dump archive, so not a backup made by `manage.py backup` "
            f"({listing.stderr.strip()}); the database was not changed."
        )
    tables = {
        line.split()[-2]
        for line in listing.stdout.splitlines()
        if " TABLE " in line and not line.startswith(";") and len(line.split()) >= 2
    }
    missing = [table for table in REQUIRED_TABLES if table not in tables]
    if missing:
        raise BackupError(
            f"{backup} is a PostgreSQL archive but not one of this project (it has no "
            f"{', '.join(missing)} table); the database was not changed."
        )
    # One transaction: a restore that fails half-way leaves the database as it was.
    finished = _run_postgresql_tool(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={database['NAME']}",
            str(backup),
        ],
        database,
    )
    if finished.returncode != 0:
        raise BackupError(
            f"pg_restore failed, the database was not changed: {finished.stderr.strip()}"
        )
    return RestoreResult(target=str(database["NAME"]), pending_migrations=0)


# --- Files ----------------------------------------------------------------------------------


def _vendor(database: dict) -> str:
    engine = database.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def _check_output_dir(output_dir: Path) -> None:
    if output_dir.exists() and not output_dir.is_dir():
        raise BackupError(f"{output_dir} is not a folder.")
    try:
        output_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Cannot create the backup folder {output_dir}: {error}.") from error
    if not os.access(output_dir, os.W_OK | os.X_OK):
        raise BackupError(f"The backup folder {output_dir} is not writable by this user.")


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def _create_private_file(path: Path) -> None:
    # Created 0600 from the start: a backup holds every learner's answers and password hash.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _keep_ownership(*, of: Path, on: Path) -> None:
    # The app servers' user must still be able to open the database after the swap.
    current = of.stat()
    os.chmod(on, current.st_mode & 0o777)
    # Not root: chown is refused, and the restorer owns both files, which is what matters then.
    with contextlib.suppress(PermissionError):
        os.chown(on, current.st_uid, current.st_gid)


def _sync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _sync_directory(folder: Path) -> None:
    # The rename itself must survive a crash, not only the file's bytes.
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
