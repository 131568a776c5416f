"""manage.py import_questions PATH...: validate question files, then load them atomically."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exams.content.importing import import_content


class Command(BaseCommand):
    help = (
        "Validate every question file completely, then create, update (by id) and retire "
        "questions in one transaction. Any error: nothing is written."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="YAML question files.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--take-file",
            action="store_true",
            help="Overwrite every question edited since its import with the file's version.",
        )
        parser.add_argument(
            "--take-file-for",
            action="append",
            metavar="ID",
            default=[],
            help="Overwrite only this edited question with the file's version (repeatable).",
        )

    def handle(
        self,
        *args,
        paths: list[Path],
        dry_run: bool,
        take_file: bool,
        take_file_for: list[str],
        **options,
    ) -> None:
        report = import_content(
            paths=paths,
            dry_run=dry_run,
            progress=lambda message: self.stdout.write(f"  … {message}"),
            take_file=take_file or take_file_for,
        )
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(report.problems)} problem(s) found; nothing was written.")
        prefix = "Dry run, nothing written: would have " if dry_run else ""
        summary = (
            f"{prefix}{report.files} file(s): {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.retired} retired"
        )
        if report.exams_created or report.exams_updated:
            summary += (
                f"; question sets: {report.exams_created} created, {report.exams_updated} updated"
            )
        self.stdout.write(summary + ".")
        for conflict in report.conflicts:
            self.stdout.write(f"CONFLICT {conflict}")
        if report.conflicts:
            self.stdout.write(
                f"{len(report.conflicts)} question(s) edited since their import were kept; "
                "--take-file-for ID (or --take-file) takes the file's version instead."
            )
        if report.taken_from_file:
            self.stdout.write(
                f"{report.taken_from_file} edited question(s) took the file's version."
            )
        if report.not_verified_reason:
            self.stdout.write(f"Keys NOT verified: {report.not_verified_reason}")
        else:
            self.stdout.write(f"Keys verified by running them: {report.verified}.")
        if report.writes == 0 and not dry_run:
            self.stdout.write("Everything was already up to date: nothing written.")
