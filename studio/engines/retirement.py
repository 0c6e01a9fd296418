"""Moves teams off image models the provider has shut down, to each one's documented successor.

A team whose allowed or active model is in capabilities.RETIRED_MODELS gets the successor instead, an audit
entry saying so, and an e-mail to its admins and owner once the change commits. Written against model classes
passed in, so the data migration runs it on historical models and tests on the real ones.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from studio.engines.capabilities import DEFAULT_IMAGE_MODELS, OFFLINE_MODEL_ID, RETIRED_MODELS

logger = logging.getLogger(__name__)

AUDIT_ACTION = "models.retired"
ADMIN_ROLES = ("admin", "owner")


def _label(model_id):
    row = DEFAULT_IMAGE_MODELS.get(model_id) or RETIRED_MODELS.get(model_id) or {}
    return row.get("label", model_id)


def moved_choice(allowed, active):
    """(allowed, active, {retired: successor}) with every retired model replaced by its successor."""
    moves = {}
    new_allowed = []
    for model_id in [*(allowed or []), OFFLINE_MODEL_ID]:
        successor = RETIRED_MODELS.get(model_id, {}).get("successor")
        if successor:
            moves[model_id] = successor
            model_id = successor
        if model_id not in new_allowed:
            new_allowed.append(model_id)
    new_active = active
    if active in RETIRED_MODELS:
        new_active = RETIRED_MODELS[active]["successor"]
        moves[active] = new_active
        if new_active not in new_allowed:
            new_allowed.append(new_active)
    # The capability table's order, as Team → Models saves it; anything the table does not know stays at the end.
    ordered = [model_id for model_id in DEFAULT_IMAGE_MODELS if model_id in new_allowed]
    ordered += [model_id for model_id in new_allowed if model_id not in ordered]
    return ordered, new_active, moves


def _notice(team_name, moves, active_moved):
    lines = []
    for retired, successor in moves.items():
        shut_down = RETIRED_MODELS[retired]["shut_down"]
        lines.append(
            f"- {_label(retired)} was shut down by OpenAI on {shut_down}; {team_name} now has {_label(successor)}."
        )
    active = " It is now the team's active model in the studio." if active_moved else ""
    return (
        f"OpenAI has shut down an image model {team_name} was set to use on Postframe, so the team was moved to "
        f"its documented successor.{active}\n\n" + "\n".join(lines) + "\n\n"
        "Prices and controls follow the new model; an admin can choose other models under Team → Models.\n"
    )


def teams_move_off_retired_models(*, Team, Membership, AuditEntry):
    """Move every team still set to a retired model; returns the ids of the teams moved."""
    moved = []
    for team in Team.objects.select_for_update().order_by("pk"):
        allowed, active, moves = moved_choice(team.allowed_models, team.active_model)
        if not moves:
            continue
        before = {"allowed": list(team.allowed_models or []), "active": team.active_model}
        team.allowed_models, team.active_model = allowed, active
        team.save(update_fields=["allowed_models", "active_model"])
        names = ", ".join(f"{_label(old)} → {_label(new)}" for old, new in moves.items())
        AuditEntry.objects.create(
            team=team,
            actor=None,
            action=AUDIT_ACTION,
            summary=f"Retired models replaced by their successors: {names}"[:300],
            detail={"before": before, "after": {"allowed": allowed, "active": active}, "moves": moves},
        )
        recipients = sorted(
            {
                email
                for email in Membership.objects.filter(
                    team=team, role__in=ADMIN_ROLES, user__is_active=True
                ).values_list("user__email", flat=True)
                if email
            }
        )
        message = _notice(team.name, moves, before["active"] in moves)
        transaction.on_commit(lambda r=recipients, m=message, n=team.name: _send(n, m, r))
        moved.append(team.pk)
    return moved


def _send(team_name, message, recipients):
    if not recipients:
        return
    try:
        send_mail(
            subject=f"{team_name}: a retired image model was replaced",
            message=message + f"\n{settings.SITE_URL.rstrip('/')}\n",
            from_email=None,
            recipient_list=recipients,
        )
    except Exception:
        # The audit log says it too, so a mail outage loses no news.
        logger.exception("could not tell %s's admins about a retired model", team_name)
