"""The offline animator: a pan/zoom/parallax clip made on this server from the frame, with no network and no key.

It runs synchronously inside submit() and answers a finished task carrying the clip's bytes. It keeps nothing, so a
lost answer is simply made again: the same frame, prompt and seed give the same clip.
"""

import hashlib

from studio.video import media
from studio.video.providers.base import ShotSubmission, TaskState, VideoProviderError


class LocalAnimator:
    name = "local"

    def submit(self, shot: ShotSubmission) -> TaskState:
        if shot.duration <= 0 or shot.duration > 60:
            raise VideoProviderError(
                f"The offline animator makes clips of 1 to 60 seconds, not {shot.duration}.",
                kind="user",
                provider="local",
            )
        try:
            clip = media.animate(
                shot.frame, duration=shot.duration, aspect=shot.aspect, prompt=shot.prompt, seed=shot.seed or 0
            )
        except media.MediaError as exc:
            raise VideoProviderError(str(exc), kind="user", provider="local") from exc
        digest = hashlib.sha256(shot.external_id.encode()).hexdigest()[:16]
        return TaskState(
            task_id=f"local-{digest}",
            status="succeeded",
            message=f"Made on this server: {media.motion_for(shot.prompt, shot.seed or 0).name.replace('_', ' ')}.",
            video_bytes=clip,
            duration=float(shot.duration),
        )

    def lookup(self, *, task_id: str = "", external_id: str = "") -> TaskState:
        raise VideoProviderError(
            "The offline animator keeps no tasks: submit the shot again (it makes the same clip).",
            kind="not_found",
            provider="local",
        )

    def cancel(self, *, task_id: str) -> None:
        """Nothing to cancel: a clip is finished by the time submit() returns."""

    def download(self, state: TaskState) -> bytes:
        if state.video_bytes is None:
            raise VideoProviderError(
                "The offline animator's clip is not in this task state; submit the shot again.",
                kind="not_found",
                provider="local",
            )
        return state.video_bytes
