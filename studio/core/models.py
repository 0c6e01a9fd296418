"""Rows the platform's apps share: the team audit log, beside teams and credits rather than inside either."""

from django.conf import settings
from django.db import models

# What each audited action is called in the audit log's filter.
AUDIT_ACTIONS = {
    "team.created": "Team created",
    "team.renamed": "Team renamed",
    "models.changed": "Models changed",
    "models.retired": "Retired model replaced",
    "key.set": "Provider key set",
    "key.removed": "Provider key removed",
    "invitation.sent": "Invitation sent",
    "invitation.revoked": "Invitation revoked",
    "invitation.accepted": "Invitation accepted",
    "member.role_changed": "Role changed",
    "member.removed": "Member removed",
    "member.left": "Member left",
    "ownership.transferred": "Ownership transferred",
    "credits.granted": "Credits granted",
    "credits.requested": "Credits requested",
    "credits.request_granted": "Credit request granted",
    "credits.request_declined": "Credit request declined",
    "api_token.created": "API token created",
    "api_token.revoked": "API token revoked",
    "post.created": "Post drafted",
    "post.updated": "Post edited",
    "post.submitted": "Post sent for approval",
    "post.approved": "Post approved",
    "post.returned": "Post returned",
    "post.rescheduled": "Post moved",
    "post.cancelled": "Post cancelled",
    "post.retried": "Post retried",
    "schedule.settings_changed": "Schedule settings changed",
    "schedule.ical_rotated": "Calendar feed address replaced",
    "channel.connected": "Channel connected",
    "channel.reconnected": "Channel reconnected",
    "channel.disconnected": "Channel disconnected",
    "channel.expired": "Channel token expired",
    "channel.revoked": "Channel access revoked",
}


class AuditEntry(models.Model):
    """One change to a team, who made it and what it was; written by audit_record, never edited."""

    TEAM_FIELD = "team"

    # The Team by name, not by import: studio.core stays below teams and credits, which both write here.
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=60)
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "teams_auditentry"  # the table it had in studio.teams: moving the model moved no row
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return self.summary

    @property
    def action_label(self):
        return AUDIT_ACTIONS.get(self.action, self.action)
