"""Operator views of teams: no invitation token and no key ciphertext is ever shown."""

from django.contrib import admin

from studio.core.admin import ReadOnlyAdminMixin
from studio.teams.models import Invitation, Membership, ProviderKey, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "active_model", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "team__name"]
    raw_id_fields = ["user", "team"]
    list_select_related = ["user", "team"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "team", "role", "state", "created_at", "expires_at"]
    search_fields = ["email", "team__name"]
    list_select_related = ["team"]
    # The token's hash is left out: it is useless to a person and only invites a copy.
    fields = [
        "team",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]
    readonly_fields = ["team", "email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "accepted_by"]

    def has_add_permission(self, request):
        # An invitation needs a token mailed to someone; the team page makes them.
        return False


@admin.register(ProviderKey)
class ProviderKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Keys are set on the team's Provider keys page, where they are encrypted and audited; here only removed."""

    deletable = True
    list_display = ["team", "provider", "masked", "updated_by", "updated_at"]
    list_filter = ["provider"]
    search_fields = ["team__name"]
    list_select_related = ["team", "updated_by"]
    fields = ["team", "provider", "masked", "updated_by", "updated_at"]
    readonly_fields = fields

    @admin.display(description="Key")
    def masked(self, obj):
        return f"•••• {obj.last_four}"
