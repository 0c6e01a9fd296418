"""Role checks for views: who may read, make, manage or own a team's work."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from studio.teams.models import Role

# What each role may do; the README's permission table mirrors this.
PERMISSIONS = {
    "view": Role.VIEWER,
    "generate": Role.MEMBER,
    "edit": Role.MEMBER,
    "draft_posts": Role.MEMBER,
    "manage_members": Role.ADMIN,
    "manage_models": Role.ADMIN,
    "manage_keys": Role.ADMIN,
    "view_credits": Role.ADMIN,
    "approve_posts": Role.ADMIN,
    "transfer_ownership": Role.OWNER,
    "delete_team": Role.OWNER,
}


def can(membership, permission):
    return membership is not None and membership.has_role(PERMISSIONS[permission])


def team_required(permission="view"):
    """Signed in, inside a team, and allowed `permission` there; otherwise a clear refusal."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.team is None:
                return redirect("team_create")
            if not can(request.membership, permission):
                raise PermissionDenied(
                    f"Your role in {request.team.name} is {request.membership.get_role_display()}; "
                    f"this needs {PERMISSIONS[permission].label} or above."
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
