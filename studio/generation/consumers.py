"""The websocket of one job (ws/jobs/<uuid>/): the page's live status and canvas, rendered by the server."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from studio.generation.models import GenerationJob
from studio.generation.push import job_fetch, job_updates_html
from studio.teams.middleware import scope_membership
from studio.teams.permissions import can
from studio.teams.scoping import scoped


class JobConsumer(AsyncWebsocketConsumer):
    """Joins the job's group after checking the user may see it, sends where the job is, then forwards pushes."""

    group = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        found = await self._job_and_role(user, self.scope["url_route"]["kwargs"]["job_uuid"])
        if found is None:
            # Another team's job, or none at all: the same answer, as over HTTP.
            await self.close()
            return
        job, self.can_generate = found
        self.job_id = job.pk
        self.group = job.group_name
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # Read after joining the group, so no push can fall between this state and the next one.
        html, terminal = await self._current_html()
        await self.send(text_data=html)
        if terminal:
            await self.close()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        """The page has nothing to say over this socket; whatever it sends is ignored."""

    async def job_update(self, event):  # push.UPDATE_EVENT, "job.update"
        await self.send(text_data=event["edit"] if self.can_generate else event["view"])
        if event.get("terminal"):
            await self.close()

    @database_sync_to_async
    def _job_and_role(self, user, job_uuid):
        membership = scope_membership(user, self.scope)
        if membership is None:
            return None
        job = scoped(GenerationJob, membership.team).filter(uuid=job_uuid).first()
        if job is None:
            return None
        return job, can(membership, "generate")

    @database_sync_to_async
    def _current_html(self):
        job = job_fetch(self.job_id)
        return job_updates_html(job, can_generate=self.can_generate), job.is_terminal
