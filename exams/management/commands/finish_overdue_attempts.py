"""manage.py finish_overdue_attempts: submit every attempt whose time ran out."""

from django.core.management.base import BaseCommand

from exams.services import finish_overdue_attempts


class Command(BaseCommand):
    help = "Finish, with the answers saved so far, every exam attempt past its deadline."

    def handle(self, *args, **options) -> None:
        finished = finish_overdue_attempts()
        self.stdout.write(f"{finished} overdue attempt(s) finished.")
