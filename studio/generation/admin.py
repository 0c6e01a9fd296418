"""Operators read jobs in Django admin to answer support questions; jobs change only through the services."""

from django.contrib import admin

from studio.core.admin import ReadOnlyAdminMixin
from studio.generation.models import GenerationJob


@admin.register(GenerationJob)
class GenerationJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["uuid", "team", "user", "model_id", "status", "credits_captured", "submitted_at", "finished_at"]
    list_filter = ["status", "model_id", "team"]
    search_fields = ["uuid", "prompt", "user__email", "team__name", "response_id"]
    date_hierarchy = "submitted_at"
    list_select_related = ["team", "user"]
    exclude = ["mask_png", "latest_frame"]
