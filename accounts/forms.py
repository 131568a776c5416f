"""Account forms: sign-up (username, email, a password checked by Django's validators) and
naming a new API token."""

from django import forms
from django.contrib.auth.forms import UserCreationForm

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
