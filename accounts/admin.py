"""Admin for user accounts (with "End all sessions"), their REST API tokens, and the
counted sign-up and reset requests (deleting them lifts a limit). django-axes brings its
own pages for log-in lockouts."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.http import HttpResponseRedirect

from accounts.models import ApiToken, RateLimitHit, User
from accounts.services import TokenError, end_all_sessions, issue_api_token, revoke_api_token

# Fields that grant admin rights: only a superuser may change them, so that staff who may
# edit accounts (support work) cannot make themselves or others staff or superusers.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
# What a token's page shows; key_hash is left out everywhere.
TOKEN_DETAIL_FIELDS = (
    "name", "user", "prefix", "created_by", "created_at", "last_used_at", "revoked_at",
)  # fmt: skip


class UserCreationWithEmailForm(AdminUserCreationForm):
    """ "Add user" asks for the email address the change form then requires (it is unique)."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")


@admin.register(User)
class PcepUserAdmin(UserAdmin):
    add_form = UserCreationWithEmailForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = (
        "username", "email", "email_verified", "is_active", "is_staff", "date_joined",
        "last_login",
    )  # fmt: skip
    list_filter = (*UserAdmin.list_filter, "email_verified")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Profile", {"fields": ("email_verified", "profile_data")}),
    )
    actions = ("end_sessions",)

    @admin.action(description="End all sessions (log out everywhere)", permissions=["change"])
    def end_sessions(self, request, queryset):
        ended = sum(end_all_sessions(user=user) for user in queryset)
        self.message_user(
            request,
            f"{ended} session(s) of {queryset.count()} user(s) ended; they must log in again.",
            messages.SUCCESS,
        )

    def get_readonly_fields(self, request, obj=None):
        readonly_fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly_fields
        return (*readonly_fields, *PRIVILEGE_FIELDS)


class TokenStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff issue tokens here, e.g. for a service account, and revoke them."""

    list_display = (
        "name", "user", "prefix", "created_by", "created_at", "last_used_at", "revoked",
    )  # fmt: skip
    list_filter = (TokenStatusFilter,)
    search_fields = ("name", "user__username", "user__email")
    list_select_related = ("user", "created_by")
    autocomplete_fields = ("user",)
    actions = ("revoke_tokens",)

    def get_fields(self, request, obj=None):
        return ("user", "name") if obj is None else TOKEN_DETAIL_FIELDS

    def has_change_permission(self, request, obj=None):
        # A token is never edited: its name and user are fixed when it is issued, so its page
        # is read-only. Without an object this is the permission the revoke action needs.
        return obj is None and super().has_change_permission(request)

    @admin.display(boolean=True, ordering="revoked_at")
    def revoked(self, token: ApiToken) -> bool:
        return not token.is_active

    def add_view(self, request, form_url="", extra_context=None):
        # issue_api_token's rules that the form cannot see (too many active tokens) surface
        # here; the add view's transaction has rolled back by then.
        try:
            return super().add_view(request, form_url, extra_context)
        except TokenError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        # Only the add form saves (the change page is read-only). The service creates the
        # row; `obj` becomes that row, so that the admin's log and links point at it.
        token, key = issue_api_token(user=obj.user, name=obj.name, created_by=request.user)
        obj.pk = token.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            f"The secret of “{token.name}” for {token.user}: {key} — copy it now, "
            "it will not be shown again.",
            messages.SUCCESS,
        )

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke_tokens(self, request, queryset):
        active = [token for token in queryset if token.is_active]
        for token in active:
            revoke_api_token(token=token)
        self.message_user(request, f"{len(active)} token(s) revoked.", messages.SUCCESS)


@admin.register(RateLimitHit)
class RateLimitHitAdmin(admin.ModelAdmin):
    """What accounts.security counted in the last hour; deleting a client's or an address's
    rows lifts its limit at once (for a school whose learners share one address)."""

    list_display = ("scope", "key", "created_at")
    list_filter = ("scope",)
    search_fields = ("key",)
    readonly_fields = ("scope", "key", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
