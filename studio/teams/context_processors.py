"""Template context for the app shell: the current team, the user's other teams, the balance, what the member may do."""

from studio.teams.permissions import PERMISSIONS, can
from studio.teams.selectors import memberships_of_user

# Methods that move no credits: the balance loaded with the membership at the start of the request still holds.
READ_METHODS = {"GET", "HEAD"}


def current_team(request):
    team = getattr(request, "team", None)
    if team is None:
        return {"team": None, "membership": None, "team_can": {}}

    # Callables: a template that shows neither pays for neither.
    def other_memberships():
        memberships = getattr(request, "memberships", None)
        if memberships is None:
            memberships = memberships_of_user(request.user)
        return [m for m in memberships if m.team_id != team.id]

    def balance():
        from studio.credits.models import Wallet
        from studio.credits.selectors import wallet_for

        if request.method in READ_METHODS:
            try:
                return team.wallet.balance
            except Wallet.DoesNotExist:
                pass
        return wallet_for(team).balance

    return {
        "team": team,
        "membership": request.membership,
        "other_memberships": other_memberships,
        "credits_balance": balance,
        # What the current member may do, for templates: {% if team_can.manage_members %}.
        "team_can": {permission: can(request.membership, permission) for permission in PERMISSIONS},
    }
