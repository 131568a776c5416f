"""manage.py verify_questions: run every verifiable question's code and check its key."""

import time

from django.core.management.base import BaseCommand, CommandError

from exams.content.verification import verify_stored_questions
from exams.models import Question
from exams.verifier import ERROR, MISMATCH, SandboxUnavailable, summarize


class Command(BaseCommand):
    help = "Check every answer key that running Python can decide; exit non-zero on a mismatch."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--id", action="append", dest="ids", help="Only these question ids.")
        parser.add_argument(
            "--all",
            action="store_true",
            dest="run_all",
            help="Run every key again, ignoring the verdicts remembered for unchanged keys.",
        )

    def handle(self, *args, ids: list[str] | None, run_all: bool, **options) -> None:
        questions = Question.objects.filter(is_active=True)
        if ids:
            questions = questions.filter(original_id__in=ids)
        started = time.perf_counter()
        try:
            results = verify_stored_questions(questions=questions, use_cache=not run_all)
        except SandboxUnavailable as error:
            raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        for result in results:
            if result.status not in (MISMATCH, ERROR):
                continue
            self.stderr.write(
                f"{result.status.upper()} {result.question_id} (objective {result.objective})"
            )
            for problem in result.problems:
                self.stderr.write(f"  - {problem.message}")
                if problem.expected or problem.actual:
                    self.stderr.write(f"    expected: {problem.expected!r}")
                    self.stderr.write(f"    actual:   {problem.actual!r}")
        summary = summarize(results)
        self.stdout.write(
            f"{'objective':<10}{'verified':>10}{'mismatch':>10}{'error':>10}{'not run':>10}"
        )
        for objective, counts in [*summary["by_objective"].items(), ("total", summary["overall"])]:
            self.stdout.write(
                f"{objective:<10}{counts['verified']:>10}{counts['mismatch']:>10}"
                f"{counts['error']:>10}{counts['not_verifiable']:>10}"
            )
        overall = summary["overall"]
        self.stdout.write(f"{overall['total']} question(s) checked in {elapsed:.1f} s.")
        if overall["mismatch"] or overall["error"]:
            raise CommandError(
                f"{overall['mismatch']} question(s) have a key that does not match and "
                f"{overall['error']} could not be checked; learners are not given them."
            )
