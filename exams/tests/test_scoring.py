"""Tests for scoring one response: all-or-nothing single choice, partial credit elsewhere."""

import pytest

from exams.models import Answer, Question
from exams.scoring import Score, gap_text_matches, score_response
from exams.tests.factories import AnswerFactory, make_question


def options(question: Question) -> list[Answer]:
    """The question's answers in key order (`make_question` puts the correct ones first)."""
    return list(question.answers.order_by("answer_order", "id"))


def score(question: Question, **response) -> Score:
    return score_response(question, options(question), **response)


@pytest.mark.django_db
class TestSingleChoice:
    def test_the_correct_option_earns_all_points(self):
        question = make_question(kind="single", points=30)
        right = options(question)[0]

        assert score(question, choice_ids=[right.pk]) == Score(points=30, is_correct=True)

    def test_a_wrong_option_earns_nothing(self):
        question = make_question(kind="single", points=30)
        wrong = options(question)[2]

        assert score(question, choice_ids=[wrong.pk]) == Score(points=0, is_correct=False)

    def test_no_choice_earns_nothing(self):
        question = make_question(kind="single")

        assert score(question, choice_ids=[]) == Score(points=0, is_correct=False)


@pytest.mark.django_db
class TestMultipleChoice:
    def test_one_of_two_correct_choices_earns_half_the_points_and_is_not_correct(self):
        question = make_question(kind="multiple", correct=2, options=4, points=20)
        right, _, wrong, _ = options(question)

        assert score(question, choice_ids=[right.pk, wrong.pk]) == Score(10, is_correct=False)

    def test_every_correct_choice_earns_all_points(self):
        question = make_question(kind="multiple", correct=2, options=4, points=20)
        first, second, *_ = options(question)

        assert score(question, choice_ids=[second.pk, first.pk]) == Score(20, is_correct=True)

    def test_only_wrong_choices_earn_nothing(self):
        question = make_question(kind="multiple", correct=2, options=4, points=20)
        _, _, wrong, other_wrong = options(question)

        assert score(question, choice_ids=[wrong.pk, other_wrong.pk]) == Score(0, False)

    def test_a_third_of_the_key_earns_a_third_rounded_to_four_places(self):
        question = make_question(kind="multiple", correct=3, options=5, points=40)
        first, second, *_ = options(question)

        assert score(question, choice_ids=[first.pk, second.pk]) == Score(26.6667, False)


@pytest.mark.django_db
class TestOrder:
    def test_the_key_order_earns_all_points(self):
        question = make_question(kind="order", options=4, points=40)
        key = [item.pk for item in options(question)]

        assert score(question, order_ids=key) == Score(40, is_correct=True)

    def test_each_item_in_its_place_earns_its_share(self):
        question = make_question(kind="order", options=4, points=40)
        first, second, third, fourth = (item.pk for item in options(question))

        # The first two are in place, the last two swapped: 2 of 4 items right.
        assert score(question, order_ids=[first, second, fourth, third]) == Score(20, False)

    def test_no_item_in_place_earns_nothing(self):
        question = make_question(kind="order", options=4, points=40)
        reversed_key = [item.pk for item in reversed(options(question))]

        assert score(question, order_ids=reversed_key) == Score(0, is_correct=False)


@pytest.mark.django_db
class TestGap:
    def test_every_gap_right_earns_all_points(self):
        question = make_question(kind="gap", points=20)  # gap 1 accepts "5", gap 2 "+"

        assert score(question, gap_texts=["5", "+"]) == Score(20, is_correct=True)

    def test_each_gap_right_earns_its_share(self):
        question = make_question(kind="gap", points=20)

        assert score(question, gap_texts=["5", "-"]) == Score(10, is_correct=False)
        assert score(question, gap_texts=["4", "+"]) == Score(10, is_correct=False)

    def test_any_accepted_text_of_a_gap_counts(self):
        question = make_question(kind="gap", points=20)
        AnswerFactory(question=question, text="2 + 3", is_correct=True, gap_number=1)

        assert score(question, gap_texts=["2+3", "+"]) == Score(20, is_correct=True)

    def test_gaps_are_matched_in_gap_number_order(self):
        question = make_question(kind="gap", points=20)

        assert score(question, gap_texts=["+", "5"]) == Score(0, is_correct=False)


@pytest.mark.parametrize(
    ("given", "accepted"),
    [
        ("range( 3 )", "range(3)"),
        ("range(0,3)", "range(0, 3)"),
        ("  x  ", "x"),
        ("a[ 1 : 2 ]", "a[1:2]"),
        ("print('a b')", "print( 'a b' )"),
    ],
)
def test_gap_text_matches_ignores_spacing_between_tokens(given, accepted):
    assert gap_text_matches(given, accepted)


@pytest.mark.parametrize(
    ("given", "accepted"),
    [
        ("range(4)", "range(3)"),
        ("range(3,)", "range(3)"),
        ("Range(3)", "range(3)"),
        ("'a  b'", "'a b'"),  # spacing inside a string literal is part of the token
        ("", "range(3)"),
    ],
)
def test_gap_text_matches_rejects_different_tokens(given, accepted):
    assert not gap_text_matches(given, accepted)


def test_gap_text_that_is_not_python_matches_its_trimmed_text_exactly():
    # An unclosed bracket cannot be tokenized, so the trimmed texts are compared as they are.
    assert gap_text_matches("  print(  ", "print(")
    assert not gap_text_matches("print (", "print(")
    assert not gap_text_matches("x = (1 ,", "x = (1,")


def test_gap_text_with_characters_python_cannot_tokenize_is_compared_exactly():
    assert not gap_text_matches("$ x", "$x")


def by_text(question: Question, *texts: str) -> list[int]:
    answers = {answer.text: answer.pk for answer in question.answers.all()}
    return [answers[text] for text in texts]


@pytest.mark.django_db
class TestInsert:
    def test_the_keyed_line_earns_all_points(self):
        question = make_question(kind="insert", points=20)

        assert score(question, choice_ids=by_text(question, "total += n")) == Score(20, True)

    def test_another_line_or_none_earns_nothing(self):
        question = make_question(kind="insert", points=20)

        assert score(question, choice_ids=by_text(question, "total = n")) == Score(0, False)
        assert score(question, choice_ids=[]) == Score(0, False)


@pytest.mark.django_db
class TestLines:
    def test_each_right_line_earns_points_over_choose(self):
        question = make_question(kind="lines", points=20)  # lines 2 and 4 raise

        assert score(question, choice_ids=by_text(question, "2", "4")) == Score(20, True)
        assert score(question, choice_ids=by_text(question, "2", "3")) == Score(10, False)
        assert score(question, choice_ids=by_text(question, "3")) == Score(0, False)


@pytest.mark.django_db
class TestTiles:
    def test_every_gap_holding_its_tile_earns_all_points(self):
        question = make_question(kind="tiles", points=20)  # gap 1 "range", gap 2 "*"

        assert score(question, gap_texts=["range", "*"]) == Score(20, is_correct=True)

    def test_each_gap_earns_its_share_and_spare_tiles_count_no_gap(self):
        question = make_question(kind="tiles", points=20)

        assert score(question, gap_texts=["range", "**"]) == Score(10, is_correct=False)
        assert score(question, gap_texts=["", "*"]) == Score(10, is_correct=False)
        assert score(question, gap_texts=["list", "**"]) == Score(0, is_correct=False)

    def test_the_text_must_equal_the_tile_exactly(self):
        question = make_question(kind="tiles", points=20)

        # Unlike typed gaps, no token matching: " range" is not a tile.
        assert score(question, gap_texts=[" range", "*"]) == Score(10, is_correct=False)
        assert score(question, gap_texts=["*", "range"]) == Score(0, is_correct=False)
