"""Reads about teams: memberships, invitations, model choice, provider keys and the audit log."""

import json
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from studio.core.models import AUDIT_ACTIONS, AuditEntry
from studio.engines.capabilities import OFFLINE_MODEL_ID, image_models
from studio.engines.video import video_models
from studio.teams import crypto, signals
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
from studio.teams.permissions import member_change_refusal
from studio.teams.scoping import scoped

# Instance-wide keys from settings, used when a team has stored none of its own. Kling takes a pair (KlingKey).
INSTANCE_KEY_SETTINGS = {
    Provider.OPENAI: "OPENAI_API_KEY",
    Provider.KLING: ("KLING_ACCESS_KEY", "KLING_SECRET_KEY"),
    Provider.ARK: "ARK_API_KEY",
}
# Which provider key each video provider runs on.
VIDEO_PROVIDER_KEYS = {"kling": Provider.KLING, "seedance": Provider.ARK}


@dataclass(frozen=True)
class KlingKey:
    """Kling signs each request with a JWT: the access key is its issuer, the secret key signs it."""

    access_key: str
    secret_key: str

    def __repr__(self):  # never print the secret, e.g. in a traceback's locals
        return f"KlingKey(access_key=…{self.access_key[-4:]}, secret_key=…)"

    def to_json(self):
        return json.dumps({"access_key": self.access_key, "secret_key": self.secret_key})

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)
        return cls(access_key=data["access_key"], secret_key=data["secret_key"])


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


def memberships_for_request(user, team_id):
    """(the current membership or None, all the user's memberships by team name), wallets joined: one query.

    The current one is the team in the session, or the user's oldest membership when that is gone, as in
    current_membership_for; the app shell lists the rest and shows the current team's balance.
    """
    memberships = list(memberships_of_user(user).select_related("team__wallet"))
    chosen = next((m for m in memberships if m.team_id == team_id), None) if team_id is not None else None
    if chosen is None and memberships:
        chosen = min(memberships, key=lambda m: (m.created_at, m.pk))
    return chosen, memberships


def team_members(team):
    return scoped(Membership, team).select_related("user").order_by("created_at")


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    is_you: bool
    can_change_role: bool
    can_remove: bool


def member_rows(team, viewer_membership):
    """The team's members with what the viewing member may do to each (the rules live in permissions)."""
    rows = []
    for m in team_members(team):
        is_you = m.pk == viewer_membership.pk
        allowed = not is_you and member_change_refusal(viewer_membership, m, "change") is None
        rows.append(MemberRow(membership=m, is_you=is_you, can_change_role=allowed, can_remove=allowed))
    return rows


def team_summary(team):
    """What deleting the team would take with it, in numbers a person can weigh (other apps add theirs)."""
    summary = {
        "members": scoped(Membership, team).count(),
        "pending_invitations": pending_invitations(team).count(),
        "provider_keys": scoped(ProviderKey, team).count(),
    }
    for _, losses in signals.team_delete_losses.send(sender=Team, team=team):
        summary.update(losses or {})
    return summary


def transfer_candidates(team):
    """Members who could become the owner: everyone but the owner."""
    return team_members(team).exclude(role=Role.OWNER)


def team_invitations(team):
    return scoped(Invitation, team).select_related("invited_by").order_by("-created_at")


def pending_invitations(team):
    """Invitations that can still be accepted, newest first."""
    return team_invitations(team).filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())


def invitation_by_token(token):
    # Looked up by the token's hash, across teams: the token itself is what grants access to one invitation.
    return Invitation.objects.select_related("team", "invited_by").filter(token_hash=hash_token(token)).first()


def user_emails(user):
    """The addresses a user has shown to be theirs: the account address and verified allauth addresses."""
    emails = {user.email.lower()} if user.email else set()
    emails.update(e.lower() for e in user.emailaddress_set.filter(verified=True).values_list("email", flat=True))
    return emails


def team_audit(team, *, action=None):
    entries = scoped(AuditEntry, team).select_related("actor")
    if action:
        entries = entries.filter(action=action)
    return entries


def audit_action_choices(team):
    """The known actions, plus any other action this team's log holds, as (value, label) pairs."""
    present = set(scoped(AuditEntry, team).values_list("action", flat=True).distinct())
    choices = dict(AUDIT_ACTIONS)
    for action in sorted(present - choices.keys()):
        choices[action] = action
    return list(choices.items())


# Model settings ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelOption:
    id: str
    label: str
    notes: list
    provider: str
    allowed: bool
    active: bool
    always_allowed: bool


def _max_size_note(sizes):
    if sizes.get("mode") == "custom":
        return f"up to {sizes.get('max_edge', '?')} px on the long edge, custom sizes"
    fixed = sizes.get("sizes") or []
    dims = [tuple(int(n) for n in s.split("x")) for s in fixed if "x" in s]
    if dims:
        widest = max(max(d) for d in dims)
        return f"{len(dims)} fixed sizes up to {widest} px"
    return "fixed sizes"


def model_notes(capability):
    """A short, plain description of what a model can do, from its capability row."""
    notes = [_max_size_note(capability.sizes)]
    notes.append("transparent backgrounds" if capability.transparent_background else "no transparent backgrounds")
    if capability.max_references:
        notes.append(f"up to {capability.max_references} reference images")
    if capability.mask:
        notes.append("masked edits")
    return notes


def model_options(team, *, chosen=None):
    """Every configured image model with whether `team` may use it and whether it is the active one.

    `chosen` (submitted form data) takes the place of the saved choice, so a refused form shows what was ticked.
    """
    if chosen is not None:
        allowed = set(chosen.getlist("allowed")) | {OFFLINE_MODEL_ID}
        active = chosen.get("active")
    else:
        allowed = set(team.allowed_models) | {OFFLINE_MODEL_ID}
        active = team.active_model
    return [
        ModelOption(
            id=model.id,
            label=model.label,
            notes=model_notes(model),
            provider=model.provider,
            allowed=model.id in allowed,
            active=model.id == active,
            always_allowed=model.id == OFFLINE_MODEL_ID,
        )
        for model in image_models().values()
    ]


def video_model_notes(model):
    """A short, plain description of a video model, from its row."""
    seconds = [str(d) for d in model.durations]
    lengths = ", ".join(seconds[:-1]) + " or " + seconds[-1] if len(seconds) > 1 else seconds[0]
    notes = [f"{lengths} s clips", ", ".join(model.aspects)]
    if len(model.modes) > 1:
        notes.append("modes " + "/".join(model.modes))
    if model.resolutions:
        notes.append(" to ".join((model.resolutions[0], model.resolutions[-1])))
    if model.provider == "local":
        notes.append("pan, zoom and parallax made on this server")
    return notes


def video_model_options(team, *, chosen=None):
    """Every configured video model with whether `team` may use it and whether it is the team's default.

    `chosen` (submitted form data, fields prefixed "video-") takes the place of the saved choice.
    """
    if chosen is not None:
        allowed = set(chosen.getlist("video-allowed")) | {OFFLINE_VIDEO_MODEL_ID}
        active = chosen.get("video-active")
    else:
        allowed = set(team.allowed_video_models or []) | {OFFLINE_VIDEO_MODEL_ID}
        active = team.active_video_model
    return [
        ModelOption(
            id=model.id,
            label=model.label,
            notes=video_model_notes(model),
            provider=model.provider,
            allowed=model.id in allowed,
            active=model.id == active,
            always_allowed=model.id == OFFLINE_VIDEO_MODEL_ID,
        )
        for model in video_models().values()
    ]


# Provider keys ----------------------------------------------------------------------------------------------


def instance_key(provider):
    """The operator's key for `provider` from settings, or None; for Kling a KlingKey only when both halves are set."""
    names = INSTANCE_KEY_SETTINGS[Provider(provider)]
    if isinstance(names, tuple):
        access_key, secret_key = (getattr(settings, name, "") for name in names)
        return KlingKey(access_key, secret_key) if access_key and secret_key else None
    return getattr(settings, names, "") or None


def provider_key_for(*, team, provider):
    """The key to call `provider` with for `team`: its own (decrypted), else the instance key, else None.

    A string, except for Kling: a KlingKey (access key and secret key, stored together as JSON in one ProviderKey).
    Raises crypto.KeyStoreError when the team's stored key cannot be decrypted with the configured Fernet keys:
    silently falling back to the instance key would bill the wrong account.
    """
    stored = scoped(ProviderKey, team).filter(provider=provider).first()
    if stored is not None:
        plaintext = crypto.decrypt(stored.ciphertext)
        if provider == Provider.KLING:
            try:
                return KlingKey.from_json(plaintext)
            except (ValueError, KeyError, TypeError) as exc:
                raise crypto.KeyStoreError(
                    "The stored Kling key is not an access key and secret key pair; save both again."
                ) from exc
        return plaintext
    return instance_key(provider)


@dataclass(frozen=True)
class ProviderKeyState:
    provider: str
    label: str
    stored: ProviderKey | None
    has_instance_key: bool

    @property
    def source(self):
        if self.stored is not None:
            return "team"
        return "instance" if self.has_instance_key else None


def provider_key_states(team):
    """For each provider, the team's stored key (never its secret) and whether an instance key stands in."""
    stored = {key.provider: key for key in scoped(ProviderKey, team).select_related("updated_by")}
    return [
        ProviderKeyState(
            provider=provider.value,
            label=provider.label,
            stored=stored.get(provider.value),
            has_instance_key=instance_key(provider) is not None,
        )
        for provider in Provider
    ]


def models_needing_a_key(team):
    """Labels of allowed image and video models whose provider has neither a team key nor an instance key."""
    sources = {state.provider: state.source for state in provider_key_states(team)}
    models = image_models()
    needing = [
        models[model_id].label
        for model_id in team.allowed_models
        if model_id in models and models[model_id].provider in sources and sources[models[model_id].provider] is None
    ]
    videos = video_models()
    for model_id in team.allowed_video_models or []:
        key_provider = VIDEO_PROVIDER_KEYS.get(videos[model_id].provider) if model_id in videos else None
        if key_provider is not None and sources.get(key_provider.value) is None:
            needing.append(videos[model_id].label)
    return needing
