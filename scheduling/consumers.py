"""The websocket of one post (ws/posts/<uuid>/): its status and each channel's state, rendered by the server
whenever the dispatcher changes them, so a page watching a post publish sees it happen."""

from django.template.loader import render_to_string

from scheduling.models import Post
from scheduling.push import watching_ended, watching_started
from scheduling.selectors import post_live, post_live_parts, post_watched_live, settings_of
from studio.generation.consumers import RowConsumer
from studio.teams.permissions import can


def _html(post, may_act, may_resolve):
    parts = post_live_parts(post, may_act=may_act, may_resolve=may_resolve)
    context = {**parts, "zone": settings_of(post.team).timezone, "oob": True}
    return "".join(render_to_string(f"scheduling/post.html#{part}", context) for part in ("post-head", "post-delivery"))


class PostConsumer(RowConsumer):
    model = Post
    kwarg = "post_uuid"
    permission = "draft_posts"

    async def post_changed(self, event):  # scheduling.push.CHANGED_EVENT
        await self.send_current()

    def watch_started(self, row):
        watching_started(row)

    def watch_ended(self, row):
        watching_ended(row)

    def current_html(self, row_id):
        post = post_live(self.team, row_id)
        if post is None:
            return "", True
        html = _html(post, self.can_act, can(self.membership, "approve_posts"))
        return html, not post_watched_live(post)
