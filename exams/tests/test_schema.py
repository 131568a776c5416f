"""The migrated database matches the design's tables (database-design.md, section 3.2).

Everything here reads the real schema through Django's backend-agnostic introspection, so
the same tests run on SQLite and PostgreSQL. The names below are copied from the design.
"""

import datetime

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from exams.tests.factories import (
    AnswerFactory,
    ExamSessionFactory,
    QuestionFactory,
    TopicFactory,
    UserResponseFactory,
)
from progress.tests.factories import UserProgressFactory

pytestmark = pytest.mark.django_db

# Design column names; Django keeps the attribute names `password` and `date_joined` for
# the users table's password_hash and created_at columns.
DESIGN_COLUMNS = {
    "users": [
        "id", "username", "email", "password_hash", "created_at", "last_login", "is_active",
        "profile_data",
    ],
    "modules": ["id", "name", "description", "display_order", "created_at"],
    "topics": ["id", "name", "description", "module_id", "display_order", "created_at"],
    "exams": [
        "id", "title", "description", "time_limit", "total_questions", "source_file",
        "version", "created_at", "updated_at", "is_active", "metadata",
    ],
    "questions": [
        "id", "original_id", "text", "html_content", "difficulty", "topic_id", "exam_id",
        "code_snippet", "explanation", "question_order", "created_at",
    ],
    "answers": [
        "id", "original_id", "text", "html_content", "is_correct", "explanation",
        "question_id", "answer_order", "created_at",
    ],
    "exam_sessions": [
        "id", "user_id", "exam_id", "start_time", "end_time", "is_completed", "score",
        "total_questions", "correct_answers", "time_spent", "session_data", "created_at",
    ],
    "user_responses": [
        "id", "session_id", "question_id", "answer_id", "is_correct", "is_bookmarked",
        "is_skipped", "time_taken", "response_data", "created_at",
    ],
    "user_progress": [
        "id", "user_id", "topic_id", "proficiency_level", "questions_attempted",
        "questions_correct", "average_time", "last_practice_date", "updated_at",
    ],
}  # fmt: skip

DESIGN_NOT_NULL_COLUMNS = [
    ("users", "username"),
    ("users", "email"),
    ("users", "password_hash"),
    ("modules", "name"),
    ("topics", "name"),
    ("exams", "title"),
    ("questions", "text"),
    ("answers", "text"),
    ("answers", "is_correct"),
    ("user_responses", "is_correct"),
]

# Column-level UNIQUE in the design (the constraint name is the backend's own).
DESIGN_UNIQUE_COLUMNS = [("users", "username"), ("users", "email"), ("modules", "name")]

# Every CREATE [UNIQUE] INDEX of the design: name -> (table, columns in order, unique).
DESIGN_INDEXES = {
    "idx_users_username": ("users", ["username"], False),
    "idx_users_email": ("users", ["email"], False),
    "idx_users_created_at": ("users", ["created_at"], False),
    "idx_modules_display_order": ("modules", ["display_order"], False),
    "idx_topics_module_id": ("topics", ["module_id"], False),
    "idx_topics_display_order": ("topics", ["display_order"], False),
    "idx_topics_name_module": ("topics", ["name", "module_id"], True),
    "idx_exams_title": ("exams", ["title"], False),
    "idx_exams_created_at": ("exams", ["created_at"], False),
    "idx_exams_is_active": ("exams", ["is_active"], False),
    "idx_questions_exam_id": ("questions", ["exam_id"], False),
    "idx_questions_topic_id": ("questions", ["topic_id"], False),
    "idx_questions_difficulty": ("questions", ["difficulty"], False),
    "idx_questions_original_id": ("questions", ["original_id"], False),
    "idx_questions_order": ("questions", ["question_order"], False),
    "idx_answers_question_id": ("answers", ["question_id"], False),
    "idx_answers_is_correct": ("answers", ["is_correct"], False),
    "idx_answers_original_id": ("answers", ["original_id"], False),
    "idx_answers_order": ("answers", ["answer_order"], False),
    "idx_exam_sessions_user_id": ("exam_sessions", ["user_id"], False),
    "idx_exam_sessions_exam_id": ("exam_sessions", ["exam_id"], False),
    "idx_exam_sessions_start_time": ("exam_sessions", ["start_time"], False),
    "idx_exam_sessions_is_completed": ("exam_sessions", ["is_completed"], False),
    "idx_user_responses_session_id": ("user_responses", ["session_id"], False),
    "idx_user_responses_question_id": ("user_responses", ["question_id"], False),
    "idx_user_responses_is_correct": ("user_responses", ["is_correct"], False),
    "idx_user_responses_is_bookmarked": ("user_responses", ["is_bookmarked"], False),
    "idx_user_responses_session_question": (
        "user_responses",
        ["session_id", "question_id"],
        True,
    ),
    "idx_user_progress_user_id": ("user_progress", ["user_id"], False),
    "idx_user_progress_topic_id": ("user_progress", ["topic_id"], False),
    "idx_user_progress_proficiency": ("user_progress", ["proficiency_level"], False),
    "idx_user_progress_user_topic": ("user_progress", ["user_id", "topic_id"], True),
}

# Every FOREIGN KEY of the design: (table, column, referenced table, ON DELETE).
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
DJANGO_ON_DELETE = {"CASCADE": models.CASCADE, "SET NULL": models.SET_NULL}

# A row of the child table whose foreign keys all point at real rows.
CHILD_ROW_FACTORIES = {
    "topics": TopicFactory,
    "questions": QuestionFactory,
    "answers": AnswerFactory,
    "exam_sessions": ExamSessionFactory,
    "user_responses": lambda: UserResponseFactory(answer=AnswerFactory()),
    "user_progress": UserProgressFactory,
}

NOW = object()  # Expected value: the database's current timestamp.

# Raw inserts that give only the NOT NULL columns the design has no default for (the
# extension columns added beside the design have Python defaults only), and the design
# defaults the database must fill in. Keys are model attribute names.
RAW_INSERTS = {
    "users": (
        {
            "username": "raw-user",
            "email": "raw@example.com",
            "password": "not-a-real-hash",
            "first_name": "",
            "last_name": "",
            "is_staff": False,
            "is_superuser": False,
        },
        {"date_joined": NOW, "is_active": True},
    ),
    "modules": ({"name": "Raw block"}, {"display_order": 0, "created_at": NOW}),
    "topics": ({"name": "Raw objective", "code": ""}, {"display_order": 0, "created_at": NOW}),
    "exams": (
        {
            "title": "Raw exam",
            "kind": "fixed",
            "code": "",
            "pass_percent": 70,
            "max_score": 1000,
            "blueprint": {},
            "block_points": {},
        },
        {
            "time_limit": 3600,
            "total_questions": 0,
            "version": "1.0",
            "is_active": True,
            "created_at": NOW,
            "updated_at": NOW,
        },
    ),
    "questions": (
        {
            "text": "Raw question",
            "kind": "single",
            "points": 20,
            "stdin": "",
            "expected_output": "",
            "explanation_html": "",
            "verify_mode": "none",
            "verify_reason": "",
            "verification_status": "unchecked",
            "is_active": True,
        },
        {"difficulty": 1, "question_order": 0, "created_at": NOW},
    ),
    "answers": (
        {"text": "Raw answer", "is_correct": False, "raises": ""},
        {"answer_order": 0, "created_at": NOW},
    ),
    "exam_sessions": (
        {"mode": "exam", "points_earned": 0.0, "points_possible": 0},
        {
            "start_time": NOW,
            "is_completed": False,
            "score": 0.0,
            "total_questions": 0,
            "correct_answers": 0,
            "time_spent": 0,
            "created_at": NOW,
        },
    ),
    "user_responses": (
        {"is_correct": False, "position": 1, "points_earned": 0.0},
        {"is_bookmarked": False, "is_skipped": False, "time_taken": 0.0, "created_at": NOW},
    ),
    "user_progress": (
        {},
        {
            "proficiency_level": 0.0,
            "questions_attempted": 0,
            "questions_correct": 0,
            "average_time": 0.0,
            "updated_at": NOW,
        },
    ),
}


def _columns(table: str) -> dict:
    with connection.cursor() as cursor:
        return {
            column.name: column
            for column in connection.introspection.get_table_description(cursor, table)
        }


def _constraints(table: str) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


def _model_for_table(table: str) -> type[models.Model]:
    return next(model for model in apps.get_models() if model._meta.db_table == table)


def _field_for_column(table: str, column: str) -> models.Field:
    model = _model_for_table(table)
    return next(field for field in model._meta.concrete_fields if field.column == column)


def test_every_design_table_exists():
    with connection.cursor() as cursor:
        tables = {table.name for table in connection.introspection.get_table_list(cursor)}

    assert set(DESIGN_COLUMNS) <= tables, set(DESIGN_COLUMNS) - tables


@pytest.mark.parametrize("table", DESIGN_COLUMNS)
def test_table_has_every_design_column(table):
    missing = set(DESIGN_COLUMNS[table]) - set(_columns(table))

    assert not missing, f"{table} lacks design columns {sorted(missing)}"


@pytest.mark.parametrize("table", DESIGN_COLUMNS)
def test_id_is_the_primary_key(table):
    primary_keys = [
        constraint["columns"]
        for constraint in _constraints(table).values()
        if constraint["primary_key"]
    ]

    assert primary_keys == [["id"]]


@pytest.mark.parametrize(
    ("table", "column"), DESIGN_NOT_NULL_COLUMNS, ids=[".".join(c) for c in DESIGN_NOT_NULL_COLUMNS]
)
def test_design_not_null_column_rejects_null(table, column):
    assert _columns(table)[column].null_ok is False


@pytest.mark.parametrize(
    ("table", "column"), DESIGN_UNIQUE_COLUMNS, ids=[".".join(c) for c in DESIGN_UNIQUE_COLUMNS]
)
def test_design_unique_column_has_a_unique_constraint(table, column):
    unique_column_sets = [
        constraint["columns"]
        for constraint in _constraints(table).values()
        if constraint["unique"] and not constraint["primary_key"]
    ]

    assert [column] in unique_column_sets


@pytest.mark.parametrize("name", DESIGN_INDEXES)
def test_design_index_exists_on_its_columns(name):
    table, columns, unique = DESIGN_INDEXES[name]

    constraint = _constraints(table).get(name)

    assert constraint is not None, f"{table} has no index or constraint named {name}"
    assert constraint["columns"] == columns
    assert bool(constraint["unique"]) is unique


@pytest.mark.parametrize(
    ("table", "column", "referenced_table", "on_delete"),
    DESIGN_FOREIGN_KEYS,
    ids=[f"{table}.{column}" for table, column, _, _ in DESIGN_FOREIGN_KEYS],
)
def test_foreign_key_references_design_table(table, column, referenced_table, on_delete):
    references = [
        constraint["foreign_key"]
        for constraint in _constraints(table).values()
        if constraint["foreign_key"] and constraint["columns"] == [column]
    ]

    assert references == [(referenced_table, "id")]


@pytest.mark.parametrize(
    ("table", "column", "referenced_table", "on_delete"),
    DESIGN_FOREIGN_KEYS,
    ids=[f"{table}.{column}" for table, column, _, _ in DESIGN_FOREIGN_KEYS],
)
def test_model_declares_design_on_delete(table, column, referenced_table, on_delete):
    # Django's introspection does not report ON DELETE on any backend, so this reads the
    # rule Django applies when it deletes through the ORM (exercised in test_models.py).
    field = _field_for_column(table, column)

    assert field.related_model._meta.db_table == referenced_table
    assert field.remote_field.on_delete is DJANGO_ON_DELETE[on_delete]


@pytest.mark.parametrize(
    ("table", "column", "referenced_table", "on_delete"),
    DESIGN_FOREIGN_KEYS,
    ids=[f"{table}.{column}" for table, column, _, _ in DESIGN_FOREIGN_KEYS],
)
def test_database_applies_design_on_delete_to_raw_sql_delete(
    table, column, referenced_table, on_delete
):
    child = CHILD_ROW_FACTORIES[table]()
    parent_id = getattr(child, _field_for_column(table, column).attname)
    quote = connection.ops.quote_name

    # Roll the raw delete back before the test ends: Django's teardown checks deferred
    # foreign keys and would report the dangling row as an error rather than this failure.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote(referenced_table)} WHERE {quote('id')} = %s", [parent_id]
            )
            cursor.execute(
                f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote('id')} = %s",
                [child.pk],
            )
            child_row = cursor.fetchone()
        transaction.set_rollback(True)

    if on_delete == "CASCADE":
        assert child_row is None
    else:
        assert child_row == (None,)


@pytest.mark.parametrize("table", RAW_INSERTS)
def test_database_fills_design_defaults_on_raw_insert(table):
    given, expected = RAW_INSERTS[table]
    model = _model_for_table(table)
    fields = [model._meta.get_field(name) for name in given]
    quote = connection.ops.quote_name
    if fields:
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(table),
            ", ".join(quote(field.column) for field in fields),
            ", ".join(["%s"] * len(fields)),
        )
    else:
        sql = f"INSERT INTO {quote(table)} DEFAULT VALUES"
    values = [field.get_db_prep_save(given[field.name], connection) for field in fields]

    with connection.cursor() as cursor:
        cursor.execute(sql, values)
    row = model.objects.values(*expected).get()

    for name, value in expected.items():
        if value is NOW:
            assert abs(row[name] - timezone.now()) < datetime.timedelta(minutes=5), name
        else:
            assert row[name] == value, name
            assert type(row[name]) is type(value), name
