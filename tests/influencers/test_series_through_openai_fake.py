"""A scene series on GPT Image models, end to end through the local OpenAI fake over real HTTP.

A scene makes one image, and a single image goes to OpenAI through the Responses API's image_generation tool (so it
can be refined later), with the images as input_image parts; the anchor must be the first of them on every scene.
"""

import base64
import io

import pytest
from PIL import Image

from influencers.models import DriftScore, SceneRun
from influencers.services import series_create
from library.models import Asset
from studio.celery import app as celery_app
from studio.credits.models import LedgerEntry, PriceRule, Wallet
from studio.credits.services import credits_grant
from studio.engines.capabilities import DEFAULT_IMAGE_MODELS, OFFLINE_MODEL_ID
from studio.generation.models import GenerationJob
from studio.generation.services import generation_run
from tests.influencers import photos
from tests.influencers.factories import astronaut_influencer

pytestmark = pytest.mark.django_db

PARAMS = {"aspect": "1:1", "tier": "1K", "quality": "low", "partial_images": 1}
BRIEFS = ["running by the river at dawn", "coffee in a busy cafe"]


@pytest.fixture(autouse=True)
def prices():
    for model_id in DEFAULT_IMAGE_MODELS:
        for tier, credits in {"1K": 6, "2K": 8, "4K": 12}.items():
            PriceRule.objects.get_or_create(
                model_id=model_id,
                tier=tier,
                quality="*",
                defaults={"credits": 0 if model_id == OFFLINE_MODEL_ID else credits},
            )


@pytest.fixture
def openai_team(team, settings, fake_openai):
    """`team` with the GPT Image models allowed, the fake's key as the instance key, and 100 credits."""
    settings.OPENAI_API_KEY = fake_openai.api_key
    team.allowed_models = ["local:draft", "openai:gpt-image-2", "openai:gpt-image-1.5"]
    team.save()
    credits_grant(team=team, amount=100, idempotency_key=f"grant-{team.pk}", memo="test")
    return team


@pytest.fixture
def eager():
    """Celery tasks run inline, so a finished job's outputs are scored as the worker would score them."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def _input_images(request):
    """The images of a recorded Responses request, decoded, in the order they were sent."""
    [message] = request.json["input"]
    parts = [part for part in message["content"] if part["type"] == "input_image"]
    return [Image.open(io.BytesIO(base64.b64decode(part["image_url"].split(",", 1)[1]))) for part in parts]


def _same_pixels(a, b):
    return a.size == b.size and a.convert("RGB").tobytes() == b.convert("RGB").tobytes()


def _run_series(team, user, model_id, django_capture_on_commit_callbacks, extra=()):
    influencer = astronaut_influencer(team, user, extra=extra)
    series = series_create(
        team=team, user=user, influencer=influencer, title="Launch", briefs=BRIEFS, model_id=model_id, params=PARAMS
    )
    runs = list(SceneRun.objects.filter(scene__series=series).select_related("job").order_by("scene__position"))
    for run in runs:
        with django_capture_on_commit_callbacks(execute=True):
            generation_run(job_id=run.job_id)
    return series, runs


@pytest.mark.parametrize(
    ("model_id", "api_model", "fidelity"),
    [("openai:gpt-image-2", "gpt-image-2", None), ("openai:gpt-image-1.5", "gpt-image-1.5", "high")],
)
def test_a_series_on_a_gpt_image_model_sends_the_anchor_first_and_is_scored_and_paid_for(
    openai_team, member, fake_openai, eager, django_capture_on_commit_callbacks, model_id, api_model, fidelity
):
    series, runs = _run_series(
        openai_team, member, model_id, django_capture_on_commit_callbacks, extra=[(photos.grace_hopper(), "style")]
    )
    anchor = series.version.references.get(role="anchor")
    anchor_image = Image.open(io.BytesIO(bytes(anchor.data)))

    sent = fake_openai.requests_to("/responses")
    assert len(sent) == len(BRIEFS)
    for request, brief in zip(sent, BRIEFS, strict=True):
        [tool] = request.json["tools"]
        assert tool["model"] == api_model
        # gpt-image-1.5 is asked for high fidelity; gpt-image-2 always keeps it and refuses the parameter.
        assert tool.get("input_fidelity") == fidelity
        assert ("input_fidelity" in tool) is (fidelity is not None)
        images = _input_images(request)
        assert len(images) == 2
        assert _same_pixels(images[0], anchor_image), "the anchor is Image 1 of every scene"
        text = request.json["input"][0]["content"][0]["text"]
        assert text.startswith(f"Edit Image 1 into this scene, keeping the same person: {brief}")
        assert "Image 1: identity anchor of Eileen" in text

    wallet = Wallet.objects.get(team=openai_team)
    assert wallet.balance == 100 - 6 * len(BRIEFS)
    for run in runs:
        run.job.refresh_from_db()
        assert run.job.status == GenerationJob.Status.SUCCEEDED, run.job.error_message
        assert run.job.credits_captured == 6
        kinds = set(LedgerEntry.objects.filter(hold=run.job.hold).values_list("kind", flat=True))
        assert {LedgerEntry.Kind.HOLD, LedgerEntry.Kind.CAPTURE} <= kinds
        output = Asset.objects.get(job_outputs__job=run.job)
        assert output.provenance["influencer"]["version_id"] == series.version_id
        score = DriftScore.objects.get(asset=output)
        # The fake draws a picture of the prompt, not a person: any verdict is honest, but one must exist.
        assert score.version_id == series.version_id and score.run_id == run.pk
        assert output.provenance["influencer"]["verdict"] == score.verdict
