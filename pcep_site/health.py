"""`/healthz`: whether this app server can serve learners (for load balancers and monitors).

It answers without a session, a template or the cache, so a broken piece elsewhere does not
hide behind it, and says which check failed; details of errors go to the log, not the body.
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def database_problem() -> str:
    """'' when the database answers a query, else what went wrong, in words."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("healthz: the database did not answer")
        return "the database does not answer"
    return ""


def unapplied_migrations() -> list[str]:
    """The migrations this code has and the database has not applied ("app.name")."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    problem = database_problem()
    checks = {"database": problem or "ok"}
    if not problem:
        try:
            missing = unapplied_migrations()
        except Exception:
            logger.exception("healthz: could not read the migration state")
            missing = ["(the migration state could not be read)"]
        checks["migrations"] = (
            "ok" if not missing else f"{len(missing)} not applied: {', '.join(missing[:5])}"
        )
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )
