import importlib

from django.db import migrations, models

# SQLite rebuilds `exams` to add a column with a default, and the ON DELETE triggers of 0002
# name the table.
_on_delete = importlib.import_module("exams.migrations.0002_database_on_delete")


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0004_content_ownership_verdicts_reports"),
    ]

    operations = _on_delete.sqlite_table_rebuild_around(
        migrations.AddField(
            model_name="exam",
            name="block_points",
            field=models.JSONField(blank=True, default=dict),
        ),
    )
