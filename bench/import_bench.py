"""Benchmark of import_content: N generated questions into a fresh SQLite database.

Run from the project folder:

    DEBUG=true .venv/bin/python bench/import_bench.py [--questions 10000] [--per-file 2500]

It migrates a throwaway database, loads the PCEP syllabus, writes N valid questions (the four
kinds in turn, across every objective, 4 answers each) into several files, then times a first
import and a second one that has nothing to change. The target is 10,000 questions in 10 s.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0
TARGET_QUESTIONS = 10_000


def main() -> int:
    arguments = _parse_arguments()
    with tempfile.TemporaryDirectory(prefix="import-bench-") as temporary:
        workdir = Path(temporary)
        # Must be set before Django reads its settings (django.setup below).
        os.environ["DJANGO_SETTINGS_MODULE"] = "pcep_site.settings"
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        sys.path.insert(0, str(PROJECT_DIR))
        import django

        django.setup()
        return _run(arguments, workdir)


def _parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=TARGET_QUESTIONS)
    parser.add_argument(
        "--per-file", type=int, default=2500, help="Questions per file (the limit is 5000)."
    )
    arguments = parser.parse_args()
    if not 1 <= arguments.per_file <= 5000:
        parser.error("--per-file must be between 1 and 5000.")
    return arguments


def _run(arguments: argparse.Namespace, workdir: Path) -> int:
    from django.conf import settings
    from django.core.management import call_command

    from exams.content.importing import import_content
    from exams.models import Answer, Question, Topic

    # DEBUG=true is only there to allow the development SECRET_KEY; a debug cursor would
    # record every statement, which production imports do not pay for.
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    call_command("load_syllabus", stdout=io.StringIO())
    objectives = list(Topic.objects.order_by("code").values_list("code", flat=True))
    content_dir = workdir / "questions"
    content_dir.mkdir()
    paths = _write_files(content_dir, arguments.questions, arguments.per_file, objectives)
    megabytes = sum(path.stat().st_size for path in paths) / 1e6
    print(
        f"generated {arguments.questions} questions across {len(objectives)} objectives "
        f"in {len(paths)} files ({megabytes:.1f} MB)"
    )

    started = time.perf_counter()
    first = import_content(paths=paths, progress=lambda message: print(f"  … {message}"))
    first_seconds = time.perf_counter() - started
    if not first.ok:
        for problem in first.problems[:20]:
            print(problem)
        print(f"{len(first.problems)} problem(s): the generated files are invalid.")
        return 2
    questions, answers = Question.objects.count(), Answer.objects.count()
    print(f"imported {questions} questions ({answers} answers) in {first_seconds:.2f} s")

    started = time.perf_counter()
    second = import_content(paths=paths)
    second_seconds = time.perf_counter() - started
    print(f"re-import (no changes): {second_seconds:.2f} s ({second.writes} writes)")

    # ru_maxrss is in kilobytes on Linux.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (maxrss): {peak:.0f} MB")

    failed = questions != arguments.questions or second.writes != 0
    if arguments.questions >= TARGET_QUESTIONS:
        scaled = first_seconds * TARGET_QUESTIONS / arguments.questions
        verdict = "within" if scaled <= TARGET_SECONDS else "OVER"
        print(f"target: {TARGET_QUESTIONS} questions in {TARGET_SECONDS:.0f} s: {verdict}")
        failed = failed or scaled > TARGET_SECONDS
    return 1 if failed else 0


def _write_files(directory: Path, total: int, per_file: int, objectives: list[str]) -> list[Path]:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    paths = []
    for start in range(0, total, per_file):
        number = start // per_file + 1
        document = {
            "format": 1,
            "exam": {
                "title": f"Benchmark bank {number}",
                "description": "Generated questions for bench/import_bench.py",
                "version": "1.0",
            },
            "questions": [
                _question(index, objectives[index % len(objectives)])
                for index in range(start, min(start + per_file, total))
            ],
        }
        path = directory / f"bench-{number:02d}.yaml"
        path.write_text(
            yaml.dump(document, Dumper=dumper, sort_keys=False, width=100), encoding="utf-8"
        )
        paths.append(path)
    return paths


def _question(index: int, objective: str) -> dict:
    """A valid question with a correct key; the kind cycles single, multiple, order, gap."""
    common = {
        "id": f"bench-{index:06d}",
        "objective": objective,
        "difficulty": index % 5 + 1,
        "points": (20, 30, 40)[index % 3],
    }
    kind = ("single", "multiple", "order", "gap")[index % 4]
    if kind == "single":
        left, right = index % 50 + 3, index % 7 + 5
        return {
            **common,
            "kind": "single",
            "text": f"Question {index}: what does the snippet print?",
            "code": f"print({left} + {right})\n",
            "verify": "output",
            "answers": [
                _answer(str(left + right), "Integer addition.", correct=True),
                _answer(str(left * right), "Confuses + with *."),
                _answer(f"{left}{right}", "Thinks + joins the digits as text."),
                {**_answer("The code raises a TypeError", "Two ints add."), "raises": "TypeError"},
            ],
            "explanation": f"{left} + {right} is {left + right}.",
        }
    if kind == "multiple":
        return {
            **common,
            "kind": "multiple",
            "choose": 2,
            "text": f"Question {index}: which two expressions are `True`? Choose two.",
            "verify": "expressions",
            "answers": [
                _answer(f"{index} == {index}", "A number equals itself.", correct=True),
                _answer(f"{index} + 1 > {index}", "Adding one makes it larger.", correct=True),
                _answer(f"{index} < {index}", "A number is not below itself."),
                _answer(f"{index} != {index}", "A number is not different from itself."),
            ],
            "explanation": "Comparisons of a number with itself and its successor.",
        }
    if kind == "order":
        return {
            **common,
            "kind": "order",
            "text": f"Question {index}: arrange the lines so that the program prints "
            f"`{index * 2 + 1}`.",
            "verify": "output",
            "output": f"{index * 2 + 1}\n",
            "answers": [
                _answer(f"n = {index}", "Start from the given number."),
                _answer("n = n * 2", "Double it first."),
                _answer("n = n + 1", "Then add one."),
                _answer("print(n)", "Print last."),
            ],
            "explanation": "Doubling before adding one gives 2n + 1.",
        }
    return {
        **common,
        "kind": "gap",
        "text": f"Question {index}: fill the gaps so that the program prints `{index + 1}`.",
        "code": "x = {{1}}\nprint(x {{2}} 1)\n",
        "verify": "output",
        "output": f"{index + 1}\n",
        "gaps": [
            {"accepted": [str(index), f"({index})"], "explanation": f"x must be {index}."},
            {"accepted": ["+", "+ 0 +"], "explanation": "Adding one gives the output."},
        ],
        "explanation": "x + 1 is printed.",
    }


def _answer(text: str, explanation: str, *, correct: bool = False) -> dict:
    answer = {"text": text, "explanation": explanation}
    if correct:
        answer["correct"] = True
    return answer


if __name__ == "__main__":
    sys.exit(main())
