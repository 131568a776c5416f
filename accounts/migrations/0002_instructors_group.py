"""Creates the "Instructors" group: authors content and reads attempts and progress in admin,
but holds no permission on users, groups or permissions (it cannot manage users or staff)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Instructors"
# (app label, model name) -> actions. Questions and exams are retired with is_active, never
# deleted; answers may be deleted because the question inline removes wrong options.
GROUP_PERMISSIONS = {
    ("exams", "syllabus"): ("add", "change", "view"),
    ("exams", "module"): ("add", "change", "view"),
    ("exams", "topic"): ("add", "change", "view"),
    ("exams", "exam"): ("add", "change", "view"),
    ("exams", "question"): ("add", "change", "view"),
    ("exams", "answer"): ("add", "change", "delete", "view"),
    ("exams", "examsession"): ("view",),
    ("exams", "userresponse"): ("view",),
    ("progress", "userprogress"): ("view",),
}


def _create_missing_permissions(apps, using: str) -> None:
    # On a fresh database permissions are created by post_migrate, i.e. only after every
    # migration has run; create them now so that the group can be given them.
    for label in ("exams", "progress", "accounts"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = None


def create_instructors_group(apps, schema_editor) -> None:
    using = schema_editor.connection.alias
    _create_missing_permissions(apps, using)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(using).get_or_create(name=GROUP_NAME)
    permissions = []
    for (app_label, model), actions in GROUP_PERMISSIONS.items():
        for action in actions:
            permissions.append(
                Permission.objects.using(using).get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
            )
    group.permissions.set(permissions)


def delete_instructors_group(apps, schema_editor) -> None:
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("exams", "0001_initial"),
        # The group is also given a permission on progress.UserProgress.
        ("progress", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_instructors_group, delete_instructors_group),
    ]
