"""The post's websocket through the real ASGI stack: a page gets the post's status and every channel's state on
connect, then each change the dispatcher makes while publishing, until the post is done; people of another team and
anonymous visitors are refused."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from scheduling import dispatch
from scheduling.models import Post
from tests.scheduling.scheduled import due_post, target_of, webhook_channel
from tests.websockets import communicator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keep_the_test_connection")]
TIMEOUT = 5


def _communicator(post, client=None):
    return communicator(f"/ws/posts/{post.uuid}/", client)


async def _until(communicator, text):
    """Messages until one holds `text` (a push may show a state in between); the messages read."""
    seen = []
    while not seen or text not in seen[-1]:
        seen.append(await communicator.receive_from(timeout=TIMEOUT))
    return seen


def test_a_watching_page_sees_the_post_publish_and_the_socket_ends_with_it(
    team, member, client_for, webhook_receiver, django_capture_on_commit_callbacks
):
    channel = webhook_channel(team, webhook_receiver)
    post = due_post(team, [channel], caption="Autumn collection is live")
    target = target_of(post, channel)
    client = client_for(member)

    def publish():
        # The dispatcher tells the page once its transactions commit: here, when the capture ends.
        with django_capture_on_commit_callbacks(execute=True):
            dispatch.target_publish(target_id=target.pk)

    async def scenario():
        communicator = _communicator(post, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        first = await communicator.receive_from(timeout=TIMEOUT)
        await database_sync_to_async(publish)()
        pushed = await _until(communicator, "Published on Webhook")
        closed = await communicator.receive_output(timeout=TIMEOUT)
        return first, pushed, closed

    first, pushed, closed = async_to_sync(scenario)()
    assert f'id="post-{post.pk}-head"' in first and f'id="post-{post.pk}-delivery"' in first
    assert 'hx-swap-oob="true"' in first and ">Scheduled<" in first
    assert ">Finished<" in pushed[-1] and f'id="target-{target.pk}-row"' in pushed[-1]
    assert closed["type"] == "websocket.close"  # the post is done: nothing more will come
    assert webhook_receiver.deliveries[target.external_id] == 1


def test_a_lost_answer_shows_unconfirmed_with_retry_only_for_those_who_may_act(
    team, member, viewer, client_for, webhook_receiver, settings
):
    settings.SCHEDULING_PUBLISH_TIMEOUT = 1
    channel = webhook_channel(team, webhook_receiver)
    post = due_post(team, [channel])
    target = target_of(post, channel)
    webhook_receiver.lose_answers(1, stall=2.5)

    async def scenario(client):
        communicator = _communicator(post, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        first = await communicator.receive_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return connected, first

    dispatch.target_publish(target_id=target.pk)
    target.refresh_from_db()
    assert target.status == "unconfirmed"
    connected, as_member = async_to_sync(scenario)(client_for(member))
    assert connected and "is unconfirmed" in as_member and "never posted twice" in as_member
    connected, as_viewer = async_to_sync(scenario)(client_for(viewer))
    assert connected and "is unconfirmed" in as_viewer
    assert Post.objects.get(pk=post.pk).status == Post.Status.PUBLISHING


def test_another_teams_member_and_anonymous_visitors_are_refused(team, outsider, client_for, webhook_receiver):
    post = due_post(team, [webhook_channel(team, webhook_receiver)])

    async def scenario(client):
        communicator = _communicator(post, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)(client_for(outsider)) is False
    assert async_to_sync(scenario)(None) is False


def test_admins_watching_get_the_by_hand_answers_once_the_checks_are_spent(
    team, admin_user, member, client_for, webhook_receiver, settings
):
    from scheduling.models import PostTarget, PublishAttempt

    settings.SCHEDULING_CONFIRM_MAX_CHECKS = 1
    channel = webhook_channel(team, webhook_receiver)
    post = due_post(team, [channel], status=Post.Status.PUBLISHING)
    target = target_of(post, channel)
    PostTarget.objects.filter(pk=target.pk).update(status="unconfirmed", message=dispatch.WORKER_LOST)
    PublishAttempt.objects.create(target=target, number=1, outcome="unconfirmed", partial={"checks": 1})

    async def scenario(client):
        communicator = _communicator(post, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        first = await communicator.receive_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return first

    as_admin = async_to_sync(scenario)(client_for(admin_user))
    assert 'data-testid="resolve"' in as_admin and "It is there: mark published" in as_admin
    as_member = async_to_sync(scenario)(client_for(member))
    assert 'data-testid="resolve"' not in as_member and "is unconfirmed" in as_member


def test_changes_go_out_only_while_a_page_watches(team, member, client_for, webhook_receiver, monkeypatch):
    from scheduling import push

    sent = []
    monkeypatch.setattr(push, "message_send", lambda group, message: sent.append(group))
    post = due_post(team, [webhook_channel(team, webhook_receiver)])
    push.post_changed(post)
    assert sent == []  # nobody has the page open: not even a group send
    client = client_for(member)

    async def scenario():
        communicator = _communicator(post, client)
        await communicator.connect(timeout=TIMEOUT)
        await communicator.receive_from(timeout=TIMEOUT)
        await database_sync_to_async(push.post_changed)(post)
        await communicator.disconnect()

    async_to_sync(scenario)()
    assert sent == [post.group_name]
    push.post_changed(post)  # the page was closed
    assert sent == [post.group_name]


def test_a_finished_post_keeps_its_page_live_until_its_first_comment_is_under_it(
    team, member, client_for, fake_x, django_capture_on_commit_callbacks, short_platform_timeouts
):
    from scheduling import comments
    from tests.scheduling.scheduled import token_channel

    channel = token_channel(team, fake_x, "x")
    post = due_post(team, [channel], caption="Harbor Coffee is open late")
    post.first_comment = "Until 10 pm all week."
    post.save(update_fields=["first_comment"])
    target = target_of(post, channel)
    dispatch.target_publish(target_id=target.pk)
    assert Post.objects.get(pk=post.pk).status == Post.Status.DONE
    client = client_for(member)

    def comment():
        with django_capture_on_commit_callbacks(execute=True):
            comments.comment_post(target_id=target.pk)

    async def scenario():
        communicator = _communicator(post, client)
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        first = await communicator.receive_from(timeout=TIMEOUT)
        await database_sync_to_async(comment)()
        await _until(communicator, "First comment: <strong>posted</strong>")
        closed = await communicator.receive_output(timeout=TIMEOUT)
        return first, closed

    first, closed = async_to_sync(scenario)()
    assert "First comment: <strong>waiting</strong>" in first
    assert closed["type"] == "websocket.close"
