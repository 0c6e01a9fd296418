"""The dispatcher against the platform fakes over real HTTP: due posts go out once, lost answers are confirmed through
the read APIs before anything is sent again, and every refusal says what happened and what to do."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling import dispatch
from scheduling.models import Channel, Post, PostTarget, PublishAttempt
from studio.core.models import AuditEntry
from tests.library.factories import stored_asset
from tests.scheduling.scheduled import due_post, target_of, token_channel, webhook_channel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_platform_timeouts")]

S, O = PostTarget.Status, PublishAttempt.Outcome  # noqa: E741


def _publish(post, channel):
    target = target_of(post, channel)
    dispatch.target_publish(target_id=target.pk)
    target.refresh_from_db()
    return target


def test_a_due_post_reaches_the_webhook_once_and_the_post_is_done(team, webhook_receiver):
    channel = webhook_channel(team, webhook_receiver)
    post = due_post(team, [channel], caption="Autumn collection is live")

    assert dispatch.dispatch_due() == 1
    target = _publish(post, channel)
    assert target.status == S.PUBLISHED
    assert target.published_at is not None
    assert webhook_receiver.deliveries[target.external_id] == 1
    assert webhook_receiver.bodies[target.external_id]["text"] == "Autumn collection is live"
    attempt = target.attempts.get()
    assert (attempt.number, attempt.outcome) == (1, O.PUBLISHED)
    post.refresh_from_db()
    assert post.status == Post.Status.DONE

    # The same task delivered again (a redelivered message) finds nothing to claim.
    assert dispatch.target_publish(target_id=target.pk) is None
    assert webhook_receiver.deliveries[target.external_id] == 1
    assert not webhook_receiver.duplicates


def test_a_post_not_yet_due_or_not_approved_is_left_alone(team, webhook_receiver):
    channel = webhook_channel(team, webhook_receiver)
    later = due_post(team, [channel], ago=-3600)
    draft = due_post(team, [channel], status=Post.Status.IN_REVIEW)

    assert dispatch.dispatch_due() == 0
    for post in (later, draft):
        assert _publish(post, channel).status == S.PENDING
    assert not webhook_receiver.deliveries


def test_a_leased_target_is_not_handed_out_again_until_its_lease_runs_out(team, webhook_receiver, settings):
    channel = webhook_channel(team, webhook_receiver)
    due_post(team, [channel])
    assert dispatch.dispatch_due() == 1
    assert dispatch.dispatch_due() == 0
    # Its task was lost: once the lease is over the next tick hands it out again.
    later = timezone.now() + timedelta(seconds=settings.SCHEDULING_DISPATCH_LEASE_SECONDS + 1)
    assert dispatch.dispatch_due(now=later) == 1


def test_a_lost_webhook_answer_is_confirmed_by_delivering_again_with_the_same_id(team, webhook_receiver):
    channel = webhook_channel(team, webhook_receiver)
    post = due_post(team, [channel])
    webhook_receiver.lose_answers(1)

    target = _publish(post, channel)
    assert target.status == S.UNCONFIRMED
    assert "never posted twice" in target.message
    assert target.attempts.get().outcome == O.UNCONFIRMED

    dispatch.target_confirm(target_id=target.pk)
    target.refresh_from_db()
    assert target.status == S.PUBLISHED
    assert target.attempts.get().outcome == O.CONFIRMED
    # The receiver got it once; the confirmation was a repeat it de-duplicated by delivery id.
    assert webhook_receiver.deliveries[target.external_id] == 1
    assert webhook_receiver.duplicates[target.external_id] == 1


def test_a_lost_answer_from_x_is_found_on_the_timeline_and_never_sent_again(team, fake_x):
    channel = token_channel(team, fake_x, "x")
    post = due_post(team, [channel], caption="Doors open at nine")
    fake_x.lose_answers(1)

    target = _publish(post, channel)
    assert target.status == S.UNCONFIRMED
    dispatch.target_confirm(target_id=target.pk)
    target.refresh_from_db()
    assert target.status == S.PUBLISHED
    assert target.remote_id
    assert fake_x.published["Doors open at nine"] == 1
    assert len(fake_x.requests_to(r"^/2/tweets$")) == 1


def test_a_worker_killed_before_its_call_is_confirmed_absent_then_sent_once(team, fake_x, settings):
    channel = token_channel(team, fake_x, "x")
    post = due_post(team, [channel], caption="Sale ends tonight")
    target = target_of(post, channel)
    # The claim committed, then the worker died: the attempt stays STARTED and the target PUBLISHING.
    now = timezone.now()
    attempt = dispatch._claim(dispatch._claimable([target.pk], now)[target.pk], now)
    assert attempt.outcome == O.STARTED

    # The redelivered task does not send it blindly.
    assert dispatch.target_publish(target_id=target.pk) is None
    assert not fake_x.requests_to(r"^/2/tweets$")

    later = timezone.now() + timedelta(seconds=settings.SCHEDULING_ATTEMPT_STALE_SECONDS + 1)
    assert dispatch.attempts_stale(now=later) == 1
    target.refresh_from_db()
    assert target.status == S.UNCONFIRMED
    assert target.message == dispatch.WORKER_LOST

    dispatch.target_confirm(target_id=target.pk)
    target.refresh_from_db()
    assert target.status == S.PENDING
    assert target.attempts.get(number=1).outcome == O.ABSENT

    assert dispatch.dispatch_due() == 1
    target = _publish(post, channel)
    assert target.status == S.PUBLISHED
    assert target.attempts.get(number=2).outcome == O.PUBLISHED
    assert fake_x.published["Sale ends tonight"] == 1


def test_an_unanswered_confirmation_stays_unconfirmed_and_says_to_check(team, fake_x):
    channel = token_channel(team, fake_x, "x")
    post = due_post(team, [channel], caption="Check me")
    fake_x.lose_answers(1)
    target = _publish(post, channel)
    fake_x.stop()  # the read API is down too

    dispatch.target_confirm(target_id=target.pk)
    target.refresh_from_db()
    assert target.status == S.UNCONFIRMED
    assert target.message.startswith("We couldn't confirm whether the post went out on X")
    assert target.message.endswith("check X before reposting.")
    assert not dispatch.retry_allowed(target)
    with pytest.raises(dispatch.RetryRefused, match="may already have this post"):
        dispatch.target_retry(target=target, user=None)


def test_a_publishing_limit_defers_the_post_and_says_until_when(team, fake_instagram):
    fake_instagram.quota_total = 0
    fake_instagram.fetch_media = False
    channel = token_channel(team, fake_instagram, "instagram")
    asset = stored_asset(team)
    post = due_post(team, [channel], assets=[asset])

    target = _publish(post, channel)
    assert target.status == S.DEFERRED
    assert target.message.startswith("Instagram's publishing limit is reached; trying again at ")
    assert target.next_attempt_at > timezone.now()
    assert target.attempts.get().outcome == O.DEFERRED
    assert dispatch.dispatch_due() == 0  # not before that time
    assert dispatch.dispatch_due(now=target.next_attempt_at + timedelta(seconds=1)) == 1
    target.refresh_from_db()
    assert target.status == S.PENDING


def test_a_revoked_token_blocks_the_post_marks_the_channel_and_tells_the_admins(
    team, admin_user, fake_x, mailoutbox, django_capture_on_commit_callbacks
):
    channel = token_channel(team, fake_x, "x")
    fake_x.revoke(channel.credentials["access_token"])
    post = due_post(team, [channel])

    with django_capture_on_commit_callbacks(execute=True):
        target = _publish(post, channel)
    assert target.status == S.BLOCKED
    assert "Reconnect" in target.message
    channel.refresh_from_db()
    assert channel.status in (Channel.Status.REVOKED, Channel.Status.EXPIRED)
    assert channel.status_message
    assert [mail.to for mail in mailoutbox] == [[admin_user.email]]
    assert "reconnects it" in mailoutbox[0].body
    post.refresh_from_db()
    assert post.status == Post.Status.DONE
    assert AuditEntry.objects.filter(team=team, action__startswith="channel.").exists()


def test_a_deleted_image_blocks_publishing_instead_of_posting_without_it(team, webhook_receiver):
    channel = webhook_channel(team, webhook_receiver)
    asset = stored_asset(team, name="beach")
    post = due_post(team, [channel], assets=[asset])
    post.media.update(asset=None, asset_name="beach.png")

    target = _publish(post, channel)
    assert target.status == S.BLOCKED
    assert target.message == "The image 'beach.png' was deleted; add another or remove it."
    assert not target.attempts.exists()
    assert not webhook_receiver.deliveries


def test_a_disconnected_channel_blocks_its_posts_with_a_message(team, webhook_receiver, admin_user):
    from scheduling.channels import channel_disconnect

    channel = webhook_channel(team, webhook_receiver)
    post = due_post(team, [channel])
    channel_disconnect(channel=channel, user=admin_user)

    target = _publish(post, channel)
    assert target.status == S.BLOCKED
    assert "cannot publish" in target.message and "reconnect" in target.message
    assert not webhook_receiver.deliveries


def test_an_expired_token_is_refreshed_before_publishing_and_the_rotated_refresh_token_kept(team, fake_x):
    channel = token_channel(team, fake_x, "x", refresh=True)
    old_refresh = channel.credentials["refresh_token"]
    Channel.objects.filter(pk=channel.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    post = due_post(team, [channel], caption="Fresh token")

    target = _publish(post, channel)
    assert target.status == S.PUBLISHED
    channel.refresh_from_db()
    assert channel.status == Channel.Status.CONNECTED
    assert channel.expires_at > timezone.now()
    assert channel.credentials["refresh_token"] not in ("", old_refresh)  # X rotates it on every refresh
    assert fake_x.published["Fresh token"] == 1


def test_a_post_published_on_two_of_three_channels_says_exactly_that(team, webhook_receiver, fake_x):
    from scheduling.selectors import delivery_summary

    hook = webhook_channel(team, webhook_receiver)
    refusing = webhook_channel(team, webhook_receiver, name="second")
    x = token_channel(team, fake_x, "x")
    post = due_post(team, [hook, refusing, x], caption="Three ways")

    assert _publish(post, hook).status == S.PUBLISHED
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHING  # the others still wait
    webhook_receiver.fail_next(1, 400)
    failed = _publish(post, refusing)
    assert failed.status == S.FAILED
    assert "refused the post (HTTP 400)" in failed.message
    assert _publish(post, x).status == S.PUBLISHED

    post.refresh_from_db()
    assert post.status == Post.Status.DONE
    summary = delivery_summary(post)
    assert summary.startswith("Published on ")
    assert "Webhook failed: " in summary
    assert sorted(post.targets.values_list("status", flat=True)) == [S.FAILED, S.PUBLISHED, S.PUBLISHED]


def test_retry_sends_a_refused_post_again_but_never_a_published_one(team, webhook_receiver, admin_user):
    channel = webhook_channel(team, webhook_receiver)
    post = due_post(team, [channel])
    webhook_receiver.fail_next(1, 422)
    target = _publish(post, channel)
    assert target.status == S.FAILED
    assert dispatch.retry_allowed(target)

    dispatch.target_retry(target=target, user=admin_user)
    target.refresh_from_db()
    post.refresh_from_db()
    assert (target.status, post.status) == (S.PENDING, Post.Status.PUBLISHING)
    assert AuditEntry.objects.filter(team=team, action="post.retried").count() == 1

    assert dispatch.dispatch_due() == 1
    target = _publish(post, channel)
    assert target.status == S.PUBLISHED
    assert [a.outcome for a in target.attempts.all()] == [O.REFUSED, O.PUBLISHED]
    assert not dispatch.retry_allowed(target)
    with pytest.raises(dispatch.RetryRefused, match="already published"):
        dispatch.target_retry(target=target, user=admin_user)
    assert webhook_receiver.deliveries[target.external_id] == 1


def test_an_outage_before_the_call_defers_and_gives_up_after_the_last_try(team, webhook_receiver, settings):
    settings.SCHEDULING_MAX_ATTEMPTS = 2
    channel = webhook_channel(team, webhook_receiver)
    post = due_post(team, [channel])
    webhook_receiver.fail_next(2, 503)

    target = _publish(post, channel)
    assert target.status == S.DEFERRED
    assert "Next try at" in target.message
    later = target.next_attempt_at + timedelta(seconds=1)
    assert dispatch.dispatch_due(now=later) == 1
    dispatch.target_publish(target_id=target.pk, now=later)
    target.refresh_from_db()
    assert target.status == S.FAILED
    assert "Gave up after 2 tries" in target.message
    assert dispatch.retry_allowed(target)


def test_the_hourly_sweep_hands_out_posts_whose_dispatch_was_lost(team, webhook_receiver, settings):
    channel = webhook_channel(team, webhook_receiver)
    post = due_post(team, [channel], ago=settings.SCHEDULING_LATE_SECONDS + 60)
    assert dispatch.dispatch_due() == 1  # leased, and its task never ran
    later = timezone.now() + timedelta(seconds=settings.SCHEDULING_DISPATCH_LEASE_SECONDS + 1)
    found = dispatch.sweep(now=later)
    assert (found["lost"], found["dispatched"]) == (1, 1)
    target = _publish(post, channel)
    assert target.status == S.PUBLISHED


def test_the_beats_unconfirmed_check_confirms_until_its_checks_run_out(team, webhook_receiver, fake_x, settings):
    settings.SCHEDULING_CONFIRM_MAX_CHECKS = 2
    hook = webhook_channel(team, webhook_receiver)
    x = token_channel(team, fake_x, "x")
    lost_hook, lost_x = due_post(team, [hook]), due_post(team, [x], caption="Read API down")
    webhook_receiver.lose_answers(1)
    fake_x.lose_answers(1)
    assert _publish(lost_hook, hook).status == S.UNCONFIRMED
    assert _publish(lost_x, x).status == S.UNCONFIRMED
    fake_x.stop()  # X cannot be reached any more: nobody can tell whether it went out

    assert dispatch.unconfirmed_check() == 2
    assert target_of(lost_hook, hook).status == S.PUBLISHED
    assert target_of(lost_x, x).status == S.UNCONFIRMED
    assert dispatch.unconfirmed_check() == 1
    assert dispatch.unconfirmed_check() == 0  # two checks spent: it waits for a person, with the message
    target = target_of(lost_x, x)
    assert target.status == S.UNCONFIRMED
    assert "check X before reposting" in target.message
    assert fake_x.published["Read API down"] == 1


def test_the_dispatcher_hands_out_no_more_than_the_queue_may_hold(team, webhook_receiver, settings):
    settings.SCHEDULING_DISPATCH_MAX_QUEUED, settings.SCHEDULING_DISPATCH_BATCH = 5, 2
    channel = webhook_channel(team, webhook_receiver)
    posts = [due_post(team, [channel]) for _ in range(8)]
    assert dispatch.dispatch_due() == 5
    assert dispatch.dispatch_due() == 0  # five handed out, none claimed yet
    dispatch.target_publish(target_id=target_of(posts[0], channel).pk)
    dispatch.target_publish(target_id=target_of(posts[1], channel).pk)
    assert dispatch.dispatch_due() == 2
    assert PostTarget.objects.filter(status=S.PENDING, next_attempt_at__isnull=True).count() == 1


def test_a_download_bundle_post_becomes_a_zip_the_team_downloads(team, admin_user, member, client_for):
    import io
    import zipfile

    from scheduling.channels import channel_connect_token

    bundle = channel_connect_token(team=team, user=admin_user, platform="bundle")
    asset = stored_asset(team, name="poster")
    post = due_post(team, [bundle], caption="Hand-posted menu", assets=[asset])
    post.hashtags, post.first_comment = "#menu", "Open till ten"
    post.save()
    post.media.update(alt_text="A chalkboard menu")

    target = _publish(post, bundle)
    assert target.status == S.PUBLISHED
    assert target.remote_url == f"/schedule/channels/bundle/{target.pk}.zip"
    response = client_for(member).get(target.remote_url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="post-{post.pk}-bundle.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["caption.txt", "01.png", "alt-text.txt"]
        assert archive.read("caption.txt").decode() == "Hand-posted menu\n\n#menu\n\nFirst comment:\nOpen till ten\n"
        assert archive.read("alt-text.txt").decode() == "01.png: A chalkboard menu\n"


# Batches, queues and the shared HTTP client ------------------------------------------------------------------------


def test_the_dispatcher_hands_out_batches_on_the_scheduling_queue(
    team, webhook_receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from scheduling.tasks import target_publish_task
    from studio.celery import app

    settings.SCHEDULING_PUBLISH_BATCH = 3
    sent = []
    monkeypatch.setattr(target_publish_task, "apply_async", lambda args, **options: sent.append(args[0]))
    channel = webhook_channel(team, webhook_receiver)
    posts = [due_post(team, [channel]) for _ in range(7)]

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.dispatch_due() == 7

    assert [len(batch) for batch in sent] == [3, 3, 1]
    assert sorted(sum(sent, [])) == sorted(target_of(post, channel).pk for post in posts)
    # Publishing has a queue of its own; the beat's ticks stay on the default one.
    assert app.amqp.router.route({}, "scheduling.publish", args=[[1]])["queue"].name == "scheduling"
    assert app.amqp.router.route({}, "scheduling.confirm", args=[1])["queue"].name == "scheduling"
    assert app.amqp.router.route({}, "scheduling.dispatch")["queue"].name == "celery"


def test_a_batch_saves_each_attempt_before_its_call_and_skips_what_another_worker_claimed(
    team, webhook_receiver, monkeypatch
):
    from scheduling.publishers.webhook import WebhookPublisher

    channel = webhook_channel(team, webhook_receiver)
    posts = [due_post(team, [channel]) for _ in range(4)]
    ids = [target_of(post, channel).pk for post in posts]
    # A worker killed mid-batch: it had claimed the first target (its attempt saved) and never called.
    now = timezone.now()
    dispatch._claim(dispatch._claimable([ids[0]], now)[ids[0]], now)
    seen, publish = [], WebhookPublisher.publish

    def publish_seen(self, credentials, request):
        # Just before each call: that target's claim and attempt are already in the database.
        target = PostTarget.objects.get(external_id=request.external_id)
        seen.append((target.status, list(target.attempts.values_list("outcome", flat=True))))
        return publish(self, credentials, request)

    monkeypatch.setattr(WebhookPublisher, "publish", publish_seen)
    assert dispatch.targets_publish(target_ids=ids) == 3  # the redelivered batch

    assert seen == [(S.PUBLISHING, [O.STARTED])] * 3
    statuses = dict(PostTarget.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses == {ids[0]: S.PUBLISHING, ids[1]: S.PUBLISHED, ids[2]: S.PUBLISHED, ids[3]: S.PUBLISHED}
    first = PostTarget.objects.get(pk=ids[0])
    assert webhook_receiver.deliveries[first.external_id] == 0  # never sent blindly: it goes through confirm
    assert sum(webhook_receiver.deliveries.values()) == 3 and not webhook_receiver.duplicates


def test_a_target_whose_channel_changed_since_the_batch_read_is_read_again_and_sent_once(
    team, webhook_receiver, monkeypatch
):
    channel = webhook_channel(team, webhook_receiver)
    posts = [due_post(team, [channel]) for _ in range(2)]
    ids = [target_of(post, channel).pk for post in posts]
    read = dispatch._claimable

    def read_then_channel_changes(target_ids, now):
        found = read(target_ids, now)
        if len(target_ids) > 1:  # the batch's read: the channel is saved (a refresh, say) right after it
            Channel.objects.filter(pk=channel.pk).update(updated_at=timezone.now())
        return found

    monkeypatch.setattr(dispatch, "_claimable", read_then_channel_changes)
    assert dispatch.targets_publish(target_ids=ids) == 2

    for target in PostTarget.objects.filter(pk__in=ids):
        assert target.status == S.PUBLISHED
        assert list(target.attempts.values_list("number", "outcome")) == [(1, O.PUBLISHED)]
        assert webhook_receiver.deliveries[target.external_id] == 1


def test_a_disconnected_channel_stops_the_rest_of_a_batch_already_read(team, webhook_receiver, monkeypatch):
    channel = webhook_channel(team, webhook_receiver)
    posts = [due_post(team, [channel]) for _ in range(3)]
    ids = [target_of(post, channel).pk for post in posts]
    read = dispatch._claimable

    def read_then_disconnect(target_ids, now):
        found = read(target_ids, now)
        if len(target_ids) > 1:
            Channel.objects.filter(pk=channel.pk).update(
                status=Channel.Status.DISCONNECTED, status_message="Disconnected by an admin."
            )
        return found

    monkeypatch.setattr(dispatch, "_claimable", read_then_disconnect)
    dispatch.targets_publish(target_ids=ids)

    assert not webhook_receiver.deliveries  # the batch's stale copy of the channel never published
    assert not PublishAttempt.objects.filter(target_id__in=ids).exists()


def test_publishing_a_batch_of_webhook_posts_takes_a_bounded_number_of_queries(
    team, webhook_receiver, django_assert_max_num_queries
):
    channel = webhook_channel(team, webhook_receiver)
    posts = [due_post(team, [channel]) for _ in range(10)]
    ids = [target_of(post, channel).pk for post in posts]
    Post.objects.filter(pk__in=[post.pk for post in posts]).update(status=Post.Status.PUBLISHING)  # as the lease does

    # One read for the batch; per target a claim (UPDATE, INSERT) and an outcome (two UPDATEs, the post's lock and
    # its settle), each pair in its transaction (4 savepoint statements in this test's transaction).
    with django_assert_max_num_queries(1 + 10 * (6 + 4)):
        assert dispatch.targets_publish(target_ids=ids) == 10

    assert PostTarget.objects.filter(pk__in=ids, status=S.PUBLISHED).count() == 10


@pytest.fixture
def cookie_server():
    """A server that sets a session cookie on every answer and echoes the Cookie header and path it was sent."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"cookie": self.headers.get("Cookie"), "path": self.path}).encode()
            self.send_response(200)
            self.send_header("Set-Cookie", "session=team-a; Path=/")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_platform_calls_share_one_client_that_keeps_no_cookies(cookie_server):
    from scheduling.publishers import http

    with http.client(base_url=f"{cookie_server}/v2/") as api:
        first = api.request("GET", "/me", params={"a": "b c"})
    with http.client(base_url=cookie_server, headers={"X-Team": "b"}) as api:
        second = api.request("GET", "me")

    assert first.json() == {"cookie": None, "path": "/v2/me?a=b+c"}
    assert second.json() == {"cookie": None, "path": "/me"}  # team A's session never reaches team B's call
    assert second.request.headers["X-Team"] == "b" and "X-Team" not in first.request.headers
    assert http.shared_client() is http.shared_client() and not http.shared_client().is_closed  # `with` closed nothing


def test_a_channel_reconnected_since_the_batch_read_publishes_instead_of_blocking(team, webhook_receiver, monkeypatch):
    channel = webhook_channel(team, webhook_receiver)
    posts = [due_post(team, [channel]) for _ in range(2)]
    ids = [target_of(post, channel).pk for post in posts]
    Channel.objects.filter(pk=channel.pk).update(status=Channel.Status.DISCONNECTED)
    read = dispatch._claimable

    def read_then_reconnect(target_ids, now):
        found = read(target_ids, now)
        Channel.objects.filter(pk=channel.pk).update(status=Channel.Status.CONNECTED, updated_at=timezone.now())
        return found

    monkeypatch.setattr(dispatch, "_claimable", read_then_reconnect)
    assert dispatch.targets_publish(target_ids=ids) == 2

    assert set(PostTarget.objects.filter(pk__in=ids).values_list("status", flat=True)) == {S.PUBLISHED}
    assert sum(webhook_receiver.deliveries.values()) == 2


def test_a_linkedin_pdf_carousel_goes_out_as_one_document_with_its_real_text(team, member, fake_linkedin):
    from pypdf import PdfReader

    from tests.slides.factories import carousel_for

    carousel = carousel_for(team, member, preset="linkedin-4x5", slide_count=3)
    channel = token_channel(team, fake_linkedin, "linkedin")
    options = {"carousel_pdf": carousel.pk, "document_title": carousel.topic}
    post = due_post(team, [channel], caption="Five habits, one document", options=options)

    target = _publish(post, channel)

    assert target.status == S.PUBLISHED, target.message
    documents = [upload for upload in fake_linkedin.uploads.values() if upload["kind"] == "document"]
    assert len(documents) == 1 and not [u for u in fake_linkedin.uploads.values() if u["kind"] == "image"]
    pages = PdfReader(io.BytesIO(documents[0]["data"])).pages
    assert len(pages) == 3
    assert carousel.slides.get(position=1).headline.split()[0] in pages[0].extract_text()


def test_a_carousel_deleted_after_scheduling_blocks_its_linkedin_document(team, member, fake_linkedin):
    from tests.slides.factories import carousel_for

    carousel = carousel_for(team, member, preset="linkedin-4x5", slide_count=3)
    channel = token_channel(team, fake_linkedin, "linkedin")
    post = due_post(team, [channel], options={"carousel_pdf": carousel.pk})
    carousel.delete()

    target = _publish(post, channel)

    assert target.status == S.BLOCKED
    assert "carousel of this post was deleted" in target.message
    assert not fake_linkedin.uploads


def test_a_library_video_goes_to_instagram_as_a_reel_once(team, member, fake_instagram):
    from library.services import video_ingest
    from tests.library.videos import clip

    fake_instagram.fetch_media = False  # no live server here to fetch the signed URL from
    fake_instagram.video_processing_polls = 0
    asset = video_ingest(team=team, user=member, data=clip(seconds=4, width=108, height=192), filename="reel.mp4")
    channel = token_channel(team, fake_instagram, "instagram")
    post = due_post(team, [channel], caption="Thirty seconds in the kitchen", assets=[asset])

    target = _publish(post, channel)

    assert target.status == S.PUBLISHED, target.message
    (container,) = fake_instagram.requests_to(r"/\d+/media$")
    assert container.form["media_type"] == "REELS"
    assert "/schedule/channels/media/" in container.form["video_url"]
    assert fake_instagram.published["Thirty seconds in the kitchen"] == 1


def test_an_x_video_still_processing_waits_and_then_goes_out_without_a_second_upload(team, member, fake_x):
    from library.services import video_ingest
    from tests.library.videos import clip

    fake_x.video_processing_polls = 50
    asset = video_ingest(team=team, user=member, data=clip(seconds=2, width=108, height=192), filename="pour.mp4")
    channel = token_channel(team, fake_x, "x")
    post = due_post(team, [channel], caption="Pour, slowly", assets=[asset])

    target = _publish(post, channel)

    assert target.status == S.DEFERRED
    assert target.message.startswith("X is still processing the media; trying again at ")
    assert not fake_x.posts
    fake_x.video_processing_polls = 0
    PostTarget.objects.filter(pk=target.pk).update(next_attempt_at=timezone.now())
    assert dispatch.dispatch_due() == 1
    target = _publish(post, channel)
    assert target.status == S.PUBLISHED, target.message
    assert fake_x.published["Pour, slowly"] == 1
    assert len(fake_x.requests_to(r"/2/media/upload/initialize")) == 1
