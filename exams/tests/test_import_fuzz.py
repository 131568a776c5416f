"""Fuzzing the importer with mutated real question files.

Every mutant of the bank's own files (and the test sample) goes through `import_content`, the
entry point of `manage.py import_questions` and the admin upload, on a database seeded with
those same files. Whatever the mutant, the importer either imports it or returns a report:
no other exception escapes, a refused file writes nothing, its problems stay readable,
and no file takes long. The
examples are derandomized, so every run (and CI) tries the same mutants.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exams.content.importing import import_content
from exams.tests.test_content_import import SAMPLE_PATH, database_state
from exams.tests.test_import_hostile import time_limit

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[2]
CORPUS = [*sorted((PROJECT_DIR / "content" / "questions").glob("*.yaml")), SAMPLE_PATH]
# Generous for one file on a busy 2-core machine; a hang or a quadratic blow-up exceeds it.
SECONDS_PER_FILE = 10.0
EXAMPLES = 400

# Bytes that mean something to YAML or to the importer, for flips and insertions.
INSERTS = (
    b":", b"-", b"[", b"]", b"{", b"}", b"&a ", b"*a", b"!!python/object ", b'"', b"'", b"#",
    b"|", b">", b"\t", b" ", b"\n", b"%YAML 1.1\n", b"---\n", b"\x00", b'"\\0"', b"\xff",
    b"\xc3", b"\\e", b'"\\ud800"', b"? ", b"<<: *a\n", b"[" * 300, b"{a: " * 300, b"9" * 100,
)  # fmt: skip


@dataclass(frozen=True)
class Mutation:
    kind: str
    position: int  # reduced modulo the length of what it points into
    insert: bytes

    def apply(self, data: bytes) -> bytes:
        lines = data.splitlines(keepends=True) or [b""]
        line = self.position % len(lines)
        at = self.position % (len(data) + 1)
        if self.kind == "truncate":
            return data[:at]
        if self.kind == "flip-byte":
            return data[:at] + self.insert[:1] + data[at + 1 :]
        if self.kind == "insert":
            return data[:at] + self.insert + data[at:]
        if self.kind == "duplicate-line":
            return b"".join(lines[: line + 1] + lines[line:])
        if self.kind == "remove-line":
            return b"".join(lines[:line] + lines[line + 1 :])
        if self.kind == "indent":
            lines[line] = b" " * (1 + self.position % 5) + lines[line]
            return b"".join(lines)
        if self.kind == "dedent":
            lines[line] = lines[line].lstrip(b" ")
            return b"".join(lines)
        if self.kind == "huge-value":
            return _replace_value(lines, line, b'"' + b"x" * 200_000 + b'"')
        if self.kind == "wrong-type":
            return _replace_value(lines, line, (b"[a, b]", b"{a: b}", b"~", b"")[at % 4])
        raise AssertionError(self.kind)


def _replace_value(lines: list[bytes], line: int, value: bytes) -> bytes:
    # The value of the next `key: value` line at or after `line`, if there is one.
    for index in range(line, len(lines)):
        key, colon, _ = lines[index].partition(b": ")
        if colon:
            lines[index] = key + colon + value + b"\n"
            break
    return b"".join(lines)


MUTATION_KINDS = (
    "truncate", "flip-byte", "insert", "duplicate-line", "remove-line", "indent", "dedent",
    "huge-value", "wrong-type",
)  # fmt: skip
MUTATIONS = st.builds(
    Mutation,
    kind=st.sampled_from(MUTATION_KINDS),
    position=st.integers(min_value=0, max_value=2**20),
    insert=st.sampled_from(INSERTS),
)


@pytest.fixture
def seeded_bank(syllabus, remembered_verdicts) -> None:
    """The bank imported as it is, so that mutants update and retire, not only create."""
    assert import_content(paths=CORPUS).ok


@settings(
    max_examples=EXAMPLES,
    deadline=None,  # time is bounded per file by time_limit, with a clearer failure
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    source=st.sampled_from(CORPUS),
    mutations=st.lists(MUTATIONS, min_size=1, max_size=3),
)
def test_mutated_file_is_imported_or_refused_without_a_partial_write(
    seeded_bank, tmp_path: Path, source: Path, mutations: list[Mutation]
):
    data = source.read_bytes()
    for mutation in mutations:
        data = mutation.apply(data)
    path = tmp_path / source.name
    path.write_bytes(data)
    before = database_state()
    started = time.monotonic()

    with time_limit(SECONDS_PER_FILE):
        report = import_content(paths=[path])

    assert time.monotonic() - started < SECONDS_PER_FILE
    if not report.ok:
        assert report.writes == 0
        assert database_state() == before
        for problem in report.problems:
            assert problem.path == str(path) and problem.message
            # Readable whatever the file holds: quoted values are cut short.
            assert len(str(problem)) < len(str(path)) + 300, str(problem)[:400]
