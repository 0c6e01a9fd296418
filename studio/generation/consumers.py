"""The websocket of one job (ws/jobs/<uuid>/): the page's live status and canvas, rendered by the server.

`RowConsumer` is the shape every feature's live page shares: one team-owned row found by its uuid, the user's
membership checked before the group is joined, the row's current state sent first, then each push forwarded.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from studio.generation.models import GenerationJob
from studio.generation.push import job_fetch, job_updates_html
from studio.teams.middleware import scope_membership
from studio.teams.permissions import can
from studio.teams.scoping import scoped


class RowConsumer(AsyncWebsocketConsumer):
    """Joins the group of one row of the connection's team, sends where it is, then forwards pushes.

    Subclasses name the `model` and the route's uuid `kwarg`, the `permission` that makes a watcher one who may act,
    and `current_html(row_id)` (sync, run in a thread): the row's state as (html, ended). A push carries an "edit"
    and a "view" rendering; `forward` sends the one for this watcher and closes once the row has ended.
    """

    model = None
    kwarg = "uuid"
    permission = "generate"
    group = row = None
    row_id = None
    team = membership = None
    can_act = False

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        found = await self._row_and_role(user, self.scope["url_route"]["kwargs"][self.kwarg])
        if found is None:
            await self.close()  # another team's row, or none: the same answer as over HTTP
            return
        row, self.can_act = found
        await database_sync_to_async(self.watch_started)(row)
        self.row, self.row_id, self.group = row, row.pk, row.group_name
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # Read after joining the group, so no push can fall between this state and the next one.
        await self.send_current()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            await database_sync_to_async(self.watch_ended)(self.row)

    def watch_started(self, row):
        """Before the group is joined (in a thread): a subclass whose sender asks first whether anyone watches."""

    def watch_ended(self, row):
        """After the group is left (in a thread)."""

    async def receive(self, text_data=None, bytes_data=None):
        """The page has nothing to say over this socket; whatever it sends is ignored."""

    async def send_current(self):
        html, ended = await database_sync_to_async(self.current_html)(self.row_id)
        if html:
            await self.send(text_data=html)
        if ended:
            await self.close()

    async def forward(self, event):
        await self.send(text_data=event["edit"] if self.can_act else event["view"])
        if event.get("terminal"):
            await self.close()

    def current_html(self, row_id):
        raise NotImplementedError

    @database_sync_to_async
    def _row_and_role(self, user, uuid):
        membership = scope_membership(user, self.scope)
        if membership is None:
            return None
        row = scoped(self.model, membership.team).filter(uuid=uuid).first()
        if row is None:
            return None
        self.membership, self.team = membership, membership.team
        return row, can(membership, self.permission)


class JobConsumer(RowConsumer):
    model = GenerationJob
    kwarg = "job_uuid"

    job_update = RowConsumer.forward  # push.UPDATE_EVENT, "job.update"

    def current_html(self, row_id):
        job = job_fetch(row_id)
        return job_updates_html(job, can_generate=self.can_act), job.is_terminal
