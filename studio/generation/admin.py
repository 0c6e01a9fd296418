"""Operators read jobs in Django admin to answer support questions; jobs change only through the services."""

from django.contrib import admin

from studio.generation.models import GenerationJob


@admin.register(GenerationJob)
class GenerationJobAdmin(admin.ModelAdmin):
    list_display = ["uuid", "team", "user", "model_id", "status", "credits_captured", "submitted_at", "finished_at"]
    list_filter = ["status", "model_id", "team"]
    search_fields = ["uuid", "prompt", "user__email", "team__name", "response_id"]
    date_hierarchy = "submitted_at"
    list_select_related = ["team", "user"]
    exclude = ["mask_png", "latest_frame"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
