"""Video rows for tests that only need them (no shot list written, nothing run)."""


def sequence_row(team):
    """A bare draft sequence with one shot on the offline animator."""
    from studio.video.models import Sequence, Shot

    sequence = Sequence.objects.create(team=team, title="Harbour at dawn", brief="Boats leave the harbour at dawn.")
    Shot.objects.create(
        sequence=sequence,
        position=1,
        frame_prompt="Fishing boats leaving a harbour at dawn",
        motion_prompt="Slow pan right",
        duration=3,
        model_id="local:animator",
        provider="local",
    )
    return sequence


def shot_form(shot, **changes):
    """A shot's edit form as the page posts it, with `changes`."""
    data = {
        "frame_prompt": shot.frame_prompt,
        "motion_prompt": shot.motion_prompt,
        "model_id": shot.model_id,
        "duration": shot.duration,
        "mode": shot.mode,
        "aspect": shot.aspect,
        "influencer_id": "",
        **changes,
    }
    return {f"shot-{shot.pk}-{key}": value for key, value in data.items()}
