"""A job's websocket stays open through a quiet spell: a slow model may send nothing for many seconds."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from studio.generation.models import GenerationJob
from studio.generation.push import job_push
from tests.generation.test_job_consumer import TIMEOUT, _communicator, _running_job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_the_test_connection")]


def test_a_socket_quiet_for_longer_than_the_layers_blocking_receive_still_gets_the_next_frame(team, member, client_for):
    job = _running_job(team, partial_count=1)
    client = client_for(member)

    async def scenario():
        communicator = _communicator(job, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        await communicator.receive_from(timeout=TIMEOUT)
        await asyncio.sleep(7)  # longer than channels-redis' 5 s blocking receive
        quiet = await communicator.receive_nothing(timeout=0.1)
        await database_sync_to_async(GenerationJob.objects.filter(pk=job.pk).update)(partial_count=2)
        await database_sync_to_async(job_push)(job.pk)
        pushed = await communicator.receive_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return quiet, pushed

    quiet, pushed = async_to_sync(scenario)()
    assert quiet  # no close, no error frame in the silence
    assert "Frame 2 of 3" in pushed
