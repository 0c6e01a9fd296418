"""Rows the post tests start from: connected channels, library images of a given shape, and posts made through the
real services (so each starts as a user's would)."""

import datetime
import itertools

from django.utils import timezone

from scheduling import services
from scheduling.models import Channel
from tests.library.factories import AssetFactory

_numbers = itertools.count(1)


def channel(team, platform="linkedin", *, name=None, status=Channel.Status.CONNECTED, **config):
    row = Channel(
        team=team,
        platform=platform,
        name=name or f"{platform} account {next(_numbers)}",
        account_id=f"{platform}-{next(_numbers)}",
        status=status,
        config=config,
    )
    row.credentials = {"access_token": "test-token"}
    row.save()
    return row


def image(team, *, fmt="jpeg", width=1080, height=1350, size=400_000, **fields):
    return AssetFactory(team=team, format=fmt, width=width, height=height, bytes=size, **fields)


def soon(days=2, hour=10):
    moment = timezone.now() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def draft(team, user, *, channels=(), assets=(), caption="Spring menu is here", when=None, **fields):
    data = services.PostInput(
        caption=caption,
        asset_ids=[asset.pk for asset in assets],
        channel_ids=[c.pk for c in channels],
        publish_at=when if when is not None else soon(),
        **fields,
    )
    return services.post_create(team=team, user=user, data=data)
