"""Reading one foreign file: translate it, give each question its objective through the
category mapping, then validate it with the native rules (exams.content.parsing)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

from exams.content.parsing import (
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    ContentProblem,
    ParsedFile,
    read_translated_document,
)
from exams.interop.aiken import read_aiken
from exams.interop.common import (
    FOREIGN_FILE_NAME_PATTERN,
    FOREIGN_FILE_NAME_RULE,
    FORMAT_LABELS,
    CategoryUse,
    InteropOptions,
    Translation,
)
from exams.interop.gift import read_gift
from exams.interop.moodle_xml import read_moodle_xml

READERS: dict[str, Callable[..., Translation]] = {
    "moodle-xml": read_moodle_xml,
    "gift": read_gift,
    "aiken": read_aiken,
}


def read_foreign_file(
    path: Path,
    *,
    file_format: str,
    objectives: Mapping[str | None, set[str]],
    options: InteropOptions,
) -> tuple[ParsedFile | None, list[ContentProblem], list[CategoryUse]]:
    """Translate and validate one file; returns (file, problems, categories found)."""
    where = str(path)

    def refused(message: str):
        return None, [ContentProblem(where, None, None, message)], []

    if not FOREIGN_FILE_NAME_PATTERN.fullmatch(path.name):
        return refused(FOREIGN_FILE_NAME_RULE)
    try:
        size = path.stat().st_size
    except OSError as error:
        return refused(f"cannot read the file: {error.strerror}.")
    if size > MAX_FILE_BYTES:
        return refused(f"the file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return refused("the file is not UTF-8 text.")
    translation = READERS[file_format](text, path=where)
    problems = list(translation.problems)
    categories = _assign_objectives(translation, options, path=where)
    problems += [
        ContentProblem(
            where,
            use.line,
            None,
            f"category {use.category!r} is not mapped to an objective ({use.questions} "
            f"question(s); those are not checked further): map it (--category "
            f"'{use.category}=1.1' or the admin's mapping box), or give a default objective.",
        )
        for use in categories
        if use.objective is None
    ]
    mapped = [question for question in translation.questions if question.document.get("objective")]
    if not mapped:
        if not problems:
            problems.append(ContentProblem(where, None, None, "the file holds no questions."))
        return None, problems, categories
    document = {
        "format": FORMAT_VERSION,
        "exam": {
            "title": options.title or translation.exam.get("title") or f"Imported from {path.name}",
            "description": translation.exam.get(
                "description", f"Imported from the {FORMAT_LABELS[file_format]} file {path.name}."
            ),
            "version": translation.exam.get("version", "1.0"),
        },
        "questions": [question.document for question in mapped],
    }
    # The set is known by a .yaml name, so that exporting it (and importing the export)
    # finds the same set again.
    parsed, native_problems = read_translated_document(
        document,
        path=where,
        source_file=f"{path.stem}.yaml",
        question_lines=[question.line for question in mapped],
        objectives=objectives,
    )
    return parsed, problems + native_problems, categories


def _assign_objectives(
    translation: Translation, options: InteropOptions, *, path: str
) -> list[CategoryUse]:
    """Each question's objective: its category's mapping first (what the instructor said),
    then the objective our own export embedded, then the default objective. A category
    with any question left without one is reported as not mapped."""
    counts: Counter[str] = Counter()
    unmapped: Counter[str] = Counter()
    chosen: dict[str, set[tuple[str, str]]] = {}
    for question in translation.questions:
        category = question.category or ""
        counts[category] += 1
        if category and category in options.categories:
            objective, source = options.categories[category], "mapping"
        elif question.embedded_objective:
            objective, source = question.embedded_objective, "embedded"
        elif options.default_objective:
            objective, source = options.default_objective, "default"
        else:
            unmapped[category] += 1
            continue
        question.document["objective"] = objective
        chosen.setdefault(category, set()).add((objective, source))
    uses = []
    for category, count in counts.items():
        found = sorted(chosen.get(category, set()))
        if unmapped[category] or not found:
            objective, source = None, ""
        elif len(found) == 1:
            objective, source = found[0]
        else:
            objective = ", ".join(sorted({objective for objective, _ in found}))
            source = "+".join(sorted({source for _, source in found}))
        uses.append(
            CategoryUse(
                path=path,
                category=category or "(no category)",
                line=translation.category_lines.get(category),
                questions=count,
                objective=objective,
                source=source,
            )
        )
    return uses
