"""Reads about video sequences and shots, always inside the team's scope, and what their pages show."""

from library.selectors import asset_url
from studio.teams.scoping import get_scoped_or_404, scoped
from studio.video.models import Sequence, Shot

# What a shot's card says while it runs, when the pipeline has written no message of its own.
STATUS_LINES = {
    Shot.Status.DRAFT: "Not started",
    Shot.Status.FRAMING: "Making the frame",
    Shot.Status.SUBMITTING: "Handing the frame to the provider",
    Shot.Status.RENDERING: "Rendering",
    Shot.Status.DOWNLOADING: "Downloading the clip",
    Shot.Status.DONE: "Clip ready",
}
STEPS = (Shot.Status.FRAMING, Shot.Status.SUBMITTING, Shot.Status.RENDERING, Shot.Status.DOWNLOADING, Shot.Status.DONE)


def sequences_for(team):
    return scoped(Sequence, team).select_related("stitched").order_by("-created_at", "-id")


def sequence_get(team, sequence_id):
    return get_scoped_or_404(Sequence.objects.select_related("team", "stitched"), team, pk=sequence_id)


def shot_get(team, shot_id):
    return get_scoped_or_404(
        Shot.objects.select_related("sequence__team", "frame_asset", "clip", "frame_job", "influencer"),
        team,
        pk=shot_id,
    )


def shots_of(sequence):
    return list(
        sequence.shots.select_related("frame_asset", "clip", "frame_job", "influencer").order_by("position", "id")
    )


def shot_at(sequence, position):
    """The shot at `position` in the list, or None past its end."""
    return sequence.shots.filter(position=position).first()


def model_label(model_id):
    from studio.video.services import video_model

    model = video_model(model_id)
    return model.label if model else model_id


def shot_card(shot):
    """What a shot's card shows: its state in words, how far along it is, its frame and its clip."""
    status = Shot.Status(shot.status)
    line = shot.message if shot.message else STATUS_LINES.get(status, status.label)
    step = STEPS.index(status) + 1 if status in STEPS else 0
    frame_url = (
        asset_url(shot.frame_asset, "preview" if shot.frame_asset.preview else "original")
        if (shot.frame_asset_id and shot.frame_asset)
        else None
    )
    return {
        "shot": shot,
        "line": line,
        "step": step,
        "steps": len(STEPS),
        "tone": {"done": "ok", "failed": "danger", "expired": "danger", "cancelled": "warn"}.get(
            shot.status, "accent" if shot.is_active else ""
        ),
        "model_label": model_label(shot.model_id),
        "frame_url": frame_url,
        "clip_url": asset_url(shot.clip) if shot.clip_id else None,
        "poster_url": asset_url(shot.clip, "preview") if shot.clip_id and shot.clip.preview else frame_url,
    }


def sequence_context(sequence):
    """The sequence's live header: its status, progress over the shots and the stitched player."""
    counts = {}
    for status in sequence.shots.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    total = sum(counts.values())
    stitched = sequence.stitched
    return {
        "sequence": sequence,
        "shots_total": total,
        "shots_done": counts.get(Shot.Status.DONE, 0),
        "shots_active": sum(counts.get(status, 0) for status in Shot.ACTIVE),
        "stitched_url": asset_url(stitched) if stitched else None,
        "stitched_poster": asset_url(stitched, "preview") if stitched and stitched.preview else None,
    }
