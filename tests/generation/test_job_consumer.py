"""The job websocket through the real ASGI stack: session login, origin check, Redis channel layer."""

import re

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from studio.generation.models import GenerationJob
from studio.generation.push import job_push
from studio.generation.services import generation_run, generation_submit
from tests.generation.factories import GenerationJobFactory, source_png
from tests.websockets import communicator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_the_test_connection")]


TIMEOUT = 5


def _communicator(job, client=None):
    return communicator(f"/ws/jobs/{job.uuid}/", client)


def _running_job(team, **fields):
    from studio.generation.services import _preview

    values = {"status": GenerationJob.Status.RUNNING, "partial_count": 2, "latest_frame": _preview(source_png(64, 64))}
    values["params"] = {"size": "1024x1024", "n": 1, "partial_images": 3, "quality": "low", "output_format": "png"}
    values.update(fields)
    return GenerationJobFactory(team=team, **values)


def _connect_and_read(job, client):
    async def scenario():
        communicator = _communicator(job, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        first = await communicator.receive_from(timeout=TIMEOUT) if connected else None
        await communicator.disconnect()
        return connected, first

    return async_to_sync(scenario)()


def test_it_refuses_an_anonymous_visitor(team):
    job = _running_job(team)

    async def scenario():
        communicator = _communicator(job)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_it_refuses_a_member_of_another_team(team, outsider, client_for):
    job = _running_job(team)
    connected, first = _connect_and_read(job, client_for(outsider))
    assert connected is False
    assert first is None


def test_it_sends_the_current_state_as_soon_as_a_page_connects(team, member, client_for):
    job = _running_job(team)
    connected, first = _connect_and_read(job, client_for(member))
    assert connected is True
    assert f'id="job-{job.uuid}-status"' in first
    assert f'id="job-{job.uuid}-canvas"' in first
    assert "Frame 2 of 3" in first
    assert 'src="data:image/jpeg;base64,' in first  # the last frame, so a late page is not blank
    assert "Stop job" in first


def test_a_viewer_watches_without_the_cancel_button(team, viewer, client_for):
    job = _running_job(team)
    connected, first = _connect_and_read(job, client_for(viewer))
    assert connected is True
    assert "Frame 2 of 3" in first
    assert "Stop job" not in first


def test_it_forwards_a_pushed_frame_then_closes_when_the_job_ends(team, member, client_for):
    job = _running_job(team, partial_count=1)
    client = client_for(member)

    async def scenario():
        communicator = _communicator(job, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        first = await communicator.receive_from(timeout=TIMEOUT)
        await database_sync_to_async(GenerationJob.objects.filter(pk=job.pk).update)(partial_count=2)
        await database_sync_to_async(job_push)(job.pk)
        pushed = await communicator.receive_from(timeout=TIMEOUT)
        await database_sync_to_async(GenerationJob.objects.filter(pk=job.pk).update)(
            status=GenerationJob.Status.FAILED, error_message="OpenAI is not answering right now. Try again."
        )
        await database_sync_to_async(job_push)(job.pk)
        ended = await communicator.receive_from(timeout=TIMEOUT)
        closed = await communicator.receive_output(timeout=TIMEOUT)
        await communicator.disconnect()
        return first, pushed, ended, closed

    first, pushed, ended, closed = async_to_sync(scenario)()
    assert "Frame 1 of 3" in first
    assert "Frame 2 of 3" in pushed
    assert "OpenAI is not answering right now. Try again." in ended
    assert closed["type"] == "websocket.close"


def test_a_watching_page_sees_the_run_start_then_every_frame_in_order_then_the_images(
    team, member, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("library.services._renditions_enqueue", lambda asset_id: None)
    data = {"model_id": "local:draft", "prompt": 'A "Summer sale" poster', "quality": "low", "partial_images": 3}
    job = generation_submit(team=team, user=member, data=data)
    client = client_for(member)

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            generation_run(job_id=job.pk)

    async def scenario():
        communicator = _communicator(job, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        messages = [await communicator.receive_from(timeout=TIMEOUT)]
        await database_sync_to_async(run)()
        while 'data-job-status="succeeded"' not in messages[-1]:
            messages.append(await communicator.receive_from(timeout=TIMEOUT))
        await communicator.disconnect()
        return messages

    messages = async_to_sync(scenario)()
    statuses = [re.search(r'data-job-status="(\w+)"', message).group(1) for message in messages]
    frames = [re.search(r'data-frames="(\d+)"', message).group(1) for message in messages]
    assert statuses == ["queued", "running", "running", "running", "running", "succeeded"]
    assert frames == ["0", "0", "1", "2", "3", "3"]
    assert all('data-testid="partial-frame"' in message for message in messages[2:5])
    assert 'data-testid="result-image"' in messages[-1]
