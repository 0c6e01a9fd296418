"""Studio pages: the generate form and canvas, live validation, references, refine, job history and detail."""

import uuid

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url, reswap, retarget, trigger_client_event

from library.models import STILLS, Asset
from library.selectors import assets_filtered, assets_page
from studio.core.http import method_refusal, post_only, toast
from studio.credits.selectors import wallet_for
from studio.engines.capabilities import model_label
from studio.generation import selectors, services
from studio.generation.forms import ERROR_SLOTS, JobFilterForm, RefineForm, StudioForm, studio_controls
from studio.generation.models import REFERENCE_ROLES, GenerationJob
from studio.generation.push import job_context, rendition_url
from studio.teams.permissions import can, team_required
from studio.teams.scoping import get_scoped_or_404
from studio.teams.selectors import team_members

HISTORY_PAGE_SIZE = 30
RECENT_LIMIT = 16
PICKER_SIZE = 24


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _stage(request, job, *, refine=None):
    """The canvas column's context: the job shown large, its thread, and the refine box when one is open."""
    can_generate = can(request.membership, "generate")
    context = job_context(job, can_generate=can_generate) if job else {"job": None}
    context.update(
        refine=refine, refine_form=RefineForm() if refine else None, refine_error="", can_generate=can_generate
    )
    if refine is not None:
        context["refine_thumb"] = rendition_url(refine, "thumb")
    return context


def _validation(check, errors, form):
    """Context of the out-of-band regions a validation answer updates: every error slot, cost and size."""
    unknown = " ".join(message for key, message in errors.items() if key not in ERROR_SLOTS)
    error_list = [(slot, errors.get(slot, "")) for slot in ERROR_SLOTS] + [("form", unknown)]
    return {"check": check, "errors": errors, "error_list": error_list, "form": form, "oob": True}


def _recent(team):
    jobs = selectors.recent_jobs(team, limit=RECENT_LIMIT)
    items = []
    for job in jobs:
        outputs = list(job.job_outputs.all())
        items.append({"job": job, "thumb": rendition_url(outputs[0].asset, "thumb") if outputs else None})
    return {"recent": items, "recent_active": any(job.is_active for job in jobs)}


def _checked(form, *, live):
    """The form's errors and the request's check (price, size) without loading any image."""
    form_valid = form.is_valid()
    data = form.generation_data() if form_valid else {**form.data.dict(), "references": form.references()}
    if not form_valid:
        data["mask"] = form.data.get("mask_data") or None
        data["markup"] = form.data.get("markup_data") or None
    check = selectors.generation_check(team=form.team, data=data)
    errors = {**check.errors, **form.slot_errors()}
    if live and not form.value("prompt").strip():
        errors.pop("prompt", None)  # an empty prompt is not an error while the user sets things up
    return check, errors


def _studio_context(request, form, *, job=None, refine=None, errors=None, check=None):
    if check is None:
        check, _ = _checked(form, live=True)
    return {
        "nav": "studio",
        "form": form,
        "prompt": form.value("prompt"),
        "controls": studio_controls(form),
        "check": check,
        "errors": errors or {},
        "chips": _chips(request.team, form.references()),
        "roles": REFERENCE_ROLES,
        **_recent(request.team),
        **_stage(request, job, refine=refine),
    }


def _chips(team, references):
    chips = []
    for number, (asset, role) in enumerate(selectors.reference_assets(team, _int_ids(references)), start=1):
        chips.append({"asset": asset, "role": role, "number": number, "thumb": rendition_url(asset, "thumb")})
    return chips


def _int_ids(references):
    cleaned = []
    for item in references:
        try:
            cleaned.append({"asset_id": int(item["asset_id"]), "role": item["role"]})
        except (KeyError, TypeError, ValueError):
            continue
    return cleaned


@team_required("view")
@require_GET
def studio(request):
    team = request.team
    refine = get_scoped_or_404(Asset, team, pk=request.GET["refine"]) if request.GET.get("refine") else None
    if refine is not None:
        job = selectors.job_for_asset(team, refine)
    elif request.GET.get("job"):
        job = selectors.job_for(team, _uuid(request.GET["job"]))
        if job is None:
            raise Http404("Not found")
    else:
        # A viewer makes nothing, so the canvas shows the team's newest work instead of an empty page.
        job = selectors.latest_job(team, request.user, team_wide=not can(request.membership, "generate"))
    reference = get_scoped_or_404(Asset, team, pk=request.GET["reference"]) if request.GET.get("reference") else None
    job = job and selectors.job_for(team, job.uuid)
    context = _studio_context(request, StudioForm(team=team), job=job, refine=refine)
    if reference is not None:
        context["chips"] = _chips(team, [{"asset_id": reference.pk, "role": "object"}])
    if request.htmx and job is not None:
        return push_url(render(request, "studio/studio.html#stage", context), f"{reverse('studio')}?job={job.uuid}")
    return render(request, "studio/studio.html", context)


@team_required("generate")
@require_POST
def studio_validate(request):
    form = StudioForm(request.POST, team=request.team)
    check, errors = _checked(form, live=True)
    return render(request, "studio/studio.html#validation", _validation(check, errors, form))


@team_required("generate")
@require_GET
def studio_controls_region(request):
    form = StudioForm(request.GET, team=request.team)
    check, errors = _checked(form, live=True)
    context = {**_validation(check, errors, form), "controls": studio_controls(form)}
    return render(request, "studio/studio.html#controls-response", context)


@team_required("generate")
@require_POST
def studio_generate(request):
    form = StudioForm(request.POST, team=request.team)
    try:
        if not form.is_valid():
            raise services.GenerationRejected(form.slot_errors())
        job = services.generation_submit(team=request.team, user=request.user, data=form.generation_data())
    except services.GenerationRejected as rejected:
        return _rejected(request, form, rejected.errors)
    if not request.htmx:
        return redirect(f"{reverse('studio')}?job={job.uuid}")
    response = render(request, "studio/studio.html#stage", _stage(request, selectors.job_for(request.team, job.uuid)))
    trigger_client_event(response, "studio-changed", {"balance": wallet_for(request.team).balance})
    return push_url(response, f"{reverse('studio')}?job={job.uuid}")


def _rejected(request, form, errors):
    """Every message beside its field; the canvas stays as it was."""
    if not request.htmx:
        context = _studio_context(request, form, errors=errors)
        return render(request, "studio/studio.html", context, status=400)
    check, _ = _checked(form, live=False)
    response = render(request, "studio/studio.html#validation", _validation(check, errors, form))
    trigger_client_event(response, "studio-rejected", {"fields": list(errors)})
    return reswap(response, "none")


@team_required("view")
@require_GET
def studio_recent(request):
    return render(request, "studio/studio.html#recent", _recent(request.team))


@team_required("generate")
def studio_refine(request, asset_id):
    asset = get_scoped_or_404(Asset, request.team, pk=asset_id)
    job = selectors.job_for_asset(request.team, asset)
    if request.method == "GET":
        return render(request, "studio/studio.html#refine-box", _stage(request, job, refine=asset))
    form = RefineForm(request.POST)
    try:
        if not form.is_valid():
            raise services.GenerationRejected({"prompt": form.errors["prompt"][0]})
        child = services.generation_refine(
            team=request.team, user=request.user, asset=asset, prompt=form.cleaned_data["prompt"]
        )
    except services.GenerationRejected as rejected:
        error = " ".join(dict.fromkeys(rejected.errors.values()))
        context = {**_stage(request, job, refine=asset), "refine_form": form, "refine_error": error}
        return retarget(render(request, "studio/studio.html#refine-box", context), "#refine-box")
    response = render(request, "studio/studio.html#stage", _stage(request, selectors.job_for(request.team, child.uuid)))
    trigger_client_event(response, "studio-changed", {"balance": wallet_for(request.team).balance})
    return push_url(response, f"{reverse('studio')}?job={child.uuid}")


# References -------------------------------------------------------------------------------------------------


@team_required("generate")
@require_POST
def reference_upload(request):
    from library.services import asset_ingest
    from library.validators import UploadRejected

    files = request.FILES.getlist("image")
    chips, errors = [], []
    for upload in files[:16]:
        try:
            asset = asset_ingest(team=request.team, user=request.user, data=upload.read(), filename=upload.name)
        except UploadRejected as rejected:
            errors.append(f"{upload.name}: {rejected.message}")
            continue
        chips.append(asset)
    if not files:
        errors.append("Choose a PNG, JPEG or WebP image to add.")
    references = [{"asset_id": asset.pk, "role": "object"} for asset in chips]
    context = {"chips": _chips(request.team, references), "errors": errors, "roles": REFERENCE_ROLES}
    return render(request, "studio/studio.html#reference-upload", context)


@team_required("generate")
@require_GET
def reference_picker(request):
    """The "From library" dialog's results: the library grid's own filter and search, newest first."""
    query = request.GET.get("q", "").strip()[:200]
    found = assets_filtered(request.team, {"kind": Asset.Kind.IMAGE, "q": query}).filter(STILLS)
    page = assets_page(found, size=PICKER_SIZE)
    assets = [{"asset": a, "thumb": rendition_url(a, "thumb")} for a in page.items]
    return render(request, "studio/studio.html#picker", {"picker_assets": assets, "picker_query": query})


@team_required("generate")
def reference_chip(request, asset_id):
    asset = get_scoped_or_404(Asset, request.team, pk=asset_id)
    if (refused := method_refusal(request, "GET")) is not None:
        return refused
    chips = _chips(request.team, [{"asset_id": asset.pk, "role": "object"}])
    return render(request, "studio/studio.html#reference-upload", {"chips": chips, "roles": REFERENCE_ROLES})


# Jobs -------------------------------------------------------------------------------------------------------


@team_required("view")
@require_GET
def job_list(request):
    team = request.team
    members = team_members(team)
    models = selectors.job_models(team)
    form = JobFilterForm(request.GET or None, team=team, members=members, models=models)
    filters = form.cleaned_data if form.is_valid() else {}
    jobs = selectors.job_history(
        team, status=filters.get("status", ""), model_id=filters.get("model", ""), user_id=filters.get("member")
    )
    page = Paginator(jobs, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "studio",
        "form": form,
        "page": page,
        "rows": _rows(page.object_list),
        "query": query.urlencode(),
        "filtered": any(value for value in filters.values()),
    }
    return render(request, "studio/job_list.html#job-table" if request.htmx else "studio/job_list.html", context)


def _rows(jobs):
    rows = []
    for job in jobs:
        outputs = list(job.job_outputs.all())
        thumb = rendition_url(outputs[0].asset, "thumb") if outputs else None
        rows.append({"job": job, "thumb": thumb, "model_label": model_label(job.model_id)})
    return rows


@team_required("view")
def job_detail(request, job_uuid):
    job = selectors.job_for(request.team, job_uuid)
    if job is None:
        raise Http404("Not found")
    if (refused := method_refusal(request, "GET")) is not None:
        return refused
    context = {
        "nav": "studio",
        **_stage(request, job),
        "references": _chips(request.team, job.references),
    }
    return render(request, "studio/job_detail.html", context)


@team_required("view")
def job_markup(request, job_uuid):
    """The markup a job's edit was guided by: the transparent PNG drawn over Image 1, as it was sent."""
    job = get_scoped_or_404(GenerationJob, request.team, uuid=job_uuid)
    if not job.has_markup:
        raise Http404("Not found")
    if (refused := method_refusal(request, "GET")) is not None:
        return refused
    response = HttpResponse(bytes(job.markup_png), content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _job_in_team(request, job_uuid):
    """post_only's lookup: the job of the URL, in the team scope (404 otherwise)."""
    return get_scoped_or_404(GenerationJob, request.team, uuid=job_uuid)


@team_required("generate")
@post_only(lookup=_job_in_team)
def job_cancel(request, job_uuid):
    job = _job_in_team(request, job_uuid)
    try:
        job = services.generation_cancel(team=request.team, user=request.user, job=job)
        message, level = "Cancelled; the credits it held are back in the balance.", "info"
    except services.GenerationError as error:
        message, level = str(error), "error"
    if not request.htmx:
        return redirect("job_detail", job_uuid=job.uuid)
    job = selectors.job_for(request.team, job.uuid)
    context = {**job_context(job, can_generate=True), "oob": True}
    response = render(request, "studio/_job.html#job-updates", context)
    toast(response, message, level)
    return reswap(
        trigger_client_event(response, "studio-changed", {"balance": wallet_for(request.team).balance}), "none"
    )
