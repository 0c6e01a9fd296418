"""Influencers for the tests, made through the real services from real photographs in the team's library."""

from influencers.services import influencer_create
from library.services import asset_ingest
from tests.influencers import photos


def library_photo(team, user, image, name="photo", fmt="PNG", **options):
    return asset_ingest(team=team, user=user, data=photos.encoded(image, fmt, **options), filename=f"{name}.png")


def astronaut_influencer(team, user, *, name="Eileen", extra=(), traits=None, nevers=None):
    """An influencer whose anchor is the astronaut photograph; `extra` is [(PIL image, role)]."""
    anchor = library_photo(team, user, photos.astronaut(), name="astronaut")
    references = [(anchor, "anchor")]
    for number, (image, role) in enumerate(extra):
        references.append((library_photo(team, user, image, name=f"extra-{number}"), role))
    return influencer_create(
        team=team,
        user=user,
        name=name,
        references=references,
        traits=traits if traits is not None else {"hair": "short brown", "eyes": "brown"},
        nevers=nevers if nevers is not None else ["no glasses"],
        details={"default_model_id": "local:draft"},
    )


def influencer_row(team, name="Row"):
    """An influencer with one small anchor, made from rows alone (no face check, no files), for URL walks."""
    from influencers.models import IdentityReference, Influencer, InfluencerVersion
    from tests.library.factories import AssetFactory

    influencer = Influencer.objects.create(team=team, name=name)
    version = InfluencerVersion.objects.create(influencer=influencer, number=1)
    asset = AssetFactory(team=team)
    data = photos.encoded(photos.coffee().resize((64, 48)))
    IdentityReference.objects.create(
        version=version, position=1, role="anchor", asset=asset, data=data, sha256="0" * 64
    )
    influencer.current_version = version
    influencer.save()
    return influencer


def series_row(team):
    """A series with one scene and its run, from rows alone."""
    from influencers.models import Scene, SceneRun, SceneSeries
    from tests.api.factories import generation_job

    influencer = influencer_row(team)
    series = SceneSeries.objects.create(
        team=team, influencer=influencer, version=influencer.current_version, title="Row series", model_id="local:draft"
    )
    scene = Scene.objects.create(series=series, position=1, brief="a scene")
    SceneRun.objects.create(scene=scene, job=generation_job(team), prompt="p")
    return series
