"""The question bank's coverage against the minimums the product promises (issue: the bank)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from exams.models import Exam, Question, Topic
from exams.near_duplicates import find_near_duplicates, items_from_questions

# The promises, as data: a test and `bank_report --check` hold the bundled bank to them.
MINIMUM_TOTAL = 520
MINIMUM_PER_OBJECTIVE = 20
# order, gap, tiles, insert and lines: the kinds that ask more than picking an option.
MINIMUM_INTERACTIVE_SHARE = 0.35
# A block's share of the bank may fall short of its exam weight by at most this many points.
BLOCK_SHARE_TOLERANCE_POINTS = 1
MINIMUM_VERIFIABLE_SHARE = 0.70
MINIMUM_DIFFICULTY_LEVELS_PER_BLOCK = 3
MOCK_EXAMS_WITHOUT_REPEATS = 4
# The table's kind columns, in the order of the format's documentation.
KINDS = ("single", "multiple", "order", "gap", "tiles", "insert", "lines")
INTERACTIVE_KINDS = Question.INTERACTIVE_KINDS


def expected_points(
    *, kind: str, options: int = 0, choose: int | None = None, gaps: int = 0
) -> int:
    """The points an item of `kind` is worth (docs/content-format.md, "Points").

    `options`: how many options a single/insert item offers, or how many items an order
    item has; `choose`: how many answers a multiple/lines item asks for; `gaps`: how many
    gaps a gap/tiles item has.
    """
    if kind in ("single", "insert"):
        return 30 if options >= 5 else 20
    if kind in ("multiple", "lines"):
        return 30 if (choose or 0) <= 2 else 40
    if kind in ("gap", "tiles"):
        return 20 if gaps <= 1 else 30 if gaps == 2 else 40
    if kind == "order":
        return 30 if options <= 4 else 40
    raise ValueError(f"unknown question kind {kind!r}.")


def question_expected_points(question: Question) -> int:
    """`expected_points` for a Question row (its answers prefetched, ideally)."""
    answers = list(question.answers.all())
    gaps = len({answer.gap_number for answer in answers if answer.gap_number is not None})
    return expected_points(
        kind=question.kind, options=len(answers), choose=question.choose, gaps=gaps
    )


def points_rule_failures(questions) -> list[str]:
    """One line per item whose points break the rule."""
    failures = []
    for question in questions:
        expected = question_expected_points(question)
        if question.points != expected:
            failures.append(
                f"points rule: {question} has {question.points} points; "
                f"its kind ({question.kind}) and size give {expected}"
            )
    return failures


def unexplained_items(questions) -> list[str]:
    """Ids of items with no explanation, or with an option, tile or gap left unexplained."""
    return [
        str(question)
        for question in questions
        if not (question.explanation or "").strip()
        or any(not (answer.explanation or "").strip() for answer in question.answers.all())
    ]


@dataclass
class Coverage:
    total: int = 0
    by_objective: dict[str, Counter] = field(default_factory=dict)
    by_block: Counter = field(default_factory=Counter)
    block_weights: dict[int, int] = field(default_factory=dict)
    levels_by_block: dict[int, set[int]] = field(default_factory=dict)
    kinds: Counter = field(default_factory=Counter)
    verifiable: int = 0
    unexplained: list[str] = field(default_factory=list)
    near_duplicates: list[str] = field(default_factory=list)
    points_failures: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def interactive(self) -> int:
        return sum(self.kinds[kind] for kind in INTERACTIVE_KINDS)


def bank_coverage(*, syllabus_code: str | None = None) -> Coverage:
    """Count the active bank by objective, kind and difficulty, and list unmet minimums."""
    topics = Topic.objects.select_related("module").order_by("module__number", "display_order")
    if syllabus_code:
        topics = topics.filter(module__syllabus__code=syllabus_code)
    coverage = Coverage()
    for topic in topics:
        coverage.by_objective[topic.code] = Counter()
        coverage.block_weights[topic.module.number] = topic.module.weight_percent or 0
        coverage.levels_by_block.setdefault(topic.module.number, set())
    questions = list(
        Question.objects.active()
        .filter(topic__in=topics)
        .select_related("topic__module")
        .prefetch_related("answers")
        .order_by("topic__module__number", "topic__display_order", "original_id", "id")
    )
    for question in questions:
        objective, block = question.topic.code, question.topic.module.number
        coverage.total += 1
        coverage.by_objective[objective][question.kind] += 1
        coverage.by_objective[objective][f"d{question.difficulty}"] += 1
        coverage.by_block[block] += 1
        coverage.levels_by_block[block].add(question.difficulty)
        coverage.kinds[question.kind] += 1
        coverage.verifiable += question.verify_mode != Question.VerifyMode.NONE
    coverage.unexplained = unexplained_items(questions)
    coverage.near_duplicates = [
        str(pair) for pair in find_near_duplicates(items_from_questions(questions))
    ]
    coverage.points_failures = points_rule_failures(questions)
    coverage.failures = _unmet_minimums(coverage, syllabus_code)
    return coverage


def _unmet_minimums(coverage: Coverage, syllabus_code: str | None) -> list[str]:
    failures = []
    if coverage.total < MINIMUM_TOTAL:
        failures.append(f"the bank has {coverage.total} items; at least {MINIMUM_TOTAL} needed")
    for objective, counts in coverage.by_objective.items():
        items = sum(counts[kind] for kind in KINDS)
        if items < MINIMUM_PER_OBJECTIVE:
            failures.append(
                f"objective {objective} has {items} items; {MINIMUM_PER_OBJECTIVE} needed"
            )
    total = max(coverage.total, 1)
    for block, weight in coverage.block_weights.items():
        # At the exam weights: block 2 (29%) needs at least 28% of the bank's items.
        floor = max(weight - BLOCK_SHARE_TOLERANCE_POINTS, 0)
        if coverage.by_block[block] * 100 < floor * coverage.total:
            failures.append(
                f"block {block} has {coverage.by_block[block]} items "
                f"({coverage.by_block[block] / total:.1%}); at least {floor}% of the bank needed "
                f"(exam weight {weight}%)"
            )
        levels = len(coverage.levels_by_block.get(block, ()))
        if levels < MINIMUM_DIFFICULTY_LEVELS_PER_BLOCK:
            failures.append(
                f"block {block} uses {levels} difficulty level(s); "
                f"{MINIMUM_DIFFICULTY_LEVELS_PER_BLOCK} needed"
            )
    if coverage.interactive / total < MINIMUM_INTERACTIVE_SHARE:
        failures.append(
            f"interactive items ({', '.join(INTERACTIVE_KINDS)}) are "
            f"{coverage.interactive / total:.1%}; {MINIMUM_INTERACTIVE_SHARE:.0%} needed"
        )
    if coverage.verifiable / total < MINIMUM_VERIFIABLE_SHARE:
        failures.append(
            f"verifiable items are {coverage.verifiable / total:.0%}; "
            f"{MINIMUM_VERIFIABLE_SHARE:.0%} needed"
        )
    if coverage.unexplained:
        failures.append(
            "unexplained (the item or an option, tile or gap has no explanation): "
            + ", ".join(coverage.unexplained)
        )
    failures.extend(f"near-duplicates: {pair}" for pair in coverage.near_duplicates)
    failures.extend(coverage.points_failures)
    mocks = Exam.objects.active().filter(kind=Exam.Kind.MOCK)
    if syllabus_code:
        mocks = mocks.filter(syllabus__code=syllabus_code)
    for mock in mocks:
        for block, count in mock.blueprint.items():
            needed = count * MOCK_EXAMS_WITHOUT_REPEATS
            if coverage.by_block[int(block)] < needed:
                failures.append(
                    f"block {block} cannot fill {MOCK_EXAMS_WITHOUT_REPEATS} mock exams without "
                    f"repeats ({coverage.by_block[int(block)]} of {needed} items)"
                )
    return failures


def coverage_table(coverage: Coverage) -> list[str]:
    """The report as text lines: objective × kind × difficulty, then the totals."""
    width = max(len(kind) for kind in KINDS) + 1
    header = f"{'obj':<5}{'items':>6}" + "".join(f"{kind:>{width}}" for kind in KINDS)
    header += "".join(f"{'d' + str(level):>4}" for level in range(1, 6)) + "  flag"
    lines = [header]
    for objective, counts in coverage.by_objective.items():
        items = sum(counts[kind] for kind in KINDS)
        flag = "UNDER" if items < MINIMUM_PER_OBJECTIVE else ""
        lines.append(
            f"{objective:<5}{items:>6}"
            + "".join(f"{counts[kind]:>{width}}" for kind in KINDS)
            + "".join(f"{counts['d' + str(level)]:>4}" for level in range(1, 6))
            + f"  {flag}"
        )
    total = max(coverage.total, 1)
    lines.append(
        f"{'all':<5}{coverage.total:>6}"
        + "".join(f"{coverage.kinds[kind] / total:>{width}.0%}" for kind in KINDS)
    )
    blocks = defaultdict(int, coverage.by_block)
    lines.append(
        "blocks: "
        + ", ".join(
            f"{block}: {blocks[block]} ({blocks[block] / total:.0%}, exam weight {weight}%)"
            for block, weight in coverage.block_weights.items()
        )
    )
    lines.append(
        f"interactive ({', '.join(INTERACTIVE_KINDS)}): {coverage.interactive} of "
        f"{coverage.total} ({coverage.interactive / total:.0%}; "
        f"{MINIMUM_INTERACTIVE_SHARE:.0%} needed)"
    )
    lines.append(
        f"verifiable: {coverage.verifiable} of {coverage.total} ({coverage.verifiable / total:.0%})"
    )
    lines.append(
        f"near-duplicates: {len(coverage.near_duplicates)}; "
        f"points rule broken: {len(coverage.points_failures)}; "
        f"unexplained: {len(coverage.unexplained)}"
    )
    return lines
