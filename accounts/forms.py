"""Account forms: sign-up (username, email, a password checked by Django's validators),
naming a new API token, the exam date, the time zone, and confirming an account's
deletion."""

from datetime import date

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken, User


class SignUpForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class ApiTokenForm(forms.Form):
    # Not required and no length check here: issue_api_token owns the naming rules, and its
    # messages are the ones shown. maxlength only spares the learner typing past the limit.
    name = forms.CharField(
        label="Token name",
        required=False,
        help_text="What the token is for, e.g. “School LMS” or “My laptop script”.",
        widget=forms.TextInput(
            attrs={
                "maxlength": ApiToken._meta.get_field("name").max_length,
                "autocomplete": "off",
            }
        ),
    )


# A real exam is booked weeks or months ahead; a date further away is almost surely a typo.
MAX_YEARS_TO_EXAM = 2


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


class ExamDateForm(forms.Form):
    exam_date = forms.DateField(
        label="Exam date",
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="Optional. The study plan counts the days left and paces your practice to it. "
        "Leave empty to remove it.",
        error_messages={"invalid": "Enter a real date, e.g. 2027-03-15."},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_exam_date(self) -> date | None:
        exam_date = self.cleaned_data["exam_date"]
        if exam_date is None:
            return None
        today = timezone.localdate()
        if exam_date < today:
            raise forms.ValidationError("The exam date has to be today or later.")
        latest = _years_later(today, MAX_YEARS_TO_EXAM)
        if exam_date > latest:
            raise forms.ValidationError(
                f"The exam date can be at most {MAX_YEARS_TO_EXAM} years ahead "
                f"(until {latest:%-d %B %Y})."
            )
        return exam_date


BROWSER_TIME_ZONE = ""
# Zones named Region/City are grouped by region; the rest (UTC, legacy aliases) go last.
_ZONE_REGIONS = {
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
}  # fmt: skip


def _time_zone_choices() -> list:
    groups: dict[str, list[tuple[str, str]]] = {}
    for name in services.learner_time_zones():
        region, _, place = name.partition("/")
        if region not in _ZONE_REGIONS:
            region, place = "Other", name
        groups.setdefault(region, []).append((name, place.replace("_", " ")))
    other = groups.pop("Other", [])
    return [
        (BROWSER_TIME_ZONE, "My browser's time zone"),
        *groups.items(),
        ("Other", other),
    ]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        choices=_time_zone_choices,
        help_text="Times on your history, reports and attempts are shown in this zone. "
        "“My browser's time zone” follows the device you use.",
        error_messages={
            "invalid_choice": "“%(value)s” is not a time zone we know; choose one from the list."
        },
    )


class DeleteAccountForm(forms.Form):
    """Deleting an account cannot be undone, so the learner proves it is them once more."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                "That is not your password, so nothing was deleted.", code="wrong_password"
            )
        return password
