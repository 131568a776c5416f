"""Admin for user accounts."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class PcepUserAdmin(UserAdmin):
    list_display = ("username", "email", "is_active", "is_staff", "date_joined", "last_login")
    fieldsets = (*UserAdmin.fieldsets, ("Profile", {"fields": ("profile_data",)}))
