"""The question bank's coverage against the minimums the product promises (issue: the bank)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from exams.models import Exam, Question, Topic

# The promises, as data: a test and `bank_report --check` hold the bundled bank to them.
MINIMUM_TOTAL = 300
MINIMUM_PER_OBJECTIVE = 12
MINIMUM_KIND_SHARE = {"single": 0.50, "multiple": 0.15, "order": 0.05, "gap": 0.05}
MINIMUM_VERIFIABLE_SHARE = 0.70
MINIMUM_DIFFICULTY_LEVELS_PER_BLOCK = 3
MOCK_EXAMS_WITHOUT_REPEATS = 4


@dataclass
class Coverage:
    total: int = 0
    by_objective: dict[str, Counter] = field(default_factory=dict)
    by_block: Counter = field(default_factory=Counter)
    block_weights: dict[int, int] = field(default_factory=dict)
    levels_by_block: dict[int, set[int]] = field(default_factory=dict)
    kinds: Counter = field(default_factory=Counter)
    verifiable: int = 0
    failures: list[str] = field(default_factory=list)


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
    rows = (
        Question.objects.active()
        .filter(topic__in=topics)
        .values_list("topic__code", "topic__module__number", "kind", "difficulty", "verify_mode")
    )
    for objective, block, kind, difficulty, verify_mode in rows:
        coverage.total += 1
        coverage.by_objective[objective][kind] += 1
        coverage.by_objective[objective][f"d{difficulty}"] += 1
        coverage.by_block[block] += 1
        coverage.levels_by_block[block].add(difficulty)
        coverage.kinds[kind] += 1
        coverage.verifiable += verify_mode != Question.VerifyMode.NONE
    coverage.failures = _unmet_minimums(coverage, syllabus_code)
    return coverage


def _unmet_minimums(coverage: Coverage, syllabus_code: str | None) -> list[str]:
    failures = []
    if coverage.total < MINIMUM_TOTAL:
        failures.append(f"the bank has {coverage.total} items; at least {MINIMUM_TOTAL} needed")
    for objective, counts in coverage.by_objective.items():
        items = sum(counts[kind] for kind in MINIMUM_KIND_SHARE)
        if items < MINIMUM_PER_OBJECTIVE:
            failures.append(
                f"objective {objective} has {items} items; {MINIMUM_PER_OBJECTIVE} needed"
            )
    for block, weight in coverage.block_weights.items():
        # A block's exam share of the minimum bank size, e.g. 29% of 300 = 87 for block 2.
        needed = -(-weight * MINIMUM_TOTAL // 100)
        if coverage.by_block[block] < needed:
            failures.append(f"block {block} has {coverage.by_block[block]} items; {needed} needed")
        levels = len(coverage.levels_by_block.get(block, ()))
        if levels < MINIMUM_DIFFICULTY_LEVELS_PER_BLOCK:
            failures.append(f"block {block} uses {levels} difficulty level(s); 3 needed")
    total = max(coverage.total, 1)
    for kind, share in MINIMUM_KIND_SHARE.items():
        if coverage.kinds[kind] / total < share:
            failures.append(
                f"{kind} items are {coverage.kinds[kind] / total:.0%}; {share:.0%} needed"
            )
    if coverage.verifiable / total < MINIMUM_VERIFIABLE_SHARE:
        failures.append(f"verifiable items are {coverage.verifiable / total:.0%}; 70% needed")
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
    kinds = list(MINIMUM_KIND_SHARE)
    header = f"{'obj':<5}{'items':>6}" + "".join(f"{kind:>9}" for kind in kinds)
    header += "".join(f"{'d' + str(level):>4}" for level in range(1, 6)) + "  flag"
    lines = [header]
    for objective, counts in coverage.by_objective.items():
        items = sum(counts[kind] for kind in kinds)
        flag = "UNDER" if items < MINIMUM_PER_OBJECTIVE else ""
        lines.append(
            f"{objective:<5}{items:>6}"
            + "".join(f"{counts[kind]:>9}" for kind in kinds)
            + "".join(f"{counts['d' + str(level)]:>4}" for level in range(1, 6))
            + f"  {flag}"
        )
    total = max(coverage.total, 1)
    lines.append(
        f"{'all':<5}{coverage.total:>6}"
        + "".join(f"{coverage.kinds[kind] / total:>9.0%}" for kind in kinds)
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
        f"verifiable: {coverage.verifiable} of {coverage.total} ({coverage.verifiable / total:.0%})"
    )
    return lines
