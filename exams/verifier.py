"""Checks each question's answer key against what its code really does when run."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .isolation import SandboxUnavailable, require_isolation
from .sandbox import RunResult, run_snippet

__all__ = [
    "MISMATCH",
    "NOT_VERIFIABLE",
    "VERIFIED",
    "Problem",
    "QuestionResult",
    "RunResult",
    "SandboxUnavailable",
    "run_snippet",
    "summarize",
    "verify_question",
    "verify_questions",
]

VERIFIED = "verified"
MISMATCH = "mismatch"
ERROR = "error"  # the key could not be checked: the code could not run, or lacks a part
NOT_VERIFIABLE = "not_verifiable"
STATUSES = (VERIFIED, MISMATCH, ERROR, NOT_VERIFIABLE)
# Part of every cached verdict's key: bump it when a check changes what it decides.
VERIFIER_VERSION = "2"

from exams.content.rules import GAP_PATTERN, INSERT_LINE_PATTERN  # noqa: E402  (one definition)

MESSAGE_TEXT_LIMIT = 120  # long outputs are cut short when quoted in a message


@dataclass(frozen=True)
class Problem:
    """One disagreement between the key and the code, worded for the question's author."""

    message: str
    expected: str = ""
    actual: str = ""
    is_error: bool = False  # the check could not be made (rather than: it failed)


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    objective: str
    status: str  # one of STATUSES
    problems: tuple[Problem, ...] = ()


class MalformedQuestion(ValueError):
    """The question lacks something its kind or verify mode needs."""


def verify_question(question: Mapping[str, Any]) -> QuestionResult:
    """Run a question's code as its `verify` mode says and compare with its key."""
    question_id = str(question.get("id", "?"))
    objective = str(question.get("objective", "?"))
    mode, kind = question.get("verify"), question.get("kind")
    if mode == "none":
        return QuestionResult(question_id, objective, NOT_VERIFIABLE)
    check = _CHECKS.get((kind, mode))
    try:
        if check is None:
            raise MalformedQuestion(f"verify '{mode}' is not defined for kind '{kind}'")
        problems = tuple(check(question))
    except MalformedQuestion as error:
        problems = (Problem(f"cannot verify: {error}", is_error=True),)
    if not problems:
        status = VERIFIED
    elif all(problem.is_error for problem in problems):
        status = ERROR
    else:
        status = MISMATCH
    return QuestionResult(question_id, objective, status, problems)


def verify_questions(
    questions: Iterable[Mapping[str, Any]], *, workers: int | None = None
) -> list[QuestionResult]:
    """Verify many questions at once; the results come back in the input order.

    Raises SandboxUnavailable before running anything where the jail cannot be built.
    """
    require_isolation()
    # Threads are enough: each one mostly waits on its own child processes.
    workers = workers or max(2, os.cpu_count() or 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(verify_question, questions))


def summarize(results: Iterable[QuestionResult]) -> dict[str, Any]:
    """Counts per status (plus `total`), overall and per objective in syllabus order."""
    overall = _empty_counts()
    by_objective: dict[str, dict[str, int]] = {}
    for result in results:
        for counts in (overall, by_objective.setdefault(result.objective, _empty_counts())):
            counts[result.status] += 1
            counts["total"] += 1
    ordered = dict(sorted(by_objective.items(), key=lambda item: _objective_order(item[0])))
    return {"overall": overall, "by_objective": ordered}


def _empty_counts() -> dict[str, int]:
    return {status: 0 for status in (*STATUSES, "total")}


def _objective_order(objective: str) -> tuple:
    # "1.10" sorts after "1.9"; anything unexpected goes last, alphabetically.
    parts = objective.split(".")
    if all(part.isdigit() for part in parts):
        return (0, tuple(int(part) for part in parts))
    return (1, objective)


# --- checks per (kind, verify) --------------------------------------------------------


def _check_output_key(question: Mapping[str, Any]) -> list[Problem]:
    """`output` for single/multiple: the options that describe what the code does."""
    run = _run(question, _required(question, "code"))
    if run.failure:
        return [_isolation_problem("the code", run)]
    did = _what_it_did(run)
    problems = []
    for label, answer in _answers(question):
        keyed = answer.get("correct") is True
        if keyed == _describes(answer, run):
            continue
        claim = _claim(answer)
        if keyed:
            message = f"answer {label} is keyed correct but the code {did} (the answer: {claim})"
        else:
            message = f"answer {label} is not keyed correct but the code {did}, just as it says"
        problems.append(Problem(message, expected=_keyed_as(keyed, claim), actual=did))
    return problems


def _describes(answer: Mapping[str, Any], run: RunResult) -> bool:
    raises = answer.get("raises")
    if run.exception is not None:
        # `raises: ArithmeticError` also describes a ZeroDivisionError.
        return raises == "any" or (raises is not None and str(raises) in run.exception_mro)
    return raises is None and _normalise(answer.get("text")) == _normalise(run.stdout)


def _check_expressions(question: Mapping[str, Any]) -> list[Problem]:
    """Each answer is an expression evaluated after the code: True exactly when keyed."""

    def outcome(answer: Mapping[str, Any]) -> tuple[bool, str] | RunResult:
        run = _run(question, question.get("code") or "", evaluate=_text(answer))
        if run.failure:
            return run
        if run.exception:
            return False, f"raises {_exception_line(run)}"
        return run.value_is_true, f"evaluates to {run.value_repr}"

    return _check_each_answer(question, outcome, "evaluates to True")


def _check_runs(question: Mapping[str, Any]) -> list[Problem]:
    """Each answer is code run after the code: error-free exactly when keyed."""

    def outcome(answer: Mapping[str, Any]) -> tuple[bool, str] | RunResult:
        run = _run(question, _after_code(question, _text(answer)))
        if run.failure:
            return run
        if run.exception:
            return False, f"raises {_exception_line(run)}"
        return True, "runs without error"

    return _check_each_answer(question, outcome, "runs without error")


def _check_prints(question: Mapping[str, Any]) -> list[Problem]:
    """Each answer is a program run after the code: prints `output` exactly when keyed."""
    wanted = _normalise(_required(question, "output"))
    correct_behaviour = f"prints {_quote(wanted)}"

    def outcome(answer: Mapping[str, Any]) -> tuple[bool, str] | RunResult:
        run = _run(question, _after_code(question, _text(answer)))
        if run.failure:
            return run
        # A program that prints the output and then crashes does not "print the output".
        return run.exception is None and _normalise(run.stdout) == wanted, _what_it_did(run)

    return _check_each_answer(question, outcome, correct_behaviour)


def _check_each_answer(
    question: Mapping[str, Any],
    outcome: Callable[[Mapping[str, Any]], tuple[bool, str] | RunResult],
    correct_behaviour: str,
) -> list[Problem]:
    """Run every answer on its own: `correct_behaviour` must hold exactly for keyed ones."""
    problems = []
    for label, answer in _answers(question):
        result = outcome(answer)
        if isinstance(result, RunResult):
            problems.append(_isolation_problem(f"answer {label}", result))
            continue
        holds, what_happened = result
        keyed = answer.get("correct") is True
        if holds != keyed:
            state = "keyed correct" if keyed else "not keyed correct"
            problems.append(
                Problem(
                    f"answer {label} is {state} but {what_happened}",
                    expected=_keyed_as(keyed, correct_behaviour),
                    actual=what_happened,
                )
            )
    return problems


def _check_order(question: Mapping[str, Any]) -> list[Problem]:
    """The answers, in key order, complete the program that prints `output`."""
    answers = _answers(question)
    program = _after_code(question, "\n".join(_text(answer) for _, answer in answers))
    run = _run(question, program)
    labels = ", ".join(label for label, _ in answers)
    return _compare_output(question, run, f"in key order ({labels}) the program")


def _check_gaps(question: Mapping[str, Any]) -> list[Problem]:
    """Every accepted answer of every gap (the others at their first) prints `output`."""
    code = _required(question, "code")
    accepted = [[str(text) for text in gap["accepted"]] for gap in _gaps(question)]
    numbers = {int(number) for number in GAP_PATTERN.findall(code)}
    if numbers != set(range(1, len(accepted) + 1)) or not all(accepted):
        raise MalformedQuestion(
            f"the code has gaps {sorted(numbers)} but {len(accepted)} gaps list accepted answers"
        )
    problems, tried = [], set()
    for gap_index, texts in enumerate(accepted):
        for text in texts:
            fills = [choices[0] for choices in accepted]
            fills[gap_index] = text
            if tuple(fills) in tried:
                continue  # the all-first-answers program comes up once per gap
            tried.add(tuple(fills))
            run = _run(question, _fill_gaps(code, fills))
            subject = f"with gap {gap_index + 1} filled with {text!r} the program"
            problems += _compare_output(question, run, subject)
    return problems


def _fill_gaps(code: str, fills: list[str]) -> str:
    """`code` with each {{n}} replaced, character for character, by fills[n - 1]."""
    return GAP_PATTERN.sub(lambda match: fills[int(match.group(1)) - 1], code)


def _compare_output(question: Mapping[str, Any], run: RunResult, subject: str) -> list[Problem]:
    wanted = _required(question, "output")
    if run.failure:
        return [_isolation_problem(subject, run)]
    if run.exception is None and _normalise(run.stdout) == _normalise(wanted):
        return []
    return [
        Problem(
            f"{subject} {_what_it_did(run)}, not the expected output {_quote(wanted)}",
            expected=_normalise(wanted),
            actual=f"raises {run.exception}" if run.exception else _normalise(run.stdout),
        )
    ]


def _check_tiles(question: Mapping[str, Any]) -> list[Problem]:
    """The code with every gap holding its tile prints `output`, and no other tile of the pool
    in any one gap does too (that would make the key ambiguous)."""
    code = _required(question, "code")
    tiles = question.get("tiles")
    if not isinstance(tiles, list) or not all(isinstance(tile, Mapping) for tile in tiles):
        raise MalformedQuestion("the tiles must be a list of mappings")
    keyed: dict[int, str] = {}
    for tile in tiles:
        if tile.get("gap") is not None:
            keyed[int(tile["gap"])] = str(tile.get("text", ""))
    numbers = {int(number) for number in GAP_PATTERN.findall(code)}
    if not numbers or numbers != set(keyed):
        raise MalformedQuestion(f"the code has gaps {sorted(numbers)}; tiles fill {sorted(keyed)}")
    fills = [keyed[number] for number in sorted(keyed)]
    run = _run(question, _fill_gaps(code, fills))
    problems = _compare_output(question, run, "with every gap holding its tile the program")
    wanted = _normalise(_required(question, "output"))
    for number in sorted(keyed):
        for tile in tiles:
            text = str(tile.get("text", ""))
            if text == keyed[number]:
                continue
            trial = list(fills)
            trial[number - 1] = text
            run = _run(question, _fill_gaps(code, trial))
            if run.failure:
                problems.append(_isolation_problem(f"gap {number} holding {text!r}", run))
            elif run.exception is None and _normalise(run.stdout) == wanted:
                problems.append(
                    Problem(
                        f"gap {number} holding the tile {text!r} also prints the expected output: "
                        "the key is ambiguous",
                        expected=f"only {keyed[number]!r} in gap {number} prints {_quote(wanted)}",
                        actual=f"{text!r} prints it too",
                    )
                )
    return problems


def _insert(code: str, line: str) -> str:
    """`code` with its `# insert here` line replaced by `line`, at the marker's indentation."""
    match = INSERT_LINE_PATTERN.search(code)
    if match is None:
        raise MalformedQuestion("the code has no line '# insert here'")
    indent = match.group(1)
    block = "\n".join(indent + part for part in line.splitlines() or [""])
    return code[: match.start()] + block + code[match.end() :]


def _check_insert(question: Mapping[str, Any]) -> list[Problem]:
    """Each option in place of the marker: prints `output` exactly for the keyed option."""
    code = _required(question, "code")
    wanted = _normalise(_required(question, "output"))

    def outcome(answer: Mapping[str, Any]) -> tuple[bool, str] | RunResult:
        run = _run(question, _insert(code, _text(answer)))
        if run.failure:
            return run
        return run.exception is None and _normalise(run.stdout) == wanted, _what_it_did(run)

    return _check_each_answer(question, outcome, f"prints {_quote(wanted)}")


# Select the lines: the question's code runs inside a small driver, which leaves the lines it
# found in `found_lines` for the harness to evaluate (so the snippet's own output is untouched).
_RAISING_LINES_DRIVER = """import ast as _ast
found_lines = []
_namespace = {"__name__": "__main__"}
for _statement in _ast.parse(_source).body:
    _code = compile(_ast.Module([_statement], []), "<question>", "exec")
    try:
        exec(_code, _namespace)
    except Exception as _error:
        _line, _tb = _statement.lineno, _error.__traceback__
        while _tb is not None:
            if _tb.tb_frame.f_code.co_filename == "<question>":
                _line = _tb.tb_lineno
                break
            _tb = _tb.tb_next
        found_lines.append(_line)
del _ast, _namespace, _statement, _code
"""
_UNEXECUTED_LINES_DRIVER = """import sys as _sys
_ran = set()
def _trace(frame, event, arg):
    if frame.f_code.co_filename != "<question>":
        return None
    if event == "line":
        _ran.add(frame.f_lineno)
    return _trace
_sys.settrace(_trace)
try:
    exec(compile(_source, "<question>", "exec"), {"__name__": "__main__"})
except Exception:
    pass
finally:
    _sys.settrace(None)
found_lines = sorted(set(range(1, _source.count(chr(10)) + 2)) - _ran)
"""
LINE_DRIVERS = {"raises": _RAISING_LINES_DRIVER, "unexecuted": _UNEXECUTED_LINES_DRIVER}
LINE_RULE_WORDS = {"raises": "raises an exception", "unexecuted": "never runs"}


def _check_lines(question: Mapping[str, Any]) -> list[Problem]:
    """The keyed lines are exactly the offered lines that raise (or never run)."""
    code = _required(question, "code")
    rule = str(question.get("select") or "")
    if rule not in LINE_DRIVERS:
        raise MalformedQuestion("'select' must be raises or unexecuted")
    try:
        ast.parse(code)
    except SyntaxError as error:
        message = f"the code does not compile: {error.msg} (line {error.lineno})"
        raise MalformedQuestion(message) from None
    run = _run(question, f"_source = {code!r}\n" + LINE_DRIVERS[rule], evaluate="found_lines")
    if run.failure:
        return [_isolation_problem("the code", run)]
    if run.exception or run.value_repr is None:
        return [Problem(f"the line check could not finish: {_what_it_did(run)}", is_error=True)]
    found = set(ast.literal_eval(run.value_repr))
    problems = []
    for label, answer in _answers(question):
        line = int(str(answer.get("line", answer.get("text", "0"))))
        keyed = answer.get("correct") is True
        holds = line in found
        if holds != keyed:
            what = LINE_RULE_WORDS[rule] if holds else f"does not: it {_opposite(rule)}"
            state = "keyed correct" if keyed else "not keyed correct"
            problems.append(
                Problem(
                    f"answer {label} (line {line}) is {state} but the line {what}",
                    expected=_keyed_as(keyed, f"line {line} {LINE_RULE_WORDS[rule]}"),
                    actual=f"lines that {LINE_RULE_WORDS[rule].split()[0]}: {sorted(found)}",
                )
            )
    return problems


def _opposite(rule: str) -> str:
    return "runs without raising" if rule == "raises" else "runs"


_CHECKS: dict[tuple[str, str], Callable[[Mapping[str, Any]], list[Problem]]] = {
    ("single", "output"): _check_output_key,
    ("multiple", "output"): _check_output_key,
    ("single", "expressions"): _check_expressions,
    ("multiple", "expressions"): _check_expressions,
    ("single", "runs"): _check_runs,
    ("multiple", "runs"): _check_runs,
    ("single", "prints"): _check_prints,
    ("multiple", "prints"): _check_prints,
    ("order", "output"): _check_order,
    ("gap", "output"): _check_gaps,
    ("tiles", "output"): _check_tiles,
    ("insert", "output"): _check_insert,
    ("lines", "output"): _check_lines,
}


# --- helpers ---------------------------------------------------------------------------


def _run(question: Mapping[str, Any], source: str, *, evaluate: str | None = None) -> RunResult:
    return run_snippet(source, stdin=str(question.get("stdin") or ""), evaluate=evaluate)


def _required(question: Mapping[str, Any], key: str) -> str:
    value = question.get(key)
    if value is None or value == "":
        raise MalformedQuestion(f"the question has no '{key}'")
    return str(value)


def _answers(question: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(label, answer) pairs; the label is the answer's id, or a, b, c... by position."""
    answers = question.get("answers")
    if not isinstance(answers, list) or not answers:
        raise MalformedQuestion("the question has no answers")
    if not all(isinstance(answer, Mapping) for answer in answers):
        raise MalformedQuestion("every answer must be a mapping")
    return [
        (str(answer.get("id") or chr(ord("a") + index)), answer)
        for index, answer in enumerate(answers)
    ]


def _gaps(question: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    gaps = question.get("gaps")
    if not isinstance(gaps, list) or not all(
        isinstance(gap, Mapping) and isinstance(gap.get("accepted"), list) for gap in gaps
    ):
        raise MalformedQuestion("the gaps must be a list of mappings with `accepted` lists")
    return gaps


def _text(answer: Mapping[str, Any]) -> str:
    return str(answer.get("text", ""))


def _after_code(question: Mapping[str, Any], text: str) -> str:
    """The question's code (if any) followed by `text`, as one program."""
    code = str(question.get("code") or "")
    if code and not code.endswith("\n"):
        code += "\n"
    return code + text


def _normalise(text: Any) -> str:
    # Only trailing newlines are ignored: every other character of the output counts.
    return str(text if text is not None else "").rstrip("\n")


def _quote(text: Any) -> str:
    quoted = repr(_normalise(text))
    if len(quoted) > MESSAGE_TEXT_LIMIT:
        quoted = quoted[: MESSAGE_TEXT_LIMIT - 3] + "..."
    return quoted


def _claim(answer: Mapping[str, Any]) -> str:
    """What an option of a `verify: output` question says the code does."""
    raises = answer.get("raises")
    if raises == "any":
        return "raises an exception"
    if raises is not None:
        return f"raises {raises}"
    return f"prints {_quote(answer.get('text'))}"


def _keyed_as(keyed: bool, behaviour: str) -> str:
    """What the key claims about an answer, for Problem.expected."""
    return behaviour if keyed else f"anything but: {behaviour}"


def _what_it_did(run: RunResult) -> str:
    if run.exception:
        return f"raises {run.exception}"
    return f"prints {_quote(run.stdout)}"


def _exception_line(run: RunResult) -> str:
    """The exception with its message, from the last line of the traceback."""
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    if lines and lines[-1].startswith(str(run.exception)):
        return lines[-1][:MESSAGE_TEXT_LIMIT]
    return str(run.exception)


def _isolation_problem(subject: str, run: RunResult) -> Problem:
    return Problem(
        f"{subject} could not be run safely: {run.failure}",
        expected="a run within the sandbox limits",
        actual=str(run.failure),
        is_error=True,
    )
