"""manage.py load_syllabus [PATH ...]: load syllabus data files (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exams.errors import ContentError
from exams.syllabus import DEFAULT_SYLLABUS_DIR, load_syllabus


class Command(BaseCommand):
    help = "Create or update syllabi, their blocks, objectives and mock exams from YAML files."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "paths", nargs="*", type=Path, help="Defaults to content/syllabus/*.yaml."
        )

    def handle(self, *args, paths: list[Path], **options) -> None:
        paths = paths or sorted(DEFAULT_SYLLABUS_DIR.glob("*.yaml"))
        if not paths:
            raise CommandError(f"No syllabus files found in {DEFAULT_SYLLABUS_DIR}.")
        for path in paths:
            try:
                result = load_syllabus(path=path)
            except ContentError as error:
                raise CommandError(error.message) from error
            self.stdout.write(
                f"{result.code}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged"
            )
