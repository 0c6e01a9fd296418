"""Influencer pages: the list, creating one, an influencer's identity and series, the storyboard and re-runs."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from django_htmx.http import trigger_client_event

from influencers import selectors, services
from influencers.forms import (
    AnchorForm,
    AttachForm,
    DetailsForm,
    IdentityForm,
    PreviewForm,
    ScenesAddForm,
    SeriesForm,
    ThresholdForm,
)
from influencers.models import DriftScore
from library.models import STILLS, Asset
from studio.core.http import form_refused, method_refusal
from studio.generation.models import REFERENCE_ROLES
from studio.generation.selectors import allowed_model_ids
from studio.teams.permissions import can, team_required
from studio.teams.scoping import get_scoped_or_404


@team_required("view")
@require_GET
def influencer_list(request):
    context = {"nav": "influencers", "influencers": selectors.influencers_for(request.team)}
    context["can_edit"] = can(request.membership, "edit")
    context["can_set_threshold"] = can(request.membership, "manage_models")
    context["threshold_form"] = ThresholdForm(initial={"threshold": services.drift_threshold(request.team)})
    return render(request, "influencers/list.html", context)


@team_required("edit")
def influencer_create(request):
    team, model_ids = request.team, allowed_model_ids(request.team)
    details = DetailsForm(request.POST or None, model_ids=model_ids, initial={"default_model_id": model_ids[0]})
    identity = IdentityForm(request.POST or None, request.FILES or None, team=team)
    if request.method == "POST" and details.is_valid() and identity.is_valid():
        try:
            references = services.uploads_ingest(team=team, user=request.user, files=identity.uploads())
            influencer = services.influencer_create(
                team=team,
                user=request.user,
                name=details.cleaned_data["name"],
                references=references + identity.cleaned_data["library_assets"],
                traits=identity.traits(),
                nevers=identity.cleaned_data["nevers"],
                details=details.details(),
            )
        except services.InfluencerError as error:
            form_refused(identity, error.errors)
        else:
            messages.success(request, f"{influencer.name} is ready: version 1 is locked.")
            return redirect("influencer_detail", influencer_id=influencer.pk)
    picked = _picked_assets(team, request.GET.get("asset") or "")
    context = {"nav": "influencers", "details": details, "identity": identity, "picked": picked}
    if can(request.membership, "generate"):
        context["anchor_form"] = AnchorForm(model_ids=model_ids)
    return render(request, "influencers/create.html", context, status=422 if request.method == "POST" else 200)


def _picked_assets(team, asset_id):
    """An asset the user came from ("Create an influencer from this image" in the library), as the anchor."""
    if not asset_id.isdigit():
        return []
    asset = get_scoped_or_404(Asset.objects.filter(STILLS), team, pk=int(asset_id))
    return [asset]


def _detail_context(request, influencer, **extra):
    version = influencer.current_version
    services.version_embed(version=version) if version else None
    model_ids = allowed_model_ids(request.team)
    model_id = selectors.model_for(request.team, influencer)
    context = {
        "nav": "influencers",
        "influencer": influencer,
        "version": version,
        "references": selectors.version_references(version),
        "versions": selectors.versions_of(influencer),
        "series_list": selectors.series_of(influencer),
        "model_label": selectors.model_label(influencer.default_model_id) if influencer.default_model_id else "",
        "can_edit": can(request.membership, "edit"),
        "can_generate": can(request.membership, "generate"),
        "series_form": SeriesForm(model_ids=model_ids, initial={"model_id": model_id}),
        "details": DetailsForm(model_ids=model_ids, initial=_details_initial(influencer)),
        "identity": IdentityForm(
            team=request.team, keep=selectors.version_references(version), initial=_identity_initial(version)
        ),
        "preview": selectors.scene_preview(
            team=request.team, version=version, brief="", model_id=model_id, params={"aspect": "4:5", "tier": "1K"}
        )
        if version
        else None,
    }
    context.update(extra)
    return context


def _details_initial(influencer):
    fields = ("name", "description", "consent_notes", "usage_notes", "default_model_id")
    return {name: getattr(influencer, name) for name in fields}


def _identity_initial(version):
    if version is None:
        return {}
    initial = {f"trait_{key}": value for key, value in version.traits.items()}
    initial["nevers"] = "\n".join(version.nevers)
    return initial


@team_required("view")
def influencer_detail(request, influencer_id):
    influencer = selectors.influencer_or_404(request.team, influencer_id)
    if refused := method_refusal(request, "GET"):
        return refused
    return render(request, "influencers/detail.html", _detail_context(request, influencer))


@team_required("edit")
def influencer_edit(request, influencer_id):
    influencer = selectors.influencer_or_404(request.team, influencer_id)
    if refused := method_refusal(request, "POST"):
        return refused
    form = DetailsForm(request.POST, model_ids=allowed_model_ids(request.team))
    if not form.is_valid():
        context = _detail_context(request, influencer, details=form, open_panel="details")
        return render(request, "influencers/detail.html", context, status=422)
    services.influencer_update(influencer=influencer, name=form.cleaned_data["name"], details=form.details())
    messages.success(request, "Saved. The identity is unchanged, so the version stays the same.")
    return redirect("influencer_detail", influencer_id=influencer.pk)


@team_required("edit")
def version_create(request, influencer_id):
    influencer = selectors.influencer_or_404(request.team, influencer_id)
    if refused := method_refusal(request, "POST"):
        return refused
    keep = selectors.version_references(influencer.current_version)
    form = IdentityForm(request.POST, request.FILES, team=request.team, keep=keep)
    if form.is_valid():
        try:
            uploads = services.uploads_ingest(team=request.team, user=request.user, files=form.uploads())
            version = services.version_create(
                influencer=influencer,
                user=request.user,
                references=form.kept() + uploads + form.cleaned_data["library_assets"],
                traits=form.traits(),
                nevers=form.cleaned_data["nevers"],
                note=form.cleaned_data["note"],
            )
        except services.InfluencerError as error:
            form_refused(form, error.errors)
        else:
            messages.success(request, f"Version {version.number} is locked; new scenes use it from now on.")
            return redirect("influencer_detail", influencer_id=influencer.pk)
    context = _detail_context(request, influencer, identity=form, open_panel="identity")
    return render(request, "influencers/detail.html", context, status=422)


@team_required("view")
def influencer_preview(request, influencer_id):
    """The "what will be sent" panel for the brief and model on the series form."""
    influencer = selectors.influencer_or_404(request.team, influencer_id)
    if refused := method_refusal(request, "GET"):
        return refused
    form = PreviewForm(request.GET)
    form.is_valid()
    model_id = form.cleaned_data.get("model_id") or selectors.model_for(request.team, influencer)
    if model_id not in allowed_model_ids(request.team):
        model_id = selectors.model_for(request.team, influencer)
    params = {key: request.GET.get(key) for key in ("aspect", "tier", "quality")}
    preview = selectors.scene_preview(
        team=request.team,
        version=influencer.current_version,
        brief=form.first_brief() if form.is_valid() else "",
        model_id=model_id,
        params=params,
    )
    context = {"influencer": influencer, "preview": preview}
    return render(request, "influencers/detail.html#what-will-be-sent", context)


@team_required("generate")
def series_create(request, influencer_id):
    influencer = selectors.influencer_or_404(request.team, influencer_id)
    if refused := method_refusal(request, "POST"):
        return refused
    form = SeriesForm(request.POST, request.FILES, model_ids=allowed_model_ids(request.team))
    if form.is_valid():
        try:
            series = services.series_create(
                team=request.team,
                user=request.user,
                influencer=influencer,
                title=form.cleaned_data["title"],
                briefs=form.cleaned_data["scenes"],
                model_id=form.cleaned_data["model_id"],
                params=form.params(),
                auto_rerun_max=form.cleaned_data["auto_rerun_max"],
            )
        except services.InfluencerError as error:
            form_refused(form, error.errors)
        else:
            return redirect("influencer_series", series_id=series.pk)
    context = _detail_context(request, influencer, series_form=form, open_panel="series")
    return render(request, "influencers/detail.html", context, status=422)


def _board_context(request, series, **extra):
    frames = selectors.storyboard(series)
    context = {
        "nav": "influencers",
        "series": series,
        "frames": frames,
        "active": selectors.board_active(frames),
        "summary": selectors.series_summary(frames),
        "rerun_cost": selectors.rerun_cost(request.team, series, frames[0].scene) if frames else None,
        "can_generate": can(request.membership, "generate"),
        "add_form": ScenesAddForm(),
        "threshold": services.drift_threshold(request.team),
        "model_label": selectors.model_label(series.model_id),
        "Verdict": DriftScore.Verdict,
    }
    context.update(extra)
    return context


@team_required("view")
def series_detail(request, series_id):
    series = selectors.series_or_404(request.team, series_id)
    if refused := method_refusal(request, "GET"):
        return refused
    context = _board_context(request, series)
    if request.htmx and request.GET.get("part") == "board":
        return render(request, "influencers/series.html#storyboard", context)
    return render(request, "influencers/series.html", context)


@team_required("generate")
def scene_rerun(request, scene_id):
    scene = selectors.scene_or_404(request.team, scene_id)
    if refused := method_refusal(request, "POST"):
        return refused
    try:
        services.scene_run_start(scene=scene, user=request.user)
    except services.InfluencerError as error:
        message, level = str(error), "error"
    else:
        message, level = f"Scene {scene.position} is running again from the anchor.", "success"
    if request.htmx:
        response = render(request, "influencers/series.html#storyboard", _board_context(request, scene.series))
        trigger_client_event(response, "toast", {"message": message, "level": level})
        return response
    getattr(messages, level)(request, message)
    return redirect("influencer_series", series_id=scene.series_id)


@team_required("generate")
def scenes_add(request, series_id):
    series = selectors.series_or_404(request.team, series_id)
    if refused := method_refusal(request, "POST"):
        return refused
    form = ScenesAddForm(request.POST)
    if form.is_valid():
        try:
            services.scenes_add(series=series, user=request.user, briefs=form.scenes())
        except services.InfluencerError as error:
            form_refused(form, error.errors)
        else:
            return redirect("influencer_series", series_id=series.pk)
    return render(request, "influencers/series.html", _board_context(request, series, add_form=form), status=422)


@team_required("view")
def series_download(request, series_id):
    series = selectors.series_or_404(request.team, series_id)
    if refused := method_refusal(request, "GET"):
        return refused
    response = HttpResponse(selectors.series_zip(series), content_type="application/zip")
    name = f"{slugify(series.title)[:60] or 'series'}-{series.pk}.zip"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@team_required("edit")
def asset_attach(request, asset_id):
    asset = get_scoped_or_404(Asset.objects.filter(STILLS), request.team, pk=asset_id)
    form = AttachForm(request.POST or None, team=request.team)
    if request.method == "POST" and form.is_valid():
        influencer = form.cleaned_data["influencer"]
        try:
            version = services.asset_attach(
                influencer=influencer, user=request.user, asset=asset, role=form.cleaned_data["role"]
            )
        except services.InfluencerError as error:
            form_refused(form, error.errors)
        else:
            messages.success(request, f"Added to {influencer.name}: version {version.number} is locked.")
            return redirect("influencer_detail", influencer_id=influencer.pk)
    context = {"nav": "influencers", "asset": asset, "form": form}
    return render(request, "influencers/attach.html", context, status=422 if request.method == "POST" else 200)


@team_required("manage_models")
def drift_settings(request):
    if refused := method_refusal(request, "POST"):
        return refused
    form = ThresholdForm(request.POST)
    if form.is_valid():
        services.drift_policy_set(team=request.team, threshold=form.cleaned_data["threshold"])
        messages.success(request, f"Drift threshold set to {form.cleaned_data['threshold']:.2f}.")
        return redirect("influencers")
    context = {"nav": "influencers", "influencers": selectors.influencers_for(request.team), "threshold_form": form}
    context["can_edit"] = can(request.membership, "edit")
    context["can_set_threshold"] = True
    return render(request, "influencers/list.html", context, status=422)


@team_required("view")
def reference_image(request, reference_id):
    """The version's own copy of a reference image, served even after its library asset was deleted."""
    reference = selectors.reference_or_404(request.team, reference_id)
    if refused := method_refusal(request, "GET"):
        return refused
    response = HttpResponse(selectors.reference_thumbnail(reference), content_type="image/webp")
    response["Cache-Control"] = "private, max-age=86400"  # a reference never changes
    return response


@team_required("generate")
def studio_picker(request):
    """The Studio's "Generate as an influencer" picker: the team's influencers, then what one of them will send.

    With an influencer chosen, the answer holds the reference chips (anchor as Image 1) swapped into the Studio's
    reference list and the identity prompt for the Studio's prompt box (static/js/influencers.js copies it there).
    """
    if refused := method_refusal(request, "GET"):
        return refused
    influencers = selectors.influencers_for(request.team)
    chosen = request.GET.get("influencer") or ""
    context = {"influencers": influencers, "chosen": None}
    if chosen.isdigit():
        influencer = selectors.influencer_or_404(request.team, int(chosen))
        model_id = request.GET.get("model_id") or ""
        if model_id not in allowed_model_ids(request.team):
            model_id = selectors.model_for(request.team, influencer)
        if influencer.current_version is not None:
            services.references_ready(version=influencer.current_version, user=request.user)
            scene = selectors.scene_from_prompt(request.GET.get("prompt") or "")
            plan = selectors.scene_plan(influencer.current_version, scene, model_id)
            context.update({"chosen": influencer, "plan": plan, "chips": selectors.studio_chips(plan)})
            context["roles"] = REFERENCE_ROLES
    return render(request, "influencers/_studio_picker.html#picker", context)


@team_required("generate")
def anchor_generate(request):
    """Candidate anchors from a description: one job of n images, then the user picks one."""
    if refused := method_refusal(request, "POST"):
        return refused
    form = AnchorForm(request.POST, model_ids=allowed_model_ids(request.team))
    if form.is_valid():
        try:
            job = services.anchor_candidates_submit(
                team=request.team,
                user=request.user,
                description=form.cleaned_data["description"],
                model_id=form.cleaned_data["model_id"],
                n=form.cleaned_data["n"],
            )
        except services.InfluencerError as error:
            form_refused(form, error.errors)
        else:
            return redirect("influencer_anchor_choose", job_uuid=job.uuid)
    return render(request, "influencers/anchor.html", {"nav": "influencers", "form": form, "job": None}, status=422)


@team_required("generate")
def anchor_choose(request, job_uuid):
    """The candidates of an anchor job as they arrive; each links to the create page with it as the anchor."""
    job = selectors.anchor_job_or_404(request.team, job_uuid)
    if refused := method_refusal(request, "GET"):
        return refused
    context = {"nav": "influencers", "job": job, "candidates": selectors.job_candidates(job)}
    if request.htmx:
        return render(request, "influencers/anchor.html#candidates", context)
    return render(request, "influencers/anchor.html", context)
