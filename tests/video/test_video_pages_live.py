"""The sequence websocket through the real ASGI stack: a page gets every shot's state on connect (a reload shows
where the sequence is), then each pushed change; another team's member and anonymous visitors are refused."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from studio.video.models import Shot
from studio.video.push import shot_push
from tests.video.factories import sequence_row
from tests.websockets import communicator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_the_test_connection")]
TIMEOUT = 5


def _communicator(sequence, client=None):
    return communicator(f"/ws/video/{sequence.uuid}/", client)


def _running(team):
    sequence = sequence_row(team)
    sequence.status = "running"
    sequence.save()
    Shot.objects.filter(sequence=sequence).update(status=Shot.Status.RENDERING, message="Rendering at Kling")
    return sequence


def test_a_page_gets_every_shots_state_on_connect_then_each_push(team, member, client_for):
    sequence = _running(team)
    shot = sequence.shots.get()
    client = client_for(member)

    async def scenario():
        communicator = _communicator(sequence, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        first = await communicator.receive_from(timeout=TIMEOUT)
        await database_sync_to_async(Shot.objects.filter(pk=shot.pk).update)(
            status=Shot.Status.FAILED, message="Kling: Trigger the content security policy of the platform"
        )
        await database_sync_to_async(shot_push)(shot.pk)
        pushed = await communicator.receive_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return first, pushed

    first, pushed = async_to_sync(scenario)()
    assert f'id="sequence-{sequence.pk}-live"' in first and f'id="shot-{shot.pk}-card"' in first
    assert "Rendering at Kling" in first and 'data-testid="cancel-shot"' in first
    assert 'hx-swap-oob="true"' in first
    assert "content security policy" in pushed and 'data-testid="retry-shot"' in pushed


def test_a_viewer_watches_without_the_buttons(team, viewer, client_for):
    sequence = _running(team)
    client = client_for(viewer)

    async def scenario():
        communicator = _communicator(sequence, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        first = await communicator.receive_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return connected, first

    connected, first = async_to_sync(scenario)()
    assert connected and "Rendering at Kling" in first and "cancel-shot" not in first


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_it_refuses_anonymous_visitors_and_other_teams(team, outsider, client_for, who):
    sequence = _running(team)
    client = client_for(outsider) if who == "outsider" else None

    async def scenario():
        communicator = _communicator(sequence, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False
