"""manage.py bank_report [--check]: the bank's coverage table and any unmet minimum."""

from django.core.management.base import BaseCommand, CommandError

from exams.bank import bank_coverage, coverage_table


class Command(BaseCommand):
    help = "Print objective × kind × difficulty counts and flag minimums the bank does not meet."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="Exit non-zero if any is unmet.")
        parser.add_argument("--syllabus", default=None, help="Syllabus code, e.g. PCEP-30-02.")

    def handle(self, *args, check: bool, syllabus: str | None, **options) -> None:
        coverage = bank_coverage(syllabus_code=syllabus)
        for line in coverage_table(coverage):
            self.stdout.write(line)
        if coverage.failures:
            for failure in coverage.failures:
                self.stdout.write(f"UNMET: {failure}")
            if check:
                raise CommandError(f"{len(coverage.failures)} minimum(s) not met.")
        else:
            self.stdout.write("Every minimum is met.")
