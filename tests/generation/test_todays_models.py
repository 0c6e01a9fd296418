"""Today's models through the studio's pipeline: thinking, xhigh/max, markup, SVG; validate, load and price apart."""

import base64
import importlib
import io
import re

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw

from studio.credits.models import LedgerEntry, PriceRule, Wallet
from studio.generation import selectors
from studio.generation.forms import StudioForm, studio_controls
from studio.generation.models import GenerationJob
from studio.generation.services import GenerationRejected, generation_run, generation_submit
from tests.generation.factories import mask_png

pytestmark = pytest.mark.django_db

SUNBURST = "openai:gpt-image-2.5-sunburst"
PRICES = importlib.import_module("studio.credits.migrations.0005_prices_for_todays_models")


@pytest.fixture
def todays_team(openai_team):
    openai_team.allowed_models = [
        "local:draft",
        "openai:gpt-image-2",
        SUNBURST,
        "openai:gpt-image-2.6-flare",
        "openai:gpt-image-1.5",
        "openai:gpt-image-1-mini",
    ]
    openai_team.save()
    for model_id, tier, quality, credits in PRICES.rows():
        PriceRule.objects.update_or_create(model_id=model_id, tier=tier, quality=quality, defaults={"credits": credits})
    return openai_team


def markup_png(width, height, box=(300, 100, 500, 300), colour=(229, 72, 77, 255)):
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(layer).rectangle(box, outline=colour, width=8)
    buffer = io.BytesIO()
    layer.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def data(**overrides):
    values = {"model_id": SUNBURST, "prompt": "A poster of a lighthouse", "aspect": "1:1", "tier": "1K", "n": 1}
    values.update(overrides)
    return values


def test_a_marked_up_edit_with_thinking_runs_on_the_25_model_and_keeps_its_markup_in_the_provenance(
    todays_team, member, grant, upload, fake_openai
):
    grant(todays_team, 100)
    source = upload(todays_team, member)
    job = generation_submit(
        team=todays_team,
        user=member,
        data=data(
            complexity="high",
            quality="xhigh",
            references=[{"asset_id": source.pk, "role": "object"}],
            markup=markup_png(640, 512),
        ),
    )
    assert job.has_markup and job.params["complexity"] == "high" and job.params["markup"] is True
    assert job.credits_estimated == 9  # the 2.5 line's xhigh price at 1K

    generation_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == GenerationJob.Status.SUCCEEDED, job.error_message
    [sent] = fake_openai.requests_to("/images/edits")
    assert sent.params["complexity"] == "high" and sent.params["quality"] == "xhigh"
    assert sent.files["markup"][0].image.size == (640, 512)
    asset = job.job_outputs.get().asset
    assert asset.provenance["markup"]["drawn_over"] == "Image 1"
    assert len(asset.provenance["markup"]["sha256"]) == 64
    assert asset.provenance["parameters"]["complexity"] == "high"


def test_the_asset_page_shows_the_markup_and_links_to_the_png_itself(todays_team, member, upload, client_for):
    source = upload(todays_team, member)
    job = generation_submit(
        team=todays_team,
        user=member,
        data=data(
            model_id="local:draft",
            complexity="high",
            references=[{"asset_id": source.pk, "role": "object"}],
            markup=markup_png(640, 512),
        ),
    )
    generation_run(job_id=job.pk)
    asset = job.job_outputs.get().asset
    client = client_for(member)

    page = client.get(reverse("library_asset", args=[asset.pk])).content.decode()
    markup_url = reverse("job_markup", args=[job.uuid])
    assert "guided this edit" in page and markup_url in page
    assert re.search(r"<dt>Thinking</dt>\s*<dd>High</dd>", page)
    answer = client.get(markup_url)
    assert answer["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(answer.content)).size == (640, 512)


def test_mask_and_markup_together_are_refused_saving_nothing_and_moving_no_credit(todays_team, member, grant, upload):
    grant(todays_team, 100)
    source = upload(todays_team, member)
    with pytest.raises(GenerationRejected) as rejected:
        generation_submit(
            team=todays_team,
            user=member,
            data=data(
                references=[{"asset_id": source.pk, "role": "object"}],
                markup=markup_png(640, 512),
                mask=mask_png(640, 512, (10, 10, 100, 100)),
            ),
        )
    assert rejected.value.errors["markup"] == "Use either a mask or markup, not both: remove one of them."
    assert not GenerationJob.objects.exists()
    assert Wallet.objects.get(team=todays_team).held == 0
    assert not LedgerEntry.objects.filter(kind="hold").exists()


def test_markup_on_a_model_without_it_is_refused_beside_the_markup(todays_team, member, upload):
    source = upload(todays_team, member)
    check = selectors.generation_check(
        team=todays_team,
        data=data(
            model_id="openai:gpt-image-2",
            references=[{"asset_id": source.pk, "role": "object"}],
            markup=markup_png(640, 512),
        ),
    )
    assert check.errors["markup"].startswith("GPT Image 2 does not take markup")


def test_markup_of_another_size_than_image_1_is_caught_from_the_library_record(todays_team, member, upload):
    source = upload(todays_team, member)
    check = selectors.generation_validate(
        team=todays_team,
        data=data(references=[{"asset_id": source.pk, "role": "object"}], markup=markup_png(100, 100, (5, 5, 50, 50))),
    )
    assert check.errors["markup"] == "The markup is 100×100 but Image 1 is 640×512; draw it again on Image 1."


def test_the_controls_follow_each_models_capabilities(todays_team):
    def controls(model_id, **values):
        return studio_controls(StudioForm({"model_id": model_id, **values}, team=todays_team))

    sunburst, two, one_five, mini = (
        controls(SUNBURST),
        controls("openai:gpt-image-2", quality="max"),
        controls("openai:gpt-image-1.5"),
        controls("openai:gpt-image-1-mini"),
    )
    assert [q.value for q in sunburst.qualities] == ["auto", "low", "medium", "high", "xhigh", "max"]
    assert [q.value for q in two.qualities] == ["auto", "low", "medium", "high"] and two.quality == "auto"
    assert {f.value for f in sunburst.formats} == {"png", "jpeg", "webp", "gif", "svg"}
    assert {f.value for f in two.formats} == {"png", "jpeg", "webp"}
    assert sunburst.thinking and two.thinking and not one_five.thinking
    assert sunburst.markup and not two.markup
    assert one_five.fidelity == "" and mini.fidelity is None and two.fidelity is None
    assert (
        "dense, multi-element and diagram prompts" in sunburst.thinking_hint and "adds time" in sunburst.thinking_hint
    )


def test_the_cost_preview_prices_max_quality_exactly(todays_team):
    check = selectors.generation_check(team=todays_team, data=data(quality="max", n=3, tier="2K"))
    assert (check.cost, check.per_image) == (48, 16)
    plain = selectors.generation_check(team=todays_team, data=data(model_id="openai:gpt-image-2.6-flare", n=2))
    assert plain.cost == 12


def test_validating_reads_no_image_and_loading_them_is_its_own_step(todays_team, member, upload, monkeypatch):
    source = upload(todays_team, member)
    reads = []
    import library.selectors

    real = library.selectors.asset_bytes
    monkeypatch.setattr(library.selectors, "asset_bytes", lambda asset: reads.append(asset.pk) or real(asset))
    request = data(references=[{"asset_id": source.pk, "role": "object"}])

    check = selectors.generation_validate(team=todays_team, data=request)
    assert not check.errors and reads == [] and check.cost is None

    images = selectors.generation_images(check)
    assert reads == [source.pk] and images[0].name == "Image 1"

    selectors.generation_price(check)
    assert check.cost == 6


def test_thinking_on_a_model_that_does_not_plan_is_refused_beside_the_control(todays_team):
    check = selectors.generation_check(team=todays_team, data=data(model_id="openai:gpt-image-1.5", complexity="low"))
    assert check.errors["complexity"].startswith("GPT Image 1.5 has no thinking mode")
