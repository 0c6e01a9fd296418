"""Runs the video pipeline in the test process, step by step, as the Celery worker would: each queued frame job,
shot step and stitch is taken in order (a countdown is waited only up to a short cap, so a fake provider's render
time passes), with on-commit callbacks executed as they would be after each task's transactions."""

import time

from studio.generation import services as generation_services
from studio.generation.services import generation_run
from studio.video import services

COUNTDOWN_CAP = 0.1


class Driver:
    def __init__(self, monkeypatch, capture):
        self.capture = capture
        self.queue = []
        self.steps_run = 0
        monkeypatch.setattr(generation_services, "_enqueue", lambda job_id, task_id: self.queue.append(("job", job_id)))
        monkeypatch.setattr(
            services,
            "_enqueue_step",
            lambda shot_id, token, countdown: self.queue.append(("step", shot_id, token, countdown)),
        )
        monkeypatch.setattr(services, "_enqueue_stitch", lambda sequence_id: self.queue.append(("stitch", sequence_id)))

    def call(self, function, **kwargs):
        """A service call whose on-commit work (queued tasks, pushes) happens as it would after a real commit."""
        with self.capture(execute=True):
            return function(**kwargs)

    def drain(self, limit=400):
        """Run everything queued, and what that queues, until nothing is left (or `limit` tasks ran)."""
        ran = 0
        while self.queue and ran < limit:
            item = self.queue.pop(0)
            ran += 1
            with self.capture(execute=True):
                if item[0] == "job":
                    generation_run(job_id=item[1])
                elif item[0] == "step":
                    _, shot_id, token, countdown = item
                    time.sleep(min(countdown, COUNTDOWN_CAP))
                    self.steps_run += 1
                    services.shot_step(shot_id=shot_id, token=str(token) if token else None)
                else:
                    services.sequence_stitch(sequence_id=item[1])
        return ran
