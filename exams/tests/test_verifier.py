"""Tests for the answer-key verifier: the sandbox's limits and the checks per verify mode."""

import ast
import pathlib
import time
import uuid
from functools import cache

import pytest
import yaml

from exams.tests.jail import no_jailed_process_left, outside_path
from exams.verifier import (
    ERROR,
    MISMATCH,
    NOT_VERIFIABLE,
    VERIFIED,
    QuestionResult,
    run_snippet,
    summarize,
    verify_question,
    verify_questions,
)

pytestmark = pytest.mark.usefixtures("jail")

FIXTURES = pathlib.Path(__file__).parent / "verifier_fixtures"


def fixture_questions(file_name: str) -> list[dict]:
    return yaml.safe_load((FIXTURES / file_name).read_text(encoding="utf-8"))["questions"]


@cache
def fixture_results(file_name: str) -> dict[str, QuestionResult]:
    """Verify a fixture file once (in parallel) and index the results by question id."""
    return {result.question_id: result for result in verify_questions(fixture_questions(file_name))}


def escape_path() -> pathlib.Path:
    return outside_path(f"verifier-escape-{uuid.uuid4().hex}.txt")


# --- isolation --------------------------------------------------------------------------


def test_endless_loop_is_stopped_by_the_wall_clock():
    source = "import os\nprint(os.getpid(), flush=True)\nwhile True:\n    pass\n"
    started = time.monotonic()
    result = run_snippet(source, timeout_seconds=1)
    assert time.monotonic() - started < 4
    assert result.timed_out
    assert "timed out after 1 seconds" in result.failure
    assert no_jailed_process_left()


def test_huge_allocation_reports_memory_error():
    result = run_snippet("x = [0] * 10**10")
    assert result.exception == "MemoryError"
    assert "memory" in result.failure


def test_growing_memory_hits_the_limit():
    source = "chunks = []\nwhile True:\n    chunks.append(bytearray(10**6))\n"
    result = run_snippet(source, memory_bytes=128 * 1024 * 1024)
    assert result.exception == "MemoryError"
    assert "ran out of memory (limit 128 MiB)" in result.failure


def test_fork_is_refused_and_leaves_no_child():
    source = (
        "import os, time\nprint(os.getpid(), flush=True)\nif os.fork() == 0:\n    time.sleep(60)\n"
    )
    result = run_snippet(source)
    assert result.exception == "PermissionError"
    assert "forbidden operation: os.fork" in result.failure
    assert no_jailed_process_left()


@pytest.mark.parametrize(
    "source",
    [
        "import subprocess\nsubprocess.run(['sleep', '60'])",
        "import os\nos.system('sleep 60')",
        "import os\nos.execv('/bin/sleep', ['sleep', '60'])",
        "import os\nos.posix_spawn('/bin/sleep', ['sleep', '60'], {})",
        "import multiprocessing\nmultiprocessing.Process(target=print).start()",
        "import os, signal\nos.kill(os.getppid(), signal.SIGTERM)",
    ],
)
def test_other_ways_to_start_or_signal_processes_are_refused(source):
    result = run_snippet(source)
    assert "forbidden operation" in result.failure
    assert result.exception == "PermissionError"


@pytest.mark.parametrize(
    "template",
    [
        "open({path!r}, 'w').write('escaped')",
        "open({path!r}, 'a').write('escaped')",
        "import pathlib\npathlib.Path({path!r}).write_text('escaped')",
        "import os\nos.open({path!r}, os.O_CREAT | os.O_WRONLY)",
        "open('in.txt', 'w').write('x')\nimport shutil\nshutil.copyfile('in.txt', {path!r})",
        "open('in.txt', 'w').write('x')\nimport os\nos.rename('in.txt', {path!r})",
        "import os\nos.symlink({path!r}, 'link')\nopen('link', 'w').write('escaped')",
        "open('../' + {name!r}, 'w').write('escaped')",
    ],
)
def test_writing_outside_the_temporary_directory_is_refused(template):
    path = escape_path()
    result = run_snippet(template.format(path=str(path), name=path.name))
    assert result.exception == "PermissionError"
    assert "forbidden operation" in result.failure
    assert not path.exists()


def test_removing_a_file_outside_is_refused():
    victim = escape_path()
    victim.write_text("precious")
    try:
        result = run_snippet(f"import os\nos.remove({str(victim)!r})")
        assert "forbidden operation: os.remove" in result.failure
        assert victim.read_text() == "precious"
    finally:
        victim.unlink()


def test_writing_inside_the_temporary_directory_is_allowed():
    source = (
        "with open('notes.txt', 'w') as f:\n    f.write('kept')\nprint(open('notes.txt').read())\n"
    )
    result = run_snippet(source)
    assert (result.stdout, result.exception, result.failure) == ("kept\n", None, None)


@pytest.mark.parametrize(
    "source",
    [
        "import socket\nsocket.create_connection(('127.0.0.1', 9))",
        "import socket\nsocket.socket()",
        "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9/')",
    ],
)
def test_network_sockets_are_refused(source):
    result = run_snippet(source)
    assert "forbidden operation: socket." in result.failure


@pytest.mark.parametrize(
    ("source", "stream"),
    [
        ("print('x' * 10_000_000)", "stdout"),
        ("import sys\nsys.stderr.write('x' * 10_000_000)", "stderr"),
    ],
)
def test_flooding_output_is_cut_off(source, stream):
    started = time.monotonic()
    result = run_snippet(source)
    assert time.monotonic() - started < 4
    assert f"output too large: more than 65536 bytes on {stream}" in result.failure
    assert len(result.stdout) <= 64 * 1024


@pytest.mark.parametrize(
    ("source", "refused"),
    [
        ("import ctypes", "import ctypes"),
        ("import resource\nresource.setrlimit(resource.RLIMIT_CPU, (-1, -1))", "setrlimit"),
        ("import os\nfd = os.open('/', os.O_RDONLY)", "open the directory"),
    ],
)
def test_ways_around_the_sandbox_are_refused(source, refused):
    result = run_snippet(source)
    assert refused in result.failure


def test_snippet_gets_an_empty_environment_and_a_fresh_directory_each_run():
    source = (
        "import os\nprint(dict(os.environ))\nprint(os.listdir())\nprint(os.getcwd())\n"
        "open('left-behind.txt', 'w').write('x')"
    )
    first, second = run_snippet(source), run_snippet(source)
    environment, listing, cwd = second.stdout.splitlines()
    # Python adds LC_CTYPE when it coerces the C locale (PEP 538), bwrap the PWD it set.
    assert set(ast.literal_eval(environment)) <= {"LC_CTYPE", "PWD"}
    assert ast.literal_eval(environment).get("PWD", "/tmp") == "/tmp"
    assert listing == "[]"  # the first run's file went with its tmpfs
    assert (cwd, first.failure, second.failure) == ("/tmp", None, None)


def test_stdin_is_fed_to_input():
    result = run_snippet("first = input()\nsecond = input()\nprint(second, first)", stdin="x\ny\n")
    assert result.stdout == "y x\n"


def test_stdout_is_exactly_what_the_snippet_printed():
    source = 'print(\'{"done": true}\')\nprint("a", end="")\nprint("b")\n1 / 0\n'
    result = run_snippet(source)
    assert result.stdout == '{"done": true}\nab\n'
    assert result.exception == "ZeroDivisionError"
    assert result.exception_mro == (
        "ZeroDivisionError",
        "ArithmeticError",
        "Exception",
        "BaseException",
        "object",
    )
    assert result.failure is None


@pytest.mark.parametrize(
    ("source", "exception"),
    [
        ("print(1", "SyntaxError"),
        ("import sys\nsys.exit(3)", "SystemExit"),
        ("exit()", "SystemExit"),
    ],
)
def test_syntax_errors_and_exits_are_reported_as_exceptions(source, exception):
    assert run_snippet(source).exception == exception


def test_evaluate_reports_whether_the_expression_is_exactly_true():
    assert run_snippet("x = 3", evaluate="x == 3").value_is_true
    result = run_snippet("x = 3", evaluate="x and 1")
    assert (result.value_is_true, result.value_repr) == (False, "1")


# --- verification of the fixture questions -----------------------------------------------

CORRECT_IDS = [question["id"] for question in fixture_questions("correct.yaml")]

# Each deliberately wrong question and what its problems must say.
WRONG_KEYS = {
    "bad-single-key": [
        "answer a is keyed correct but the code prints '8' (the answer: prints '6')",
        "answer b is not keyed correct but the code prints '8', just as it says",
    ],
    "bad-single-distractor-equals-output": [
        "answer c is not keyed correct but the code prints '3', just as it says",
    ],
    "bad-single-raises-class": [
        "answer c is keyed correct but the code raises ValueError (the answer: raises TypeError)",
        "answer b is not keyed correct but the code raises ValueError",
    ],
    "bad-multiple-expressions": [
        "answer b is keyed correct but evaluates to False",
        "answer c is not keyed correct but evaluates to True",
    ],
    "bad-multiple-runs": [
        "answer b is keyed correct but raises TypeError: power() missing 1 required",
        "answer c is not keyed correct but runs without error",
    ],
    "bad-multiple-prints": [
        "answer b is keyed correct but prints 'None'",
        "answer c is not keyed correct but prints '[1, 2, 3]'",
    ],
    "bad-order": [
        "in key order (a, b, c, d) the program prints '2 1 0 ', not the expected output '3 2 1 '",
    ],
    "bad-gap-accepted": [
        "with gap 1 filled with '4' the program prints '0-1-2-3-', "
        "not the expected output '0-1-2-'",
    ],
}


@pytest.mark.parametrize("question_id", CORRECT_IDS)
def test_correct_keys_verify(question_id):
    result = fixture_results("correct.yaml")[question_id]
    expected = NOT_VERIFIABLE if question_id == "ok-verify-none" else VERIFIED
    assert (result.status, result.problems) == (expected, ())


def test_every_wrong_fixture_has_expected_messages():
    assert [question["id"] for question in fixture_questions("wrong.yaml")] == list(WRONG_KEYS)


@pytest.mark.parametrize("question_id", list(WRONG_KEYS))
def test_wrong_keys_are_mismatches_naming_the_answer(question_id):
    result = fixture_results("wrong.yaml")[question_id]
    assert result.status == MISMATCH
    messages = [problem.message for problem in result.problems]
    for expected in WRONG_KEYS[question_id]:
        assert any(expected in message for message in messages), messages
    assert len(messages) == len(WRONG_KEYS[question_id])


def single_output_question(question_id: str, code: str, answer: str, **extra) -> dict:
    return {
        "id": question_id,
        "objective": "1.1",
        "kind": "single",
        "verify": "output",
        "code": code,
        "answers": [{"text": answer, "correct": True}, {"text": "something else"}],
        **extra,
    }


def test_a_snippet_hitting_a_sandbox_limit_is_an_error_with_the_reason():
    question = single_output_question("q-socket", "import socket\nsocket.socket()\nprint(1)", "1")
    result = verify_question(question)
    # Not a verdict on the key: the key could not be checked, so the item is held back too.
    assert result.status == ERROR
    (problem,) = result.problems
    assert problem.message.startswith("the code could not be run safely: tried a forbidden")
    assert "socket" in problem.message


def test_verify_question_feeds_stdin():
    question = single_output_question("q-stdin", "print(input() * 2)", "abab", stdin="ab\n")
    assert verify_question(question).status == VERIFIED


def test_malformed_question_is_an_error_not_a_crash():
    missing_code = single_output_question("q-no-code", "", "1")
    unknown_mode = {**missing_code, "code": "print(1)", "verify": "guess"}
    assert verify_question(missing_code).status == ERROR
    assert (
        verify_question(missing_code).problems[0].message
        == "cannot verify: the question has no 'code'"
    )
    assert "verify 'guess' is not defined" in verify_question(unknown_mode).problems[0].message


def test_verify_questions_runs_in_parallel_and_keeps_input_order():
    # The first question sleeps longest, so in parallel it finishes last.
    sleeps = [1.2, 0.9, 0.6, 0.3]
    questions = [
        single_output_question(
            f"q-{index}", f"import time\ntime.sleep({sleep})\nprint({index})", str(index)
        )
        for index, sleep in enumerate(sleeps)
    ]
    started = time.monotonic()
    results = verify_questions(questions, workers=4)
    elapsed = time.monotonic() - started
    assert [result.question_id for result in results] == ["q-0", "q-1", "q-2", "q-3"]
    assert all(result.status == VERIFIED for result in results)
    assert elapsed < sum(sleeps) * 0.8  # one after the other would take sum(sleeps)


def test_summarize_counts_overall_and_per_objective_in_syllabus_order():
    results = [
        QuestionResult("a", "1.10", VERIFIED),
        QuestionResult("b", "1.9", MISMATCH),
        QuestionResult("c", "1.9", NOT_VERIFIABLE),
        QuestionResult("d", "1.9", VERIFIED),
    ]
    summary = summarize(results)
    assert summary["overall"] == {
        "verified": 2, "mismatch": 1, "error": 0, "not_verifiable": 1, "total": 4
    }  # fmt: skip
    assert list(summary["by_objective"]) == ["1.9", "1.10"]
    assert summary["by_objective"]["1.9"] == {
        "verified": 1,
        "mismatch": 1,
        "error": 0,
        "not_verifiable": 1,
        "total": 3,
    }
