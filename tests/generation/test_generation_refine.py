import pytest

from studio.generation.models import GenerationJob
from studio.generation.selectors import job_thread
from studio.generation.services import GenerationRejected, generation_refine, generation_run, generation_submit

pytestmark = pytest.mark.django_db


def _finished(team, user, **overrides):
    data = {"model_id": "local:draft", "prompt": "A cabin in a snowy forest", "quality": "low", "n": 1}
    data.update(overrides)
    job = generation_submit(team=team, user=user, data=data)
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.SUCCEEDED, job.error_message
    return job


def _refined(team, user, parent, prompt):
    child = generation_refine(team=team, user=user, asset=parent.job_outputs.get().asset, prompt=prompt)
    generation_run(job_id=child.pk)
    child.refresh_from_db()
    assert child.status == GenerationJob.Status.SUCCEEDED, child.error_message
    return child


def test_refining_a_draft_starts_from_the_parent_image(team, member):
    parent = _finished(team, member)
    asset = parent.job_outputs.get().asset
    child = generation_refine(team=team, user=member, asset=asset, prompt="Add warm light in the windows")
    assert child.parent == parent
    assert child.parent_asset == asset
    assert child.references == [{"asset_id": asset.pk, "role": "object"}]
    assert child.params["previous_response_id"] == parent.response_id
    assert child.n == 1
    assert child.params["size"] == parent.params["size"]


def test_refining_twice_makes_a_thread_of_three(team, member):
    original = _finished(team, member)
    first = _refined(team, member, original, "Add warm light in the windows")
    second = _refined(team, member, first, "Make it dusk")
    assert [job.prompt for job in job_thread(second)] == [
        "A cabin in a snowy forest",
        "Add warm light in the windows",
        "Make it dusk",
    ]
    result = second.job_outputs.get().asset
    assert result.parent == first.job_outputs.get().asset
    assert result.provenance["parent_job_id"] == str(first.uuid)


def test_refining_an_openai_result_continues_its_response(openai_team, member, grant, fake_openai):
    grant(openai_team, 50)
    parent = _finished(openai_team, member, model_id="openai:gpt-image-2")
    assert parent.response_id.startswith("resp")
    child = _refined(openai_team, member, parent, "Make the snow deeper")
    assert child.references == []
    assert child.params["previous_response_id"] == parent.response_id
    sent = fake_openai.requests_to("/responses")[-1].json
    assert sent["previous_response_id"] == parent.response_id


def test_it_refuses_a_refinement_without_an_instruction(team, member):
    parent = _finished(team, member)
    with pytest.raises(GenerationRejected) as rejected:
        generation_refine(team=team, user=member, asset=parent.job_outputs.get().asset, prompt="  ")
    assert "Say what to change" in rejected.value.errors["prompt"]
    assert GenerationJob.objects.count() == 1
