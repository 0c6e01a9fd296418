"""What every operator page of the studio shares, and the operators' read-only view of the team audit log."""

from django.contrib import admin

from studio.core.models import AuditEntry


class ReadOnlyAdminMixin:
    """An admin that shows rows and never writes them: they change only through the services.

    Set `deletable = True` where an operator may delete a row (say a leaked key), but never add or edit one.
    """

    deletable = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "team", "actor", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "team__name", "actor__email"]
    list_select_related = ["team", "actor"]
    date_hierarchy = "created_at"
