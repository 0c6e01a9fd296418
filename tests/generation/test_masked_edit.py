"""A masked edit through the whole pipeline: every pixel the mask keeps comes back exactly as it went in."""

import io

import pytest
from PIL import Image, ImageChops

from library.selectors import asset_bytes
from studio.generation.models import GenerationJob
from studio.generation.services import generation_run, generation_submit
from tests.generation.factories import mask_png, source_png

pytestmark = pytest.mark.django_db


def _pixels(data):
    return Image.open(io.BytesIO(data)).convert("RGB")


def _assert_kept_exactly(source, output, mask):
    """Compare every pixel whose mask alpha is 255; the masked box must have changed somewhere."""
    source, output = _pixels(source), _pixels(output)
    assert output.size == source.size
    keep = Image.open(io.BytesIO(mask)).getchannel("A").point(lambda alpha: 255 if alpha == 255 else 0)
    difference = ImageChops.difference(source, output).convert("L")
    outside = ImageChops.multiply(difference, keep)
    assert outside.getbbox() is None, f"pixels outside the mask changed within {outside.getbbox()}"
    inside = ImageChops.multiply(difference, ImageChops.invert(keep))
    assert inside.getbbox() is not None, "nothing inside the mask changed"


def _masked_job(team, user, upload, *, model_id, size, n=1):
    width, height = size
    source = source_png(width, height)
    asset = upload(team, user, data=source)
    mask = mask_png(width, height, (width // 4, height // 4, width // 2, height // 2))
    data = {
        "model_id": model_id,
        "prompt": "Replace the yellow disc with a paper lantern",
        "quality": "low",
        "n": n,
        "references": [{"asset_id": asset.pk, "role": "object"}],
        "mask": mask,
    }
    job = generation_submit(team=team, user=user, data=data)
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    return job, source, mask


def test_a_masked_edit_on_the_draft_engine_keeps_every_unmasked_pixel(team, member, upload):
    job, source, mask = _masked_job(team, member, upload, model_id="local:draft", size=(640, 512))
    assert job.status == GenerationJob.Status.SUCCEEDED, job.error_message
    output = job.job_outputs.get().asset
    assert output.provenance["mask"]["sha256"]
    _assert_kept_exactly(source, asset_bytes(output), mask)


@pytest.mark.parametrize(("n", "endpoint"), [(1, "/responses"), (2, "/images/edits")])
def test_a_masked_edit_through_openai_keeps_every_unmasked_pixel(
    openai_team, member, upload, grant, fake_openai, n, endpoint
):
    grant(openai_team, 50)
    job, source, mask = _masked_job(openai_team, member, upload, model_id="openai:gpt-image-2", size=(1024, 1024), n=n)
    assert job.status == GenerationJob.Status.SUCCEEDED, job.error_message
    # One image goes through the Responses API (so it can be refined later); several through images.edit.
    assert len(fake_openai.requests_to(endpoint)) == 1
    outputs = [output.asset for output in job.job_outputs.order_by("position")]
    assert len(outputs) == n
    for output in outputs:
        _assert_kept_exactly(source, asset_bytes(output), mask)
