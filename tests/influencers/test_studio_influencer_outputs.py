"""Images made from the Studio with the influencer picker: the version in their provenance, a drift score, the sweep.

The Studio form is posted the way a browser posts it once the picker has answered: the picker's chips, identity
prompt and hidden version field, read from the picker's own HTML.
"""

import datetime
import html
import re

import pytest
from django.utils import timezone

from influencers.models import DriftScore, SceneRun
from influencers.services import drift_scores_sweep, job_outputs_scored, series_create
from influencers.tasks import drift_scores_sweep_task
from library.models import Asset
from studio.celery import app as celery_app
from studio.generation.models import GenerationJob
from studio.generation.services import generation_run
from tests.factories import MembershipFactory
from tests.generation.studio_form import HTMX, error_slot, studio_form
from tests.influencers.factories import astronaut_influencer

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    """Celery tasks run inline, so a finished job's outputs are scored as the worker would score them."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def _picked(client, influencer, scene="surfing at dawn"):
    """The Studio form's fields once the picker has answered for `influencer`, as the browser would send them."""
    picker = client.get(
        "/influencers/studio-picker/", {"influencer": influencer.pk, "model_id": "local:draft", "prompt": scene}
    ).content.decode()
    prompt = re.search(r"<textarea hidden data-influencer-prompt[^>]*>(.*?)</textarea>", picker, re.S).group(1)
    return {
        "prompt": html.unescape(prompt),
        "n": "1",
        "influencer": str(influencer.pk),
        "influencer_version": re.search(r'name="influencer_version" value="(\d+)"', picker).group(1),
        "reference_asset": re.findall(r'name="reference_asset" value="(\d+)"', picker),
        "reference_role": re.findall(r'<select name="reference_role".*?<option value="(\w+)" selected>', picker, re.S),
    }


def _generate(client, fields, django_capture_on_commit_callbacks):
    response = client.post("/studio/generate/", studio_form(**fields), **HTMX)
    assert response.status_code == 200, response.content.decode()
    job = GenerationJob.objects.latest("submitted_at")
    with django_capture_on_commit_callbacks(execute=True):
        generation_run(job_id=job.pk)
    return Asset.objects.get(job_outputs__job=job)


def test_a_studio_image_made_as_an_influencer_names_the_version_and_is_scored(
    client_for, team, member, eager, django_capture_on_commit_callbacks
):
    influencer = astronaut_influencer(team, member)
    client = client_for(member)
    fields = _picked(client, influencer)
    assert fields["reference_role"] == ["identity"]

    output = _generate(client, fields, django_capture_on_commit_callbacks)

    record = output.provenance["influencer"]
    assert (record["id"], record["version_id"], record["version"]) == (influencer.pk, influencer.current_version_id, 1)
    assert "series_id" not in record
    score = DriftScore.objects.get(asset=output)
    # The draft engine keeps the anchor's person in the image, so the Studio image scores as them.
    assert score.version_id == influencer.current_version_id and score.run is None
    assert score.verdict == DriftScore.Verdict.SAME and record["verdict"] == "same"
    page = client.get(f"/library/assets/{output.pk}/").content.decode()
    assert re.search(r">Eileen</a> version 1\.\s*<span class=\"tag tag-ok\">Same person</span>", page)
    # Said once, in words, in the Influencer panel: not again as raw ids among "How it was made".
    assert "<dt>Influencer version</dt>" not in page and "<dt>Influencer</dt>" not in page


def test_a_studio_image_whose_influencer_images_were_taken_out_is_not_marked(
    client_for, team, member, eager, django_capture_on_commit_callbacks
):
    influencer = astronaut_influencer(team, member)
    client = client_for(member)
    fields = {**_picked(client, influencer), "reference_asset": [], "reference_role": []}

    output = _generate(client, fields, django_capture_on_commit_callbacks)

    assert "influencer" not in output.provenance
    assert not DriftScore.objects.filter(asset=output).exists()


def test_another_teams_version_id_marks_nothing(
    client_for, team, member, other_team, eager, django_capture_on_commit_callbacks
):
    theirs = astronaut_influencer(other_team, MembershipFactory(team=other_team, role="owner").user)
    ours = astronaut_influencer(team, member, name="Ours")
    client = client_for(member)
    fields = {**_picked(client, ours), "influencer_version": str(theirs.current_version_id)}

    output = _generate(client, fields, django_capture_on_commit_callbacks)

    assert "influencer" not in output.provenance
    assert not DriftScore.objects.filter(asset=output).exists()


def test_a_tampered_version_field_is_refused_with_a_message_and_saves_nothing(client_for, team, member):
    influencer = astronaut_influencer(team, member)
    client = client_for(member)
    fields = {**_picked(client, influencer), "influencer_version": "v1"}
    response = client.post("/studio/generate/", studio_form(**fields), **HTMX)
    assert "choose it again in the influencer picker" in error_slot(response.content.decode(), "form")
    assert not GenerationJob.objects.filter(team=team).exists()


# The sweep of missed scores -------------------------------------------------------------------------------------


def _unscored_outputs(team, member, client, django_capture_on_commit_callbacks):
    """A scene output and a Studio output, made with their after-commit work (the score tasks) lost."""
    influencer = astronaut_influencer(team, member)
    series = series_create(
        team=team,
        user=member,
        influencer=influencer,
        title="Launch",
        briefs=["walking a dog"],
        model_id="local:draft",
        params={"aspect": "1:1", "tier": "1K", "quality": "low", "partial_images": 1},
    )
    run = SceneRun.objects.get(scene__series=series)
    generation_run(job_id=run.job_id)  # outside the captured callbacks: the queued score never runs
    scene_output = Asset.objects.get(job_outputs__job=run.job)
    client.post("/studio/generate/", studio_form(**_picked(client, influencer)), **HTMX)
    studio_job = GenerationJob.objects.latest("submitted_at")
    generation_run(job_id=studio_job.pk)
    studio_output = Asset.objects.get(job_outputs__job=studio_job)
    assert not DriftScore.objects.filter(asset__in=[scene_output, studio_output]).exists()
    return run, scene_output, studio_output


def test_the_sweep_scores_outputs_whose_score_never_came_once_they_are_old_enough(
    client_for, team, member, django_capture_on_commit_callbacks
):
    client = client_for(member)
    run, scene_output, studio_output = _unscored_outputs(team, member, client, django_capture_on_commit_callbacks)

    assert drift_scores_sweep() == 0  # just made: the score queued on save still has time to come
    later = timezone.now() + datetime.timedelta(minutes=3)
    assert drift_scores_sweep(now=later) == 2

    scene_score = DriftScore.objects.get(asset=scene_output)
    assert scene_score.run_id == run.pk and scene_score.verdict == DriftScore.Verdict.SAME
    assert DriftScore.objects.get(asset=studio_output).run_id is None
    scene_output.refresh_from_db()
    assert scene_output.provenance["influencer"]["verdict"] == "same"
    assert drift_scores_sweep(now=later) == 0  # nothing left: running it again scores nothing twice


def test_the_beat_task_sweeps_and_a_finished_job_can_be_scored_by_its_id(
    client_for, team, member, django_capture_on_commit_callbacks
):
    client = client_for(member)
    run, scene_output, studio_output = _unscored_outputs(team, member, client, django_capture_on_commit_callbacks)
    studio_job = GenerationJob.objects.get(job_outputs__asset=studio_output)
    [score] = job_outputs_scored(job=studio_job)
    assert score.asset_id == studio_output.pk and score.run is None

    Asset.objects.filter(pk=scene_output.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    drift_scores_sweep_task.apply()
    assert DriftScore.objects.get(asset=scene_output).run_id == run.pk


def test_the_sweep_passes_over_outputs_whose_influencer_was_deleted(
    client_for, team, member, django_capture_on_commit_callbacks
):
    client = client_for(member)
    run, scene_output, studio_output = _unscored_outputs(team, member, client, django_capture_on_commit_callbacks)
    influencer = run.scene.series.influencer
    influencer.series.all().delete()  # a series protects its version; the operator removes both in the admin
    influencer.delete()
    client.post(
        "/studio/generate/", studio_form(**_picked(client, astronaut_influencer(team, member, name="Ada"))), **HTMX
    )
    newer = GenerationJob.objects.latest("submitted_at")
    generation_run(job_id=newer.pk)  # made after the orphans, so it is last in the sweep's order

    later = timezone.now() + datetime.timedelta(minutes=3)
    assert drift_scores_sweep(now=later, limit=1) == 1  # the orphans do not take the only place in the batch
    assert DriftScore.objects.get(asset__job_outputs__job=newer).version.influencer.name == "Ada"
    assert not DriftScore.objects.filter(asset__in=[scene_output, studio_output]).exists()
    scene_output.refresh_from_db()
    assert scene_output.provenance["influencer"]["name"] == "Eileen"  # the record of what it was made with stays
