"""manage.py restore FILE: replace the database with a backup, after a confirmation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from pcep_site.backups import BackupError, database_label, restore_database


class Command(BaseCommand):
    help = (
        "Replace the database with a backup made by `manage.py backup`. Stop the app servers "
        "first. A file that is not such a backup is refused and the database left unchanged. "
        "See docs/backup.md."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The backup file.")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for the database name first."
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, **options) -> None:
        connection = connections[options["database"]]
        database = connection.settings_dict
        label = database_label(database)
        if not options["yes"]:
            self.stdout.write(
                f"This replaces everything in the database {label} with {options['file']}."
            )
            typed = input(f"Type the database name ({label}) to go on: ").strip()
            if typed != label:
                raise CommandError("The name did not match: nothing was restored.")
        # This process's own connection must not hold the database while it is replaced.
        connection.close()
        try:
            result = restore_database(database=database, backup=options["file"])
        except BackupError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Restored {result.target} from {options['file']}.")
        if result.pending_migrations:
            self.stdout.write(
                f"The backup lacks {result.pending_migrations} migration(s) of this code: "
                "run `manage.py migrate` before starting the app servers."
            )
