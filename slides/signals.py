"""Takes a slide's finished background in as soon as its image is saved, without anyone polling for it.

The generation pipeline knows nothing of slides: its outputs carry their job's id in their provenance. When such an
asset belongs to a slide's background job, a task (after the commit that made the image) sets the slide again over
it, pushes the card and submits any slides that were waiting for this one as their style reference.
"""

import uuid

from django.db import transaction
from django.db.models.signals import post_save

from library.models import Asset


def _background_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or not created or instance.source != Asset.Source.GENERATED:
        return
    try:
        job_uuid = uuid.UUID(str((instance.provenance or {}).get("job_id")))
    except ValueError:  # no job behind it (an import, a test's hand-made provenance)
        return
    from slides.models import Slide

    if not Slide.objects.filter(background_job__uuid=job_uuid).exists():
        return
    from slides.tasks import background_arrived_enqueue

    transaction.on_commit(lambda: background_arrived_enqueue(str(job_uuid)))


def connect():
    post_save.connect(_background_saved, sender=Asset, dispatch_uid="slides-background-saved")
