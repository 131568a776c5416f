"""manage.py export_questions --out DIR: write every question set back to content files (the
native YAML, or Moodle XML, GIFT or Aiken: docs/interop.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exams.content.exporting import export_exam_files
from exams.errors import ContentError
from exams.interop.common import FORMATS
from exams.interop.exporting import export_foreign_files


class Command(BaseCommand):
    help = "Write each question set (exam with a source file) to DIR, one file per set."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="Folder to write into.")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="yaml",
            help="yaml (default), moodle-xml, gift or aiken (single-choice questions only).",
        )
        parser.add_argument(
            "--plain-aiken",
            action="store_true",
            help="Aiken without the EXPLANATION and ID extension lines (what Moodle reads).",
        )

    def handle(self, *args, out: Path, format: str, plain_aiken: bool, **options) -> None:
        skipped: list[str] = []
        try:
            if format == "yaml":
                written = export_exam_files(out_dir=out)
            else:
                written, skipped = export_foreign_files(
                    out_dir=out, file_format=format, aiken_explanations=not plain_aiken
                )
        except ContentError as error:
            raise CommandError(error.message) from error
        for path in written:
            self.stdout.write(f"wrote {path}")
        for message in skipped:
            self.stdout.write(f"left out {message}")
        self.stdout.write(
            f"{len(written)} file(s) exported"
            + (f"; {len(skipped)} question(s) left out (the format cannot hold them)." if skipped
               else ".")
        )  # fmt: skip
