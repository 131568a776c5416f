"""manage.py backup: a consistent copy of the database, taken while the site runs."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from pcep_site.backups import BackupError, back_up_database


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database to a dated file (mode 0600): SQLite's "
        "online backup API, or pg_dump for PostgreSQL. Safe while the app servers run. "
        "See docs/backup.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(os.environ.get("BACKUP_DIR") or settings.BASE_DIR / "backups"),
            help="Folder for the backup file (default: $BACKUP_DIR, else ./backups).",
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, **options) -> None:
        try:
            backup = back_up_database(
                database=connections[options["database"]].settings_dict,
                output_dir=options["output"],
            )
        except BackupError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{backup.path} ({backup.size:,} bytes)")
