"""Adds User.email_verified; every account that exists before it counts as verified.

Those learners signed up when no address was checked, and their answers were already in
the cohort views: hiding them now would change every past cohort figure overnight. Only
accounts created from here on start unverified (docs/accounts-security.md).
"""

from django.db import migrations, models


def mark_existing_users_verified(apps, schema_editor):
    apps.get_model("accounts", "User").objects.update(email_verified=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_instructors_work_item_reports"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified",
            field=models.BooleanField(
                db_default=False, default=False, verbose_name="email verified"
            ),
        ),
        migrations.RunPython(mark_existing_users_verified, migrations.RunPython.noop),
    ]
