"""manage.py import_questions PATH...: validate question files, then load them atomically."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exams.content.importing import ImportReport, import_content
from exams.interop.common import FORMATS, InteropOptions, format_for, parse_category_mapping


class Command(BaseCommand):
    help = (
        "Validate every question file completely, then create, update (by id) and retire "
        "questions in one transaction. Any error: nothing is written. Reads the native YAML "
        "and Moodle XML, GIFT and Aiken (docs/interop.md)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "paths", nargs="+", type=Path, help="Question files (.yaml, .xml, .gift, .txt)."
        )
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
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default=None,
            help="Read every file in this format (default: by ending: .yaml, .xml Moodle XML, "
            ".gift GIFT, .txt Aiken).",
        )
        parser.add_argument(
            "--category",
            action="append",
            default=[],
            metavar="'PATH=OBJECTIVE'",
            help="Put a Moodle/GIFT category's questions under a syllabus objective, e.g. "
            "'$course$/top/Block 1=1.3' (repeatable).",
        )
        parser.add_argument(
            "--category-file",
            type=Path,
            help="A file of 'category path=objective' lines ('#' starts a comment).",
        )
        parser.add_argument(
            "--objective",
            help="The objective of questions whose category is not mapped (and of Aiken files).",
        )
        parser.add_argument("--title", help="The title of a question set imported from a file.")

    def handle(
        self,
        *args,
        paths: list[Path],
        dry_run: bool,
        take_file: bool,
        take_file_for: list[str],
        **options,
    ) -> None:
        interop = self._interop_options(options)
        report = import_content(
            paths=paths,
            dry_run=dry_run,
            progress=lambda message: self.stdout.write(f"  … {message}"),
            take_file=take_file or take_file_for,
            interop=interop,
        )
        self._write_categories(report, paths, interop)
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

    def _interop_options(self, options: dict) -> InteropOptions:
        lines = list(options["category"])
        if options["category_file"] is not None:
            try:
                lines += options["category_file"].read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"cannot read {options['category_file']}: {error}") from error
        mapping, errors = parse_category_mapping(lines)
        if errors:
            raise CommandError("category mapping: " + " ".join(errors))
        return InteropOptions(
            file_format=options["format"],
            categories=mapping,
            default_objective=options["objective"],
            title=options["title"],
        )

    def _write_categories(
        self, report: ImportReport, paths: list[Path], interop: InteropOptions
    ) -> None:
        """The mapping the import uses (or would use), for the instructor to confirm."""
        if not report.categories:
            return
        formats = sorted({format_for(path.name, interop.file_format) or "?" for path in paths})
        self.stdout.write(f"Categories found (format {', '.join(formats)}):")
        for use in report.categories:
            target = f"objective {use.objective} ({use.source})" if use.objective else "NOT MAPPED"
            self.stdout.write(f"  {use.category} ({use.questions} question(s)) -> {target}")
