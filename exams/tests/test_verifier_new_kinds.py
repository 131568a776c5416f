"""The verifier's checks for tiles, code insertion and select-the-lines items: each test
would pass a wrong key if the check were missing, so each one gives the check a wrong key."""

import pytest

from exams.verifier import ERROR, MISMATCH, VERIFIED, verify_question

pytestmark = pytest.mark.usefixtures("jail")

TILES = {
    "id": "t",
    "kind": "tiles",
    "verify": "output",
    "code": "for i in {{1}}(3):\n    print(i {{2}} 2, end=' ')\n",
    "output": "0 2 4 ",
    "tiles": [
        {"text": "range", "gap": 1},
        {"text": "*", "gap": 2},
        {"text": "list"},
        {"text": "**"},
    ],
}


def test_tiles_in_their_gaps_print_the_output():
    assert verify_question(TILES).status == VERIFIED


def test_a_tile_keyed_to_the_wrong_gap_is_a_mismatch():
    wrong = {**TILES, "tiles": [{**TILES["tiles"][0]}, {"text": "**", "gap": 2}, {"text": "*"}]}
    result = verify_question(wrong)
    assert result.status == MISMATCH
    assert "'0 1 4 '" in result.problems[0].message


def test_a_spare_tile_that_also_works_makes_the_key_ambiguous():
    # 2 * 2 and 2 + 2 are both 4: a learner dropping "+" would be marked wrong for a right answer.
    ambiguous = {
        **TILES,
        "code": "print(2 {{1}} 2)\n",
        "output": "4",
        "tiles": [{"text": "*", "gap": 1}, {"text": "+"}, {"text": "-"}],
    }
    result = verify_question(ambiguous)
    assert result.status == MISMATCH
    assert "'+' also prints the expected output" in result.problems[0].message


INSERT = {
    "id": "i",
    "kind": "insert",
    "verify": "output",
    "code": "total = 0\nfor n in range(4):\n    # insert here\nprint(total)\n",
    "output": "6",
    "answers": [
        {"text": "total += n", "correct": True},
        {"text": "total = n"},
        {"text": "total += 1"},
    ],
}


def test_the_keyed_line_in_place_of_the_marker_prints_the_output():
    assert verify_question(INSERT).status == VERIFIED


def test_an_inserted_line_is_indented_like_the_marker():
    # Unindented, "total += n" would run once after the loop and print 3: keyed wrong.
    answers = [{"text": "total += n"}, {"text": "total += 2", "correct": True}]
    result = verify_question({**INSERT, "output": "8", "answers": answers})
    assert result.status == VERIFIED


def test_an_insert_key_on_the_wrong_line_is_a_mismatch():
    answers = [{"text": "total += n"}, {"text": "total = n", "correct": True}]
    result = verify_question({**INSERT, "answers": answers})
    assert result.status == MISMATCH
    assert len(result.problems) == 2


RAISING = {
    "id": "l",
    "kind": "lines",
    "verify": "output",
    "select": "raises",
    "code": "items = [1, 2, 3]\nprint(items[3])\nprint(items[-3])\nprint(int('3.0'))\n",
    "answers": [{"line": 2, "correct": True}, {"line": 3}, {"line": 4, "correct": True}],
}


def test_raising_lines_are_found_even_after_an_earlier_line_raised():
    # Line 4 runs although line 2 raised: each statement runs on its own, as in a session.
    assert verify_question(RAISING).status == VERIFIED


def test_a_line_keyed_as_raising_that_runs_is_a_mismatch():
    answers = [{"line": 2, "correct": True}, {"line": 3, "correct": True}, {"line": 4}]
    result = verify_question({**RAISING, "answers": answers})
    assert result.status == MISMATCH
    assert {problem.message.split(" is ")[0] for problem in result.problems} == {
        "answer b (line 3)",
        "answer c (line 4)",
    }


def test_an_exception_inside_a_function_is_the_line_of_the_call():
    code = "def half(n):\n    return 10 / n\nprint(half(2))\nprint(half(0))\n"
    answers = [{"line": 2}, {"line": 3}, {"line": 4, "correct": True}]
    question = {**RAISING, "code": code, "answers": answers}
    assert verify_question(question).status == VERIFIED


UNEXECUTED = {
    "id": "u",
    "kind": "lines",
    "verify": "output",
    "select": "unexecuted",
    "code": "def f(x):\n    if x > 0:\n        return 1\n    return 2\nprint(f(5))\n",
    "answers": [{"line": 3}, {"line": 4, "correct": True}, {"line": 5}],
}


def test_lines_that_never_run_are_found_by_tracing():
    assert verify_question(UNEXECUTED).status == VERIFIED


def test_a_line_keyed_as_never_running_that_runs_is_a_mismatch():
    answers = [{"line": 3, "correct": True}, {"line": 4}, {"line": 5}]
    assert verify_question({**UNEXECUTED, "answers": answers}).status == MISMATCH


def test_code_that_does_not_compile_cannot_be_checked_line_by_line():
    result = verify_question({**RAISING, "code": "print(1\nprint(2)\n"})
    assert result.status == ERROR
