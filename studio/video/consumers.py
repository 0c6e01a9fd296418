"""The websocket of one sequence (ws/video/<uuid>/): every shot's live state, rendered by the server."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from studio.teams.middleware import scope_membership
from studio.teams.permissions import can
from studio.teams.scoping import scoped
from studio.video.models import Sequence


class SequenceConsumer(AsyncWebsocketConsumer):
    """Joins the sequence's group after checking the user may see it, sends where it is, then forwards pushes."""

    group = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        found = await self._sequence_and_role(user, self.scope["url_route"]["kwargs"]["sequence_uuid"])
        if found is None:
            await self.close()  # another team's sequence, or none: the same answer as over HTTP
            return
        sequence, self.can_edit = found
        self.sequence_id = sequence.pk
        self.group = sequence.group_name
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # Read after joining the group, so no push can fall between this state and the next one.
        await self.send(text_data=await self._current_html())

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        """The page has nothing to say over this socket; whatever it sends is ignored."""

    async def video_update(self, event):  # push.UPDATE_EVENT, "video.update"
        await self.send(text_data=event["edit"] if self.can_edit else event["view"])

    @database_sync_to_async
    def _sequence_and_role(self, user, sequence_uuid):
        membership = scope_membership(user, self.scope)
        if membership is None:
            return None
        sequence = scoped(Sequence, membership.team).filter(uuid=sequence_uuid).first()
        if sequence is None:
            return None
        return sequence, can(membership, "generate")

    @database_sync_to_async
    def _current_html(self):
        from studio.video.push import updates_html

        sequence = Sequence.objects.select_related("team", "stitched").get(pk=self.sequence_id)
        return updates_html(sequence, can_edit=self.can_edit)
