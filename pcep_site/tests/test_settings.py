"""Production settings refuse to start when incomplete."""

import os
import subprocess
import sys

from django.conf import settings

# Not the test run's own: DEBUG, the key, and the browser tests' async switch (their conftest
# sets it in this process, and the checklist rightly refuses it in a deployment).
_NOT_INHERITED = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")


def _check_with(env_overrides: dict[str, str], *options: str) -> subprocess.CompletedProcess:
    """`manage.py check [options]` in a fresh process with these settings."""
    env = {key: value for key, value in os.environ.items() if key not in _NOT_INHERITED}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *options],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_secret_key_fails_loudly():
    result = _check_with({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_fails_loudly():
    result = _check_with({"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_development_starts_with_its_own_key():
    result = _check_with({"DEBUG": "true"})
    assert result.returncode == 0, result.stderr


def test_every_missing_production_setting_is_named_at_once():
    result = _check_with({"DEBUG": "false", "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "ALLOWED_HOSTS must be set" in result.stderr


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-" + "".join(chr(ord("a") + n % 26) + str(n) for n in range(30)),
    "ALLOWED_HOSTS": "pcep.example.org",
}


def _deploy_check(env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    return _check_with(env_overrides, "--deploy", "--fail-level", "WARNING")


def test_production_settings_pass_the_deployment_checklist():
    result = _deploy_check(PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_plain_http_trial_is_reported_by_the_deployment_checklist():
    # HTTPS=false (make serve on a trusted machine) gives up HSTS, the redirect and secure
    # cookies: the checklist must say so rather than pass.
    result = _deploy_check({**PRODUCTION, "HTTPS": "false"})
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr
