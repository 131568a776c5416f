"""Who may use the instructor side of the API: the Instructors group, or staff."""

from rest_framework.permissions import BasePermission

INSTRUCTORS_GROUP = "Instructors"


def is_instructor(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or user.groups.filter(name=INSTRUCTORS_GROUP).exists()


class IsInstructor(BasePermission):
    message = "Only instructors (the Instructors group) and staff may do this."

    def has_permission(self, request, view) -> bool:
        return is_instructor(request.user)
