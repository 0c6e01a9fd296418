"""The websocket of one carousel (ws/slides/<id>/): each slide card's live part, rendered by the server.

It joins the carousel's group (this app's news: a background taken in, waiting slides submitted) and the Channels
group of every running background job, whose pushes carry partial frames. A job's push is for the Studio's page,
so it is not forwarded: it only says that something changed, and the consumer sends the slide cards whose state
did change, rendered here from the database.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from slides.models import Carousel
from slides.push import carousel_group, job_groups, live_html, live_signature
from slides.selectors import slides_live
from studio.teams.middleware import scope_membership
from studio.teams.scoping import scoped


class CarouselConsumer(AsyncWebsocketConsumer):
    carousel_id = None

    async def connect(self):
        self.groups_joined, self.sent = set(), {}
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        if not await self._may_see(user, self.scope["url_route"]["kwargs"]["carousel_id"]):
            await self.close()  # another team's carousel, or none: the same answer, as over HTTP
            return
        await self._join([carousel_group(self.carousel_id)])
        await self.accept()
        # Read after joining, so no push can fall between this state and the next one.
        html, groups = await self._changed(everything=True)
        await self._join(groups)
        if html:
            await self.send(text_data=html)

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        """The page has nothing to say over this socket; whatever it sends is ignored."""

    async def job_update(self, event):  # a background job's push (studio.generation.push, "job.update")
        html, groups = await self._changed()
        await self._join(groups)
        if html:
            await self.send(text_data=html)

    async def slides_update(self, event):  # slides.push.UPDATE_EVENT
        await self._join(event.get("groups") or [])
        self.sent.update(event.get("signatures") or {})
        if event.get("html"):
            await self.send(text_data=event["html"])

    async def _join(self, groups):
        for group in groups:
            if group not in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_joined.add(group)

    @database_sync_to_async
    def _may_see(self, user, carousel_id):
        membership = scope_membership(user, self.scope)
        if membership is None or not scoped(Carousel, membership.team).filter(pk=carousel_id).exists():
            return False
        self.carousel_id = carousel_id
        return True

    @database_sync_to_async
    def _changed(self, everything=False):
        carousel = Carousel.objects.select_related("team").filter(pk=self.carousel_id).first()
        if carousel is None:  # deleted while the page was open: nothing left to show
            return "", []
        slides = slides_live(carousel)
        changed = []
        for slide in slides:
            signature = live_signature(slide)
            if everything or self.sent.get(str(slide.pk)) != signature:
                self.sent[str(slide.pk)] = signature
                changed.append(slide)
        return live_html(carousel, changed), job_groups(slides)
