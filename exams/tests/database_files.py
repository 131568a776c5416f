"""Project databases in real SQLite files, for tests that run the product in other processes
(backup and restore, a killed gunicorn) or need a file where the suite uses memory."""

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def environment_for(database: Path, **extra: str) -> dict[str, str]:
    """The environment of a `manage.py` or gunicorn process that uses `database`."""
    environment = dict(os.environ)
    environment.pop("TEST_SQLITE_FILE", None)
    environment.update({"DEBUG": "true", "DATABASE_URL": f"sqlite:///{database}", **extra})
    return environment


def run_manage(database: Path, *arguments: str, stdin: str = "", **extra: str):
    return subprocess.run(
        [sys.executable, str(MANAGE), *arguments],
        env=environment_for(database, **extra),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@functools.cache
def _migrated_template() -> Path:
    # Migrating takes seconds: done once per test run, then copied for each test.
    folder = Path(tempfile.mkdtemp(prefix="pcep-template-db-"))
    template = folder / "template.sqlite3"
    finished = run_manage(template, "migrate", "--noinput", "-v0")
    assert finished.returncode == 0, finished.stderr
    return template


def migrated_database(folder: Path, name: str = "live.sqlite3") -> Path:
    """A fresh, fully migrated project database file in `folder`."""
    target = folder / name
    shutil.copyfile(_migrated_template(), target)
    return target
