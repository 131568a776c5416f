"""Data migrations of the accounts app, run forwards on rows made before them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0004_instructors_work_item_reports")]
AFTER = [("accounts", "0005_user_email_verified")]


@pytest.mark.django_db(transaction=True)
def test_accounts_made_before_email_verification_count_as_verified():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_user_model = executor.loader.project_state(BEFORE).apps.get_model("accounts", "User")
    old_user_model.objects.create(username="veteran", email="veteran@example.com")
    try:
        executor.loader.build_graph()
        executor.migrate(AFTER)
        user_model = executor.loader.project_state(AFTER).apps.get_model("accounts", "User")
        assert user_model.objects.get(username="veteran").email_verified is True
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
