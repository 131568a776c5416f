"""Benchmark: server time of the Progress and home pages for a learner with a long history.

Run from the project folder (importing the bank verifies its keys, so it needs bubblewrap):

    DEBUG=true .venv/bin/python bench/progress_bench.py [--learner 5000] [--total 500000]

It fills a throwaway SQLite database with the bundled bank and `--total` responses spread
over many learners (the measured learner holds `--learner` of them, half practice and half
finished mock exams over 90 days), then renders each page through Django's test client
(the whole request inside Django: middleware, views, queries, templates) and prints the
median and worst of the timed runs, the median CPU time of this process (the request
without the waits for a core on a busy box) and the number of queries. Target (issue 11):
the Progress page under 50 ms with 5,000 responses for the learner and 500,000 in the
database.

Filling takes minutes; `--database PATH` keeps the filled database at PATH and, when PATH
already exists, measures against it without filling again (to compare two versions of the
code on the same data, or to re-run on a quieter moment). `--profile` prints where one
Progress page's time goes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
ITEMS_PER_SESSION = 30
TARGET_MS = 50.0


def fill(*, learner_responses: int, total_responses: int, rng: random.Random):
    """The measured learner and the crowd, written with bulk inserts."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from exams.models import Exam, ExamSession, Question, UserResponse

    user_model = get_user_model()
    exam = Exam.objects.filter(kind=Exam.Kind.MOCK).order_by("id").first()
    questions = list(Question.objects.drawable().values_list("id", "points"))
    now = timezone.now()
    crowd_size = max((total_responses - learner_responses) // learner_responses, 1) * 10
    learner = user_model.objects.create_user("bench-learner", "bench@example.com", "x")
    crowd = user_model.objects.bulk_create(
        user_model(username=f"crowd-{n}", email=f"crowd-{n}@example.com") for n in range(crowd_size)
    )
    plan = [(learner, learner_responses)]
    rest = total_responses - learner_responses
    plan += [(user, rest // crowd_size) for user in crowd]
    for user, responses in plan:
        sessions = []
        for number in range(responses // ITEMS_PER_SESSION):
            start = now - timedelta(days=rng.uniform(0, 90))
            is_exam = number % 2 == 0
            sessions.append(
                ExamSession(
                    user=user,
                    exam=exam if is_exam else None,
                    mode=ExamSession.Mode.EXAM if is_exam else ExamSession.Mode.PRACTICE,
                    start_time=start,
                    end_time=start + timedelta(minutes=35),
                    is_completed=True,
                    total_questions=ITEMS_PER_SESSION,
                    points_possible=1000 if is_exam else 0,
                    scaled_score=rng.randint(400, 1000) if is_exam else None,
                )
            )
        sessions = ExamSession.objects.bulk_create(sessions, batch_size=2000)
        rows = []
        for session in sessions:
            for position, (question_id, points) in enumerate(
                rng.sample(questions, ITEMS_PER_SESSION), start=1
            ):
                right = rng.random() < 0.7
                rows.append(
                    UserResponse(
                        session=session,
                        question_id=question_id,
                        position=position,
                        is_correct=right,
                        is_skipped=False,
                        points_earned=points if right else 0,
                        time_taken=rng.uniform(20, 90),
                        answered_at=session.start_time + timedelta(minutes=position),
                        response_data={},
                    )
                )
        UserResponse.objects.bulk_create(rows, batch_size=5000)
    from progress.services import refresh_progress

    refresh_progress(
        user=learner, topic_ids=list(exam.syllabus.modules.values_list("topics", flat=True))
    )
    return learner


def measure(client, url: str, *, runs: int, forget=None) -> tuple[float, float, float, int]:
    """Median and worst wall time, median CPU time (ms), and the number of queries.
    `forget`: called before each run, to measure a view that cannot reuse earlier work."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches the way a second visit would
    timings, cpu = [], []
    for _ in range(runs):
        if forget is not None:
            forget()
        with CaptureQueriesContext(connection) as queries:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), max(timings), statistics.median(cpu), len(queries)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learner", type=int, default=5000)
    parser.add_argument("--total", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    parser.add_argument(
        "--database", type=Path, help="keep the filled database here; reuse it if it exists"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="progress-bench-") as temporary:
        database = arguments.database or Path(temporary) / "bench.sqlite3"
        reuse = database.exists()
        os.environ["DJANGO_SETTINGS_MODULE"] = "pcep_site.settings"
        os.environ["DATABASE_URL"] = f"sqlite:///{database.resolve()}"
        os.environ.setdefault("DEBUG", "true")
        sys.path.insert(0, str(PROJECT_DIR))
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        started = time.perf_counter()
        call_command("migrate", verbosity=0)  # a kept database gets any newer migration
        if reuse:
            from django.contrib.auth import get_user_model

            learner = get_user_model().objects.get(username="bench-learner")
        else:
            call_command("load_syllabus", verbosity=0)
            call_command(
                "import_questions", *map(str, sorted(PROJECT_DIR.glob("content/questions/*.yaml"))),
                verbosity=0,
            )  # fmt: skip
            learner = fill(
                learner_responses=arguments.learner,
                total_responses=arguments.total,
                rng=random.Random(11),
            )
        from exams.models import UserResponse

        print(
            f"{'reused' if reuse else 'filled'} {UserResponse.objects.count():,} responses "
            f"({UserResponse.objects.filter(session__user=learner).count():,} the learner's) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        client = Client()
        client.force_login(learner)
        from django.core.cache import cache
        from django.utils import timezone

        from exams.selectors import current_syllabus
        from progress.selectors import LearnerSnapshot, objective_sums_key

        answers = UserResponse.objects.filter(
            session__user=learner, session__mode="practice", answered_at__isnull=False
        )

        def answer_again():
            # A new answer: one of the learner's practice answers given again now, so its
            # objective's evidence changes and the page's estimates cannot be reused as they
            # were (the other objectives' sums can).
            answers.filter(pk=answers.order_by("?").values("pk")[:1]).update(
                answered_at=timezone.now()
            )

        def forget_everything():
            # A view after a break: nothing of the learner's kept from earlier views (the
            # population's figures, shared by every learner, stay cached).
            snapshot = LearnerSnapshot(
                user=learner, syllabus=current_syllabus(), reuse_estimates=True
            )
            cache.delete_many([snapshot.estimates_key, objective_sums_key(user=learner)])

        medians = {}
        medians = {}
        pages = (
            ("Progress page", "/progress/", None),
            ("home page", "/", None),
            ("Progress page, first view after an answer", "/progress/", answer_again),
            ("home page, first view after an answer", "/", answer_again),
            ("Progress page, nothing kept from earlier views", "/progress/", forget_everything),
        )
        for name, url, forget in pages:
            median, worst, cpu, queries = measure(client, url, runs=arguments.runs, forget=forget)
            medians[name] = median
            print(
                f"{name}: median {median:.1f} ms, worst {worst:.1f} ms over "
                f"{arguments.runs} runs (CPU median {cpu:.1f} ms), {queries} queries"
            )
        if arguments.profile:
            import cProfile
            import pstats

            for name, forget in (
                ("repeat view", None),
                ("first view after an answer", answer_again),
            ):
                if forget is not None:
                    forget()
                print(f"Progress page, {name}: where the time goes")
                profiler = cProfile.Profile()
                profiler.runcall(client.get, "/progress/")
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        for name in ("Progress page", "Progress page, first view after an answer"):
            verdict = "met" if medians[name] < TARGET_MS else "NOT met"
            print(f"target: {name} under {TARGET_MS:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
