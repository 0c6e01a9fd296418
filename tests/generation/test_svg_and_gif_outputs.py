"""GIF and SVG results of the GPT Image 2.5 line, through the studio's pipeline and the fake OpenAI server, land in
the library: the studio offers them, the job succeeds, and the asset keeps the file the model made."""

import importlib
import io

import pytest
from django.urls import reverse
from PIL import Image

from library.models import Asset
from library.selectors import asset_bytes, asset_url
from studio.credits.models import PriceRule, Wallet
from studio.generation.forms import StudioForm, studio_controls
from studio.generation.models import GenerationJob
from studio.generation.services import generation_run, generation_submit
from tests.fakes.openai import server as fake_server

pytestmark = pytest.mark.django_db

SUNBURST = "openai:gpt-image-2.5-sunburst"
PRICES = importlib.import_module("studio.credits.migrations.0005_prices_for_todays_models")


@pytest.fixture
def sunburst_team(openai_team):
    openai_team.allowed_models = ["local:draft", "openai:gpt-image-2", SUNBURST]
    openai_team.save()
    for model_id, tier, quality, credits in PRICES.rows():
        PriceRule.objects.update_or_create(model_id=model_id, tier=tier, quality=quality, defaults={"credits": credits})
    return openai_team


def run(team, user, output_format):
    job = generation_submit(
        team=team,
        user=user,
        data={
            "model_id": SUNBURST,
            "prompt": "A flat lighthouse icon",
            "aspect": "1:1",
            "tier": "1K",
            "n": 1,
            "output_format": output_format,
        },
    )
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("output_format", ["svg", "gif"])
def test_the_studio_offers_gif_and_svg_for_a_model_that_makes_them(sunburst_team, output_format):
    controls = studio_controls(StudioForm({"model_id": SUNBURST, "output_format": output_format}, team=sunburst_team))

    option = next(f for f in controls.formats if f.value == output_format)
    assert not option.disabled and option.label in ("SVG · vector", "GIF · animated")
    assert controls.output_format == output_format
    assert "no live frames" in controls.format_note


def test_the_svg_note_keeps_saying_it_makes_one_image(sunburst_team):
    controls = studio_controls(StudioForm({"model_id": SUNBURST, "output_format": "svg"}, team=sunburst_team))
    assert controls.format_note.startswith("SVG makes one image") and controls.n_max == 1


def test_an_svg_job_lands_the_models_svg_in_the_library(sunburst_team, member, grant, fake_openai, client_for):
    grant(sunburst_team, 100)
    job = run(sunburst_team, member, "svg")

    assert job.status == GenerationJob.Status.SUCCEEDED, job.error_message
    [sent] = fake_openai.requests_to("/images/generations")
    assert sent.params["output_format"] == "svg"
    asset = job.job_outputs.get().asset
    assert (asset.kind, asset.format, asset.width, asset.height) == ("image", "svg", 1024, 1024)
    kept = asset_bytes(asset)
    assert kept.startswith(b"<svg") and b"<title>A flat lighthouse icon</title>" in kept
    assert asset.provenance["parameters"]["output_format"] == "svg" and asset.provenance["job_id"] == str(job.uuid)
    assert Image.open(io.BytesIO(asset_bytes(asset, "preview"))).format == "WEBP"
    assert job.credits_captured > 0 and Wallet.objects.get(team=sunburst_team).held == 0

    client = client_for(member)
    served = client.get(asset_url(asset))
    assert served["Content-Type"] == "image/svg+xml" and "sandbox" in served["Content-Security-Policy"]
    page = client.get(reverse("library_asset", args=[asset.pk])).content.decode()
    assert "SVG vector" in page


def test_a_gif_job_lands_the_models_animation_in_the_library(sunburst_team, member, grant, fake_openai):
    grant(sunburst_team, 100)
    job = run(sunburst_team, member, "gif")

    assert job.status == GenerationJob.Status.SUCCEEDED, job.error_message
    asset = job.job_outputs.get().asset
    assert (asset.format, asset.width, asset.height) == ("gif", 1024, 1024)
    animation = Image.open(io.BytesIO(asset_bytes(asset)))
    assert animation.format == "GIF" and animation.n_frames == 9  # the fake's fade-in, kept whole
    assert job.credits_captured > 0 and Wallet.objects.get(team=sunburst_team).held == 0


def test_an_svg_the_library_cannot_keep_fails_the_job_keeping_nothing_and_returning_the_credits(
    sunburst_team, member, grant, fake_openai, monkeypatch
):
    # The provider's answer is a well-formed SVG that names a file on the server: the library must not draw it.
    hostile = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024">'
        b'<image href="/etc/hostname" width="1024" height="1024"/></svg>'
    )
    monkeypatch.setattr(fake_server, "_svg", lambda *args: hostile)
    grant(sunburst_team, 100)

    job = run(sunburst_team, member, "svg")

    assert job.status == GenerationJob.Status.FAILED and job.error_message
    assert not job.job_outputs.exists() and not Asset.objects.filter(team=sunburst_team).exists()
    wallet = Wallet.objects.get(team=sunburst_team)
    assert wallet.held == 0 and wallet.balance == 100 and job.credits_captured == 0
