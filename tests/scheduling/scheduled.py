"""Rows for the dispatcher's tests, the reliability test and the benchmark: channels with real tokens of the fakes,
and approved posts due now, built directly (the composer and approval have their own tests)."""

import uuid
from datetime import timedelta

from django.utils import timezone

from scheduling.channels import channel_connect_token
from scheduling.models import Post, PostMedia, PostTarget


def webhook_channel(team, receiver, *, name="main", user=None):
    return channel_connect_token(
        team=team,
        user=user,
        platform="webhook",
        webhook_url=receiver.hook_url(name),
        webhook_secret=receiver.secret,
        account_id=f"hook-{name}",
    )


def token_channel(team, fake, platform, *, user=None, refresh=False, lifetime=None, **kwargs):
    """A channel connected by pasting a fresh token of `fake` (checked against the fake's read endpoint)."""
    token = fake.issue_token(lifetime=lifetime) if lifetime is not None else fake.issue_token()
    refresh_token = fake.issue_refresh_token() if refresh else ""
    if platform == "tiktok":
        kwargs.setdefault("account_id", "tiktok-open-id-1")
    return channel_connect_token(
        team=team, user=user, platform=platform, access_token=token, refresh_token=refresh_token, **kwargs
    )


def due_post(team, channels, *, caption=None, assets=(), status=Post.Status.SCHEDULED, ago=60, options=None):
    """An approved post due `ago` seconds ago on each of `channels`, with `assets` in order."""
    caption = caption if caption is not None else f"Launch day {uuid.uuid4().hex[:10]}"
    post = Post.objects.create(
        team=team, caption=caption, status=status, publish_at=timezone.now() - timedelta(seconds=ago)
    )
    for position, asset in enumerate(assets):
        PostMedia.objects.create(post=post, asset=asset, asset_name=asset.name, position=position)
    for channel in channels:
        PostTarget.objects.create(
            post=post, channel=channel, external_id=f"pf-{uuid.uuid4().hex}", options=dict(options or {})
        )
    return post


def target_of(post, channel):
    return PostTarget.objects.get(post=post, channel=channel)
