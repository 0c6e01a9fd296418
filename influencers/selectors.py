"""Reads about influencers: the list, one influencer with its set, series with their storyboard, previews and costs."""

import base64
import datetime
import io
import json
import zipfile
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.utils import timezone

from influencers.models import (
    DriftScore,
    IdentityReference,
    Influencer,
    InfluencerVersion,
    Scene,
    SceneRun,
    SceneSeries,
)
from influencers.prompting import ENGINE_ROLES, scene_plan
from library.models import Asset
from library.selectors import asset_bytes, download_filename
from studio.engines.capabilities import image_models
from studio.generation.models import GenerationJob
from studio.generation.selectors import allowed_model_ids, default_model_id, generation_check
from studio.teams.scoping import get_scoped_or_404, scoped

SCORING_PATIENCE = datetime.timedelta(minutes=10)


def influencers_for(team):
    anchors = IdentityReference.objects.filter(version=OuterRef("current_version"), role="anchor").values("pk")[:1]
    return list(
        scoped(Influencer, team)
        .select_related("current_version")
        .annotate(anchor_id=Subquery(anchors))
        .annotate(series_count=Count("series", distinct=True))
        .order_by("name", "id")
    )


def influencer_or_404(team, influencer_id):
    return get_scoped_or_404(Influencer.objects.select_related("current_version"), team, pk=influencer_id)


def series_or_404(team, series_id):
    return get_scoped_or_404(SceneSeries.objects.select_related("influencer", "version"), team, pk=series_id)


def scene_or_404(team, scene_id):
    return get_scoped_or_404(Scene.objects.select_related("series__influencer", "series__version"), team, pk=scene_id)


def version_references(version):
    if version is None:
        return []
    return list(version.references.defer("data").select_related("asset"))


def anchor_of(version):
    if version is None:
        return None
    return version.references.defer("data").filter(role="anchor").select_related("asset").first()


def versions_of(influencer):
    return list(influencer.versions.annotate(reference_count=Count("references")).order_by("-number"))


def version_of_influencer(influencer, number):
    return influencer.versions.filter(number=number).first()


def series_of(influencer):
    return list(
        influencer.series.select_related("version").annotate(scene_count=Count("scenes")).order_by("-created_at")
    )


def model_for(team, influencer):
    allowed = allowed_model_ids(team)
    return influencer.default_model_id if influencer.default_model_id in allowed else default_model_id(team)


@dataclass
class Preview:
    plan: object
    check: object

    @property
    def cost(self):
        return self.check.cost

    @property
    def model_label(self):
        return model_label(self.plan.model_id)


def model_label(model_id):
    model = image_models().get(model_id)
    return model.label if model else model_id


def scene_preview(*, team, version, brief, model_id, params):
    """What a scene would send, and what it would cost, without sending anything."""
    from influencers.services import scene_request

    plan = scene_plan(version, brief or "(your scene)", model_id)
    data = scene_request(_Params(model_id, params), plan)
    # References whose library asset was deleted are re-filed at submit; the preview checks the rest.
    data["references"] = [ref for ref in data["references"] if ref["asset_id"]]
    return Preview(plan=plan, check=generation_check(team=team, data=data))


@dataclass
class _Params:
    model_id: str
    params: dict


# The storyboard ------------------------------------------------------------------------------------------------


@dataclass
class Frame:
    """One scene on the storyboard: its latest run, that run's job and outputs with their scores."""

    scene: Scene
    run: SceneRun | None
    job: GenerationJob | None
    outputs: list  # [(asset, DriftScore | None)]
    attempts: int

    @property
    def active(self):
        return bool(self.job and self.job.is_active)

    @property
    def score(self):
        scores = [score for _asset, score in self.outputs if score is not None]
        return scores[0] if scores else None

    @property
    def frame_url(self):
        """The running job's newest partial frame, inline as the Studio shows it (a small JPEG)."""
        if not self.active or not self.job.latest_frame:
            return None
        return "data:image/jpeg;base64," + base64.b64encode(bytes(self.job.latest_frame)).decode()

    @property
    def scoring(self):
        """Made but not scored yet; a score that has not come within SCORING_PATIENCE is not waited for."""
        if not (self.job and self.job.status == GenerationJob.Status.SUCCEEDED and self.outputs) or self.score:
            return False
        return self.job.finished_at is None or timezone.now() - self.job.finished_at < SCORING_PATIENCE


def storyboard(series):
    """Every scene of the series with its newest run; older runs are kept in the library with their scores."""
    runs = SceneRun.objects.select_related("job").defer("job__mask_png").order_by("-attempt")
    scenes = list(series.scenes.prefetch_related(Prefetch("runs", queryset=runs)))
    jobs = [scene.runs.all()[0].job for scene in scenes if scene.runs.all()]
    outputs = {}
    for job in jobs:
        outputs[job.pk] = []
    job_outputs = list(Asset.objects.filter(job_outputs__job__in=jobs).values_list("job_outputs__job_id", "pk"))
    asset_ids = [pk for _job, pk in job_outputs]
    assets = Asset.objects.defer("search_text", "search_vector").in_bulk(asset_ids)
    scores = {
        score.asset_id: score for score in DriftScore.objects.filter(asset_id__in=asset_ids, version=series.version)
    }
    for job_id, asset_id in job_outputs:
        outputs[job_id].append((assets[asset_id], scores.get(asset_id)))
    frames = []
    for scene in scenes:
        all_runs = list(scene.runs.all())
        run = all_runs[0] if all_runs else None
        job = run.job if run else None
        frames.append(Frame(scene, run, job, outputs.get(job.pk, []) if job else [], len(all_runs)))
    return frames


def board_active(frames):
    return any(frame.active or frame.scoring for frame in frames)


def series_summary(frames):
    counts = {"same": 0, "drifted": 0, "no_face": 0, "pending": 0}
    for frame in frames:
        score = frame.score
        if score is None:
            counts["pending"] += 1
        elif score.verdict in counts:
            counts[score.verdict] += 1
    return counts


def rerun_cost(team, series, scene):
    """Credits one more attempt of `scene` would take, shown before anyone presses Re-run."""
    return scene_preview(
        team=team, version=series.version, brief=scene.brief, model_id=series.model_id, params=series.params
    ).cost


def series_zip(series):
    """The newest output of every scene as a zip, with a manifest of briefs, versions and scores."""
    buffer = io.BytesIO()
    manifest = {"series": series.title, "influencer": series.influencer.name, "version": series.version.number}
    manifest["scenes"] = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for frame in storyboard(series):
            entry = {"scene": frame.scene.position, "brief": frame.scene.brief, "files": []}
            for asset, score in frame.outputs:
                extension = {"jpeg": "jpg"}.get(asset.format, asset.format)
                name = f"{frame.scene.position:02d}-{download_filename(asset, extension)}"
                archive.writestr(name, asset_bytes(asset))
                entry["files"].append(
                    {
                        "file": name,
                        "verdict": score.verdict if score else None,
                        "similarity": score.similarity if score else None,
                        "distance": score.distance if score else None,
                    }
                )
            manifest["scenes"].append(entry)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return buffer.getvalue()


def influencer_choices(team):
    """(id, name) of the team's influencers, for pickers in other sections."""
    return list(scoped(Influencer, team).order_by("name", "id").values_list("pk", "name"))


def scores_for_asset(asset):
    return list(DriftScore.objects.filter(asset=asset).select_related("version__influencer"))


def version_for_api(team, version_id):
    return get_scoped_or_404(InfluencerVersion, team, pk=version_id)


def references_without_data(version):
    return IdentityReference.objects.filter(version=version).defer("data")


def reference_thumbnail(reference, edge=384):
    """A WebP of the version's own copy of a reference, at most `edge` px, for the pages."""
    from PIL import Image

    image = Image.open(io.BytesIO(bytes(reference.data)))
    image.draft("RGB", (edge, edge))
    image = image.convert("RGB")
    image.thumbnail((edge, edge))
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=80)
    return buffer.getvalue()


def reference_or_404(team, reference_id):
    return get_scoped_or_404(IdentityReference, team, pk=reference_id)


def studio_chips(plan):
    """The Studio's reference chips for a plan's images, in order, each with the Studio role of its identity role."""
    from studio.generation.push import rendition_url

    return [
        {
            "asset": ref.asset,
            "role": ENGINE_ROLES[ref.role],
            "number": number,
            "thumb": rendition_url(ref.asset, "thumb"),
        }
        for number, ref in enumerate(plan.sent, start=1)
        if ref.asset is not None
    ]


def scene_from_prompt(prompt):
    """The scene a Studio prompt describes: the prompt itself, or the scene line of an earlier identity prompt."""
    first, _, _rest = (prompt or "").strip().partition("\n")
    head = "keeping the same person:"
    if first.startswith("Edit Image 1 into this scene,") and head in first:
        return first.split(head, 1)[1].strip()
    return (prompt or "").strip()


def anchor_job_or_404(team, job_uuid):
    return get_scoped_or_404(GenerationJob.objects.defer("mask_png"), team, uuid=job_uuid)


def job_candidates(job):
    return list(Asset.objects.filter(job_outputs__job=job).order_by("job_outputs__position"))
