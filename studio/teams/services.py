"""Writes about teams (members, roles, invitations, models, provider keys), keyword-only, atomic and audited."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from studio.core.services import audit_record
from studio.engines.capabilities import OFFLINE_MODEL_ID, image_models
from studio.engines.video import video_models
from studio.teams import crypto, signals
from studio.teams.middleware import SESSION_KEY
from studio.teams.models import (
    OFFLINE_VIDEO_MODEL_ID,
    Invitation,
    Membership,
    Provider,
    ProviderKey,
    Role,
    Team,
    hash_token,
)
from studio.teams.permissions import can, member_change_refusal
from studio.teams.scoping import scoped
from studio.teams.selectors import KlingKey, user_emails

logger = logging.getLogger(__name__)


class TeamError(Exception):
    """A refused change, with a message fit to show the user."""


class InvitationError(TeamError):
    """An invitation that cannot be accepted; `reason` is unknown, expired, revoked, used, wrong_email or member."""

    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


def _unique_slug(name):
    base = slugify(name)[:80] or "team"
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _who(user):
    return user.email or user.get_username()


def _require(membership, permission, message):
    if not can(membership, permission):
        raise TeamError(message)


# Teams ------------------------------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, owner, name):
    name = name.strip()
    if not name:
        raise TeamError("Give the team a name.")
    team = Team.objects.create(
        name=name, slug=_unique_slug(name), allowed_models=[OFFLINE_MODEL_ID], active_model=OFFLINE_MODEL_ID
    )
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    signals.team_created.send(sender=Team, team=team, owner=owner)  # credits opens the wallet and the gift
    audit_record(team=team, actor=owner, action="team.created", summary=f"{owner.email} created the team {name}")
    return team


def team_switch(*, request, team_id):
    """Make `team_id` the current team of this session, if the user belongs to it."""
    membership = Membership.objects.filter(user=request.user, team_id=team_id).select_related("team").first()
    if membership is None:
        raise TeamError("You are not a member of that team.")
    request.session[SESSION_KEY] = membership.team_id
    return membership.team


@transaction.atomic
def team_rename(*, actor_membership, name):
    _require(actor_membership, "manage_members", "Only admins and the owner can rename the team.")
    team = Team.objects.select_for_update().get(pk=actor_membership.team_id)
    name = name.strip()
    if not name:
        raise TeamError("Give the team a name.")
    if name == team.name:
        return team
    old = team.name
    team.name = name
    team.save(update_fields=["name"])
    audit_record(
        team=team,
        actor=actor_membership.user,
        action="team.renamed",
        summary=f"{_who(actor_membership.user)} renamed the team from {old} to {name}",
        detail={"from": old, "to": name},
    )
    return team


@transaction.atomic
def team_delete(*, actor_membership, confirm_name):
    """Delete the team and everything it owns; only its owner, who types the team's name to confirm."""
    if actor_membership.role != Role.OWNER:
        raise TeamError("Only the owner can delete the team.")
    team = Team.objects.select_for_update().get(pk=actor_membership.team_id)
    if (confirm_name or "").strip() != team.name:
        raise TeamError(f"That is not the team's name. Type {team.name} exactly to delete it.")
    for _, refusal in signals.team_delete_refusal.send(sender=Team, team=team):
        if refusal:
            raise TeamError(refusal)
    try:
        with transaction.atomic():
            team.delete()
    except (ProtectedError, RestrictedError) as exc:
        blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in blocking})
        raise TeamError(
            f"The team cannot be deleted yet: its {', '.join(kinds)} must be removed first. Nothing was deleted."
        ) from exc
    logger.info("team %s (%s) deleted by %s", team.pk, team.name, _who(actor_membership.user))


# Members ----------------------------------------------------------------------------------------------------


def _locked_member(actor_membership, membership):
    """The target's row, locked, found only inside the actor's team."""
    locked = (
        scoped(Membership, actor_membership.team)
        .select_for_update()
        .select_related("user", "team")
        .filter(pk=membership.pk)
        .first()
    )
    if locked is None:
        raise TeamError("That person is not a member of this team.")
    return locked


def _guard_change_of(actor_membership, target, verb):
    if (refusal := member_change_refusal(actor_membership, target, verb)) is not None:
        raise TeamError(refusal)


@transaction.atomic
def membership_role_change(*, actor_membership, membership, role):
    membership = _locked_member(actor_membership, membership)
    _guard_change_of(actor_membership, membership, "change the role of")
    if role == Role.OWNER:
        raise TeamError("Ownership moves only through Transfer ownership, which the owner starts.")
    if role not in (Role.VIEWER, Role.MEMBER, Role.ADMIN):
        raise TeamError("Choose viewer, member or admin.")
    if membership.role == role:
        return membership
    old = Role(membership.role)
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        team=membership.team,
        actor=actor_membership.user,
        action="member.role_changed",
        summary=f"{_who(actor_membership.user)} changed {_who(membership.user)} from {old.label} to {Role(role).label}",
        detail={"member": _who(membership.user), "from": old.value, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor_membership, membership):
    membership = _locked_member(actor_membership, membership)
    if membership.pk == actor_membership.pk:
        raise TeamError("To remove yourself, use Leave team.")
    _guard_change_of(actor_membership, membership, "remove")
    membership.delete()
    audit_record(
        team=membership.team,
        actor=actor_membership.user,
        action="member.removed",
        summary=f"{_who(actor_membership.user)} removed {_who(membership.user)} ({Role(membership.role).label})",
        detail={"member": _who(membership.user), "role": membership.role},
    )


@transaction.atomic
def membership_leave(*, membership):
    membership = _locked_member(membership, membership)
    if membership.role == Role.OWNER:
        raise TeamError("The owner cannot leave. Transfer ownership to another member first, or delete the team.")
    membership.delete()
    audit_record(
        team=membership.team,
        actor=membership.user,
        action="member.left",
        summary=f"{_who(membership.user)} left the team",
        detail={"member": _who(membership.user), "role": membership.role},
    )


@transaction.atomic
def ownership_transfer(*, actor_membership, new_owner):
    """Hand the team to another member; the old owner stays on as admin."""
    if actor_membership.role != Role.OWNER:
        raise TeamError("Only the owner can transfer ownership.")
    # Lock both rows in a fixed order so two transfers cannot interleave.
    rows = {
        m.pk: m
        for m in scoped(Membership, actor_membership.team)
        .select_for_update()
        .select_related("user", "team")
        .filter(pk__in=[actor_membership.pk, new_owner.pk])
        .order_by("pk")
    }
    old_owner, successor = rows.get(actor_membership.pk), rows.get(new_owner.pk)
    if old_owner is None or old_owner.role != Role.OWNER:
        raise TeamError("Only the owner can transfer ownership.")
    if successor is None or successor.team_id != old_owner.team_id:
        raise TeamError("Choose a member of this team.")
    if successor.pk == old_owner.pk:
        raise TeamError("You already own the team. Choose another member.")
    # One owner per team is a database constraint: demote first, then promote, inside this one transaction.
    old_owner.role = Role.ADMIN
    old_owner.save(update_fields=["role"])
    previous_role = Role(successor.role)
    successor.role = Role.OWNER
    successor.save(update_fields=["role"])
    audit_record(
        team=old_owner.team,
        actor=old_owner.user,
        action="ownership.transferred",
        summary=f"{_who(old_owner.user)} transferred ownership to {_who(successor.user)}; "
        f"{_who(old_owner.user)} is now an admin",
        detail={"from": _who(old_owner.user), "to": _who(successor.user), "to_previous_role": previous_role.value},
    )
    return successor


# Invitations ------------------------------------------------------------------------------------------------


def invitation_link(token):
    return settings.SITE_URL.rstrip("/") + reverse("invitation_accept", kwargs={"token": token})


def _send_invitation_email(*, team_name, inviter, email, role_label, link, expires_at):
    try:
        send_mail(
            subject=f"You're invited to {team_name} on Postframe",
            message=(
                f"{inviter} invited you to join {team_name} on Postframe as {role_label}.\n\n"
                f"Accept the invitation here:\n{link}\n\n"
                f"The link works once and expires on {expires_at:%d %B %Y at %H:%M} UTC. "
                "If you did not expect it, you can ignore this email."
            ),
            from_email=None,
            recipient_list=[email],
        )
    except Exception:
        # The link is also shown to the admin once, so a mail outage does not lose the invitation.
        logger.exception("could not send the invitation email to %s", email)


@transaction.atomic
def invitation_create(*, actor_membership, email, role):
    """Invite `email` with `role`; replaces that address's pending invitation. Returns (invitation, token)."""
    _require(actor_membership, "manage_members", "Only admins and the owner can invite people.")
    team = actor_membership.team
    email = email.strip()
    if role not in (Role.VIEWER, Role.MEMBER, Role.ADMIN):
        raise TeamError("Choose viewer, member or admin.")
    if scoped(Membership, team).filter(user__email__iexact=email).exists():
        raise TeamError(f"{email} is already a member of {team.name}.")
    now = timezone.now()
    replaced = scoped(Invitation, team).filter(
        email__iexact=email, accepted_at=None, revoked_at=None, expires_at__gt=now
    )
    replaced_count = replaced.update(revoked_at=now)
    token = Invitation.new_token()
    invitation = Invitation.objects.create(
        team=team,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=actor_membership.user,
        expires_at=now + timedelta(days=settings.POSTFRAME_INVITATION_DAYS),
    )
    audit_record(
        team=team,
        actor=actor_membership.user,
        action="invitation.sent",
        summary=f"{_who(actor_membership.user)} invited {email} as {Role(role).label}"
        + (" (replacing the earlier invitation)" if replaced_count else ""),
        detail={"email": email, "role": role, "invitation": invitation.pk},
    )
    mail = {
        "team_name": team.name,
        "inviter": _who(actor_membership.user),
        "email": email,
        "role_label": Role(role).label,
        "link": invitation_link(token),
        "expires_at": invitation.expires_at,
    }
    transaction.on_commit(lambda: _send_invitation_email(**mail))
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor_membership, invitation):
    _require(actor_membership, "manage_members", "Only admins and the owner can revoke invitations.")
    invitation = scoped(Invitation, actor_membership.team).select_for_update().get(pk=invitation.pk)
    if invitation.state != "pending":
        raise TeamError(f"The invitation of {invitation.email} is already {invitation.state}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        team=invitation.team,
        actor=actor_membership.user,
        action="invitation.revoked",
        summary=f"{_who(actor_membership.user)} revoked the invitation of {invitation.email}",
        detail={"email": invitation.email, "invitation": invitation.pk},
    )
    return invitation


def invitation_problem(invitation, user=None):
    """Why `invitation` cannot be accepted (by `user`), as an InvitationError, or None when it can."""
    if invitation is None:
        return InvitationError(
            "unknown", "This invitation link is not valid. Check that you copied the whole link, or ask for a new one."
        )
    if user is not None and scoped(Membership, invitation.team).filter(user=user).exists():
        return InvitationError("member", f"You are already a member of {invitation.team.name}.")
    state = invitation.state
    if state == "accepted":
        return InvitationError("used", "This invitation has already been used. Each link works once.")
    if state == "revoked":
        return InvitationError(
            "revoked", f"This invitation was withdrawn by {invitation.team.name}. Ask an admin for a new one."
        )
    if state == "expired":
        return InvitationError(
            "expired",
            f"This invitation expired on {timezone.localtime(invitation.expires_at):%d %B %Y}. "
            "Ask an admin of the team for a new one.",
        )
    if user is not None and invitation.email.lower() not in user_emails(user):
        return InvitationError(
            "wrong_email",
            f"This invitation is for {invitation.email}, but you are signed in as {user.email}. "
            f"Log out and sign in (or sign up) as {invitation.email} to accept it.",
        )
    return None


@transaction.atomic
def invitation_accept(*, user, token):
    """Join the invitation's team with its role; the link works once. Returns the new membership."""
    invitation = (
        Invitation.objects.select_for_update().select_related("team").filter(token_hash=hash_token(token)).first()
    )
    problem = invitation_problem(invitation, user)
    if problem is not None:
        raise problem
    membership = Membership.objects.create(team=invitation.team, user=user, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        team=invitation.team,
        actor=user,
        action="invitation.accepted",
        summary=f"{_who(user)} accepted the invitation and joined as {Role(invitation.role).label}",
        detail={"email": invitation.email, "role": invitation.role, "invitation": invitation.pk},
    )
    return membership


# Models -----------------------------------------------------------------------------------------------------


@transaction.atomic
def team_models_update(*, actor_membership, allowed, active):
    """Set which image models the team may use and which one the studio starts with."""
    _require(actor_membership, "manage_models", "Only admins and the owner can choose the team's models.")
    known = image_models()
    unknown = sorted(set(allowed) - known.keys())
    if unknown:
        raise TeamError(f"Unknown model: {', '.join(unknown)}.")
    allowed_set = set(allowed) | {OFFLINE_MODEL_ID}
    if active not in known:
        raise TeamError(f"Unknown model: {active}.")
    if active not in allowed_set:
        raise TeamError(f"{known[active].label} is not allowed; allow it first or choose another active model.")
    # Keep the capability table's order so lists read the same everywhere.
    ordered = [model_id for model_id in known if model_id in allowed_set]
    team = Team.objects.select_for_update().get(pk=actor_membership.team_id)
    if ordered == team.allowed_models and active == team.active_model:
        return team
    before = {"allowed": list(team.allowed_models), "active": team.active_model}
    team.allowed_models, team.active_model = ordered, active
    team.save(update_fields=["allowed_models", "active_model"])
    labels = ", ".join(known[m].label for m in ordered)
    audit_record(
        team=team,
        actor=actor_membership.user,
        action="models.changed",
        summary=f"{_who(actor_membership.user)} set the allowed models to {labels}; active: {known[active].label}",
        detail={"before": before, "after": {"allowed": ordered, "active": active}},
    )
    return team


@transaction.atomic
def team_video_models_update(*, actor_membership, allowed, active):
    """Set which video models the team may use and which one new shots start with (the offline animator always)."""
    _require(actor_membership, "manage_models", "Only admins and the owner can choose the team's models.")
    known = video_models()
    unknown = sorted(set(allowed) - known.keys())
    if unknown:
        raise TeamError(f"Unknown video model: {', '.join(unknown)}.")
    allowed_set = set(allowed) | {OFFLINE_VIDEO_MODEL_ID}
    if active not in known:
        raise TeamError(f"Unknown video model: {active}.")
    if active not in allowed_set:
        raise TeamError(f"{known[active].label} is not allowed; allow it first or choose another default.")
    ordered = [model_id for model_id in known if model_id in allowed_set]
    team = Team.objects.select_for_update().get(pk=actor_membership.team_id)
    if ordered == team.allowed_video_models and active == team.active_video_model:
        return team
    before = {"allowed": list(team.allowed_video_models or []), "active": team.active_video_model}
    team.allowed_video_models, team.active_video_model = ordered, active
    team.save(update_fields=["allowed_video_models", "active_video_model"])
    labels = ", ".join(known[m].label for m in ordered)
    audit_record(
        team=team,
        actor=actor_membership.user,
        action="models.changed",
        summary=f"{_who(actor_membership.user)} set the allowed video models to {labels}; "
        f"default: {known[active].label}",
        detail={"kind": "video", "before": before, "after": {"allowed": ordered, "active": active}},
    )
    return team


# Provider keys ----------------------------------------------------------------------------------------------


@transaction.atomic
def provider_key_set(*, actor_membership, provider, api_key, secret_key=""):
    """Store (or replace) the team's key for `provider`, encrypted; the audit log keeps only its last four.

    Kling takes two: `api_key` is its access key and `secret_key` its secret key, stored together (as JSON) in the
    one ProviderKey; last_four is the access key's.
    """
    _require(actor_membership, "manage_keys", "Only admins and the owner can manage provider keys.")
    provider = Provider(provider)
    api_key = api_key.strip()
    if not api_key:
        raise TeamError("Paste the access key." if provider == Provider.KLING else "Paste the key.")
    plaintext = api_key
    if provider == Provider.KLING:
        secret_key = (secret_key or "").strip()
        if not secret_key:
            raise TeamError("Paste the secret key as well: Kling signs every request with it.")
        plaintext = KlingKey(access_key=api_key, secret_key=secret_key).to_json()
    try:
        ciphertext = crypto.encrypt(plaintext)
    except crypto.KeyStoreError as exc:
        raise TeamError(str(exc)) from exc
    team = actor_membership.team
    key, created = (
        scoped(ProviderKey, team)
        .select_for_update()
        .get_or_create(
            team=team,
            provider=provider,
            defaults={"ciphertext": ciphertext, "last_four": api_key[-4:], "updated_by": actor_membership.user},
        )
    )
    if not created:
        key.ciphertext, key.last_four, key.updated_by = ciphertext, api_key[-4:], actor_membership.user
        key.save(update_fields=["ciphertext", "last_four", "updated_by", "updated_at"])
    audit_record(
        team=team,
        actor=actor_membership.user,
        action="key.set",
        summary=f"{_who(actor_membership.user)} {'set' if created else 'replaced'} the {provider.label} key "
        f"ending {key.last_four}",
        detail={"provider": provider.value, "last_four": key.last_four},
    )
    return key


@transaction.atomic
def provider_key_remove(*, actor_membership, provider):
    _require(actor_membership, "manage_keys", "Only admins and the owner can manage provider keys.")
    provider = Provider(provider)
    team = actor_membership.team
    key = scoped(ProviderKey, team).select_for_update().filter(provider=provider).first()
    if key is None:
        raise TeamError(f"The team has no {provider.label} key to remove.")
    key.delete()
    audit_record(
        team=team,
        actor=actor_membership.user,
        action="key.removed",
        summary=f"{_who(actor_membership.user)} removed the {provider.label} key ending {key.last_four}",
        detail={"provider": provider.value, "last_four": key.last_four},
    )


@transaction.atomic
def provider_keys_rotate():
    """Re-encrypt every stored provider key with the first Fernet key; all or nothing. Returns how many.

    An operator's command across all teams, so it reads ProviderKey without a team scope.
    """
    rotated = 0
    for key in ProviderKey.objects.select_for_update().select_related("team").order_by("pk"):
        try:
            key.ciphertext = crypto.rotate(key.ciphertext)
        except crypto.KeyStoreError as exc:
            raise crypto.KeyStoreError(
                f"The {key.get_provider_display()} key ending {key.last_four} of team {key.team.name} "
                f"(ProviderKey #{key.pk}) cannot be decrypted with any configured Fernet key. Nothing was rotated."
            ) from exc
        key.save(update_fields=["ciphertext"])
        rotated += 1
    return rotated
