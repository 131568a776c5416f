"""The credit a miss still earns: the share of an item's points a not-quite-right answer gets.

A multiple-answer, ordering or gap item scores partial credit (exams/scoring.py), so a learner
who misses it still earns part of its points. Mastery models the chance of getting an item
*fully* right; an answer's credit is first mapped onto that scale by taking off what a miss
of that item earns anyway, and a predicted attempt adds it back for the items it misses
(docs/mastery.md, "Partial credit of misses").

What a miss earns is estimated from every learner's misses of the item, shrunk toward the
average miss of its kind when the item has few misses, and toward 0 (all or nothing) when
the kind has none yet. The figures change slowly with the population, so they are computed
by one aggregate query and kept in the cache for a few minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, F, FloatField, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf

from exams.models import UserResponse

CACHE_KEY = "progress:miss-credit:v1"
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

    def of(self, *, question_id: int, kind: str) -> float:
        return self.by_question.get(question_id, self.by_kind.get(kind, 0.0))

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
    rows = (
        UserResponse.objects.filter(answered_at__isnull=False, is_correct=False)
        .values("question_id", "question__kind")
        .annotate(misses=Count("id"), credit=Sum(Coalesce(share, Value(0.0))))
        .order_by()
    )
    kind_totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    per_question = []
    for row in rows:
        credit = min(max(row["credit"], 0.0), float(row["misses"]))
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
    return MissCredit(by_question=by_question, by_kind=by_kind)
