"""Renders a sequence's live fragments (each shot's card, the sequence's status and player) and pushes them to every
page watching the sequence, through the generation pipeline's one sender per process.

The same partials serve the first page render, a reconnecting websocket and each push from a worker, so a page
opened late shows exactly what a page that watched from the start shows.
"""

import logging

from django.template.loader import render_to_string

from studio.generation.push import message_send

logger = logging.getLogger(__name__)

UPDATE_EVENT = "video.update"


def _html(template_partial, context):
    return render_to_string(f"video/sequence.html#{template_partial}", context)


def _contexts(sequence, shots):
    from studio.video.selectors import sequence_context, shot_card, shots_of

    shots = shots_of(sequence) if shots is None else shots
    return sequence_context(sequence), [shot_card(shot) for shot in shots]


def _render(sequence, head, cards, *, can_edit):
    parts = [_html("sequence-live", {**head, "can_edit": can_edit, "oob": True})]
    parts += [
        _html("shot-card", {"card": card, "sequence": sequence, "can_edit": can_edit, "oob": True}) for card in cards
    ]
    return "".join(parts)


def updates_html(sequence, *, can_edit, shots=None):
    """The sequence's status and every shot's card (or only `shots`), each rooted at its stable id."""
    head, cards = _contexts(sequence, shots)
    return _render(sequence, head, cards, can_edit=can_edit)


def _send(sequence, shots=None):
    # Read once, rendered for members who may act and for viewers; handed to the sender without waiting (a task
    # waits for its pushes once, when it ends: pushes_flush).
    head, cards = _contexts(sequence, shots)
    message = {
        "type": UPDATE_EVENT,
        "edit": _render(sequence, head, cards, can_edit=True),
        "view": _render(sequence, head, cards, can_edit=False),
    }
    message_send(sequence.group_name, message)


def shot_push(shot_id):
    """Send one shot's card (and the sequence's status) to the pages watching; a failed push is logged only."""
    from studio.video.models import Shot

    try:
        shot = Shot.objects.select_related("sequence__team", "frame_asset", "clip", "frame_job").get(pk=shot_id)
        _send(shot.sequence, shots=[shot])
    except Exception:
        logger.warning("could not push the state of video shot %s", shot_id, exc_info=True)


def sequence_push(sequence_id):
    from studio.video.models import Sequence

    try:
        _send(Sequence.objects.select_related("team", "stitched").get(pk=sequence_id))
    except Exception:
        logger.warning("could not push the state of sequence %s", sequence_id, exc_info=True)
