"""Authentication backends that load a signed-in user together with their team memberships, in one query.

Every page needs both: Django's backend fetches the user, and the app shell then fetched the memberships (with
each team and its wallet) in a second query. Here the user comes joined to the memberships, and the list rides
on the user as `team_memberships` for CurrentTeamMiddleware. Only a user with no team at all costs a second
query. Everything else, the active check and the session's password hash check, stays Django's.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from studio.teams.selectors import memberships_with_user


class _MembershipsJoined:
    def get_user(self, user_id):
        try:
            memberships = memberships_with_user(user_id)
        except (ValidationError, ValueError, TypeError):
            return None  # a session holding an id that is no user id
        if memberships:
            user = memberships[0].user
            for membership in memberships:
                membership.user = user  # one instance, as request.user and in every membership
        else:
            user = get_user_model()._default_manager.filter(pk=user_id).first()
            if user is None:
                return None
        if not self.user_can_authenticate(user):
            return None
        user.team_memberships = memberships
        return user


class UsernameBackend(_MembershipsJoined, ModelBackend):
    """Django's username and password backend (the admin's login, and force_login in tests)."""


class AccountBackend(_MembershipsJoined, AuthenticationBackend):
    """allauth's backend: sign-in by email address, as the login page does."""
