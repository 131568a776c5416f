"""Security headers on every page: CSP without inline scripts, Permissions-Policy, framing."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
def test_pages_forbid_inline_scripts_other_origins_and_framing(client):
    response = client.get(reverse("accounts:login"))

    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_the_api_docs_widen_styles_only(admin_client):
    for name in ("api:docs", "api:redoc"):
        response = admin_client.get(reverse(name))
        assert response.status_code == 200
        policy = _directives(response["Content-Security-Policy"])
        assert "'unsafe-inline'" in policy["style-src"]
        assert policy["script-src"] == ["'self'"]
        assert b"<script>" not in response.content


@pytest.mark.django_db
def test_no_template_carries_an_inline_script_or_handler():
    """The policy would block them in the browser: they belong in static/js/."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text()
        if inline_script.search(text) or handler.search(text):
            offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []
