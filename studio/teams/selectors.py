"""Reads about teams and memberships."""

from studio.teams.models import AuditEntry, Invitation, Membership, hash_token
from studio.teams.scoping import scoped


def current_membership_for(user, team_id):
    """The membership of the team in the session, or the user's oldest one when that is gone."""
    memberships = Membership.objects.filter(user=user).select_related("team")
    if team_id is not None:
        chosen = memberships.filter(team_id=team_id).first()
        if chosen is not None:
            return chosen
    return memberships.order_by("created_at").first()


def memberships_of_user(user):
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name")


def team_members(team):
    return scoped(Membership, team).select_related("user").order_by("created_at")


def team_invitations(team):
    return scoped(Invitation, team).select_related("invited_by").order_by("-created_at")


def invitation_by_token(token):
    return Invitation.objects.select_related("team").filter(token_hash=hash_token(token)).first()


def team_audit(team):
    return scoped(AuditEntry, team).select_related("actor")
