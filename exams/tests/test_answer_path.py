"""The answer save's hot path: what it reads and writes, and the copy of the item it keeps."""

import importlib
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from exams import services
from exams.errors import AttemptError
from exams.models import Exam, ExamSession, Question, UserResponse
from exams.snapshots import question_snapshot
from exams.tests.factories import ExamFactory, make_question

pytestmark = pytest.mark.django_db
STEM = "Which line prints the word 'copy-marker-7431'?"


@pytest.fixture
def exam(syllabus):
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="One item", time_limit=600)
    topic = syllabus.modules.get(number=1).topics.first()
    question = make_question(kind="single", exam=exam, topic=topic, text=STEM)
    question.html_content = f"<p>{STEM}</p>"
    question.save(update_fields=["html_content"])
    return exam


def _only_item(attempt):
    return attempt.responses.select_related("question").get()


def _move_the_key(question):
    """An author's key fix: the right option becomes wrong and a wrong one right."""
    old_key = question.answers.get(is_correct=True)
    new_key = question.answers.filter(is_correct=False).first()
    old_key.is_correct, new_key.is_correct = False, True
    old_key.save()
    new_key.save()
    return old_key, new_key


def test_a_save_leaves_the_attempts_copy_of_the_item_alone(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    item = _only_item(attempt)
    right = item.question.answers.get(is_correct=True)

    with CaptureQueriesContext(connection) as queries:
        services.record_answer(attempt=attempt, question_id=item.question_id, choice_ids=[right.pk])

    updates = [query["sql"] for query in queries if query["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    # The copy (stem, options, key, explanations) is written at the start, not at each save.
    assert "copy-marker-7431" not in updates[0]
    item.refresh_from_db()
    assert STEM in item.shown["html_content"]
    assert item.response_data["choices"] == [right.pk]


def test_an_answer_is_scored_against_the_key_the_attempt_was_shown(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    item = _only_item(attempt)
    # An author changes the key mid-attempt without a regrade: the report shows the copy, so
    # the score follows the copy too, and the two never disagree.
    old_key, _ = _move_the_key(item.question)

    saved = services.record_answer(
        attempt=attempt, question_id=item.question_id, choice_ids=[old_key.pk]
    )

    assert saved.is_correct
    assert saved.points_earned == item.question.points


def test_a_regrade_refreshes_the_copy_of_items_not_answered_yet(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    item = _only_item(attempt)
    _, new_key = _move_the_key(item.question)

    services.regrade_question(question=item.question)
    later = services.record_answer(
        attempt=attempt, question_id=item.question_id, choice_ids=[new_key.pk]
    )

    assert later.is_correct
    item.refresh_from_db()
    keyed = {answer["id"] for answer in item.shown["answers"] if answer["is_correct"]}
    assert keyed == {new_key.pk}


def test_an_option_outside_the_attempts_copy_is_refused(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    item = _only_item(attempt)
    other = make_question(kind="single", exam=exam, topic=item.question.topic)

    with pytest.raises(AttemptError, match="does not belong"):
        services.record_answer(
            attempt=attempt,
            question_id=item.question_id,
            choice_ids=[other.answers.first().pk],
        )
    item.refresh_from_db()
    assert item.is_skipped and "choices" not in item.response_data


def test_the_item_page_save_refuses_another_learners_attempt_with_a_404(client, user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    item = _only_item(attempt)
    right = item.question.answers.get(is_correct=True)
    client.force_login(UserFactory())

    response = client.post(
        reverse("exams:answer", args=[attempt.pk, 1]),
        {"question": item.question_id, "choice": right.pk},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.is_skipped


def test_the_item_page_save_names_a_question_outside_the_attempt(client, user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    stranger = make_question(kind="single", exam=ExamFactory(kind=Exam.Kind.BANK))
    client.force_login(user)

    response = client.post(
        reverse("exams:answer", args=[attempt.pk, 1]),
        {"question": stranger.pk, "choice": stranger.answers.first().pk},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "saved": False,
        "error": "That question is not part of this attempt.",
    }


def test_the_migration_moves_each_copy_out_of_response_data_unchanged(user, exam):
    migration = importlib.import_module("exams.migrations.0008_user_responses_shown_column")
    attempt = services.start_attempt(user=user, exam=exam)
    item = _only_item(attempt)
    copy = question_snapshot(item.question, list(item.question.answers.all()))
    # A row as stored before the column existed: the copy inside response_data.
    UserResponse.objects.filter(pk=item.pk).update(
        shown=None, response_data={"option_order": [1, 2], "choices": [2], "shown": copy}
    )

    migration.move_copies_out_of_response_data(apps, connection.schema_editor())
    item.refresh_from_db()
    assert item.shown == copy
    assert item.response_data == {"option_order": [1, 2], "choices": [2]}

    migration.put_copies_back(apps, connection.schema_editor())
    item.refresh_from_db()
    assert item.response_data == {"option_order": [1, 2], "choices": [2], "shown": copy}


def _part_of(item, model):
    return {UserResponse: item, ExamSession: item.session, Question: item.question}[model]


def test_the_saves_own_read_gives_what_the_orm_reads(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    item = _only_item(attempt)
    right = item.question.answers.get(is_correct=True)
    # Stored as UTC, read back as the same instant, whatever zone it was given in.
    answered_at = timezone.now().astimezone(ZoneInfo("Pacific/Chatham"))
    services.record_answer(
        attempt=attempt, question_id=item.question_id, choice_ids=[right.pk], now=answered_at
    )

    read = services._read_item_for_save(attempt_id=attempt.pk, question_id=item.question_id)

    expected = UserResponse.objects.select_related("session", "question").get(pk=item.pk)
    for model, names in services.SAVE_FIELDS.items():
        for name in names:
            attname = model._meta.get_field(name).attname
            got = getattr(_part_of(read, model), attname)
            want = getattr(_part_of(expected, model), attname)
            assert got == want and type(got) is type(want), (model.__name__, name)
    assert read.answered_at == answered_at and read.session.deadline.tzinfo is not None
    assert read.response_data["choices"] == [right.pk] and STEM in read.shown["html_content"]
    # Columns a save does not read still load when asked for.
    assert read.points_earned == expected.points_earned == item.question.points


def test_the_saves_own_read_finds_nothing_for_a_question_outside_the_attempt(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    stranger = make_question(kind="single", exam=ExamFactory(kind=Exam.Kind.BANK))

    assert services._read_item_for_save(attempt_id=attempt.pk, question_id=stranger.pk) is None


def test_the_save_locks_its_attempt_where_the_database_has_row_locks(user, exam):
    attempt = services.start_attempt(user=user, exam=exam)
    item = _only_item(attempt)
    right = item.question.answers.get(is_correct=True)

    with CaptureQueriesContext(connection) as queries:
        services.record_answer(attempt=attempt, question_id=item.question_id, choice_ids=[right.pk])

    (read,) = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    if connection.features.has_select_for_update_of:
        assert read.endswith(f"FOR UPDATE OF {connection.ops.quote_name('exam_sessions')}")
    else:
        assert "FOR UPDATE" not in read


def test_a_saved_gap_answer_reads_back_exactly(user, syllabus):
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="One gap", time_limit=600)
    question = make_question(
        kind="gap", exam=exam, topic=syllabus.modules.get(number=1).topics.first()
    )
    attempt = services.start_attempt(user=user, exam=exam)
    item = _only_item(attempt)
    gaps = len({answer.gap_number for answer in question.answers.all()})
    texts = ["print(\"ä\\u00e9 'x' ; --\")"] + ["x"] * (gaps - 1)

    saved = services.record_answer(attempt=attempt, question_id=question.pk, gap_texts=texts)

    stored = UserResponse.objects.get(pk=item.pk)
    assert stored.response_data["gaps"] == texts
    assert stored.answered_at == saved.answered_at
    assert (stored.is_skipped, stored.is_correct, stored.points_earned) == (
        False,
        saved.is_correct,
        saved.points_earned,
    )
    assert stored.shown == item.shown


@pytest.mark.parametrize("question_id", ["9" * 30, "-" + "9" * 30])
def test_the_item_page_save_answers_an_id_too_large_for_a_column_with_a_clear_error(
    client, user, exam, question_id
):
    attempt = services.start_attempt(user=user, exam=exam)
    client.force_login(user)

    response = client.post(
        reverse("exams:answer", args=[attempt.pk, 1]),
        {"question": question_id, "choice": "1"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "That question is not part of this attempt."

    response = client.post(
        f"/exams/attempts/{'9' * 30}/items/1/answer/",
        {"question": question_id, "choice": "1"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 404
