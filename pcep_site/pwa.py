"""The installable app: the web app manifest, the service worker and its offline page."""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import PrefixNode, static
from django.urls import reverse
from django.views.decorators.http import require_GET

# Never precached: large files fetched only by the pages that need them (the service worker
# still caches them once used). Paths are relative to the project's static/ folder.
NOT_PRECACHED = ("vendor/",)
# The page cache of templates/pwa/sw.js keeps only these areas of the site; never /api/,
# /accounts/ (profile and API tokens) or /admin/.
CACHED_PAGE_PREFIXES = ("/exams/", "/progress/", "/syllabus/")
THEME_COLOUR = "#2459c2"  # --accent in static/css/site.css
BACKGROUND_COLOUR = "#fdfdfc"  # --bg in static/css/site.css


def _project_static_files() -> list[tuple[str, Path]]:
    """(static name, file) for each file of the project's own static/ folder, in name order."""
    root = Path(settings.STATICFILES_DIRS[0])
    files = []
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_file() and not name.startswith(NOT_PRECACHED):
            files.append((name, path))
    return files


def _precache() -> tuple[str, list[str]]:
    """The cache version and the URLs the service worker fetches when it installs.

    The version is a hash of every precached file's name and content, so a deploy that
    changes any of them makes the worker drop the old caches (pages included: they link
    to the old assets)."""
    digest = hashlib.sha256()
    urls = []
    for name, path in _project_static_files():
        try:
            url = static(name)
        except ValueError:
            # Not collected (added after collectstatic): the server does not serve it either,
            # and one missing file would make the worker's whole install fail.
            continue
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        urls.append(url)
    urls.append(reverse("pwa_offline"))
    return digest.hexdigest()[:16], urls


_precache_once = cache(_precache)


def precache() -> tuple[str, list[str]]:
    # In development the files change under a running server: hash them on each request.
    return _precache() if settings.DEBUG else _precache_once()


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": "PCEP Exam Accelerator",
        "short_name": "PCEP Prep",
        "description": "Mock exams and practice for the PCEP certification.",
        "id": "/",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = HttpResponse(json.dumps(body, indent=2), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """templates/pwa/sw.js, served from the site root so that it may control every page."""
    version, urls = precache()
    config = {
        "version": version,
        "precache": urls,
        "staticPrefix": PrefixNode.handle_simple("STATIC_URL"),
        "pageExact": [reverse("home")],
        "pagePrefixes": list(CACHED_PAGE_PREFIXES),
        "offlineUrl": reverse("pwa_offline"),
    }
    # The JSON is ours (URLs and a hash), so it is written into the script as it is.
    response = render(
        request,
        "pwa/sw.js",
        {"config_json": json.dumps(config)},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    # The browser must see a new worker at once after a deploy, never an old copy.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """The page shown for a page never opened while online. It is precached once for every
    user of the browser, so it says nothing about the one who is logged in."""
    return render(request, "pwa/offline.html")
