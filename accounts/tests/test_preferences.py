"""Display preferences: the colour theme (every page's footer) and the profile's time zone."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User
from accounts.tests.factories import UserFactory
from exams.tests.factories import ExamFactory, ExamSessionFactory

pytestmark = pytest.mark.django_db

THEME_URL = reverse("accounts:theme")
TIME_ZONE_URL = reverse("accounts:time_zone")


@pytest.fixture
def user() -> User:
    return UserFactory(profile_data={"exam_date": "2027-03-15"})


@pytest.fixture
def learner_client(client, user):
    client.force_login(user)
    return client


def _html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


# --- the theme: service ---------------------------------------------------------------------


def test_set_theme_stores_the_choice_and_keeps_the_other_profile_keys(user):
    services.set_theme(user=user, theme="dark")

    user.refresh_from_db()
    assert user.profile_data == {"exam_date": "2027-03-15", "theme": "dark"}
    assert services.stored_theme(user=user) == "dark"


def test_set_theme_auto_removes_the_stored_choice(user):
    services.set_theme(user=user, theme="light")
    services.set_theme(user=user, theme="auto")

    user.refresh_from_db()
    assert user.profile_data == {"exam_date": "2027-03-15"}
    assert services.stored_theme(user=user) is None


def test_set_theme_refuses_an_unknown_theme_and_changes_nothing(user):
    services.set_theme(user=user, theme="dark")

    with pytest.raises(services.PreferenceError, match="not a colour theme"):
        services.set_theme(user=user, theme="purple")

    user.refresh_from_db()
    assert user.profile_data["theme"] == "dark"


# --- the theme: the switch ------------------------------------------------------------------


def test_every_page_has_the_switch_with_the_current_choice(client):
    page = client.get(reverse("home")).content.decode()

    assert f'action="{THEME_URL}"' in page
    assert '<option value="auto" selected>' in page
    assert 'src="/static/js/theme.js"' in page


def test_a_learners_choice_is_stored_and_rendered_on_every_page(learner_client, user):
    response = learner_client.post(THEME_URL, {"theme": "dark", "next": reverse("exams:list")})

    assert response.status_code == 302
    assert response.url == reverse("exams:list")
    user.refresh_from_db()
    assert user.profile_data["theme"] == "dark"
    assert services.THEME_COOKIE not in response.cookies
    page = learner_client.get(reverse("exams:history"))
    assert 'data-theme="dark"' in _html_tag(page)
    assert '<meta name="color-scheme" content="dark">' in page.content.decode()
    assert '<option value="dark" selected>' in page.content.decode()


def test_the_stored_choice_follows_the_learner_to_another_browser(client, user):
    services.set_theme(user=user, theme="light")
    client.cookies[services.THEME_COOKIE] = "dark"  # an older visitor choice in this browser
    client.force_login(user)

    assert 'data-theme="light"' in _html_tag(client.get(reverse("home")))


def test_the_background_save_gets_no_content(learner_client, user):
    response = learner_client.post(
        THEME_URL, {"theme": "light"}, headers={"X-Requested-With": "fetch"}
    )

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.profile_data["theme"] == "light"


def test_an_unknown_theme_is_a_clear_400_and_changes_nothing(learner_client, user):
    services.set_theme(user=user, theme="dark")

    response = learner_client.post(THEME_URL, {"theme": "<script>"})

    assert response.status_code == 400
    assert "is not a colour theme; choose one of auto, light, dark" in response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    user.refresh_from_db()
    assert user.profile_data == {"exam_date": "2027-03-15", "theme": "dark"}


def test_a_visitor_choice_is_kept_in_a_cookie(client):
    response = client.post(THEME_URL, {"theme": "dark", "next": reverse("accounts:login")})

    assert response.status_code == 302
    cookie = response.cookies[services.THEME_COOKIE]
    assert cookie.value == "dark"
    assert cookie["max-age"] >= 30 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    assert 'data-theme="dark"' in _html_tag(client.get(reverse("accounts:login")))


def test_a_visitor_with_a_bad_value_gets_400_and_no_cookie(client):
    response = client.post(THEME_URL, {"theme": "dark; path=/admin"})

    assert response.status_code == 400
    assert services.THEME_COOKIE not in response.cookies


def test_a_forged_theme_cookie_is_ignored(client):
    client.cookies[services.THEME_COOKIE] = '" onload="alert(1)'

    tag = _html_tag(client.get(reverse("home")))

    assert "data-theme" not in tag
    assert "alert" not in tag


def test_the_switch_does_not_send_anyone_to_another_site(client):
    response = client.post(THEME_URL, {"theme": "light", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_the_switch_takes_post_only(client):
    assert client.get(THEME_URL, {"theme": "dark"}).status_code == 405


# --- the time zone --------------------------------------------------------------------------


def test_set_time_zone_stores_an_iana_zone_and_clears_with_empty(user):
    services.set_time_zone(user=user, time_zone="Asia/Tokyo")
    user.refresh_from_db()
    assert user.profile_data == {"exam_date": "2027-03-15", "time_zone": "Asia/Tokyo"}

    services.set_time_zone(user=user, time_zone="")
    user.refresh_from_db()
    assert user.profile_data == {"exam_date": "2027-03-15"}


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "localtime", "../../etc/passwd"])
def test_set_time_zone_refuses_an_unknown_zone_and_changes_nothing(user, zone):
    services.set_time_zone(user=user, time_zone="Europe/Paris")

    with pytest.raises(services.PreferenceError, match="not a time zone we know"):
        services.set_time_zone(user=user, time_zone=zone)

    user.refresh_from_db()
    assert user.profile_data["time_zone"] == "Europe/Paris"


def test_the_profile_offers_the_browsers_zone_first_and_grouped_zones(learner_client):
    page = learner_client.get(reverse("accounts:profile")).content.decode()

    select = re.search(r'<select name="time_zone".*?</select>', page, re.S).group(0)
    assert re.search(r'<option value="" selected>My browser&#x27;s time zone</option>', select)
    assert '<optgroup label="Asia">' in select
    assert '<option value="Asia/Tokyo">Tokyo</option>' in select
    assert '<option value="America/Argentina/Buenos_Aires">' in select
    assert select.index('label="Africa"') < select.index('label="Europe"')


def test_the_profile_form_stores_the_zone(learner_client, user):
    response = learner_client.post(TIME_ZONE_URL, {"time_zone": "Asia/Tokyo"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.profile_data["time_zone"] == "Asia/Tokyo"
    page = learner_client.get(reverse("accounts:profile")).content.decode()
    assert "Times are now shown in Asia/Tokyo." in page
    assert '<option value="Asia/Tokyo" selected>' in page


def test_an_unknown_zone_is_a_form_error_and_changes_nothing(learner_client, user):
    services.set_time_zone(user=user, time_zone="Europe/Paris")

    response = learner_client.post(TIME_ZONE_URL, {"time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 400
    assert response.context["time_zone_form"].errors["time_zone"] == [
        "“Mars/Olympus_Mons” is not a time zone we know; choose one from the list."
    ]
    user.refresh_from_db()
    assert user.profile_data == {"exam_date": "2027-03-15", "time_zone": "Europe/Paris"}


def test_the_time_zone_form_needs_a_login_and_post(client, learner_client):
    assert client.post(TIME_ZONE_URL, {"time_zone": "Asia/Tokyo"}).status_code == 302
    assert learner_client.get(TIME_ZONE_URL).status_code == 405


STARTED = datetime.datetime(2026, 12, 4, 9, 15, tzinfo=datetime.UTC)


def test_history_shows_start_times_in_the_chosen_zone(learner_client, user):
    ExamSessionFactory(user=user, exam=ExamFactory(), start_time=STARTED)
    services.set_time_zone(user=user, time_zone="Asia/Tokyo")

    response = learner_client.get(reverse("exams:history"))

    page = response.content.decode()
    assert ">4 Dec 2026 18:15 JST</time>" in page  # 9 hours after 09:15 UTC
    assert 'data-time-zone="Asia/Tokyo"' in _html_tag(response)
    # The zone is the request's only: the next code runs in the default zone again.
    assert timezone.get_current_timezone_name() == "UTC"


def test_without_a_zone_history_leaves_times_to_the_browser(learner_client, user):
    ExamSessionFactory(user=user, exam=ExamFactory(), start_time=STARTED)

    response = learner_client.get(reverse("exams:history"))

    page = response.content.decode()
    assert (
        '<time datetime="2026-12-04T09:15:00+00:00" data-local-time>4 Dec 2026 09:15 UTC</time>'
        in page
    )
    assert "data-time-zone" not in _html_tag(response)
    assert 'src="/static/js/local-times.js"' in page


def test_the_preferences_cost_the_history_page_no_query(learner_client, user):
    ExamSessionFactory(user=user, exam=ExamFactory(), start_time=STARTED)
    learner_client.get(reverse("exams:history"))  # anything cached per process is warm
    with CaptureQueriesContext(connection) as without_preferences:
        learner_client.get(reverse("exams:history"))
    services.set_theme(user=user, theme="dark")
    services.set_time_zone(user=user, time_zone="Asia/Tokyo")

    with CaptureQueriesContext(connection) as with_preferences:
        response = learner_client.get(reverse("exams:history"))

    assert 'data-theme="dark"' in _html_tag(response)
    assert len(with_preferences) == len(without_preferences)
