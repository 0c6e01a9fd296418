"""The carousel websocket through the real ASGI stack: session login, the jobs' groups on Redis, pushed slide cards."""

import io
import re

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from PIL import Image

from slides import services, tasks
from studio.generation.models import GenerationJob
from studio.generation.push import job_push
from studio.generation.services import generation_run
from tests.slides.factories import carousel_for
from tests.websockets import communicator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_the_test_connection")]

TIMEOUT = 5


@pytest.fixture(autouse=True)
def _no_renditions_queued(monkeypatch):
    monkeypatch.setattr("library.services._renditions_enqueue", lambda asset_id: None)


def _communicator(carousel, client=None):
    return communicator(f"/ws/slides/{carousel.pk}/", client)


def test_a_member_of_another_team_is_refused(team, member, outsider, client_for):
    carousel = carousel_for(team, member, slide_count=3)
    client = client_for(outsider)

    async def scenario():
        communicator = _communicator(carousel, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_a_page_gets_the_cards_at_once_then_each_frame_and_the_finished_slides_pushed(
    team, member, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    carousel = carousel_for(team, member, slide_count=3)
    services.backgrounds_start(carousel=carousel, user=member)
    lead = GenerationJob.objects.get(team=team)
    first_slide = carousel.slides.get(position=1)
    # The task the new image's save queues runs here as the worker would run it.
    monkeypatch.setattr(
        tasks.background_arrived_task, "delay", lambda uuid: tasks.background_arrived_task.apply([uuid])
    )
    client = client_for(member)

    def frame():
        """A frame as the worker records it, then the generation pipeline's own push to the job's group."""
        from studio.generation.services import _preview

        buffer = io.BytesIO()
        Image.new("RGB", (64, 80), "teal").save(buffer, "JPEG")
        GenerationJob.objects.filter(pk=lead.pk).update(
            status=GenerationJob.Status.RUNNING, partial_count=1, latest_frame=_preview(buffer.getvalue())
        )
        job_push(lead.pk)

    def run():
        # Back to queued, as a redelivered job is, so the real run claims it and streams to the end.
        GenerationJob.objects.filter(pk=lead.pk).update(status=GenerationJob.Status.QUEUED, partial_count=0)
        with django_capture_on_commit_callbacks(execute=True):
            generation_run(job_id=lead.pk)

    async def scenario():
        communicator = _communicator(carousel, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        messages = [await communicator.receive_from(timeout=TIMEOUT)]
        await database_sync_to_async(frame)()
        messages.append(await communicator.receive_from(timeout=TIMEOUT))
        await database_sync_to_async(run)()
        while f'id="slide-{first_slide.pk}-live" data-testid="slide-live" data-state="done"' not in messages[-1]:
            messages.append(await communicator.receive_from(timeout=TIMEOUT))
        # The slides that waited for slide 1 are submitted with it as their style: their cards say so.
        while "Background queued" not in messages[-1]:
            messages.append(await communicator.receive_from(timeout=TIMEOUT))
        await communicator.disconnect()
        return messages

    messages = async_to_sync(scenario)()
    assert messages[0].count('data-testid="slide-live"') == 3  # every card as it is now, at once
    assert messages[0].count("Waiting for the first slide") == 2
    states = [re.findall(rf'id="slide-{first_slide.pk}-live"[^>]*data-state="(\w+)"', m) for m in messages]
    assert ["done"] in states and ["pending"] in states
    assert 'data-testid="live-frame"' in messages[1] and "frame 1" in messages[1]  # the job's frame, pushed
    assert GenerationJob.objects.filter(team=team).count() == 3
