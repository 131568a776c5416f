"""Admin pieces shared by the apps."""


class ReadOnlyAdminMixin:
    """For records the product writes itself (deliveries, review cards): staff look, never
    add, change or delete them in admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
