"""Writes about influencers: creating and versioning them, the face check of a version, scene series and drift scores.

Keyword-only and atomic. Images are made only through generation_submit; a series whose scenes cannot all be
submitted (not enough credits, a model the team may not use) is refused whole: nothing saved, no credit held.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, IntegerField, Max, OuterRef
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone

from influencers import drift
from influencers.models import (
    DEFAULT_DRIFT_THRESHOLD,
    MAX_AUTO_RERUNS,
    DriftPolicy,
    DriftScore,
    IdentityReference,
    Influencer,
    InfluencerVersion,
    Role,
    Scene,
    SceneRun,
    SceneSeries,
)
from influencers.prompting import ordered, scene_plan
from library.models import Asset
from library.selectors import asset_bytes
from library.services import asset_ingest
from studio.generation.models import GenerationJob
from studio.generation.services import GenerationRejected, generation_submit
from studio.teams.scoping import scoped

logger = logging.getLogger(__name__)

MAX_REFERENCES_PER_VERSION = 24
MAX_SCENES_PER_SERIES = 40
MAX_NEVERS = 30
SINGLE_ROLES = {Role.ANCHOR}


class InfluencerError(Exception):
    """A refused change: {field: message} for the form; nothing was saved and no credit moved."""

    def __init__(self, errors):
        self.errors = errors if isinstance(errors, dict) else {"__all__": str(errors)}
        super().__init__("; ".join(str(message) for message in self.errors.values()))


# Influencers and versions -----------------------------------------------------------------------------------


@transaction.atomic
def influencer_create(*, team, user, name, references, traits=None, nevers=None, details=None):
    """A new influencer with version 1. `references` is [(asset, role)]; the first anchor is Image 1 of every scene."""
    details = details or {}
    influencer = Influencer.objects.create(
        team=team,
        name=name.strip(),
        description=details.get("description", ""),
        consent_notes=details.get("consent_notes", ""),
        usage_notes=details.get("usage_notes", ""),
        default_model_id=details.get("default_model_id", ""),
        created_by=user,
    )
    version_create(influencer=influencer, user=user, references=references, traits=traits, nevers=nevers)
    return influencer


@transaction.atomic
def influencer_update(*, influencer, name, details):
    """Name, notes and default model: these change the influencer, not its identity, so no new version."""
    influencer.name = name.strip()
    for key in ("description", "consent_notes", "usage_notes", "default_model_id"):
        setattr(influencer, key, details.get(key, ""))
    influencer.save()
    return influencer


@transaction.atomic
def version_create(*, influencer, user, references, traits=None, nevers=None, note=""):
    """The influencer's next version from `references` ([(asset or IdentityReference, role)]), traits and nevers.

    Each reference keeps its own copy of the image; an earlier version's references are copied as they are.
    """
    errors = _reference_errors(influencer.team, references)
    nevers = [str(never).strip()[:200] for never in (nevers or []) if str(never).strip()]
    if len(nevers) > MAX_NEVERS:
        errors["nevers"] = f"Keep the never-list to {MAX_NEVERS} lines or fewer (this has {len(nevers)})."
    if errors:
        raise InfluencerError(errors)
    locked = Influencer.objects.select_for_update().get(pk=influencer.pk)
    number = (locked.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = InfluencerVersion.objects.create(
        influencer=locked,
        number=number,
        traits={key: str(value).strip()[:300] for key, value in (traits or {}).items() if str(value or "").strip()},
        nevers=nevers,
        change_note=note[:200],
        created_by=user,
    )
    rows = []
    for position, (source, role) in enumerate(_anchor_first(references), start=1):
        rows.append(_reference_row(version, position, source, role))
    IdentityReference.objects.bulk_create(rows)
    locked.current_version = version
    locked.save(update_fields=["current_version", "updated_at"])
    influencer.current_version = version
    return version


def _anchor_first(references):
    anchors = [item for item in references if item[1] == Role.ANCHOR]
    return anchors + [item for item in references if item[1] != Role.ANCHOR]


def _reference_errors(team, references):
    if not references:
        return {"references": "Add at least one image of the person, marked as the identity anchor."}
    if len(references) > MAX_REFERENCES_PER_VERSION:
        return {"references": f"Keep the set to {MAX_REFERENCES_PER_VERSION} images (this has {len(references)})."}
    roles = [role for _source, role in references]
    if any(role not in Role.values for role in roles):
        return {"references": "Each image needs one of the roles listed."}
    anchors = roles.count(Role.ANCHOR)
    if anchors == 0:
        return {"references": "Mark one image as the identity anchor: every scene is an edit of it."}
    if anchors > 1:
        return {"references": "Only one image can be the identity anchor; give the others another role."}
    for source, _role in references:
        if isinstance(source, Asset) and (source.team_id != team.pk or not source.is_still):
            return {"references": f"{source.name} is not an image of this team's library."}
    return {}


def _reference_row(version, position, source, role):
    if isinstance(source, IdentityReference):
        return IdentityReference(
            version=version,
            position=position,
            role=role,
            asset_id=source.asset_id,
            data=bytes(source.data),
            sha256=source.sha256,
            name=source.name,
            width=source.width,
            height=source.height,
            face_count=source.face_count,
            embedding=source.embedding,
            warning=source.warning,
        )
    return IdentityReference(
        version=version,
        position=position,
        role=role,
        asset=source,
        data=asset_bytes(source),
        sha256=source.sha256,
        name=source.name,
        width=source.width or 0,
        height=source.height or 0,
    )


def uploads_ingest(*, team, user, files):
    """Library assets from uploaded files ([(role, UploadedFile)]), refusing the lot on the first bad one."""
    from library.validators import UploadRejected, too_large

    assets = []
    for role, upload in files:
        if upload.size > settings.POSTFRAME_UPLOAD_MAX_BYTES:
            raise InfluencerError({f"upload_{role}": f"{upload.name}: {too_large(upload.size)}"})
        try:
            asset = asset_ingest(team=team, user=user, data=upload.read(), filename=upload.name)
        except UploadRejected as error:
            raise InfluencerError({f"upload_{role}": f"{upload.name}: {error}"}) from None
        assets.append((asset, role))
    return assets


@transaction.atomic
def asset_attach(*, influencer, user, asset, role):
    """A new version with `asset` added to the reference set in `role` (an anchor replaces the old anchor's role)."""
    current = influencer.current_version
    refs = list(current.references.all()) if current else []
    if asset.pk in {ref.asset_id for ref in refs}:
        raise InfluencerError({"asset": f"{asset.name} is already in {influencer.name}'s reference set."})
    if role == Role.ANCHOR:
        kept = [(ref, Role.FRONT if ref.role == Role.ANCHOR else ref.role) for ref in refs]
    else:
        kept = [(ref, ref.role) for ref in refs]
    label = Role(role).label.lower()
    return version_create(
        influencer=influencer,
        user=user,
        references=[*kept, (asset, role)],
        traits=current.traits if current else {},
        nevers=current.nevers if current else [],
        note=f"Added {asset.name} as {label}",
    )


# The face check ------------------------------------------------------------------------------------------------


def version_embed(*, version):
    """Embed the version's identity images once and store the result with a warning for each problem image.

    Later calls return at once: a version never changes, so neither does its identity set.
    """
    if version.embedded_at is not None:
        return version
    references = list(version.references.all())
    for ref in references:
        if ref.face_count is not None:
            continue  # copied from an earlier version together with its reading
        faces = drift.faces_in(bytes(ref.data), thorough=True)
        ref.face_count = len(faces)
        ref.embedding = list(faces[0].embedding) if faces else None
        ref.warning = _face_warning(ref, len(faces))
        ref.save(update_fields=["face_count", "embedding", "warning"])
    InfluencerVersion.objects.filter(pk=version.pk, embedded_at__isnull=True).update(embedded_at=timezone.now())
    version.embedded_at = timezone.now()
    return version


def _face_warning(ref, count):
    if not ref.is_identity:
        return ""
    if count == 0:
        return "No face found in this image: it is still sent, but the drift check cannot use it."
    if count > 1:
        return f"{count} faces found in this image: the largest is taken as {ref.version.influencer.name}."
    return ""


def identity_embeddings(version):
    version_embed(version=version)
    return [ref.embedding for ref in version.references.all() if ref.is_identity and ref.embedding]


def drift_threshold(team):
    policy = scoped(DriftPolicy, team).first()
    return policy.threshold if policy else DEFAULT_DRIFT_THRESHOLD


@transaction.atomic
def drift_policy_set(*, team, threshold):
    if not 0.2 <= threshold <= 1.0:
        raise InfluencerError({"threshold": "Choose a distance between 0.20 (strict) and 1.00 (lenient)."})
    policy, _ = DriftPolicy.objects.update_or_create(team=team, defaults={"threshold": threshold})
    return policy


def drift_score(*, asset_id, version_id, run_id=None):
    """Score one output against the version's identity set, record it on the asset, and re-run a drift if asked.

    Safe to run twice: the score is one row per (asset, version), and a re-run is started only once per attempt.
    """
    asset = Asset.objects.select_related("team").filter(pk=asset_id).first()
    version = InfluencerVersion.objects.select_related("influencer").filter(pk=version_id).first()
    if asset is None or version is None:
        return None
    try:
        identity = identity_embeddings(version)
        faces = drift.faces_in(asset_bytes(asset))
    except drift.FaceModelsMissing:
        logger.error("drift check of asset %s skipped: the face models are not installed", asset_id)
        return None
    threshold = drift_threshold(asset.team)
    _face, distance = drift.closest(faces, identity)
    if not identity:
        verdict = DriftScore.Verdict.NO_IDENTITY
    elif not faces:
        verdict = DriftScore.Verdict.NO_FACE
    else:
        verdict = DriftScore.Verdict.SAME if distance <= threshold else DriftScore.Verdict.DRIFTED
    with transaction.atomic():
        score, _ = DriftScore.objects.update_or_create(
            asset=asset,
            version=version,
            defaults={
                "run_id": run_id,
                "distance": distance,
                "threshold": threshold,
                "verdict": verdict,
                "faces": len(faces),
            },
        )
        _provenance_score(asset, version, score)
    if run_id and score.is_drift:
        transaction.on_commit(lambda: _auto_rerun(run_id))
    return score


def _provenance_score(asset, version, score):
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    provenance = dict(locked.provenance or {})
    record = dict(provenance.get("influencer") or influencer_provenance(version))
    record.update(
        {
            "score": score.similarity,
            "distance": None if score.distance is None else round(score.distance, 4),
            "verdict": score.verdict,
            "threshold": score.threshold,
        }
    )
    provenance["influencer"] = record
    locked.provenance = provenance
    locked.save(update_fields=["provenance"])


def influencer_provenance(version, run=None):
    record = {
        "id": version.influencer_id,
        "name": version.influencer.name,
        "version_id": version.pk,
        "version": version.number,
    }
    if run is not None:
        record.update({"series_id": run.scene.series_id, "scene_id": run.scene_id, "attempt": run.attempt})
    return record


def _auto_rerun(run_id):
    run = SceneRun.objects.select_related("scene__series__team", "job__user").filter(pk=run_id).first()
    if run is None:
        return
    series = run.scene.series
    recent = list(run.scene.runs.order_by("-attempt")[: series.auto_rerun_max + 1])
    if not recent or recent[0].pk != run.pk:
        return  # a newer run exists; it gets its own score
    automatic_in_a_row = next((i for i, item in enumerate(recent) if not item.automatic), len(recent))
    if automatic_in_a_row >= series.auto_rerun_max:
        return  # the automatic re-runs allowed after the last run someone asked for are used up
    try:
        scene_run_start(scene=run.scene, user=run.job.user, automatic=True)
    except InfluencerError as error:
        logger.info("automatic re-run of scene %s refused: %s", run.scene_id, error)


# Series and scenes ---------------------------------------------------------------------------------------------


def scene_request(series, plan):
    """The generation_submit data for one scene of `series`."""
    params = series.params or {}
    return {
        "model_id": series.model_id,
        "prompt": plan.prompt,
        "references": plan.references,
        "aspect": params.get("aspect") or "1:1",
        "tier": params.get("tier") or "1K",
        "quality": params.get("quality") or "auto",
        "n": 1,
        "partial_images": params.get("partial_images", 2),
        "input_fidelity": plan.input_fidelity,
    }


def references_ready(*, version, user):
    """Every reference of the version with a library asset, re-filing the version's own copy where it was deleted."""
    team = version.influencer.team
    refs = list(version.references.all())
    alive = set(
        scoped(Asset, team).filter(pk__in=[ref.asset_id for ref in refs if ref.asset_id]).values_list("pk", flat=True)
    )
    for ref in refs:
        if ref.asset_id in alive:
            continue
        asset = asset_ingest(team=team, user=user, data=bytes(ref.data), filename=f"{ref.name or 'identity'}.png")
        IdentityReference.objects.filter(version__influencer__team=team, sha256=ref.sha256).update(asset=asset)
        ref.asset = asset
    return refs


@transaction.atomic
def series_create(*, team, user, influencer, title, briefs, model_id, params, auto_rerun_max=0):
    """A series of scenes with the influencer's current version, each scene submitted as one job at once."""
    briefs = [brief.strip() for brief in briefs if brief and brief.strip()]
    if not briefs:
        raise InfluencerError({"briefs": "Write at least one scene, one per line."})
    if len(briefs) > MAX_SCENES_PER_SERIES:
        raise InfluencerError(
            {"briefs": f"A series takes up to {MAX_SCENES_PER_SERIES} scenes (this has {len(briefs)})."}
        )
    if not 0 <= auto_rerun_max <= MAX_AUTO_RERUNS:
        raise InfluencerError({"auto_rerun_max": f"Re-run a drifted scene at most {MAX_AUTO_RERUNS} times."})
    if influencer.current_version is None:
        raise InfluencerError({"__all__": f"{influencer.name} has no reference set yet."})
    series = SceneSeries.objects.create(
        team=team,
        influencer=influencer,
        version=influencer.current_version,
        title=(title or "").strip()[:120] or f"{influencer.name} series",
        model_id=model_id,
        params=params,
        auto_rerun_max=auto_rerun_max,
        created_by=user,
    )
    scenes_add(series=series, user=user, briefs=briefs)
    return series


@transaction.atomic
def scenes_add(*, series, user, briefs):
    briefs = [brief.strip() for brief in briefs if brief and brief.strip()]
    if not briefs:
        raise InfluencerError({"briefs": "Write at least one scene, one per line."})
    start = (series.scenes.aggregate(top=Max("position"))["top"] or 0) + 1
    if start - 1 + len(briefs) > MAX_SCENES_PER_SERIES:
        raise InfluencerError({"briefs": f"A series takes up to {MAX_SCENES_PER_SERIES} scenes."})
    scenes = []
    for offset, brief in enumerate(briefs):
        scene = Scene.objects.create(series=series, position=start + offset, brief=brief[:4000])
        try:
            scene_run_start(scene=scene, user=user)
        except InfluencerError as error:
            raise InfluencerError({"briefs": f"Scene {scene.position}: {error}"}) from None
        scenes.append(scene)
    return scenes


@transaction.atomic
def scene_run_start(*, scene, user, automatic=False):
    """The scene's next attempt: always an edit of the version's anchor, never of an earlier output."""
    series = (
        SceneSeries.objects.select_for_update().select_related("team", "version__influencer").get(pk=scene.series_id)
    )
    references_ready(version=series.version, user=user)
    plan = scene_plan(series.version, scene.brief, series.model_id)
    try:
        job = generation_submit(team=series.team, user=user, data=scene_request(series, plan))
    except GenerationRejected as error:
        raise InfluencerError(error.errors) from None
    attempt = (scene.runs.aggregate(top=Max("attempt"))["top"] or 0) + 1
    try:
        with transaction.atomic():
            return SceneRun.objects.create(
                scene=scene, job=job, attempt=attempt, automatic=automatic, prompt=plan.prompt
            )
    except IntegrityError:
        raise InfluencerError({"__all__": "This scene was re-run at the same moment; reload to see it."}) from None


def run_for_job(job_uuid):
    """The scene run of a generation job, or None (also for provenance whose job id is not a job's UUID)."""
    try:
        job_uuid = uuid.UUID(str(job_uuid))
    except ValueError:
        return None
    return SceneRun.objects.select_related("scene__series__version__influencer").filter(job__uuid=job_uuid).first()


def studio_version_for(*, team_id, provenance):
    """The influencer version a Studio output was made with: the picker's version, when its anchor went as Image 1.

    A version of another team, or a job whose Image 1 is not that version's anchor (the user took the influencer's
    images out after picking it), names nothing: the output was not made as the influencer.
    """
    version_id = (provenance.get("parameters") or {}).get("influencer_version")
    references = provenance.get("reference_asset_ids") or []
    if not isinstance(version_id, int) or not references:
        return None
    version = (
        InfluencerVersion.objects.select_related("influencer")
        .filter(pk=version_id, influencer__team_id=team_id)
        .first()
    )
    if version is None:
        return None
    image_1 = next(iter(ordered(version.references.defer("data"))), None)
    return version if image_1 is not None and image_1.asset_id == references[0] else None


def outputs_score_enqueue(asset_id, version_id, run_id):
    from influencers.tasks import drift_score_task

    try:
        drift_score_task.delay(asset_id, version_id, run_id)
    except Exception:
        logger.exception("could not queue the drift score of asset %s", asset_id)


def job_outputs_scored(*, job):
    """Score every output of a finished job that was made with an influencer (a scene, or the Studio's picker)."""
    if job.status != GenerationJob.Status.SUCCEEDED:
        return []
    run = SceneRun.objects.filter(job=job).first()
    scores = []
    for asset_id, provenance in Asset.objects.filter(job_outputs__job=job).values_list("pk", "provenance"):
        version_id = ((provenance or {}).get("influencer") or {}).get("version_id")
        if version_id:
            scores.append(drift_score(asset_id=asset_id, version_id=version_id, run_id=run.pk if run else None))
    return scores


# Outputs younger than this are left to the score queued when they were saved; older than the window, to nobody
# (a sweep every few minutes has had hundreds of chances by then, and the scan stays bounded).
SWEEP_GRACE = datetime.timedelta(minutes=2)
SWEEP_WINDOW = datetime.timedelta(days=1)
SWEEP_BATCH = 100


def drift_scores_sweep(*, now=None, limit=SWEEP_BATCH):
    """Score the influencer outputs whose score never came (a lost task, a worker killed); what beat runs.

    Deliberately across all teams, like the generation sweep: the system catching up, not a team's request. Oldest
    first, at most `limit` a run; returns how many were scored.
    """
    try:
        drift.models()
    except drift.FaceModelsMissing:
        logger.error("drift sweep skipped: the face models are not installed")
        return 0
    cutoff = (now or timezone.now()) - SWEEP_GRACE
    missing = (
        Asset.objects.filter(
            source=Asset.Source.GENERATED, created_at__lt=cutoff, created_at__gte=cutoff - SWEEP_WINDOW
        )
        .annotate(version_id=Cast(KT("provenance__influencer__version_id"), IntegerField()))
        # An influencer deleted since leaves the version id behind in provenance: nothing to score against.
        .filter(Exists(InfluencerVersion.objects.filter(pk=OuterRef("version_id"))))
        .exclude(Exists(DriftScore.objects.filter(asset=OuterRef("pk"), version=OuterRef("version_id"))))
        .order_by("created_at", "pk")
        .values_list("pk", "version_id", "job_outputs__job_id")[:limit]
    )
    scored = 0
    for asset_id, version_id, job_id in list(missing):
        run = SceneRun.objects.filter(job_id=job_id).values_list("pk", flat=True).first() if job_id else None
        if drift_score(asset_id=asset_id, version_id=version_id, run_id=run) is not None:
            scored += 1
    return scored


ANCHOR_PROMPT = (
    "Identity anchor portrait of {description}. Head and shoulders, facing the camera, neutral expression, "
    "eyes open, even soft studio light, plain light-grey background, sharp focus on the face, no text, no props."
)


def anchor_candidates_submit(*, team, user, description, model_id, n):
    """One job making `n` candidate anchors from a description; the user picks one to create the influencer."""
    description = " ".join((description or "").split())
    if not description:
        raise InfluencerError({"description": "Describe the person: age, look, hair, what makes them recognisable."})
    data = {
        "model_id": model_id,
        "prompt": ANCHOR_PROMPT.format(description=description),
        "n": n,
        "aspect": "1:1",
        "tier": "1K",
        "quality": "auto",
        "partial_images": 1,
    }
    try:
        return generation_submit(team=team, user=user, data=data)
    except GenerationRejected as error:
        raise InfluencerError(error.errors) from None
