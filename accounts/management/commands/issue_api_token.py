"""manage.py issue_api_token: a REST API token for a user or service account, printed once."""

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import TokenError, issue_api_token
from exams.api.permissions import INSTRUCTORS_GROUP


class Command(BaseCommand):
    help = (
        "Issue an API token for USERNAME and print it (it is stored hashed and never shown "
        "again). --create makes a service account with no password if USERNAME does not exist."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument("--create", action="store_true", help="Create the account if missing.")
        parser.add_argument(
            "--instructor", action="store_true", help="Put the account in the Instructors group."
        )

    def handle(self, *args, username: str, name: str, create: bool, instructor: bool, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create:
                raise CommandError(f"No user {username!r}; pass --create for a service account.")
            user = User.objects.create_user(
                username=username, email=f"{username}@service.invalid", password=None
            )
        if instructor:
            user.groups.add(Group.objects.get(name=INSTRUCTORS_GROUP))
        try:
            _, key = issue_api_token(user=user, name=name)
        except TokenError as error:
            raise CommandError(error.message) from error
        self.stdout.write(key)
