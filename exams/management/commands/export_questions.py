"""manage.py export_questions --out DIR: write every question set back to content files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exams.content.exporting import export_exam_files
from exams.errors import ContentError


class Command(BaseCommand):
    help = "Write each question set (exam with a source file) to DIR in the content format."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="Folder to write into.")

    def handle(self, *args, out: Path, **options) -> None:
        try:
            written = export_exam_files(out_dir=out)
        except ContentError as error:
            raise CommandError(error.message) from error
        for path in written:
            self.stdout.write(f"wrote {path}")
        self.stdout.write(f"{len(written)} file(s) exported.")
