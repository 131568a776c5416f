"""The design's ON DELETE rules in the database itself, not only in Django's ORM.

Django 5.2 creates foreign keys without ON DELETE and emulates on_delete in Python, so a
DELETE issued outside the ORM (a shell, a script, another service) would leave orphans.
PostgreSQL gets real ON DELETE clauses; SQLite cannot alter a foreign key in place, so it
gets AFTER DELETE triggers with the same effect. A later migration that rebuilds one of
these tables must re-apply this (exams/tests/test_schema.py checks every rule).
"""

from django.db import migrations

# (child table, column, parent table, action) exactly as in the design's SQL.
DESIGN_FOREIGN_KEYS = [
    ("topics", "module_id", "modules", "CASCADE"),
    ("questions", "exam_id", "exams", "CASCADE"),
    ("questions", "topic_id", "topics", "SET NULL"),
    ("answers", "question_id", "questions", "CASCADE"),
    ("exam_sessions", "user_id", "users", "CASCADE"),
    ("exam_sessions", "exam_id", "exams", "CASCADE"),
    ("user_responses", "session_id", "exam_sessions", "CASCADE"),
    ("user_responses", "question_id", "questions", "CASCADE"),
    ("user_responses", "answer_id", "answers", "CASCADE"),
    ("user_progress", "user_id", "users", "CASCADE"),
    ("user_progress", "topic_id", "topics", "CASCADE"),
]


def _trigger_name(table: str, column: str) -> str:
    return f"on_delete_{table}_{column}"


def _postgresql(schema_editor, *, apply: bool) -> None:
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    with connection.cursor() as cursor:
        for table, column, parent, action in DESIGN_FOREIGN_KEYS:
            constraints = connection.introspection.get_constraints(cursor, table)
            name = next(
                name
                for name, details in constraints.items()
                if details["foreign_key"] == (parent, "id") and details["columns"] == [column]
            )
            rule = f" ON DELETE {action}" if apply else ""
            cursor.execute(
                f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}, "
                f"ADD CONSTRAINT {quote(name)} FOREIGN KEY ({quote(column)}) "
                f"REFERENCES {quote(parent)} ({quote('id')}){rule} "
                "DEFERRABLE INITIALLY DEFERRED"
            )


def _sqlite(schema_editor, *, apply: bool) -> None:
    quote = schema_editor.quote_name
    for table, column, parent, action in DESIGN_FOREIGN_KEYS:
        trigger = quote(_trigger_name(table, column))
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        if not apply:
            continue
        if action == "CASCADE":
            body = f"DELETE FROM {quote(table)} WHERE {quote(column)} = OLD.id;"
        else:
            body = (
                f"UPDATE {quote(table)} SET {quote(column)} = NULL WHERE {quote(column)} = OLD.id;"
            )
        schema_editor.execute(
            f"CREATE TRIGGER {trigger} AFTER DELETE ON {quote(parent)} FOR EACH ROW BEGIN {body} END"
        )


def _set_rules(apps, schema_editor, *, apply: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _postgresql(schema_editor, apply=apply)
    elif vendor == "sqlite":
        _sqlite(schema_editor, apply=apply)


def apply_rules(apps, schema_editor) -> None:
    _set_rules(apps, schema_editor, apply=True)


def remove_rules(apps, schema_editor) -> None:
    _set_rules(apps, schema_editor, apply=False)


def sqlite_table_rebuild_around(*operations):
    """`operations` wrapped for a later migration that makes SQLite rebuild a table these
    triggers name: the triggers come off before and go back after (reversibly)."""

    def triggers(*, apply: bool):
        def run(apps, schema_editor):
            if schema_editor.connection.vendor == "sqlite":
                _sqlite(schema_editor, apply=apply)

        return run

    return [
        migrations.RunPython(triggers(apply=False), triggers(apply=True)),
        *operations,
        migrations.RunPython(triggers(apply=True), triggers(apply=False)),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0001_initial"),
        ("accounts", "0002_instructors_group"),
        ("progress", "0001_initial"),
    ]

    operations = [migrations.RunPython(apply_rules, remove_rules)]
