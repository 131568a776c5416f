"""Admin for user accounts."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User

# Fields that grant admin rights: only a superuser may change them, so that staff who may
# edit accounts (support work) cannot make themselves or others staff or superusers.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class PcepUserAdmin(UserAdmin):
    list_display = ("username", "email", "is_active", "is_staff", "date_joined", "last_login")
    fieldsets = (*UserAdmin.fieldsets, ("Profile", {"fields": ("profile_data",)}))

    def get_readonly_fields(self, request, obj=None):
        readonly_fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly_fields
        return (*readonly_fields, *PRIVILEGE_FIELDS)
