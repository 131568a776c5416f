"""Importing one question file sent as its text (the REST API): a dry run whose report
carries a signed confirmation, then the import of exactly the content that was checked.

The confirmation is stateless: it binds the user, the file name and the SHA-256 of the
content, and expires. Applying sends the content again; nothing waits on the server between
the two steps, and content that differs in one byte from what was checked is refused.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from django.core import signing

from exams.content.importing import ImportReport, import_content
from exams.content.parsing import FILE_NAME_PATTERN, FILE_NAME_RULE, ContentProblem
from exams.errors import ContentError

CONFIRMATION_SALT = "exams.content.file_import"
CONFIRMATION_MAX_AGE_SECONDS = 60 * 60
CONFIRMATION_REFUSED = (
    "This confirmation is not valid for this content (it expired, was issued to someone "
    "else, or the file changed since its dry run). Send the file for a dry run again."
)


def import_file_text(*, file_name: str, content: bytes, dry_run: bool) -> ImportReport:
    """Import (or with `dry_run` only check) one file; problems name it by `file_name`."""
    if not FILE_NAME_PATTERN.fullmatch(file_name):
        # Checked before the name is used for a path.
        return ImportReport(
            dry_run=dry_run, problems=[ContentProblem("", None, None, FILE_NAME_RULE)]
        )
    directory = Path(tempfile.mkdtemp(prefix="pcep-api-import-"))
    try:
        path = directory / file_name
        path.write_bytes(content)
        report = import_content(paths=[path], dry_run=dry_run)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    for problem in report.problems:
        problem.path = file_name
    return report


def confirmation_for(*, user_id: int, file_name: str, content: bytes) -> str:
    """A signed, expiring permission to import exactly this content as this user."""
    return signing.dumps(_binding(user_id, file_name, content), salt=CONFIRMATION_SALT)


def check_confirmation(*, confirmation: str, user_id: int, file_name: str, content: bytes) -> None:
    """Raise ContentError unless `confirmation` was issued for this user and content."""
    try:
        payload = signing.loads(
            confirmation, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE_SECONDS
        )
    except signing.BadSignature:
        payload = None
    if payload != _binding(user_id, file_name, content):
        raise ContentError(CONFIRMATION_REFUSED, code="confirmation_invalid", field="confirmation")


def _binding(user_id: int, file_name: str, content: bytes) -> dict:
    return {
        "user": user_id,
        "file": file_name,
        "sha256": hashlib.sha256(content).hexdigest(),
    }
