"""Benchmark of key verification: the bundled bank, with and without the verdict cache.

Run from the project folder (needs bubblewrap, like the verifier itself):

    DEBUG=true .venv/bin/python bench/verify_bench.py

It migrates a throwaway SQLite database, loads the syllabus and imports the bundled bank
(which verifies every key once and remembers each verdict), then times
`verify_questions --all` (every key run again in the jail) and plain `verify_questions`
(unchanged keys answered from the cache). The target for the cached run is well under 1 s.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGET_CACHED_SECONDS = 1.0


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as temporary:
        os.environ["DJANGO_SETTINGS_MODULE"] = "pcep_site.settings"
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(temporary) / 'bench.sqlite3'}"
        sys.path.insert(0, str(PROJECT_DIR))
        import django

        django.setup()
        from django.core.management import call_command

        from exams.content.importing import import_content
        from exams.content.verification import verify_stored_questions
        from exams.models import Question

        call_command("migrate", verbosity=0)
        call_command("load_syllabus", verbosity=0)
        files = sorted((PROJECT_DIR / "content" / "questions").glob("*.yaml"))
        started = time.perf_counter()
        report = import_content(paths=files)
        first_import = time.perf_counter() - started
        assert report.ok, report.problems[:3]
        started = time.perf_counter()
        import_content(paths=files)
        second_import = time.perf_counter() - started
        questions = Question.objects.filter(is_active=True)
        started = time.perf_counter()
        uncached = verify_stored_questions(questions=questions, use_cache=False)
        without_cache = time.perf_counter() - started
        started = time.perf_counter()
        cached = verify_stored_questions(questions=questions)
        with_cache = time.perf_counter() - started
    print(f"questions: {len(uncached)} ({report.verified} keys run at the first import)")
    print(f"first import (verifies every key):         {first_import:6.2f} s")
    print(f"second import (unchanged, verdicts cached): {second_import:6.2f} s")
    print(f"verify_questions --all (no cache):          {without_cache:6.2f} s")
    print(f"verify_questions (cache):                   {with_cache:6.3f} s")
    same = [a.status for a in uncached] == [b.status for b in cached]
    print(f"same verdicts both ways: {same}")
    met = with_cache < TARGET_CACHED_SECONDS and same
    print(f"target (cached run under {TARGET_CACHED_SECONDS:.0f} s): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
