"""Template context for the app shell: the current team, the user's other teams, what the member may do.

The credits balance comes from studio.credits.context_processors: teams knows nothing of credits.
"""

from studio.teams.permissions import PERMISSIONS, can
from studio.teams.selectors import memberships_of_user


def current_team(request):
    team = getattr(request, "team", None)
    if team is None:
        return {"team": None, "membership": None, "team_can": {}}

    # A callable: a template that does not show the switcher does not pay for it.
    def other_memberships():
        memberships = getattr(request, "memberships", None)
        if memberships is None:
            memberships = memberships_of_user(request.user)
        return [m for m in memberships if m.team_id != team.id]

    return {
        "team": team,
        "membership": request.membership,
        "other_memberships": other_memberships,
        # What the current member may do, for templates: {% if team_can.manage_members %}.
        "team_can": {permission: can(request.membership, permission) for permission in PERMISSIONS},
    }
