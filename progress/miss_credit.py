"""The credit a miss still earns: the share of an item's points a not-quite-right answer gets.

A multiple-answer, ordering or gap item scores partial credit (exams/scoring.py), so a learner
who misses it still earns part of its points. Mastery models the chance of getting an item
*fully* right; an answer's credit is first mapped onto that scale by taking off what a miss
of that item earns anyway, and a predicted attempt adds it back for the items it misses
(docs/mastery.md, "Partial credit of misses").

What a miss earns is estimated from every learner's misses of the item, shrunk toward the
average miss of its kind when the item has few misses, and toward 0 (all or nothing) when
the kind has none yet. The figures change slowly with the population, so they are computed
by one aggregate query and kept in the cache for a few minutes. The same query counts each
item's answers and full answers, from which the item's difficulty is estimated
(progress/item_difficulty.py): both travel in one cached `MissCredit`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, F, FloatField, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf

from exams.models import UserResponse
from progress.item_difficulty import ItemCounts, estimate_levels
from progress.mastery import item_logit

# v2: the figures carry the items' estimated difficulties too.
CACHE_KEY = "progress:miss-credit:v2"
CACHE_SECONDS = 600
# An item's own misses outweigh its kind's average once it has more than this many.
ITEM_PSEUDO_MISSES = 5.0
# A kind's average leans toward "a miss earns nothing" until it has a few misses.
KIND_PSEUDO_MISSES = 1.0


@dataclass(frozen=True)
class MissCredit:
    """Per question and per kind: the share (0–1) of the points an average miss earns."""

    by_question: Mapping[int, float] = field(default_factory=dict)
    by_kind: Mapping[str, float] = field(default_factory=dict)
    # Per question: its difficulty in logits estimated from learners' answers
    # (progress/item_difficulty.py); an item missing here keeps its authored difficulty.
    levels: Mapping[int, float] = field(default_factory=dict)

    def of(self, *, question_id: int, kind: str) -> float:
        return self.by_question.get(question_id, self.by_kind.get(kind, 0.0))

    def level_of(self, *, question_id: int, difficulty: int) -> float:
        """The item's difficulty in logits: estimated, or else its authored one's."""
        level = self.levels.get(question_id)
        return item_logit(difficulty=difficulty) if level is None else level

    def full_credit_share(self, *, credit: float, question_id: int, kind: str) -> float:
        """An answer's credit on the "fully right" scale mastery models: 1 for a full
        answer, 0 for a miss that earned what misses of the item usually earn, between
        for a miss that earned more (it was closer), never below 0."""
        if credit >= 1.0:
            return 1.0
        miss = self.of(question_id=question_id, kind=kind)
        if miss <= 0.0:
            return max(credit, 0.0)
        return max((credit - miss) / (1.0 - miss), 0.0)


NO_MISS_CREDIT = MissCredit()


def miss_credit() -> MissCredit:
    """The population's miss credit, from the cache or one aggregate query."""
    cached = cache.get(CACHE_KEY)
    if cached is None:
        cached = estimate_miss_credit()
        cache.set(CACHE_KEY, cached, CACHE_SECONDS)
    return cached


def estimate_miss_credit() -> MissCredit:
    share = Cast(F("points_earned"), FloatField()) / Cast(
        Coalesce(NullIf(F("question__points"), Value(0)), Value(1)), FloatField()
    )
    missed = Q(is_correct=False)
    rows = (
        UserResponse.objects.filter(answered_at__isnull=False)
        .values("question_id", "question__kind", "question__topic_id", "question__difficulty")
        .annotate(
            answers=Count("id"),
            misses=Count("id", filter=missed),
            credit=Sum(Coalesce(share, Value(0.0)), filter=missed),
        )
        .order_by()
    )
    kind_totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    per_question = []
    counts = []
    for row in rows:
        if row["question__topic_id"] is not None:
            counts.append(
                ItemCounts(
                    question_id=row["question_id"],
                    topic_id=row["question__topic_id"],
                    difficulty=row["question__difficulty"],
                    answers=row["answers"],
                    right=row["answers"] - row["misses"],
                )
            )
        if not row["misses"]:
            continue
        credit = min(max(row["credit"] or 0.0, 0.0), float(row["misses"]))
        per_question.append((row["question_id"], row["question__kind"], row["misses"], credit))
        totals = kind_totals[row["question__kind"]]
        totals[0] += row["misses"]
        totals[1] += credit
    by_kind = {
        kind: credit / (misses + KIND_PSEUDO_MISSES)
        for kind, (misses, credit) in kind_totals.items()
    }
    by_question = {
        question_id: (credit + ITEM_PSEUDO_MISSES * by_kind[kind]) / (misses + ITEM_PSEUDO_MISSES)
        for question_id, kind, misses, credit in per_question
    }
    return MissCredit(by_question=by_question, by_kind=by_kind, levels=estimate_levels(counts))
