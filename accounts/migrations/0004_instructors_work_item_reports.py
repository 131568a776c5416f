"""Instructors work the learners' item reports (view and resolve them in admin)."""

import importlib

from django.db import migrations

_group = importlib.import_module("accounts.migrations.0002_instructors_group")
REPORT_PERMISSIONS = ("view_itemreport", "change_itemreport")


def grant(apps, schema_editor) -> None:
    using = schema_editor.connection.alias
    _group._create_missing_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.using(using).filter(name=_group.GROUP_NAME).first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.using(using).filter(
                content_type__app_label="exams", codename__in=REPORT_PERMISSIONS
            )
        )


def revoke(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    group = Group.objects.using(schema_editor.connection.alias).filter(name=_group.GROUP_NAME)
    for instructors in group:
        instructors.permissions.remove(
            *instructors.permissions.filter(codename__in=REPORT_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_tokens"),
        ("exams", "0004_content_ownership_verdicts_reports"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
