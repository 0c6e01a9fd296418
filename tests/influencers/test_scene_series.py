"""Scene series: one job per scene through generation_submit, outputs marked with the version and scored."""

import pytest

from influencers import services
from influencers.models import DriftPolicy, DriftScore, SceneRun, SceneSeries
from influencers.services import InfluencerError, drift_score, scene_run_start, series_create
from library.models import Asset
from studio.celery import app as celery_app
from studio.credits.models import PriceRule, Wallet
from studio.credits.services import credits_grant
from studio.engines.capabilities import DEFAULT_IMAGE_MODELS, OFFLINE_MODEL_ID
from studio.generation.models import GenerationJob
from studio.generation.services import generation_run
from tests.influencers import photos
from tests.influencers.factories import astronaut_influencer, library_photo

pytestmark = pytest.mark.django_db

PARAMS = {"aspect": "1:1", "tier": "1K", "quality": "low", "partial_images": 1}


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
def eager():
    """Celery tasks run inline, so a finished job's outputs are scored as the worker would score them."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def _series(team, user, briefs, **extra):
    influencer = astronaut_influencer(team, user)
    return series_create(
        team=team,
        user=user,
        influencer=influencer,
        title="Launch week",
        briefs=briefs,
        model_id="local:draft",
        params=PARAMS,
        **extra,
    )


def test_a_series_submits_one_job_per_scene_each_an_edit_of_the_anchor(team, member):
    series = _series(team, member, ["running by the river", "coffee in a cafe", "on stage"])
    runs = list(
        SceneRun.objects.filter(scene__series=series).select_related("job", "scene").order_by("scene__position")
    )
    assert [run.scene.brief for run in runs] == ["running by the river", "coffee in a cafe", "on stage"]
    anchor = series.version.references.get(role="anchor")
    for run in runs:
        assert run.job.params["n"] == 1
        assert run.job.references[0] == {"asset_id": anchor.asset_id, "role": "identity"}
        assert run.job.prompt.startswith(f"Edit Image 1 into this scene, keeping the same person: {run.scene.brief}")
        assert run.job.params.get("previous_response_id") is None


def test_a_series_the_team_cannot_pay_for_is_refused_whole(team, member):
    PriceRule.objects.filter(model_id=OFFLINE_MODEL_ID).update(credits=5)
    credits_grant(team=team, amount=12, idempotency_key="grant-12", memo="test")
    influencer = astronaut_influencer(team, member)
    with pytest.raises(InfluencerError) as refused:
        series_create(
            team=team,
            user=member,
            influencer=influencer,
            title="Too many",
            briefs=["one", "two", "three"],
            model_id="local:draft",
            params=PARAMS,
        )
    assert "Scene 3" in refused.value.errors["briefs"]
    assert not SceneSeries.objects.filter(team=team).exists()
    assert not GenerationJob.objects.filter(team=team).exists()
    assert Wallet.objects.get(team=team).balance == 12


def test_a_finished_scene_is_marked_with_its_version_and_scored(
    team, member, eager, django_capture_on_commit_callbacks
):
    series = _series(team, member, ["walking a dog"])
    run = SceneRun.objects.get(scene__series=series)
    with django_capture_on_commit_callbacks(execute=True):
        generation_run(job_id=run.job_id)
    output = Asset.objects.get(job_outputs__job=run.job)
    record = output.provenance["influencer"]
    assert (record["id"], record["version"], record["scene_id"]) == (series.influencer_id, 1, run.scene_id)
    score = DriftScore.objects.get(asset=output)
    # The offline draft engine stands the anchor's person in the scene, so the draft scores as them.
    assert score.verdict == DriftScore.Verdict.SAME
    assert record["verdict"] == "same"


def test_a_drifted_scene_is_re_run_automatically_up_to_the_limit(
    team, member, eager, django_capture_on_commit_callbacks
):
    # A threshold no draft can meet: every output counts as drifted.
    DriftPolicy.objects.update_or_create(team=team, defaults={"threshold": 0.001})
    series = _series(team, member, ["walking a dog"], auto_rerun_max=2)
    scene = series.scenes.get()
    for _ in range(4):
        job = scene.runs.order_by("-attempt").first().job
        if job.status != GenerationJob.Status.QUEUED:
            break
        with django_capture_on_commit_callbacks(execute=True):
            generation_run(job_id=job.pk)
    runs = list(scene.runs.order_by("attempt"))
    assert [(run.attempt, run.automatic) for run in runs] == [(1, False), (2, True), (3, True)]
    assert all(run.job.references[0]["asset_id"] == runs[0].job.references[0]["asset_id"] for run in runs)


def test_a_re_run_asked_for_starts_the_next_attempt_from_the_anchor(team, member):
    series = _series(team, member, ["walking a dog"])
    scene = series.scenes.get()
    second = scene_run_start(scene=scene, user=member)
    assert (second.attempt, second.automatic) == (2, False)
    assert second.job.references == scene.runs.get(attempt=1).job.references


def test_an_output_of_the_same_person_scores_as_same_and_another_person_as_drifted(team, member):
    series = _series(team, member, ["portrait"])
    run = SceneRun.objects.get(scene__series=series)
    same = library_photo(team, member, photos.recoloured(photos.astronaut()), name="graded", fmt="JPEG", quality=80)
    other = library_photo(team, member, photos.grace_hopper(), name="other")
    first = drift_score(asset_id=same.pk, version_id=series.version_id)
    second = drift_score(asset_id=other.pk, version_id=series.version_id)
    assert first.verdict == DriftScore.Verdict.SAME and first.similarity > 60
    assert second.verdict == DriftScore.Verdict.DRIFTED and second.distance > first.distance
    same.refresh_from_db()
    assert same.provenance["influencer"]["verdict"] == "same"
    assert same.provenance["influencer"]["version"] == 1
    assert run  # the series exists; the scores hang on the version


def test_a_team_threshold_decides_the_verdict(team, member):
    series = _series(team, member, ["portrait"])
    same = library_photo(team, member, photos.recoloured(photos.astronaut()), name="graded", fmt="JPEG", quality=80)
    services.drift_policy_set(team=team, threshold=0.2)
    strict = drift_score(asset_id=same.pk, version_id=series.version_id)
    assert strict.threshold == 0.2
    assert strict.verdict == (DriftScore.Verdict.SAME if strict.distance <= 0.2 else DriftScore.Verdict.DRIFTED)
    with pytest.raises(InfluencerError):
        services.drift_policy_set(team=team, threshold=1.5)


def test_a_scene_whose_anchor_was_deleted_from_the_library_refiles_the_versions_copy(team, member):
    from library.services import asset_delete

    series = _series(team, member, ["portrait"])
    anchor = series.version.references.get(role="anchor")
    asset_delete(asset=anchor.asset)
    run = scene_run_start(scene=series.scenes.get(), user=member)
    anchor.refresh_from_db()
    assert anchor.asset_id is not None and anchor.asset.sha256 == anchor.sha256
    assert run.job.references[0]["asset_id"] == anchor.asset_id
