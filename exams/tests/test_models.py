"""Database constraints, delete rules and named QuerySet reads of the exams models."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from exams.models import Answer, Exam, ExamSession, Question, Topic, UserResponse
from exams.tests.factories import (
    ExamFactory,
    ExamSessionFactory,
    ModuleFactory,
    QuestionFactory,
    TopicFactory,
    UserResponseFactory,
    make_question,
)

pytestmark = pytest.mark.django_db


def test_second_response_to_same_question_is_rejected():
    first = UserResponseFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        UserResponse.objects.create(session=first.session, question=first.question, is_correct=True)

    assert UserResponse.objects.filter(session=first.session).count() == 1


def test_same_question_may_be_answered_once_in_each_session():
    first = UserResponseFactory()
    other_session = ExamSessionFactory(exam=first.session.exam)

    UserResponse.objects.create(session=other_session, question=first.question, is_correct=True)

    assert UserResponse.objects.filter(question=first.question).count() == 2


def test_deleting_exam_deletes_its_questions_answers_sessions_and_responses():
    exam = ExamFactory()
    question = make_question(exam=exam)
    session = ExamSessionFactory(exam=exam)
    UserResponseFactory(session=session, question=question, answer=question.answers.first())
    other_question = make_question()

    exam.delete()

    assert not Question.objects.filter(exam_id=exam.pk).exists()
    assert not Answer.objects.filter(question_id=question.pk).exists()
    assert not ExamSession.objects.filter(exam_id=exam.pk).exists()
    assert not UserResponse.objects.filter(session_id=session.pk).exists()
    assert Question.objects.filter(pk=other_question.pk).exists()
    assert other_question.answers.count() == 4


def test_deleting_question_deletes_its_answers_and_responses():
    question = make_question()
    response = UserResponseFactory(question=question, answer=question.answers.first())

    question.delete()

    assert not Answer.objects.filter(question_id=question.pk).exists()
    assert not UserResponse.objects.filter(pk=response.pk).exists()
    assert ExamSession.objects.filter(pk=response.session_id).exists()


def test_deleting_answer_deletes_responses_that_chose_it():
    question = make_question()
    chosen = question.answers.first()
    response = UserResponseFactory(question=question, answer=chosen)

    chosen.delete()

    assert not UserResponse.objects.filter(pk=response.pk).exists()
    assert question.answers.count() == 3


def test_deleting_topic_keeps_its_questions_without_a_topic():
    topic = TopicFactory()
    question = make_question(topic=topic)

    topic.delete()

    question.refresh_from_db()
    assert question.topic is None
    assert question.answers.count() == 4


def test_deleting_module_deletes_its_topics():
    module = ModuleFactory()
    TopicFactory.create_batch(2, module=module)
    other_topic = TopicFactory()

    module.delete()

    assert list(Topic.objects.all()) == [other_topic]


def test_topic_name_is_unique_within_its_module():
    topic = TopicFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        TopicFactory(module=topic.module, name=topic.name)

    TopicFactory(name=topic.name)  # the same name in another block is fine
    assert Topic.objects.filter(name=topic.name).count() == 2


@pytest.mark.parametrize("difficulty", [0, 6, -1])
def test_difficulty_outside_1_to_5_is_rejected(difficulty):
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionFactory(difficulty=difficulty)

    assert not Question.objects.exists()


@pytest.mark.parametrize("difficulty", [1, 5])
def test_difficulty_at_the_ends_of_1_to_5_is_accepted(difficulty):
    question = QuestionFactory(difficulty=difficulty)

    question.refresh_from_db()
    assert question.difficulty == difficulty


def test_duplicate_original_id_is_rejected():
    QuestionFactory(original_id="q-1.1-001")

    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionFactory(original_id="q-1.1-001")

    assert Question.objects.filter(original_id="q-1.1-001").count() == 1


def test_questions_without_original_id_do_not_collide():
    QuestionFactory(original_id=None)
    QuestionFactory(original_id=None)

    assert Question.objects.filter(original_id__isnull=True).count() == 2


def test_active_exams_exclude_inactive_ones():
    active = ExamFactory(is_active=True)
    ExamFactory(is_active=False)

    assert list(Exam.objects.active()) == [active]


def test_offered_exams_are_active_mock_and_fixed_sets_not_banks():
    mock = ExamFactory(kind=Exam.Kind.MOCK, title="A mock")
    fixed = ExamFactory(kind=Exam.Kind.FIXED, title="B fixed")
    ExamFactory(kind=Exam.Kind.BANK, title="C bank")
    ExamFactory(kind=Exam.Kind.MOCK, title="D retired mock", is_active=False)

    assert list(Exam.objects.offered()) == [mock, fixed]


def test_sessions_for_user_exclude_other_learners():
    learner = UserFactory()
    own = ExamSessionFactory(user=learner)
    ExamSessionFactory()

    assert list(ExamSession.objects.for_user(learner)) == [own]


def test_in_progress_and_completed_sessions_split_a_learners_attempts():
    learner = UserFactory()
    running = ExamSessionFactory(user=learner)
    finished = ExamSessionFactory(user=learner, is_completed=True, end_time=timezone.now())
    ExamSessionFactory()  # another learner's attempt in progress

    assert list(ExamSession.objects.for_user(learner).in_progress()) == [running]
    assert list(ExamSession.objects.for_user(learner).completed()) == [finished]


def test_overdue_sessions_are_unfinished_attempts_past_their_deadline():
    learner = UserFactory()
    now = timezone.now()
    past = now - datetime.timedelta(minutes=1)
    overdue = ExamSessionFactory(user=learner, deadline=past)
    ExamSessionFactory(user=learner, deadline=now + datetime.timedelta(minutes=1))
    ExamSessionFactory(user=learner, deadline=past, is_completed=True)
    ExamSessionFactory(user=learner, mode=ExamSession.Mode.PRACTICE)  # no deadline
    ExamSessionFactory(deadline=past)  # another learner's

    assert list(ExamSession.objects.for_user(learner).overdue()) == [overdue]


def test_overdue_is_measured_against_the_given_time():
    session = ExamSessionFactory()

    later = session.deadline + datetime.timedelta(seconds=1)
    earlier = session.deadline - datetime.timedelta(seconds=1)

    assert list(ExamSession.objects.overdue(now=later)) == [session]
    assert not ExamSession.objects.overdue(now=earlier).exists()


def test_active_questions_exclude_retired_questions_and_inactive_exams():
    active = QuestionFactory()
    QuestionFactory(is_active=False)
    QuestionFactory(exam=ExamFactory(is_active=False))

    assert list(Question.objects.active()) == [active]


@pytest.mark.parametrize(
    ("kind", "correct", "expected_flags"),
    [
        ("single", 1, [True, False, False, False]),
        ("multiple", 2, [True, True, False, False]),
        ("order", 1, [True, True, True, True]),
    ],
)
def test_make_question_builds_answers_valid_for_the_kind(kind, correct, expected_flags):
    question = make_question(kind=kind, correct=correct)

    answers = list(question.answers.order_by("answer_order"))
    assert [answer.is_correct for answer in answers] == expected_flags
    assert [answer.answer_order for answer in answers] == [1, 2, 3, 4]
    assert question.choose == (correct if kind == "multiple" else None)


def test_make_question_builds_a_two_gap_question():
    question = make_question(kind="gap")

    answers = list(question.answers.order_by("gap_number"))
    assert [(answer.gap_number, answer.is_correct) for answer in answers] == [
        (1, True),
        (2, True),
    ]
    assert "{{1}}" in question.code_snippet
    assert "{{2}}" in question.code_snippet
