"""manage.py deliver_webhooks: send every webhook delivery that is due."""

from django.core.management.base import BaseCommand

from exams.webhooks import deliver_due


class Command(BaseCommand):
    help = (
        "Send, once each, every pending webhook delivery whose retry time has come (the ones "
        "the background sender left for later or lost to a restart). Run it from cron, e.g. "
        "every minute: `* * * * * cd /srv/pcep && .venv/bin/python manage.py deliver_webhooks`."
    )

    def handle(self, *args, **options) -> None:
        run = deliver_due()
        self.stdout.write(
            f"{run.delivered} delivered, {run.retrying} to retry later, {run.failed} failed."
        )
