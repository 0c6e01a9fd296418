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
    "manage_api": Role.ADMIN,
    "view_credits": Role.ADMIN,
    "view_audit": Role.ADMIN,
    "approve_posts": Role.ADMIN,
    "transfer_ownership": Role.OWNER,
    "delete_team": Role.OWNER,
}


def can(membership, permission):
    return membership is not None and membership.has_role(PERMISSIONS[permission])


def member_change_refusal(actor, target, verb):
    """Why `actor` may not `verb` (change the role of, remove) `target`, or None when they may.

    Nobody touches the owner; only the owner touches another admin.
    """
    if not can(actor, "manage_members"):
        return "Only admins and the owner can manage members."
    if target.team_id != actor.team_id:
        return "That person is not a member of this team."
    if target.role == Role.OWNER:
        return f"Nobody can {verb} the owner. The owner can transfer ownership to someone else first."
    if target.role == Role.ADMIN and target.pk != actor.pk and actor.role != Role.OWNER:
        return f"Only the owner can {verb} another admin."
    return None


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
