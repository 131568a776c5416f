"""/healthz tells a load balancer whether this app server can serve learners."""

import pytest
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse


@pytest.mark.django_db
def test_a_migrated_reachable_database_is_healthy(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_an_unapplied_migration_makes_the_server_unhealthy_and_is_named(client):
    latest = MigrationRecorder.Migration.objects.filter(app="progress").order_by("-id").first()
    # As after deploying new code without running migrate: the database lacks the record.
    MigrationRecorder.Migration.objects.filter(pk=latest.pk).delete()

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"] == "ok"
    assert f"progress.{latest.name}" in body["checks"]["migrations"]


@pytest.mark.django_db
def test_a_database_that_does_not_answer_makes_the_server_unhealthy(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "the database does not answer"}
    # The error's text stays in the log: it can name hosts and users.
    assert b"connection refused" not in response.content


@pytest.mark.django_db
def test_healthz_needs_no_login_and_refuses_writes(client):
    assert client.get(reverse("healthz")).status_code == 200
    assert client.post(reverse("healthz")).status_code == 405
