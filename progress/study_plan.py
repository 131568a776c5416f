"""The study plan: which objectives to practise next, and the pace to an exam date.

An objective's expected gain is the mock exam points it is worth (its share of its block's
points: the block's fixed points, or else what its blueprint items are worth) times the room
the learner has to improve on its items: 1 − the share of their points the learner earns now,
that is full answers at the mastery estimate's chance (at each item's estimated difficulty)
plus, on the misses, the share of the points a miss of that item usually earns anyway.

Certainty enters through the mastery model itself, not through a separate factor: an
objective with few answers has its estimate pulled towards the learner's general level
(the two-level prior of docs/mastery.md), so its room to improve is that of the learner in
general; an objective without answers gets exactly the prior and is labelled "not practised
yet". Multiplying by a confidence factor instead would push the unpractised objectives,
which a plan should surface, to the bottom.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from progress.mastery import logistic
from progress.readiness import BankItem, ExamShape
from progress.selectors import LearnerSnapshot

DRILL_ITEMS = 10
# Where the profile keeps the exam date (an ISO date string); accounts.forms validates it.
EXAM_DATE_KEY = "exam_date"


@dataclass(frozen=True)
class PlanEntry:
    topic_id: int
    code: str
    name: str
    block: int
    expected_gain: int  # exam points, rounded
    answered: int
    reason: str

    @property
    def practised(self) -> bool:
        return self.answered > 0


@dataclass(frozen=True)
class StudyPlan:
    entries: list[PlanEntry]
    max_score: int | None  # the mock exam's scale; None when there is no mock exam
    exam_date: date | None  # only a date still ahead (or today)
    days_left: int | None
    items_per_day: int | None
    due_reviews: int  # spaced-review cards due now; the pace covers them too
    note: str = ""  # why a stored exam date was ignored

    @property
    def drill_items(self) -> int:
        return DRILL_ITEMS


def stored_exam_date(user) -> date | None:
    """The learner's exam date from their profile, or None if unset or unreadable."""
    value = (user.profile_data or {}).get(EXAM_DATE_KEY)
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _exam_points_by_objective(
    *, shape: ExamShape
) -> tuple[dict[int, float], dict[int, list[BankItem]]]:
    """Expected exam points of each objective on a fresh attempt, and its drawable items.

    A block is worth its fixed points (`Exam.block_points`, as on the real exam) or else what
    its `blueprint` count of items is worth on average. Within a block, the items are drawn
    from its bank items alike, so an objective gets the share of the block's bank points its
    own items hold. The score scales points earned over points possible to max_score.
    """
    block_points = shape.block_points
    points_by_topic: dict[int, float] = defaultdict(float)
    items_by_topic: dict[int, list[BankItem]] = defaultdict(list)
    total = 0.0
    for block, count in shape.blueprint.items():
        items = shape.items_by_block.get(block, [])
        bank_points = sum(item.points for item in items)
        if not bank_points:
            continue
        worth = block_points.get(block, count * bank_points / len(items))
        for item in items:
            points_by_topic[item.topic_id] += worth * item.points / bank_points
            items_by_topic[item.topic_id].append(item)
        total += worth
    if not total:
        return {}, {}
    return (
        {
            topic_id: shape.max_score * points / total
            for topic_id, points in points_by_topic.items()
        },
        items_by_topic,
    )


def _reason(*, gain: int, answered: int, chance: float, block: int) -> str:
    if not answered:
        return (
            f"Not practised yet: worth about {gain} more points on a fresh mock exam "
            f"if mastered (block {block})."
        )
    return (
        f"You answer about {round(chance * 100)}% of its items right after "
        f"{answered} answer{'s' if answered != 1 else ''}; mastering it is worth about "
        f"{gain} more points."
    )


def _pace(*, now: datetime, exam_date: date | None, entries: list[PlanEntry], due_reviews: int):
    """Days left, items a day and due reviews, or Nones (with a note) without a usable date."""
    if exam_date is None:
        return None, None, None, due_reviews, ""
    today = timezone.localdate(now)
    if exam_date < today:
        note = (
            f"Your exam date {exam_date:%-d %B %Y} has passed, so the plan ignores it; "
            "set a new one on your profile."
        )
        return None, None, None, due_reviews, note
    days_left = (exam_date - today).days
    items = DRILL_ITEMS * len(entries) + due_reviews
    # On the exam day itself there is still that one day to practise.
    items_per_day = math.ceil(items / max(days_left, 1)) if items else 0
    return exam_date, days_left, items_per_day, due_reviews, ""


def study_plan(
    *,
    user,
    syllabus=None,
    now: datetime | None = None,
    limit: int = 3,
    evidence: list[dict] | None = None,
    snapshot: LearnerSnapshot | None = None,
) -> StudyPlan:
    """The `limit` objectives with the highest expected gain, and the pace to the exam date.

    `evidence`: the learner's `evidence_responses` rows when the page already read them;
    `snapshot`: the page's reads, shared with the mastery table and readiness."""
    if snapshot is None:
        snapshot = LearnerSnapshot(user=user, syllabus=syllabus, now=now, evidence=evidence)
    now = snapshot.now
    exam = snapshot.exam
    entries: list[PlanEntry] = []
    if exam is not None:
        exam_points, items_by_topic = _exam_points_by_objective(shape=snapshot.shape)
        answered = snapshot.estimates.evidence_by_topic
        # Every drawable objective, with or without evidence: those without get the prior.
        masteries = snapshot.masteries
        candidates = []
        for objective in snapshot.objectives:
            topic_id = objective["id"]
            if topic_id not in items_by_topic:
                continue  # nothing in the bank to draw or to drill
            items = items_by_topic[topic_id]
            ability = masteries[topic_id].ability
            # Each item's chance of a full answer at its estimated difficulty; a miss still
            # earns its usual share of a partial-credit item's points, so the room to
            # improve is the share of the points not earned yet, not the share missed.
            chances = [logistic(ability - item.logit) for item in items]
            chance = sum(chances) / len(items)
            earned = sum(
                right + (1.0 - right) * item.miss_credit
                for right, item in zip(chances, items, strict=True)
            ) / len(items)
            gain = exam_points[topic_id] * (1.0 - earned)
            candidates.append((gain, objective, chance, answered[topic_id]))
        # Ties (e.g. a learner with no answers at all) keep syllabus order: sorted is stable.
        candidates.sort(key=lambda candidate: -candidate[0])
        for gain, objective, chance, count in candidates[:limit]:
            entries.append(
                PlanEntry(
                    topic_id=objective["id"],
                    code=objective["code"],
                    name=objective["name"],
                    block=objective["module__number"],
                    expected_gain=round(gain),
                    answered=count,
                    reason=_reason(
                        gain=round(gain),
                        answered=count,
                        chance=chance,
                        block=objective["module__number"],
                    ),
                )
            )
    exam_date, days_left, items_per_day, due_reviews, note = _pace(
        now=now,
        exam_date=stored_exam_date(user),
        entries=entries,
        due_reviews=snapshot.due_reviews,
    )
    return StudyPlan(
        entries=entries,
        max_score=exam.max_score if exam is not None else None,
        exam_date=exam_date,
        days_left=days_left,
        items_per_day=items_per_day,
        due_reviews=due_reviews,
        note=note,
    )
