"""Writes the platform's apps share: the team audit log."""

from studio.core.models import AuditEntry


def audit_record(*, team, actor, action, summary, detail=None):
    """Add one entry to the team's audit log (inside the caller's transaction, so it commits with the change)."""
    return AuditEntry.objects.create(team=team, actor=actor, action=action, summary=summary, detail=detail or {})
