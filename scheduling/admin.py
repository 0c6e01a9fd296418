"""Operators' view of scheduling: channels (never their tokens), posts with their per-channel targets, attempts."""

from django.contrib import admin

from scheduling.models import Channel, Post, PostMedia, PostTarget, PublishAttempt, ScheduleSettings


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "platform", "team", "status", "expires_at", "updated_at")
    list_filter = ("platform", "status")
    search_fields = ("name", "account_id", "team__name")
    # The encrypted tokens stay out of the admin altogether.
    exclude = ("credentials_ciphertext",)
    readonly_fields = ("connected_by", "created_at", "updated_at")
    raw_id_fields = ("team",)


class PostMediaInline(admin.TabularInline):
    model = PostMedia
    extra = 0
    raw_id_fields = ("asset",)


class PostTargetInline(admin.TabularInline):
    model = PostTarget
    extra = 0
    fields = ("channel", "status", "message", "remote_url", "next_attempt_at", "published_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("__str__", "team", "status", "publish_at", "created_at")
    list_filter = ("status",)
    search_fields = ("caption", "team__name")
    raw_id_fields = ("team", "carousel", "created_by", "submitted_by", "approved_by")
    inlines = [PostMediaInline, PostTargetInline]


@admin.register(PublishAttempt)
class PublishAttemptAdmin(admin.ModelAdmin):
    list_display = ("target", "number", "outcome", "started_at", "finished_at")
    list_filter = ("outcome",)
    readonly_fields = ("target", "number", "outcome", "message", "partial", "started_at", "finished_at")


@admin.register(ScheduleSettings)
class ScheduleSettingsAdmin(admin.ModelAdmin):
    list_display = ("team", "timezone")
    exclude = ("ical_token",)
    raw_id_fields = ("team",)
