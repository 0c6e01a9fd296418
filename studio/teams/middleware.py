"""Puts the signed-in user's current team and membership on every request."""

from studio.teams.selectors import current_membership_for, memberships_for_request

SESSION_KEY = "postframe_team_id"


def scope_membership(user, scope):
    """A websocket's counterpart of request.membership: the membership of the team in the connection's session."""
    session = scope.get("session")
    return current_membership_for(user, session.get(SESSION_KEY) if session is not None else None)


class CurrentTeamMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.team = None
        request.membership = None
        if request.user.is_authenticated:
            # One query: the current membership, the user's other teams for the switcher, the balance for the top bar.
            membership, request.memberships = memberships_for_request(request.user, request.session.get(SESSION_KEY))
            if membership is not None:
                request.membership = membership
                request.team = membership.team
                if request.session.get(SESSION_KEY) != membership.team_id:
                    request.session[SESSION_KEY] = membership.team_id
        return self.get_response(request)
