"""Calibration of the readiness prediction: simulated learners through the real services.

Run from the project folder:

    DEBUG=true .venv/bin/python bench/readiness_sim.py [--learners 500] [--practice 60] [--seed 1]

It migrates a throwaway SQLite database, loads the PCEP syllabus and the real bank
(content/questions/*.yaml), then for each learner:

- draws a true ability per objective: a general level g ~ N(0.3, 0.9²) plus an objective
  offset ~ N(0, 0.5²), in logits;
- gives each bank item a true difficulty: its authored difficulty on the model's scale plus
  an item offset ~ N(0, 0.3²), so the model's authored difficulties are only approximately
  right, as in real life;
- answers right with P = logistic(ability − true difficulty) (a wrong answer picks wrong
  options, a reversed order or wrong gap texts, which can still earn partial credit);
- over 9 days: `--practice` practice items (whole-syllabus sessions of 10) and one mock exam,
  all through exams.services (start_practice, start_attempt, record_answer, finish_attempt);
- then asks progress.selectors.readiness for the prediction, takes a final mock exam, and
  compares the prediction with the score actually obtained.

It prints the mean absolute error in points, the Brier score of P(pass), a reliability table
of P(pass) deciles against the observed pass rate, and two yardsticks:

- an oracle: the same prediction made from everything the simulation knows (each learner's
  true abilities, each item's true difficulty and the credit its simulated wrong answer
  earns under the real scoring rules), not knowing only which items the final exam draws
  and how each answer goes; its MAE and Brier score;
- the exam's own luck: per learner, E|score − E[score]| over 4,000 fresh attempts simulated
  from that same truth, averaged over learners: the MAE that predicting each learner's
  true expected score would have on average, however good the model of the learner (only
  predicting the median of that score distribution could do marginally better).
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
GENERAL_MEAN, GENERAL_SPREAD = 0.3, 0.9
OBJECTIVE_SPREAD = 0.5
ITEM_SPREAD = 0.3
DAYS = 9
PRACTICE_SESSION_ITEMS = 10
REFRESH_EVERY = 10  # learners between refreshes of the population's miss-credit figures
TARGET_MAE, TARGET_BRIER, TARGET_DECILE_GAP, DECILE_MIN_COUNT = 60.0, 0.15, 0.1, 30


@dataclass
class Decile:
    count: int = 0
    predicted: float = 0.0
    passed: int = 0


@dataclass
class SimulationResult:
    learners: int
    mean_absolute_error: float
    oracle_mean_absolute_error: float
    brier: float
    # Mean over learners of E|score − E[score]| given everything true: the exam's own luck,
    # which no prediction made before the exam can expect to beat (but for the sliver
    # between a score distribution's mean and its median).
    luck_floor: float = 0.0
    oracle_brier: float = 0.0
    deciles: list[Decile] = field(default_factory=list)
    answers_per_learner: float = 0.0
    without_prediction: int = 0

    def decile_gaps(self) -> list[tuple[int, float]]:
        """(count, |observed − predicted|) of every decile that has learners."""
        return [
            (decile.count, abs(decile.passed / decile.count - decile.predicted / decile.count))
            for decile in self.deciles
            if decile.count
        ]


def main() -> int:
    arguments = _parse_arguments()
    with tempfile.TemporaryDirectory(prefix="readiness-sim-") as temporary:
        # Must be set before Django reads its settings (django.setup below).
        os.environ["DJANGO_SETTINGS_MODULE"] = "pcep_site.settings"
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(temporary) / 'sim.sqlite3'}"
        sys.path.insert(0, str(PROJECT_DIR))
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        # DEBUG=true only allows the development SECRET_KEY; a debug cursor would record
        # every statement of the run.
        settings.DEBUG = False
        call_command("migrate", verbosity=0)
        load_bank()
        started = time.perf_counter()
        result = simulate(
            learners=arguments.learners, practice_items=arguments.practice, seed=arguments.seed
        )
        seconds = time.perf_counter() - started
    print_report(result, seconds=seconds)
    return 0 if meets_targets(result) else 1


def _parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--practice", type=int, default=60, help="Practice items per learner.")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def load_bank() -> None:
    """The real syllabus, its mock exam and the real bank, into the current database."""
    from django.core.management import call_command

    from exams.content.importing import import_content

    call_command("load_syllabus", stdout=io.StringIO())
    report = import_content(paths=sorted((PROJECT_DIR / "content" / "questions").glob("*.yaml")))
    if not report.ok:
        raise SystemExit(f"the bank does not import: {report.problems[:3]}")


@dataclass(frozen=True)
class _Item:
    topic_id: int
    true_difficulty: float
    kind: str
    right: dict
    wrong: dict
    # The share of the points the wrong answer earns, scored by the real rules.
    wrong_credit: float


def _items(rng: random.Random) -> dict[int, _Item]:
    """Each active question with a right and a wrong answer and its true difficulty."""
    from exams.models import Question
    from exams.scoring import score_response
    from progress.mastery import item_logit

    items = {}
    for question in Question.objects.active().prefetch_related("answers").order_by("id"):
        answers = sorted(
            question.answers.all(), key=lambda answer: (answer.answer_order, answer.pk)
        )
        right_ids = [answer.pk for answer in answers if answer.is_correct]
        wrong_ids = [answer.pk for answer in answers if not answer.is_correct]
        if question.kind in Question.SINGLE_ANSWER_KINDS:
            right, wrong = {"choice_ids": right_ids[:1]}, {"choice_ids": wrong_ids[:1]}
        elif question.kind in Question.MULTIPLE_ANSWER_KINDS:
            choose = question.choose or len(right_ids)
            # Too few wrong options to fill the choice: the rest are right ones (partial credit).
            picked = (wrong_ids + right_ids)[:choose]
            right, wrong = {"choice_ids": right_ids}, {"choice_ids": picked}
        elif question.kind == "order":
            key = [answer.pk for answer in answers]
            right, wrong = {"order_ids": key}, {"order_ids": key[::-1]}
        elif question.kind == "tiles":
            keyed = sorted((a.gap_number, a.text) for a in answers if a.gap_number)
            spare = [answer.text for answer in answers if not answer.gap_number]
            right = {"gap_texts": [text for _, text in keyed]}
            # A spare tile in the first gap, the rest left empty.
            wrong = {"gap_texts": [spare[0], *[""] * (len(keyed) - 1)]}
        else:
            gaps = sorted({answer.gap_number or 1 for answer in answers})
            first_accepted = {}
            for answer in answers:
                first_accepted.setdefault(answer.gap_number or 1, answer.text)
            right = {"gap_texts": [first_accepted[number] for number in gaps]}
            wrong = {"gap_texts": ["not it"] * len(gaps)}
        items[question.pk] = _Item(
            topic_id=question.topic_id,
            true_difficulty=item_logit(difficulty=question.difficulty) + rng.gauss(0, ITEM_SPREAD),
            kind=question.kind,
            right=right,
            wrong=wrong,
            wrong_credit=score_response(question, answers, **wrong).points / (question.points or 1),
        )
    return items


def _true_shape(*, shape, exam, items: dict[int, _Item]):
    """The exam as the simulated learners really face it: each item's true difficulty and
    the credit its simulated wrong answer earns (what an oracle would know)."""
    from collections import defaultdict

    from exams.models import Question
    from progress.readiness import BankItem, ExamShape

    by_block = defaultdict(list)
    for question_id, topic_id, difficulty, points, block in (
        Question.objects.drawable()
        .filter(topic__module__syllabus=exam.syllabus, topic__module__number__isnull=False)
        .values_list("id", "topic_id", "difficulty", "points", "topic__module__number")
    ):
        item = items[question_id]
        by_block[str(block)].append(
            BankItem(
                topic_id=topic_id,
                difficulty=difficulty,
                points=points,
                miss_credit=item.wrong_credit,
                level=item.true_difficulty,
            )
        )
    return ExamShape(
        items_by_block=by_block,
        blueprint=shape.blueprint,
        pass_percent=shape.pass_percent,
        max_score=shape.max_score,
        block_points=shape.block_points,
    )


def _answer_all(*, attempt, items, abilities, rng, start: datetime) -> datetime:
    """Answer every item of the attempt by the response model, 30 s each; returns the end."""
    from exams import services
    from progress.mastery import logistic

    moment = start
    for question_id in attempt.responses.order_by("position").values_list("question_id", flat=True):
        item = items[question_id]
        moment += timedelta(seconds=30)
        chance = logistic(abilities[item.topic_id] - item.true_difficulty)
        answer = item.right if rng.random() < chance else item.wrong
        services.record_answer(attempt=attempt, question_id=question_id, now=moment, **answer)
    return moment


def simulate(*, learners: int, practice_items: int, seed: int) -> SimulationResult:
    """Run the simulation in the current database (the bank must be loaded: load_bank)."""
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from exams import services
    from exams.drawing import PracticeChoice
    from exams.models import Exam, Topic, UserResponse
    from progress.mastery import Mastery
    from progress.miss_credit import CACHE_KEY as MISS_CREDIT_CACHE_KEY
    from progress.readiness import predict_score, simulated_shares
    from progress.selectors import mock_exam_shape, readiness

    rng = random.Random(seed)
    items = _items(rng)
    exam = Exam.objects.get(kind=Exam.Kind.MOCK)
    shape = mock_exam_shape(exam=exam)
    true_shape = _true_shape(shape=shape, exam=exam, items=items)
    topic_ids = list(Topic.objects.order_by("id").values_list("pk", flat=True))
    first_day = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    deciles = [Decile() for _ in range(10)]
    errors, oracle_errors, squared, missing = [], [], [], 0
    luck, oracle_squared = [], []
    User = get_user_model()
    for number in range(learners):
        if number and number % REFRESH_EVERY == 0:
            # In production the miss-credit figures expire from the cache every few
            # minutes; a run takes less, so they are refreshed as the population grows
            # (otherwise every prediction would use the empty population's figures).
            cache.delete(MISS_CREDIT_CACHE_KEY)
            shape = mock_exam_shape(exam=exam)
        user = User.objects.create(
            username=f"sim-{seed}-{number}", email=f"sim{number}@example.com"
        )
        general = rng.gauss(GENERAL_MEAN, GENERAL_SPREAD)
        abilities = {pk: general + rng.gauss(0, OBJECTIVE_SPREAD) for pk in topic_ids}
        sessions = math.ceil(practice_items / PRACTICE_SESSION_ITEMS)
        for session in range(sessions):
            # The mock exam lands mid-way through the practice days.
            day = first_day + timedelta(days=round(session * (DAYS - 1) / max(sessions, 1)))
            if session == sessions // 2:
                attempt = services.start_attempt(user=user, exam=exam, now=day, rng=rng)
                end = _answer_all(
                    attempt=attempt, items=items, abilities=abilities, rng=rng, start=day
                )
                services.finish_attempt(attempt=attempt, now=end)
                day = end
            count = min(PRACTICE_SESSION_ITEMS, practice_items - session * PRACTICE_SESSION_ITEMS)
            attempt = services.start_practice(
                user=user, choice=PracticeChoice(count=count), now=day, rng=rng
            )
            _answer_all(attempt=attempt, items=items, abilities=abilities, rng=rng, start=day)
        final_day = first_day + timedelta(days=DAYS)
        forecast = readiness(user=user, now=final_day)
        if forecast is None or forecast.prediction is None:
            missing += 1
            continue
        prediction = forecast.prediction
        attempt = services.start_attempt(user=user, exam=exam, now=final_day, rng=rng)
        end = _answer_all(
            attempt=attempt, items=items, abilities=abilities, rng=rng, start=final_day
        )
        attempt = services.finish_attempt(attempt=attempt, now=end)
        # The oracle knows the true abilities, difficulties and what a miss earns, but not
        # which items the exam draws nor how each answer goes.
        truth = {pk: Mastery(ability=a, spread=0.0, weight=0) for pk, a in abilities.items()}
        oracle = predict_score(masteries=truth, shape=true_shape, seed=number)
        scores = shape.max_score * simulated_shares(
            masteries=truth, shape=true_shape, rng=np.random.default_rng(number), draws=4000
        )
        luck.append(float(np.abs(scores - scores.mean()).mean()))
        errors.append(abs(prediction.score - attempt.scaled_score))
        oracle_errors.append(abs(oracle.score - attempt.scaled_score))
        oracle_squared.append((oracle.pass_probability - bool(attempt.passed)) ** 2)
        squared.append((prediction.pass_probability - bool(attempt.passed)) ** 2)
        decile = deciles[min(int(prediction.pass_probability * 10), 9)]
        decile.count += 1
        decile.predicted += prediction.pass_probability
        decile.passed += bool(attempt.passed)
    scored = max(len(errors), 1)
    answers = UserResponse.objects.filter(session__user__username__startswith=f"sim-{seed}-")
    return SimulationResult(
        learners=learners,
        mean_absolute_error=sum(errors) / scored,
        oracle_mean_absolute_error=sum(oracle_errors) / scored,
        brier=sum(squared) / scored,
        luck_floor=sum(luck) / scored,
        oracle_brier=sum(oracle_squared) / scored,
        deciles=deciles,
        answers_per_learner=answers.count() / max(learners, 1),
        without_prediction=missing,
    )


def meets_targets(result: SimulationResult) -> bool:
    return (
        result.mean_absolute_error <= TARGET_MAE
        and result.brier <= TARGET_BRIER
        and all(
            gap <= TARGET_DECILE_GAP
            for count, gap in result.decile_gaps()
            if count >= DECILE_MIN_COUNT
        )
    )


def print_report(result: SimulationResult, *, seconds: float) -> None:
    print(
        f"{result.learners} learners, {result.answers_per_learner:.0f} items each "
        f"(practice + 2 mock exams), {result.without_prediction} without a prediction, "
        f"{seconds:.0f} s"
    )
    print(
        f"mean absolute error: {result.mean_absolute_error:.1f} points (target ≤ {TARGET_MAE:.0f})"
    )
    print(
        f"  oracle with the true abilities: {result.oracle_mean_absolute_error:.1f} points "
        "(true abilities, difficulties and miss credit)"
    )
    print(
        f"  the exam's own luck, E|score − E[score]| given all of that: "
        f"{result.luck_floor:.1f} points (the floor for any prediction)"
    )
    print(
        f"Brier score of P(pass): {result.brier:.3f} (target ≤ {TARGET_BRIER}; "
        f"oracle {result.oracle_brier:.3f})"
    )
    print("P(pass) decile   learners   mean predicted   observed pass rate   gap")
    for index, decile in enumerate(result.deciles):
        if not decile.count:
            print(f"  {index / 10:.1f}–{(index + 1) / 10:.1f}          0")
            continue
        predicted, observed = decile.predicted / decile.count, decile.passed / decile.count
        flag = (
            ""
            if decile.count < DECILE_MIN_COUNT or abs(observed - predicted) <= TARGET_DECILE_GAP
            else "  OVER"
        )
        print(
            f"  {index / 10:.1f}–{(index + 1) / 10:.1f}  {decile.count:>9}   {predicted:>14.2f}"
            f"   {observed:>18.2f}   {abs(observed - predicted):.2f}{flag}"
        )
    print("targets met" if meets_targets(result) else "targets NOT met")


if __name__ == "__main__":
    sys.exit(main())
