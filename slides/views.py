"""Slides pages: the carousels and a brief form, one carousel's outline and slides, edits, backgrounds and exports."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from slides import selectors, services
from slides.forms import BriefForm, SlideForm
from studio.core.http import form_refused, method_refusal
from studio.teams.permissions import can, team_required


def _card(request, slide, form=None):
    state, status_line = selectors.background_state(slide)
    return {
        "slide": slide,
        "form": form or SlideForm(slide=slide),
        "state": state,
        "status_line": status_line,
        "frame_url": selectors.live_frame_url(slide),
        "failed": slide.failed_checks,
    }


@team_required("view")
def carousel_list(request):
    form = BriefForm(request.POST or None)
    if request.method == "POST":
        if not can(request.membership, "edit"):
            return HttpResponse("Viewers cannot make carousels.", status=403)
        if form.is_valid():
            carousel = services.carousel_create(team=request.team, user=request.user, brief_data=form.cleaned_data)
            note = carousel.note or "Edit the outline, then make the backgrounds."
            messages.success(request, f"Outline ready: {carousel.slides.count()} slides. {note}")
            return redirect("slides_carousel", carousel_id=carousel.pk)
    context = {
        "nav": "slides",
        "form": form,
        "carousels": selectors.carousels_for(request.team)[:50],
        "can_edit": can(request.membership, "edit"),
    }
    return render(request, "slides/list.html", context, status=422 if form.errors else 200)


@team_required("view")
def carousel_detail(request, carousel_id):
    carousel = selectors.carousel_get(request.team, carousel_id)
    if refused := method_refusal(request, "GET"):
        return refused
    slides = selectors.slides_of(carousel)
    context = {
        "nav": "slides",
        "carousel": carousel,
        "cards": [_card(request, slide) for slide in slides],
        "blockers": services.export_blockers(carousel),
        "can_edit": can(request.membership, "edit"),
        "can_generate": can(request.membership, "generate"),
    }
    return render(request, "slides/carousel.html", context)


@team_required("edit")
def slide_edit(request, slide_id):
    slide = selectors.slide_get(request.team, slide_id)
    if refused := method_refusal(request, "POST"):
        return refused
    form = SlideForm(request.POST, slide=slide)
    status = 200
    if form.is_valid():
        try:
            slide = services.slide_update(slide=slide, **form.cleaned_data)
            form = None
        except services.SlidesError as error:
            form_refused(form, error.errors)
            status = 422
    else:
        status = 422
    if request.htmx:
        context = {"card": _card(request, slide, form), "carousel": slide.carousel, "can_edit": True}
        return render(request, "slides/carousel.html#slide-card", context, status=status)
    if status != 200:
        messages.error(
            request,
            f"Slide {slide.position} was not saved: "
            + "; ".join(error for errors in form.errors.values() for error in errors),
        )
    return redirect(reverse("slides_carousel", args=[slide.carousel_id]) + f"#slide-{slide.pk}-card")


@team_required("view")
def slide_card(request, slide_id):
    """The card as it is now; it also takes a finished background in, so polling it makes the slide whole."""
    slide = selectors.slide_get(request.team, slide_id)
    if refused := method_refusal(request, "GET"):
        return refused
    slide = services.slide_background_sync(slide=slide)
    context = {"card": _card(request, slide), "carousel": slide.carousel, "can_edit": can(request.membership, "edit")}
    return render(request, "slides/carousel.html#slide-card", context)


@team_required("view")
def slide_image(request, slide_id):
    slide = selectors.slide_get(request.team, slide_id)
    if refused := method_refusal(request, "GET"):
        return refused
    if not slide.rendered:
        slide = services.slide_render_save(slide=slide)
    response = HttpResponse(bytes(slide.rendered), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"  # the URL carries the render version
    return response


@team_required("edit")
def slide_move(request, slide_id):
    slide = selectors.slide_get(request.team, slide_id)
    if refused := method_refusal(request, "POST"):
        return refused
    try:
        services.slide_move(slide=slide, offset=-1 if request.POST.get("direction") == "up" else 1)
    except services.SlidesError as error:
        messages.error(request, str(error))
    return redirect("slides_carousel", carousel_id=slide.carousel_id)


@team_required("edit")
def slide_delete(request, slide_id):
    slide = selectors.slide_get(request.team, slide_id)
    if refused := method_refusal(request, "POST"):
        return refused
    try:
        services.slide_delete(slide=slide)
        messages.success(request, f"Slide {slide.position} deleted.")
    except services.SlidesError as error:
        messages.error(request, str(error))
    return redirect("slides_carousel", carousel_id=slide.carousel_id)


@team_required("edit")
def slide_add(request, carousel_id):
    carousel = selectors.carousel_get(request.team, carousel_id)
    if refused := method_refusal(request, "POST"):
        return refused
    try:
        slide = services.slide_add(carousel=carousel)
        messages.success(request, f"Slide {slide.position} added: write its headline.")
    except services.SlidesError as error:
        messages.error(request, str(error))
    return redirect("slides_carousel", carousel_id=carousel.pk)


@team_required("generate")
def backgrounds_make(request, carousel_id):
    carousel = selectors.carousel_get(request.team, carousel_id)
    if refused := method_refusal(request, "POST"):
        return refused
    try:
        count = services.backgrounds_start(carousel=carousel, user=request.user)
        messages.success(
            request, f"{count} background{'s' if count != 1 else ''} on the way: slides update as they finish."
        )
    except services.SlidesError as error:
        messages.error(request, str(error))
    return redirect("slides_carousel", carousel_id=carousel.pk)


@team_required("edit")
def carousel_export(request, carousel_id, kind):
    carousel = selectors.carousel_get(request.team, carousel_id)
    if refused := method_refusal(request, "POST"):
        return refused
    try:
        if kind == "pdf":
            data, content_type, extension = (
                services.carousel_export_pdf(carousel=carousel, user=request.user),
                "application/pdf",
                "pdf",
            )
        else:
            data, content_type, extension = (
                services.carousel_export_images(carousel=carousel, user=request.user),
                "application/zip",
                "zip",
            )
    except services.SlidesError as error:
        messages.error(request, str(error))
        return redirect("slides_carousel", carousel_id=carousel.pk)
    response = HttpResponse(data, content_type=content_type)
    filename = f"{slugify(carousel.topic)[:60] or 'carousel'}-{carousel.pk}.{extension}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
