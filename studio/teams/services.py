"""Writes about teams: creating, switching, membership changes. Keyword-only and atomic."""

from django.db import transaction
from django.utils.text import slugify

from studio.engines.capabilities import OFFLINE_MODEL_ID
from studio.teams.middleware import SESSION_KEY
from studio.teams.models import AuditEntry, Membership, Role, Team


class TeamError(Exception):
    """A refused change, with a message fit to show the user."""


def _unique_slug(name):
    base = slugify(name)[:80] or "team"
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def audit_record(*, team, actor, action, summary, detail=None):
    return AuditEntry.objects.create(team=team, actor=actor, action=action, summary=summary, detail=detail or {})


@transaction.atomic
def team_create(*, owner, name):
    from studio.credits.services import wallet_open

    name = name.strip()
    if not name:
        raise TeamError("Give the team a name.")
    team = Team.objects.create(
        name=name, slug=_unique_slug(name), allowed_models=[OFFLINE_MODEL_ID], active_model=OFFLINE_MODEL_ID
    )
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    wallet_open(team=team)
    audit_record(team=team, actor=owner, action="team.created", summary=f"{owner.email} created the team {name}")
    return team


def team_switch(*, request, team_id):
    """Make `team_id` the current team of this session, if the user belongs to it."""
    membership = Membership.objects.filter(user=request.user, team_id=team_id).select_related("team").first()
    if membership is None:
        raise TeamError("You are not a member of that team.")
    request.session[SESSION_KEY] = membership.team_id
    return membership.team
