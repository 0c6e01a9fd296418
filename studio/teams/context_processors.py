"""Template context for the app shell: the current team, the user's other teams, the balance, what the member may do."""

from studio.teams.permissions import PERMISSIONS, can
from studio.teams.selectors import memberships_of_user


def current_team(request):
    team = getattr(request, "team", None)
    if team is None:
        return {"team": None, "membership": None, "team_can": {}}

    def other_memberships():
        return [m for m in memberships_of_user(request.user) if m.team_id != team.id]

    def balance():
        from studio.credits.selectors import wallet_for

        return wallet_for(team).balance

    return {
        "team": team,
        "membership": request.membership,
        "other_memberships": other_memberships,
        "credits_balance": balance,
        # What the current member may do, for templates: {% if team_can.manage_members %}.
        "team_can": {permission: can(request.membership, permission) for permission in PERMISSIONS},
    }
