"""Factories for the library: assets (rows only, or through the real ingest with files), tags and boards."""

import factory
from django.utils import timezone

from library.models import Asset, Board, BoardItem, Tag
from library.services import Origin, asset_ingest
from tests.factories import TeamFactory, UserFactory
from tests.library import images


class AssetFactory(factory.django.DjangoModelFactory):
    """A row without files, for pages that only list assets (thousands of them via build_batch + bulk_create)."""

    class Meta:
        model = Asset

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Asset {n}")
    kind = Asset.Kind.IMAGE
    source = Asset.Source.GENERATED
    file = factory.Sequence(lambda n: f"teams/x/assets/row{n:08d}.png")
    thumb = factory.LazyAttribute(lambda a: a.file.replace(".png", "-thumb.webp"))
    preview = factory.LazyAttribute(lambda a: a.file.replace(".png", "-preview.webp"))
    format = "png"
    bytes = 1234
    width = 1024
    height = 1024
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    created_at = factory.LazyFunction(timezone.now)
    provenance = factory.LazyFunction(dict)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"tag{n}")


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"Board {n}")


class BoardItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardItem

    board = factory.SubFactory(BoardFactory)
    asset = factory.SubFactory(AssetFactory)
    position = factory.Sequence(lambda n: n)


_counter = iter(range(1, 10**9))


def stored_asset(team, user=None, *, source="generated", data=None, name=None, provenance=None, parent=None):
    """An asset made by the real ingest, with its original, preview and thumbnail in storage.

    Each call makes different pixels unless `data` is given, so uploads are never de-duplicated by accident.
    """
    if data is None:
        n = next(_counter)
        data = images.png(48 + n % 50, 32 + (n // 50) % 50)
    return asset_ingest(
        team=team,
        user=user or UserFactory(),
        data=data,
        filename=f"{name or 'image'}.png",
        origin=Origin(source=source, provenance=provenance or {}, parent=parent, name=name),
    )
