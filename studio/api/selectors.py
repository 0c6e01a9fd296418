"""Reads for the public API: tokens, the token a secret belongs to, generations and files as the API shows them."""

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.http import FileResponse, HttpResponseRedirect
from django.urls import reverse

from library.models import Asset
from library.selectors import DOWNLOAD_EXTENSIONS, download_filename
from library.storage import file_open, file_url, is_remote
from studio.api.models import TOKEN_PREFIX, ApiToken, hash_secret
from studio.generation.models import GenerationJob, JobOutput
from studio.teams.models import Membership
from studio.teams.scoping import get_scoped_or_404, scoped


def team_api_tokens(team):
    """The team's tokens, active ones first, newest first within each group; `creator_left` marks dead ones."""
    return (
        scoped(ApiToken, team)
        .select_related("created_by")
        .annotate(creator_left=Q(created_by__isnull=False) & ~Exists(_creator_membership()))
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id")
    )


def active_token_for_secret(secret):
    """The unrevoked token whose secret this is, or None.

    Looked up by the secret's hash across teams: the secret itself is what names the team.
    """
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return (
        ApiToken.objects.select_related("team", "created_by")
        .filter(secret_hash=hash_secret(secret), revoked_at=None)
        .filter(Q(created_by=None) | Exists(_creator_membership()))
        .first()
    )


def _creator_membership():
    # A token stops working when the admin who made it leaves the team: they must not keep a way in.
    return Membership.objects.filter(team=OuterRef("team"), user=OuterRef("created_by"))


# Generations and files, as the API shows them -------------------------------------------------------------


def api_generation(*, team, generation_id, absolute=str):
    """The API's view of one of the team's generations; 404 for an unknown id or another team's.

    `absolute` turns a path into the URL a client should call (request.build_absolute_uri).
    """
    job = get_scoped_or_404(
        GenerationJob.objects.select_related("parent")
        .defer("mask_png", "latest_frame")
        .prefetch_related(
            Prefetch("job_outputs", queryset=JobOutput.objects.select_related("asset").order_by("position"))
        ),
        team,
        uuid=generation_id,
    )
    return generation_as_api(job, absolute=absolute)


def generation_as_api(job, *, absolute=str):
    error = None
    if job.status in (GenerationJob.Status.FAILED, GenerationJob.Status.CANCELLED):
        kind = job.error_kind or ("cancelled" if job.status == GenerationJob.Status.CANCELLED else "internal")
        error = {"kind": kind, "message": job.error_message or "The generation did not finish."}
    return {
        "id": job.uuid,
        "status": job.status,
        "model": job.model_id,
        "prompt": job.prompt,
        "partialCount": job.partial_count,
        "error": error,
        "cost": {"estimated": job.credits_estimated, "captured": job.credits_captured},
        "outputs": [
            {
                "assetId": output.asset.pk,
                "url": absolute(reverse("api:asset_file", kwargs={"asset_id": output.asset.pk})),
                "width": output.asset.width,
                "height": output.asset.height,
                "format": output.asset.format,
            }
            for output in job.job_outputs.all()
        ],
        "previousGenerationId": job.parent.uuid if job.parent else None,
        "createdAt": job.submitted_at,
        "finishedAt": job.finished_at,
    }


def api_asset_file_response(*, team, asset_id):
    """The original file of one of the team's assets: streamed from local storage, or a short-lived S3 link."""
    asset = get_scoped_or_404(Asset, team, pk=asset_id)
    filename = download_filename(asset, DOWNLOAD_EXTENSIONS.get(asset.format, asset.format))
    disposition = f'inline; filename="{filename}"'
    if is_remote():
        response = HttpResponseRedirect(file_url(asset.file, content_type=asset.content_type, disposition=disposition))
    else:
        response = FileResponse(file_open(asset.file), content_type=asset.content_type)
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
