"""The near-duplicate detector: same code and key once user names are renamed away."""

import pytest

from exams.bank import bank_coverage
from exams.models import Question
from exams.near_duplicates import (
    Item,
    Option,
    find_near_duplicates,
    items_from_questions,
    normalise_code,
)
from exams.tests.factories import AnswerFactory, QuestionFactory, make_question

PRICES = """\
prices = [10, 20, 30]
for p in prices:
    p = p * 2  # rebinding only
print(prices)
"""
# The same program with every user name changed and the layout and comments changed.
COSTS = """\
costs = [10, 20, 30]

for c in costs:
    c = c*2
print( costs )
"""
# One literal differs: a different item.
COSTS_OTHER_LITERAL = COSTS.replace("c*2", "c*3")


def output_item(item_id: str, code: str, key: str = "[10, 20, 30]") -> Item:
    return Item(
        id=item_id,
        code=code,
        options=(Option(key, correct=True), Option("[20, 40, 60]"), Option("60")),
    )


def test_renaming_every_user_name_keeps_builtins_keywords_and_literals():
    assert normalise_code(PRICES) == normalise_code(COSTS)
    assert normalise_code(PRICES) == (
        "v1 = [ 10 , 20 , 30 ] for v2 in v1 : v2 = v2 * 2 print ( v1 )"
    )


def test_a_pair_that_differs_only_in_names_is_found():
    pairs = find_near_duplicates([output_item("q-a", PRICES), output_item("q-b", COSTS)])
    assert [str(pair) for pair in pairs] == ["q-a / q-b (same code after renaming)"]


def test_a_pair_that_differs_in_a_literal_is_not_found():
    items = [output_item("q-a", PRICES), output_item("q-b", COSTS_OTHER_LITERAL, "[10, 20, 30]")]
    assert find_near_duplicates(items) == []


def test_string_literals_compare_by_value_but_keyword_arguments_of_builtins_are_kept():
    assert normalise_code("print('a', end='')") == normalise_code('print("a", end="")')
    assert normalise_code("print(1, end=' ')") != normalise_code("print(1, sep=' ')")
    assert normalise_code("x.append(1)") == normalise_code("y.append(1)")
    assert normalise_code("x.append(1)") != normalise_code("x.extend(1)")


def test_the_same_code_with_a_different_key_is_not_a_duplicate():
    code = "x = input()\nprint(x * 2)\n"
    assert (
        find_near_duplicates([output_item("q-a", code, "44"), output_item("q-b", code, "8")]) == []
    )


def test_prose_items_compare_stem_and_answer_texts():
    def prose(item_id: str, stem: str) -> Item:
        return Item(
            id=item_id,
            text=stem,
            verify_mode="none",
            options=(Option("An interpreter", correct=True), Option("A compiler")),
        )

    same = [prose("q-a", "What runs **source** code?"), prose("q-b", "what runs source  code?")]
    assert [pair.reason for pair in find_near_duplicates(same)] == ["same stem and answers"]
    other = [prose("q-a", "What runs source code?"), prose("q-b", "What translates it?")]
    assert find_near_duplicates(other) == []


def test_a_gap_item_whose_finished_program_is_an_existing_item_is_found():
    gap = Item(
        id="q-gap",
        kind="gap",
        code="costs = [10, 20, 30]\nfor c in costs:\n    c = c * {{1}}\nprint(costs)\n",
        options=(Option("2", correct=True, gap=1),),
        expected_output="[10, 20, 30]",
    )
    pairs = find_near_duplicates([output_item("q-single", PRICES), gap])
    assert [str(pair) for pair in pairs] == [
        "q-single / q-gap (same program and output after renaming)"
    ]


def test_code_that_does_not_tokenize_is_compared_as_text():
    assert normalise_code('print("open') == 'print("open'


@pytest.mark.django_db
def test_bank_report_lists_near_duplicates_in_the_active_bank():
    first = make_question(code_snippet=PRICES, original_id="q-first")
    second = make_question(code_snippet=COSTS, original_id="q-second")
    third = make_question(code_snippet=COSTS_OTHER_LITERAL, original_id="q-third")
    assert [
        str(pair) for pair in find_near_duplicates(items_from_questions([first, second, third]))
    ] == ["q-first / q-second (same code after renaming)"]
    coverage = bank_coverage()
    assert "near-duplicates: q-first / q-second (same code after renaming)" in coverage.failures
    Question.objects.filter(pk=second.pk).update(is_active=False)
    assert not any(failure.startswith("near-duplicates") for failure in bank_coverage().failures)


@pytest.mark.django_db
def test_items_from_questions_reads_tiles_with_their_gaps():
    question = QuestionFactory(kind="tiles", code_snippet="print({{1}}(3))\n", expected_output="3")
    AnswerFactory(question=question, text="int", is_correct=True, gap_number=1, answer_order=1)
    AnswerFactory(question=question, text="str", answer_order=2)
    (item,) = items_from_questions([question])
    assert item.kind == "tiles"
    assert [(option.text, option.gap) for option in item.options] == [("int", 1), ("str", None)]
