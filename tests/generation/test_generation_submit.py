import pytest

from studio.credits.models import Hold, LedgerEntry, Wallet
from studio.generation.models import GenerationJob
from studio.generation.services import GenerationRejected, generation_submit

pytestmark = pytest.mark.django_db


def _data(**overrides):
    data = {"model_id": "local:draft", "prompt": "A teal ceramic mug on linen", "aspect": "1:1", "tier": "1K", "n": 2}
    data.update(overrides)
    return data


def _wallet(team):
    return Wallet.objects.get(team=team)


def test_it_queues_a_job_and_holds_its_credits(team, member, grant, priced_draft, django_capture_on_commit_callbacks):
    grant(team, 100)
    with django_capture_on_commit_callbacks() as callbacks:
        job = generation_submit(team=team, user=member, data=_data())
    assert job.status == GenerationJob.Status.QUEUED
    assert job.params["size"] == "1024x1024"
    assert job.credits_estimated == 10
    assert job.credits_per_image == 5
    assert job.hold.amount == 10
    assert (_wallet(team).balance, _wallet(team).held) == (90, 10)
    assert len(callbacks) == 1  # the task is queued only once the job is committed


def test_the_offline_engine_is_free_and_holds_nothing(team, member):
    job = generation_submit(team=team, user=member, data=_data())
    assert job.credits_estimated == 0
    assert job.hold is None
    assert not Hold.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"prompt": "   "}, "prompt", "Write a prompt"),
        ({"aspect": "custom", "width": 1000, "height": 1000}, "size", "multiples of 16"),
        ({"aspect": "custom", "width": 3840, "height": 1024}, "size", "ratio"),
        ({"n": 11}, "n", "between 1 and 10"),
        ({"model_id": "openai:gpt-image-2"}, "model_id", "not enabled"),
        ({"model_id": "no-such-model"}, "model_id", "available models"),
        ({"background": "transparent", "output_format": "jpeg"}, "background", "JPEG has no transparency"),
        ({"output_format": "webp", "output_compression": 101}, "output_compression", "0 to 100"),
        ({"prompt": "x" * 32_001}, "prompt", "at most 32,000"),
    ],
)
def test_it_rejects_bad_input_saving_nothing_and_moving_no_credit(
    team, member, grant, priced_draft, overrides, field, words
):
    grant(team, 100)
    with pytest.raises(GenerationRejected) as rejected:
        generation_submit(team=team, user=member, data=_data(**overrides))
    assert words in rejected.value.errors[field]
    assert not GenerationJob.objects.exists()
    assert not Hold.objects.exists()
    assert (_wallet(team).balance, _wallet(team).held) == (100, 0)


def test_it_refuses_a_model_the_team_has_not_enabled_even_with_a_key(team, member, settings):
    settings.OPENAI_API_KEY = "sk-test"
    with pytest.raises(GenerationRejected) as rejected:
        generation_submit(team=team, user=member, data=_data(model_id="openai:gpt-image-1.5"))
    assert "Team → Models" in rejected.value.errors["model_id"]


def test_it_refuses_an_openai_model_without_any_key(team, member, settings):
    settings.OPENAI_API_KEY = ""
    team.allowed_models = ["local:draft", "openai:gpt-image-2"]
    team.save()
    with pytest.raises(GenerationRejected) as rejected:
        generation_submit(team=team, user=member, data=_data(model_id="openai:gpt-image-2"))
    assert "needs an OpenAI key" in rejected.value.errors["model_id"]
    assert not GenerationJob.objects.exists()


def test_it_refuses_when_credits_run_short_and_reserves_nothing(team, member, grant, priced_draft):
    grant(team, 7)
    with pytest.raises(GenerationRejected) as rejected:
        generation_submit(team=team, user=member, data=_data(n=2))
    assert rejected.value.errors["credits"] == (
        "This needs 10 credits and the team has 7. Use Request credits at the top of the page to ask for more."
    )
    assert not GenerationJob.objects.exists()
    assert not LedgerEntry.objects.filter(kind="hold").exists()
    assert (_wallet(team).balance, _wallet(team).held) == (7, 0)


def test_it_refuses_a_reference_from_another_team(team, member, other_team, outsider, upload):
    theirs = upload(other_team, outsider)
    with pytest.raises(GenerationRejected) as rejected:
        generation_submit(team=team, user=member, data=_data(references=[{"asset_id": theirs.pk, "role": "style"}]))
    assert "Image 1 is no longer in the library" in rejected.value.errors["references"]


def test_it_refuses_a_mask_of_another_size_than_image_1(team, member, upload):
    from tests.generation.factories import mask_png

    source = upload(team, member)
    data = _data(references=[{"asset_id": source.pk, "role": "object"}], mask=mask_png(100, 100, (0, 0, 50, 50)))
    with pytest.raises(GenerationRejected) as rejected:
        generation_submit(team=team, user=member, data=data)
    assert (
        rejected.value.errors["mask"] == "The mask is 100×100 but Image 1 is 640×512; paint the mask again on Image 1."
    )


def test_a_masked_edit_keeps_the_size_of_image_1(team, member, upload):
    from tests.generation.factories import mask_png

    source = upload(team, member)
    data = _data(n=1, references=[{"asset_id": source.pk, "role": "object"}], mask=mask_png(640, 512, (0, 0, 99, 99)))
    job = generation_submit(team=team, user=member, data=data)
    assert job.has_mask
    assert job.references == [{"asset_id": source.pk, "role": "object"}]
