"""The installable app's views: manifest, service worker and offline page (pcep_site/pwa.py)."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse

from accounts.tests.factories import UserFactory
from pcep_site import pwa


def worker_config(response) -> dict:
    """The settings line pcep_site/pwa.py writes at the top of the worker."""
    line = next(
        line for line in response.content.decode().splitlines() if line.startswith("self.PCEP_SW")
    )
    return json.loads(re.fullmatch(r"self\.PCEP_SW = (\{.*\});", line).group(1))


def test_manifest_is_served_with_its_content_type_and_install_fields(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "PCEP Exam Accelerator"
    assert manifest["short_name"]
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == pwa.THEME_COLOUR
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512", "any"}


def test_manifest_icons_exist_and_the_pngs_have_their_stated_size(client):
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    for icon in manifest["icons"]:
        found = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        assert found, icon["src"]
        body = pwa.Path(found).read_bytes()
        if icon["type"] == "image/png":
            assert body.startswith(b"\x89PNG")
            width = int.from_bytes(body[16:20], "big")
            height = int.from_bytes(body[20:24], "big")
            assert f"{width}x{height}" == icon["sizes"]


def test_theme_colours_are_the_stylesheet_colours():
    stylesheet = (pwa.Path(settings.STATICFILES_DIRS[0]) / "css" / "site.css").read_text()
    palette = stylesheet.split("}", 1)[0]
    # Each colour is light-dark(light, dark): the manifest's are the light ones.
    assert f"--accent: light-dark({pwa.THEME_COLOUR}, " in palette
    assert f"--bg: light-dark({pwa.BACKGROUND_COLOUR}, " in palette


def test_service_worker_is_served_from_the_root_scope_and_never_from_a_cache(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert b'addEventListener("fetch"' in response.content


def test_service_worker_precaches_the_shell_but_not_the_vendored_runtime(client):
    config = worker_config(client.get("/sw.js"))

    precache = config["precache"]
    assert "/static/css/site.css" in precache
    assert "/static/js/attempt.js" in precache
    assert "/static/js/sw-register.js" in precache
    assert reverse("pwa_offline") in precache
    assert not [url for url in precache if url.startswith("/static/vendor/")]


def test_service_worker_never_keeps_api_account_or_admin_pages(client):
    config = worker_config(client.get("/sw.js"))

    assert config["pageExact"] == ["/"]
    for private_area in ("/api/", "/accounts/", "/admin/"):
        assert private_area not in config["pageExact"]
        assert not [p for p in config["pagePrefixes"] if private_area.startswith(p)], private_area


def test_cache_version_changes_when_a_precached_file_changes(tmp_path):
    (tmp_path / "css").mkdir()
    stylesheet = tmp_path / "css" / "site.css"
    stylesheet.write_text("body { color: black; }")
    with override_settings(STATICFILES_DIRS=[tmp_path], DEBUG=True):
        before, _ = pwa.precache()
        assert pwa.precache()[0] == before  # stable while nothing changes
        stylesheet.write_text("body { color: navy; }")
        after, _ = pwa.precache()
    assert after != before


@pytest.mark.parametrize("url", ["/manifest.webmanifest", "/sw.js", "/offline/"])
def test_pwa_views_refuse_writes(client, url):
    assert client.post(url).status_code == 405


@pytest.mark.django_db
def test_offline_page_names_no_user_since_every_user_of_the_browser_shares_it(client):
    user = UserFactory(username="ada-offline")
    client.force_login(user)

    response = client.get("/offline/")

    assert response.status_code == 200
    assert b"You are offline" in response.content
    assert b"ada-offline" not in response.content
    assert b"Log out" not in response.content


@pytest.mark.django_db
def test_pages_name_their_cache_owner_so_another_users_copies_are_dropped(client):
    """static/js/sw-register.js empties the page cache when this differs from the last one."""
    first, second = UserFactory(), UserFactory()

    anonymous = client.get("/").content.decode()
    client.force_login(first)
    as_first = client.get("/").content.decode()
    client.force_login(second)
    as_second = client.get("/").content.decode()

    assert 'data-cache-owner=""' in anonymous
    assert f'data-cache-owner="{first.pk}"' in as_first
    assert f'data-cache-owner="{second.pk}"' in as_second


@pytest.mark.django_db
def test_every_page_links_the_manifest_and_registers_the_worker_from_a_file(client):
    client.force_login(UserFactory())
    page = client.get("/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'src="/static/js/sw-register.js" data-worker="/sw.js"' in page
    assert "data-logout" in page  # the logout form empties the page cache first
    assert "serviceWorker" not in page  # no inline script


def test_a_static_file_not_collected_is_left_out_instead_of_failing_the_install(
    tmp_path, monkeypatch
):
    """The worker's install fails whole if one precached URL is missing; a file added after
    collectstatic has no URL in the manifest (static() raises), so it is not listed."""
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "collected.js").write_text("1;")
    (tmp_path / "js" / "added-later.js").write_text("2;")

    def manifest_url(name):
        if name == "js/added-later.js":
            raise ValueError(f"Missing staticfiles manifest entry for '{name}'")
        return f"/static/{name}"

    monkeypatch.setattr(pwa, "static", manifest_url)
    with override_settings(STATICFILES_DIRS=[tmp_path], DEBUG=True):
        _, urls = pwa.precache()

    assert "/static/js/collected.js" in urls
    assert "/static/js/added-later.js" not in urls
