"""Tests for the exam rules: drawing, starting, answering, flagging and finishing attempts."""

import datetime
import random
from collections import Counter

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from exams.errors import AttemptError
from exams.models import Exam, ExamSession, Module, Question, Syllabus, UserResponse
from exams.services import (
    DEADLINE_GRACE,
    PracticeChoice,
    draw_questions,
    finish_attempt,
    finish_overdue_attempts,
    record_answer,
    set_flag,
    start_attempt,
    start_practice,
)
from exams.tests.factories import ExamFactory, ExamSessionFactory, make_question, quota_points

# Attempts start at the current minute, because set_flag and calls without `now=` read the
# real clock; tests that depend on the time pass `now=` relative to T0.
T0 = timezone.now().replace(second=0, microsecond=0)
BLUEPRINT = {1: 7, 2: 8, 3: 7, 4: 8}


def minutes(count: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=count)


def mock_exam(syllabus: Syllabus) -> Exam:
    return Exam.objects.get(syllabus=syllabus, kind=Exam.Kind.MOCK)


def fill_bank(syllabus: Syllabus, per_block: dict[int, int], **fields) -> dict[int, list[int]]:
    """Active single-choice questions in a bank exam, spread over each block's objectives."""
    bank = ExamFactory(kind=Exam.Kind.BANK, title="Question bank")
    ids: dict[int, list[int]] = {}
    for module in Module.objects.filter(syllabus=syllabus):
        topics = list(module.topics.all())
        ids[module.number] = [
            make_question(
                kind="single",
                exam=bank,
                topic=topics[n % len(topics)],
                **{"points": quota_points(module.number, n), **fields},
            ).pk
            for n in range(per_block.get(module.number, 0))
        ]
    return ids


def block_of(question_ids) -> Counter:
    return Counter(
        Question.objects.filter(pk__in=question_ids).values_list("topic__module__number", flat=True)
    )


def correct_ids(question: Question) -> list[int]:
    return list(question.answers.filter(is_correct=True).values_list("pk", flat=True))


def wrong_ids(question: Question) -> list[int]:
    return list(question.answers.filter(is_correct=False).values_list("pk", flat=True))


def item_of(attempt: ExamSession, question: Question) -> UserResponse:
    return UserResponse.objects.get(session=attempt, question=question)


def database_state(attempt: ExamSession) -> tuple[dict, list[dict]]:
    """Every stored column of the attempt and its items, to show a refusal changed nothing."""
    return (
        ExamSession.objects.filter(pk=attempt.pk).values().get(),
        list(UserResponse.objects.filter(session=attempt).order_by("pk").values()),
    )


# Drawing a mock exam ---------------------------------------------------------------------


@pytest.mark.django_db
class TestDrawMockExam:
    def test_draws_the_blueprint_count_from_each_block_without_duplicates(self, syllabus, user):
        fill_bank(syllabus, {1: 12, 2: 12, 3: 12, 4: 12})

        drawn = draw_questions(exam=mock_exam(syllabus), user=user, rng=random.Random(1))

        assert len(drawn) == 30
        assert len(set(drawn)) == 30
        assert block_of(drawn) == BLUEPRINT

    def test_the_mock_exam_blueprint_is_the_real_one(self, syllabus):
        assert mock_exam(syllabus).blueprint == {"1": 7, "2": 8, "3": 7, "4": 8}

    def test_second_attempt_draws_only_unseen_questions(self, syllabus, user):
        fill_bank(syllabus, {number: 2 * count for number, count in BLUEPRINT.items()})
        exam = mock_exam(syllabus)
        first = start_attempt(user=user, exam=exam, now=T0, rng=random.Random(1))
        finish_attempt(attempt=first, now=T0 + minutes(10))

        second = start_attempt(user=user, exam=exam, now=T0 + minutes(20), rng=random.Random(1))

        first_ids = set(first.responses.values_list("question_id", flat=True))
        second_ids = set(second.responses.values_list("question_id", flat=True))
        assert second.pk != first.pk
        assert first_ids.isdisjoint(second_ids)
        assert block_of(second_ids) == BLUEPRINT

    def test_unseen_questions_come_first_and_seen_ones_fill_the_rest(self, syllabus, user):
        bank = fill_bank(syllabus, {1: 10, 2: 8, 3: 7, 4: 8})
        exam = mock_exam(syllabus)
        first = start_attempt(user=user, exam=exam, now=T0, rng=random.Random(2))
        finish_attempt(attempt=first, now=T0 + minutes(10))
        seen_in_block_1 = set(
            first.responses.filter(question__topic__module__number=1).values_list(
                "question_id", flat=True
            )
        )

        drawn = draw_questions(exam=exam, user=user, rng=random.Random(3))

        unseen_in_block_1 = set(bank[1]) - seen_in_block_1
        assert len(unseen_in_block_1) == 3
        assert unseen_in_block_1 <= set(drawn)
        assert block_of(drawn) == BLUEPRINT

    @pytest.mark.parametrize("seed", range(5))
    def test_each_block_adds_up_to_its_maximum_like_the_real_exam(self, syllabus, user, seed):
        fill_bank(syllabus, {1: 21, 2: 24, 3: 21, 4: 24})
        exam = mock_exam(syllabus)
        assert exam.block_points == {"1": 180, "2": 290, "3": 250, "4": 280}

        drawn = Question.objects.filter(
            pk__in=draw_questions(exam=exam, user=user, rng=random.Random(seed))
        )

        points = Counter()
        for question in drawn.select_related("topic__module"):
            points[question.topic.module.number] += question.points
        assert points == {1: 180, 2: 290, 3: 250, 4: 280}
        assert block_of(drawn.values_list("pk", flat=True)) == BLUEPRINT

    def test_a_bank_that_cannot_reach_a_block_maximum_is_refused_with_a_clear_message(
        self, syllabus, user
    ):
        # Enough Block 2 items, but all worth 20: eight of them make 160, not 290.
        fill_bank(syllabus, {1: 21, 3: 21, 4: 24})
        fill_bank(syllabus, {2: 12}, points=20)

        with pytest.raises(AttemptError) as raised:
            start_attempt(user=user, exam=mock_exam(syllabus), now=T0)

        assert raised.value.message == (
            "Block 2: no 8 active questions add up to 290 points (the bank has 12 worth 20)."
        )
        assert not ExamSession.objects.exists()

    def test_a_block_with_too_few_active_questions_is_refused_with_a_clear_message(
        self, syllabus, user
    ):
        fill_bank(syllabus, {1: 12, 2: 12, 3: 6, 4: 12})

        with pytest.raises(AttemptError) as raised:
            start_attempt(user=user, exam=mock_exam(syllabus), now=T0)

        assert raised.value.message == (
            "Block 3 needs 7 items, but the bank has only 6 active questions for it."
        )
        assert not ExamSession.objects.exists()
        assert not UserResponse.objects.exists()

    def test_inactive_questions_and_questions_of_inactive_exams_are_never_drawn(
        self, syllabus, user
    ):
        # Exactly the blueprint is drawable; every block also holds inactive questions and
        # active questions of an inactive exam, so any of them drawn would displace one.
        active = fill_bank(syllabus, BLUEPRINT)
        fill_bank(syllabus, BLUEPRINT, is_active=False)
        retired = fill_bank(syllabus, BLUEPRINT)
        Exam.objects.filter(questions__pk__in=retired[1]).update(is_active=False)

        drawn = draw_questions(exam=mock_exam(syllabus), user=user, rng=random.Random(4))

        assert set(drawn) == {pk for ids in active.values() for pk in ids}

    def test_inactive_questions_count_as_missing_for_the_blueprint(self, syllabus, user):
        fill_bank(syllabus, {1: 7, 2: 8, 3: 7, 4: 7})
        fill_bank(syllabus, {4: 5}, is_active=False)

        with pytest.raises(
            AttemptError, match="Block 4 needs 8 items, but the bank has only 7 active"
        ):
            draw_questions(exam=mock_exam(syllabus), user=user)

    def test_a_fixed_set_draws_its_own_active_questions_in_order(self, user):
        exam = ExamFactory()
        later = make_question(exam=exam, question_order=2)
        first = make_question(exam=exam, question_order=1)
        make_question(exam=exam, question_order=3, is_active=False)

        assert draw_questions(exam=exam, user=user) == [first.pk, later.pk]


# Starting an attempt ---------------------------------------------------------------------


@pytest.fixture
def bank(syllabus) -> dict[int, list[int]]:
    return fill_bank(syllabus, {1: 12, 2: 12, 3: 12, 4: 12})


@pytest.mark.django_db
class TestStartAttempt:
    def test_deadline_is_the_start_plus_the_exam_time_limit(self, syllabus, bank, user):
        exam = mock_exam(syllabus)

        attempt = start_attempt(user=user, exam=exam, now=T0)

        attempt.refresh_from_db()
        assert attempt.start_time == T0
        assert attempt.deadline == T0 + datetime.timedelta(seconds=exam.time_limit)
        assert attempt.deadline == T0 + minutes(40)
        assert attempt.mode == ExamSession.Mode.EXAM
        assert not attempt.is_completed

    def test_creates_one_unanswered_item_per_question_with_positions_1_to_n(
        self, syllabus, bank, user
    ):
        attempt = start_attempt(user=user, exam=mock_exam(syllabus), now=T0)

        items = list(UserResponse.objects.filter(session=attempt).order_by("position"))
        assert attempt.total_questions == 30
        assert [item.position for item in items] == list(range(1, 31))
        assert len({item.question_id for item in items}) == 30
        assert all(item.is_skipped for item in items)
        assert not any(item.is_correct or item.is_bookmarked for item in items)
        assert all(item.answered_at is None and item.points_earned == 0 for item in items)

    def test_each_item_stores_a_shuffled_permutation_of_its_answer_ids(self, syllabus, bank, user):
        attempt = start_attempt(user=user, exam=mock_exam(syllabus), rng=random.Random(5))

        orders = []
        for item in attempt.responses.select_related("question"):
            order = item.response_data["option_order"]
            answer_ids = list(item.question.answers.order_by("pk").values_list("pk", flat=True))
            assert sorted(order) == answer_ids
            orders.append(order == answer_ids)
        assert not all(orders), "the options of every item kept their stored order"

    def test_starting_again_while_in_progress_resumes_the_same_attempt(self, syllabus, bank, user):
        exam = mock_exam(syllabus)
        attempt = start_attempt(user=user, exam=exam, now=T0)

        resumed = start_attempt(user=user, exam=exam, now=T0 + minutes(39))

        assert resumed.pk == attempt.pk
        assert ExamSession.objects.count() == 1
        assert UserResponse.objects.count() == 30

    def test_another_learner_gets_an_attempt_of_their_own(self, syllabus, bank, user):
        exam = mock_exam(syllabus)
        attempt = start_attempt(user=user, exam=exam, now=T0)

        other = start_attempt(user=UserFactory(), exam=exam, now=T0)

        assert other.pk != attempt.pk
        assert other.user != user

    def test_starting_after_the_deadline_finishes_the_old_attempt_and_starts_anew(
        self, syllabus, bank, user
    ):
        exam = mock_exam(syllabus)
        old = start_attempt(user=user, exam=exam, now=T0)
        later = old.deadline + DEADLINE_GRACE + datetime.timedelta(seconds=1)

        new = start_attempt(user=user, exam=exam, now=later)

        old.refresh_from_db()
        assert new.pk != old.pk
        assert old.is_completed
        assert old.end_time == old.deadline
        assert not new.is_completed
        assert new.start_time == later
        assert ExamSession.objects.filter(user=user, is_completed=False).get() == new

    @pytest.mark.parametrize(
        "exam_fields",
        [{"kind": Exam.Kind.BANK}, {"kind": Exam.Kind.FIXED, "is_active": False}],
        ids=["bank", "inactive"],
    )
    def test_bank_files_and_inactive_exams_cannot_be_started(self, user, exam_fields):
        exam = ExamFactory(**exam_fields)
        make_question(exam=exam)

        with pytest.raises(AttemptError, match="This exam is not available"):
            start_attempt(user=user, exam=exam)

        assert not ExamSession.objects.exists()

    def test_an_exam_without_questions_cannot_be_started(self, user):
        with pytest.raises(AttemptError, match="no questions"):
            start_attempt(user=user, exam=ExamFactory())

        assert not ExamSession.objects.exists()


# Answering -------------------------------------------------------------------------------


@pytest.fixture
def questions(db) -> dict[str, Question]:
    """A fixed set with one question of each kind (multiple: choose 2 of 4)."""
    exam = ExamFactory(title="One of each kind")
    return {
        "single": make_question(kind="single", exam=exam, points=20, question_order=1),
        "multiple": make_question(
            kind="multiple", exam=exam, correct=2, options=4, points=20, question_order=2
        ),
        "order": make_question(kind="order", exam=exam, options=4, points=40, question_order=3),
        "gap": make_question(kind="gap", exam=exam, points=20, question_order=4),
    }


@pytest.fixture
def attempt(questions, user) -> ExamSession:
    return start_attempt(user=user, exam=questions["single"].exam, now=T0, rng=random.Random(6))


def key_order(question: Question) -> list[int]:
    return list(question.answers.order_by("answer_order").values_list("pk", flat=True))


@pytest.mark.django_db
class TestRecordAnswer:
    def test_saves_a_right_single_choice_answer(self, attempt, questions):
        question = questions["single"]
        [right] = correct_ids(question)

        returned = record_answer(
            attempt=attempt, question_id=question.pk, choice_ids=[right], now=T0 + minutes(2)
        )

        item = item_of(attempt, question)
        assert returned.pk == item.pk
        assert item.response_data["choices"] == [right]
        assert item.answer_id == right
        assert item.is_correct
        assert not item.is_skipped
        assert item.points_earned == 20
        assert item.answered_at == T0 + minutes(2)
        assert item.time_taken == 120

    def test_keeps_the_stored_option_order_when_answering(self, attempt, questions):
        question = questions["single"]
        stored = item_of(attempt, question).response_data["option_order"]

        record_answer(attempt=attempt, question_id=question.pk, choice_ids=wrong_ids(question)[:1])

        assert item_of(attempt, question).response_data["option_order"] == stored

    def test_saves_a_wrong_single_choice_answer_with_no_points(self, attempt, questions):
        question = questions["single"]
        wrong = wrong_ids(question)[0]

        record_answer(attempt=attempt, question_id=question.pk, choice_ids=[wrong])

        item = item_of(attempt, question)
        assert item.answer_id == wrong
        assert not item.is_correct
        assert item.points_earned == 0
        assert not item.is_skipped
        assert item.answered_at is not None

    def test_saves_a_multiple_choice_answer_with_partial_credit(self, attempt, questions):
        question = questions["multiple"]
        choices = [correct_ids(question)[0], wrong_ids(question)[0]]

        record_answer(attempt=attempt, question_id=question.pk, choice_ids=choices)

        item = item_of(attempt, question)
        assert item.response_data["choices"] == choices
        assert item.points_earned == 10
        assert not item.is_correct
        assert item.answer_id is None

    def test_saves_an_order_answer_with_credit_per_item_in_place(self, attempt, questions):
        question = questions["order"]
        first, second, third, fourth = key_order(question)

        record_answer(
            attempt=attempt, question_id=question.pk, order_ids=[first, second, fourth, third]
        )

        item = item_of(attempt, question)
        assert item.response_data["order"] == [first, second, fourth, third]
        assert item.points_earned == 20
        assert not item.is_correct

    def test_saves_a_gap_answer_with_credit_per_gap(self, attempt, questions):
        question = questions["gap"]

        record_answer(attempt=attempt, question_id=question.pk, gap_texts=[" 5 ", "+"])

        item = item_of(attempt, question)
        assert item.response_data["gaps"] == [" 5 ", "+"]
        assert item.points_earned == 20
        assert item.is_correct

    def test_re_answering_replaces_the_answer_on_the_same_row(self, attempt, questions):
        question = questions["order"]
        key = key_order(question)
        first = record_answer(
            attempt=attempt, question_id=question.pk, order_ids=key[::-1], now=T0 + minutes(1)
        )

        second = record_answer(
            attempt=attempt, question_id=question.pk, order_ids=key, now=T0 + minutes(3)
        )

        assert second.pk == first.pk
        assert UserResponse.objects.filter(session=attempt, question=question).count() == 1
        assert UserResponse.objects.filter(session=attempt).count() == 4
        item = item_of(attempt, question)
        assert item.response_data["order"] == key
        assert item.points_earned == 40
        assert item.is_correct
        assert item.answered_at == T0 + minutes(3)
        assert item.time_taken == 180

    def test_two_saves_in_a_row_for_one_item_leave_one_row_with_the_later_answer(
        self, attempt, questions
    ):
        # Two requests, each with the attempt as it loaded it, save one item one after the other.
        question = questions["multiple"]
        first_request = ExamSession.objects.get(pk=attempt.pk)
        second_request = ExamSession.objects.get(pk=attempt.pk)
        later_choices = correct_ids(question)

        record_answer(
            attempt=first_request,
            question_id=question.pk,
            choice_ids=wrong_ids(question)[:2],
            now=T0 + minutes(1),
        )
        record_answer(
            attempt=second_request,
            question_id=question.pk,
            choice_ids=later_choices,
            now=T0 + minutes(2),
        )

        [item] = UserResponse.objects.filter(session=attempt, question=question)
        assert item.response_data["choices"] == later_choices
        assert item.points_earned == 20
        assert item.is_correct
        assert item.answered_at == T0 + minutes(2)

    @pytest.mark.parametrize(
        ("kind", "answer"),
        [
            ("single", {"choice_ids": []}),
            ("multiple", {"choice_ids": []}),
            ("order", {"order_ids": []}),
            ("gap", {"gap_texts": ["", "  "]}),
        ],
    )
    def test_an_empty_answer_clears_the_item(self, attempt, questions, kind, answer):
        question = questions[kind]
        full_answer = {
            "single": {"choice_ids": correct_ids(question)},
            "multiple": {"choice_ids": correct_ids(question)},
            "order": {"order_ids": key_order(question)},
            "gap": {"gap_texts": ["5", "+"]},
        }[kind]
        record_answer(attempt=attempt, question_id=question.pk, **full_answer)
        assert item_of(attempt, question).is_correct

        record_answer(attempt=attempt, question_id=question.pk, **answer)

        item = item_of(attempt, question)
        assert item.is_skipped
        assert not item.is_correct
        assert item.points_earned == 0
        assert item.answered_at is None
        assert item.answer_id is None

    def test_a_gap_answer_of_exactly_200_characters_is_accepted(self, attempt, questions):
        question = questions["gap"]

        record_answer(attempt=attempt, question_id=question.pk, gap_texts=["5" * 200, "+"])

        assert item_of(attempt, question).response_data["gaps"] == ["5" * 200, "+"]


def another_question() -> Question:
    """A question of another exam, with answers of its own."""
    return make_question(kind="multiple", correct=2, options=4)


FORGED_ANSWERS = {
    "option of another question (single)": lambda q, other: {
        "question_id": q["single"].pk,
        "choice_ids": correct_ids(other)[:1],
    },
    "option of another question (multiple)": lambda q, other: {
        "question_id": q["multiple"].pk,
        "choice_ids": [correct_ids(q["multiple"])[0], correct_ids(other)[0]],
    },
    "two choices on a single select": lambda q, other: {
        "question_id": q["single"].pk,
        "choice_ids": correct_ids(q["single"]) + wrong_ids(q["single"])[:1],
    },
    "more than choose choices": lambda q, other: {
        "question_id": q["multiple"].pk,
        "choice_ids": correct_ids(q["multiple"]) + wrong_ids(q["multiple"])[:1],
    },
    "order with an item missing": lambda q, other: {
        "question_id": q["order"].pk,
        "order_ids": key_order(q["order"])[:3],
    },
    "order with an item twice": lambda q, other: {
        "question_id": q["order"].pk,
        "order_ids": key_order(q["order"])[:3] + key_order(q["order"])[:1],
    },
    "order with an item of another question": lambda q, other: {
        "question_id": q["order"].pk,
        "order_ids": key_order(q["order"])[:3] + correct_ids(other)[:1],
    },
    "too few gaps": lambda q, other: {"question_id": q["gap"].pk, "gap_texts": ["5"]},
    "too many gaps": lambda q, other: {"question_id": q["gap"].pk, "gap_texts": ["5", "+", "1"]},
    "gap text over 200 characters": lambda q, other: {
        "question_id": q["gap"].pk,
        "gap_texts": ["5" * 201, "+"],
    },
    "order for a choice question": lambda q, other: {
        "question_id": q["single"].pk,
        "order_ids": correct_ids(q["single"]),
    },
    "choices for a gap question": lambda q, other: {
        "question_id": q["gap"].pk,
        "choice_ids": key_order(q["gap"]),
    },
    "question not in this attempt": lambda q, other: {
        "question_id": other.pk,
        "choice_ids": correct_ids(other),
    },
}


@pytest.mark.django_db
class TestRecordAnswerRefusals:
    @pytest.fixture
    def answered(self, attempt, questions) -> ExamSession:
        """The attempt with a saved (partly wrong) answer on every item."""
        key = key_order(questions["order"])
        record_answer(
            attempt=attempt,
            question_id=questions["single"].pk,
            choice_ids=correct_ids(questions["single"]),
            now=T0 + minutes(1),
        )
        record_answer(
            attempt=attempt,
            question_id=questions["multiple"].pk,
            choice_ids=wrong_ids(questions["multiple"])[:1],
            now=T0 + minutes(2),
        )
        record_answer(
            attempt=attempt,
            question_id=questions["order"].pk,
            order_ids=[key[1], key[0], key[2], key[3]],
            now=T0 + minutes(3),
        )
        record_answer(
            attempt=attempt, question_id=questions["gap"].pk, gap_texts=["5", "*"], now=T0
        )
        return attempt

    @pytest.mark.parametrize("forge", FORGED_ANSWERS.values(), ids=FORGED_ANSWERS.keys())
    def test_a_forged_answer_is_refused_and_changes_nothing(self, answered, questions, forge):
        request = forge(questions, another_question())
        before = database_state(answered)

        with pytest.raises(AttemptError):
            record_answer(attempt=answered, now=T0 + minutes(5), **request)

        assert database_state(answered) == before

    def test_an_answer_to_a_finished_attempt_is_refused(self, answered, questions):
        finished = finish_attempt(attempt=answered, now=T0 + minutes(5))
        before = database_state(finished)

        with pytest.raises(AttemptError, match="finished"):
            record_answer(
                attempt=finished,
                question_id=questions["multiple"].pk,
                choice_ids=correct_ids(questions["multiple"]),
                now=T0 + minutes(6),
            )

        assert database_state(finished) == before

    def test_an_answer_racing_a_finish_from_another_request_is_refused(self, answered, questions):
        answer_request = ExamSession.objects.get(pk=answered.pk)  # loaded before the finish
        finish_attempt(attempt=ExamSession.objects.get(pk=answered.pk), now=T0 + minutes(5))
        before = database_state(answered)

        with pytest.raises(AttemptError):
            record_answer(
                attempt=answer_request,
                question_id=questions["multiple"].pk,
                choice_ids=correct_ids(questions["multiple"]),
                now=T0 + minutes(6),
            )

        assert database_state(answered) == before

    def test_an_answer_within_the_grace_after_the_deadline_is_accepted(self, attempt, questions):
        question = questions["multiple"]

        record_answer(
            attempt=attempt,
            question_id=question.pk,
            choice_ids=correct_ids(question),
            now=attempt.deadline + DEADLINE_GRACE,
        )

        attempt.refresh_from_db()
        assert not attempt.is_completed
        assert item_of(attempt, question).points_earned == 20

    def test_an_answer_after_the_grace_is_refused_and_the_attempt_finished_as_saved(
        self, answered, questions
    ):
        question = questions["multiple"]
        late = answered.deadline + DEADLINE_GRACE + datetime.timedelta(seconds=1)
        item_before = UserResponse.objects.filter(pk=item_of(answered, question).pk).values().get()

        with pytest.raises(AttemptError, match="Time is up"):
            record_answer(
                attempt=answered,
                question_id=question.pk,
                choice_ids=correct_ids(question),
                now=late,
            )

        assert UserResponse.objects.filter(pk=item_before["id"]).values().get() == item_before
        finished = ExamSession.objects.get(pk=answered.pk)
        assert finished.is_completed
        assert finished.end_time == answered.deadline
        # Saved before the deadline: single right (20), multiple 0, order 20 of 40, gap 10.
        assert finished.points_earned == 50
        assert finished.correct_answers == 1

    def test_practice_refuses_a_second_answer_to_the_same_item(self, user):
        question = make_question(kind="single")
        practice = start_practice(user=user, choice=PracticeChoice(topic=question.topic))
        record_answer(attempt=practice, question_id=question.pk, choice_ids=wrong_ids(question)[:1])
        before = database_state(practice)

        with pytest.raises(AttemptError, match="already answered"):
            record_answer(
                attempt=practice, question_id=question.pk, choice_ids=correct_ids(question)
            )

        assert database_state(practice) == before
        assert not item_of(practice, question).is_correct


# Flagging --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestSetFlag:
    def test_flagging_and_unflagging_an_item(self, attempt, questions):
        question = questions["order"]

        flagged = set_flag(attempt=attempt, question_id=question.pk, flagged=True)

        assert flagged.is_bookmarked
        assert item_of(attempt, question).is_bookmarked
        assert UserResponse.objects.filter(session=attempt, is_bookmarked=True).count() == 1

        set_flag(attempt=attempt, question_id=question.pk, flagged=False)

        assert not item_of(attempt, question).is_bookmarked

    def test_flagging_an_item_of_a_finished_attempt_is_refused(self, attempt, questions):
        finished = finish_attempt(attempt=attempt, now=T0 + minutes(1))

        with pytest.raises(AttemptError, match="finished"):
            set_flag(attempt=finished, question_id=questions["gap"].pk, flagged=True)

        assert not item_of(attempt, questions["gap"]).is_bookmarked

    def test_flagging_a_question_outside_the_attempt_is_refused(self, attempt):
        with pytest.raises(AttemptError, match="not part of this attempt"):
            set_flag(attempt=attempt, question_id=make_question().pk, flagged=True)


# Finishing -------------------------------------------------------------------------------


def ten_item_attempt(user, *, right: int, **exam_fields) -> ExamSession:
    """An attempt of a 10-question fixed set (20 points each) with `right` answered right."""
    exam = ExamFactory(**exam_fields)
    questions = [make_question(exam=exam, question_order=n) for n in range(10)]
    attempt = start_attempt(user=user, exam=exam, now=T0)
    for question in questions[:right]:
        record_answer(attempt=attempt, question_id=question.pk, choice_ids=correct_ids(question))
    for question in questions[right:]:
        record_answer(attempt=attempt, question_id=question.pk, choice_ids=wrong_ids(question)[:1])
    return attempt


@pytest.mark.django_db
class TestFinishAttempt:
    @pytest.mark.parametrize(
        ("right", "score", "scaled_score", "passed"),
        [(10, 100, 1000, True), (7, 70, 700, True), (6, 60, 600, False), (5, 50, 500, False)],
    )
    def test_score_scaled_score_and_pass_mark(self, user, right, score, scaled_score, passed):
        attempt = ten_item_attempt(user, right=right)

        finish_attempt(attempt=attempt, now=T0 + minutes(10))

        attempt.refresh_from_db()
        assert attempt.is_completed
        assert attempt.score == score
        assert attempt.scaled_score == scaled_score
        assert attempt.passed is passed
        assert attempt.correct_answers == right
        assert attempt.total_questions == 10
        assert attempt.points_earned == 20 * right
        assert attempt.points_possible == 200

    def test_partial_credit_counts_towards_the_score_but_not_correct_answers(self, user):
        exam = ExamFactory()
        multiple = make_question(kind="multiple", exam=exam, correct=2, options=4, points=40)
        single = make_question(kind="single", exam=exam, points=40)
        attempt = start_attempt(user=user, exam=exam, now=T0)
        record_answer(
            attempt=attempt, question_id=multiple.pk, choice_ids=correct_ids(multiple)[:1]
        )
        record_answer(attempt=attempt, question_id=single.pk, choice_ids=wrong_ids(single)[:1])

        finished = finish_attempt(attempt=attempt, now=T0 + minutes(1))

        assert finished.points_earned == 20
        assert finished.score == 25
        assert finished.scaled_score == 250
        assert finished.correct_answers == 0

    def test_scaled_score_is_out_of_the_exam_max_score(self, user):
        attempt = ten_item_attempt(user, right=5, max_score=500)

        finished = finish_attempt(attempt=attempt, now=T0 + minutes(10))

        assert finished.scaled_score == 250
        assert finished.score == 50

    def test_the_pass_mark_is_the_exam_pass_percent(self, user):
        attempt = ten_item_attempt(user, right=7, pass_percent=75)

        finished = finish_attempt(attempt=attempt, now=T0 + minutes(10))

        assert finished.score == 70
        assert finished.passed is False

    def test_time_spent_runs_from_start_to_finish(self, user):
        attempt = ten_item_attempt(user, right=3)

        finished = finish_attempt(attempt=attempt, now=T0 + minutes(12.5))

        assert finished.end_time == T0 + minutes(12.5)
        assert finished.time_spent == 750

    def test_time_spent_stops_at_the_deadline(self, user):
        attempt = ten_item_attempt(user, right=3)  # 40 minutes

        finished = finish_attempt(attempt=attempt, now=attempt.deadline + minutes(30))

        assert finished.end_time == attempt.deadline
        assert finished.time_spent == 2400

    def test_finishing_twice_changes_nothing(self, user):
        attempt = ten_item_attempt(user, right=7)
        finish_attempt(attempt=attempt, now=T0 + minutes(10))
        first = ExamSession.objects.filter(pk=attempt.pk).values().get()
        # Even if an item changed behind the service's back, the stored result stays.
        UserResponse.objects.filter(session=attempt).update(points_earned=20, is_correct=True)

        again = finish_attempt(attempt=attempt, now=T0 + minutes(30))

        assert again.is_completed
        assert ExamSession.objects.filter(pk=attempt.pk).values().get() == first


@pytest.mark.django_db
def test_finish_overdue_attempts_finishes_only_overdue_attempts_in_progress():
    now = T0 + minutes(60)
    overdue = ExamSessionFactory(start_time=T0, deadline=now - DEADLINE_GRACE - minutes(1))
    within_grace = ExamSessionFactory(start_time=T0, deadline=now - DEADLINE_GRACE / 2)
    running = ExamSessionFactory(start_time=T0, deadline=now + minutes(1))
    finished = ExamSessionFactory(
        start_time=T0, deadline=T0 + minutes(1), is_completed=True, end_time=T0 + minutes(1)
    )
    practice = ExamSessionFactory(start_time=T0, mode=ExamSession.Mode.PRACTICE, exam=None)

    assert finish_overdue_attempts(now=now) == 1

    states = dict(
        ExamSession.objects.values_list("pk", "is_completed").filter(
            pk__in=[overdue.pk, within_grace.pk, running.pk, finished.pk, practice.pk]
        )
    )
    assert states == {
        overdue.pk: True,
        within_grace.pk: False,
        running.pk: False,
        finished.pk: True,
        practice.pk: False,
    }
    overdue.refresh_from_db()
    assert overdue.end_time == overdue.deadline
    finished.refresh_from_db()
    assert finished.end_time == T0 + minutes(1)
    assert finish_overdue_attempts(now=now) == 0


# Query counts ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("bank_size", [30, 300])
def test_recording_an_answer_runs_a_fixed_number_of_queries(
    syllabus, user, bank_size, django_assert_max_num_queries
):
    # 30 is exactly the blueprint; 300 holds ten times as many per block.
    fill_bank(syllabus, {number: count * bank_size // 30 for number, count in BLUEPRINT.items()})
    attempt = start_attempt(user=user, exam=mock_exam(syllabus), now=T0)
    item = attempt.responses.select_related("question").last()
    choice = correct_ids(item.question)

    # Savepoint, the item with its question and its attempt (locked), update the row, release.
    with django_assert_max_num_queries(4):
        record_answer(
            attempt=attempt,
            question_id=item.question_id,
            choice_ids=choice,
            now=T0 + minutes(1),
        )

    assert UserResponse.objects.get(pk=item.pk).is_correct


@pytest.mark.django_db
def test_ordering_items_are_never_shown_in_their_key_order(syllabus):
    exam = ExamFactory(kind=Exam.Kind.FIXED, title="Orders", time_limit=600)
    question = make_question(kind="order", exam=exam, options=2)
    key = list(question.answers.order_by("answer_order").values_list("pk", flat=True))
    for seed in range(20):
        attempt = start_attempt(user=UserFactory(), exam=exam, rng=random.Random(seed))
        item = attempt.responses.get()
        assert item.response_data["option_order"] != key


# The new kinds: insert, lines and tiles ----------------------------------------------------


@pytest.fixture
def new_kinds(db) -> dict[str, Question]:
    exam = ExamFactory(title="The new kinds")
    return {
        "insert": make_question(kind="insert", exam=exam, points=20, question_order=1),
        "lines": make_question(kind="lines", exam=exam, points=20, question_order=2),
        "tiles": make_question(kind="tiles", exam=exam, points=20, question_order=3),
    }


@pytest.fixture
def new_attempt(new_kinds, user) -> ExamSession:
    return start_attempt(user=user, exam=new_kinds["insert"].exam, now=T0, rng=random.Random(3))


def ids_of(question: Question, *texts: str) -> list[int]:
    answers = {answer.text: answer.pk for answer in question.answers.all()}
    return [answers[text] for text in texts]


@pytest.mark.django_db
class TestNewKinds:
    def test_insert_saves_one_choice_as_the_answer(self, new_attempt, new_kinds):
        question = new_kinds["insert"]
        [right] = ids_of(question, "total += n")

        record_answer(attempt=new_attempt, question_id=question.pk, choice_ids=[right])

        item = item_of(new_attempt, question)
        assert item.response_data["choices"] == [right]
        assert item.answer_id == right
        assert item.is_correct and item.points_earned == 20

    def test_insert_refuses_two_choices_and_gap_texts(self, new_attempt, new_kinds):
        question = new_kinds["insert"]
        with pytest.raises(AttemptError, match="only one"):
            two = ids_of(question, "total += n", "total = n")
            record_answer(attempt=new_attempt, question_id=question.pk, choice_ids=two)
        with pytest.raises(AttemptError, match="choice of options"):
            record_answer(attempt=new_attempt, question_id=question.pk, gap_texts=["x"])

    def test_lines_earn_a_share_per_right_line(self, new_attempt, new_kinds):
        question = new_kinds["lines"]

        record_answer(
            attempt=new_attempt, question_id=question.pk, choice_ids=ids_of(question, "2", "3")
        )

        item = item_of(new_attempt, question)
        assert item.points_earned == 10
        assert not item.is_correct
        assert item.answer_id is None

    def test_lines_refuse_more_than_choose(self, new_attempt, new_kinds):
        question = new_kinds["lines"]
        with pytest.raises(AttemptError, match="at most 2 lines"):
            three = ids_of(question, "2", "3", "4")
            record_answer(attempt=new_attempt, question_id=question.pk, choice_ids=three)

    def test_lines_and_tiles_keep_the_stored_order(self, new_attempt, new_kinds):
        for kind in ("lines", "tiles"):
            question = new_kinds[kind]
            stored = item_of(new_attempt, question).response_data["option_order"]
            assert stored == key_order(question)

    def test_tiles_save_the_gap_texts(self, new_attempt, new_kinds):
        question = new_kinds["tiles"]

        record_answer(attempt=new_attempt, question_id=question.pk, gap_texts=["range", ""])

        item = item_of(new_attempt, question)
        assert item.response_data["gaps"] == ["range", ""]
        assert item.points_earned == 10
        assert not item.is_skipped

    @pytest.mark.parametrize(
        ("gaps", "message"),
        [
            (["range"], "has 2 gap"),
            (["range", "*", "list"], "has 2 gap"),
            (["range", "xrange"], "one of the tiles"),
            ([" range", "*"], "one of the tiles"),
            (["range", "range"], "only one gap"),
        ],
    )
    def test_tiles_refuse_what_the_pool_cannot_give(self, new_attempt, new_kinds, gaps, message):
        question = new_kinds["tiles"]
        before = database_state(new_attempt)

        with pytest.raises(AttemptError, match=message):
            record_answer(attempt=new_attempt, question_id=question.pk, gap_texts=gaps)

        assert database_state(new_attempt) == before

    def test_tiles_refuse_choices(self, new_attempt, new_kinds):
        question = new_kinds["tiles"]
        with pytest.raises(AttemptError, match="a tile for each gap"):
            record_answer(
                attempt=new_attempt, question_id=question.pk, choice_ids=ids_of(question, "range")
            )

    def test_empty_tiles_answer_is_blank(self, new_attempt, new_kinds):
        question = new_kinds["tiles"]
        record_answer(attempt=new_attempt, question_id=question.pk, gap_texts=["range", "*"])
        record_answer(attempt=new_attempt, question_id=question.pk, gap_texts=["", ""])

        item = item_of(new_attempt, question)
        assert item.is_skipped
        assert item.points_earned == 0
