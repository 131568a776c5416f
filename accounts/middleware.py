"""Display preferences for every request: the colour theme and the learner's time zone.

`request.theme` is "light", "dark" or "auto" (the learner's stored choice, else the
anonymous visitor's cookie); templates/base.html renders it as `<html data-theme>` so the
first paint already has the chosen colours. `request.time_zone` is the learner's stored IANA
zone or None; while set, it is Django's current time zone for the request, so every
server-rendered time is in it (and static/js/local-times.js leaves those times alone).
"""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts import services


class DisplayPreferencesMiddleware:
    """After AuthenticationMiddleware. It reads request.user first, which the page (its
    header names the learner) and the answer endpoints load anyway."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        theme = time_zone = None
        if user.is_authenticated:
            theme = services.stored_theme(user=user)
            time_zone = services.stored_time_zone(user=user)
        if theme is None:
            cookie = request.COOKIES.get(services.THEME_COOKIE, "")
            theme = cookie if cookie in services.THEMES else services.AUTO_THEME
        request.theme, request.time_zone = theme, time_zone
        if time_zone is None:
            return self.get_response(request)
        timezone.activate(ZoneInfo(time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
