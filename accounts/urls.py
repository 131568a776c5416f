"""Sign-up and email verification, log-in, log-out, password change and reset, profile
(exam date, time zone, API tokens, the learner's data), the colour theme."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("verify-email/<str:token>/", views.verify_email_link, name="verify_email"),
    path("profile/", views.profile, name="profile"),
    path("profile/verify-email/", views.resend_verification_email, name="verify_email_resend"),
    path("profile/exam-date/", views.set_exam_date, name="exam_date"),
    path("profile/time-zone/", views.set_time_zone, name="time_zone"),
    path("theme/", views.set_theme, name="theme"),
    path("profile/my-data.json", views.download_my_data, name="my_data"),
    path("profile/delete/", views.delete_account, name="delete"),
    path("profile/tokens/", views.create_api_token, name="token_create"),
    path("profile/tokens/<int:token_id>/revoke/", views.revoke_api_token, name="token_revoke"),
    path("login/", views.RateLimitedLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        views.RateLimitedPasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
