"""Slides pages: the carousels and a brief form, one carousel's outline and slides, edits, backgrounds and exports."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django_htmx.http import HttpResponseClientRedirect

from library.models import STILLS, Asset
from slides import brand, selectors, services
from slides.forms import BriefForm, ColoursForm, FontForm, LogoForm, SlideForm
from studio.core.http import form_errors_text, form_refused, method_refusal, toast
from studio.teams.permissions import can, team_required
from studio.teams.scoping import scoped

STYLE_CHOICES = 12  # the newest library images offered as the brief's style reference


def _card(request, slide, form=None):
    return {**selectors.slide_card(slide), "form": form or SlideForm(slide=slide)}


def _brief_form(request):
    from influencers.selectors import influencer_choices

    images = scoped(Asset, request.team).filter(STILLS).order_by("-created_at", "-id")[:STYLE_CHOICES]
    return BriefForm(
        request.POST or None,
        influencers=influencer_choices(request.team),
        style_images=images,
        has_kit=brand.kit_for(request.team) is not None,
    )


@team_required("view")
def carousel_list(request):
    form = _brief_form(request)
    if request.method == "POST":
        if not can(request.membership, "edit"):
            return HttpResponse("Viewers cannot make carousels.", status=403)
        if form.is_valid():
            try:
                carousel = services.carousel_create(team=request.team, user=request.user, brief_data=form.cleaned_data)
            except services.SlidesError as error:
                form_refused(form, error.errors)
            else:
                note = carousel.note or "Edit the outline, then make the backgrounds."
                messages.success(request, f"Outline ready: {carousel.slides.count()} slides. {note}")
                return redirect("slides_carousel", carousel_id=carousel.pk)
    context = {
        "nav": "slides",
        "form": form,
        "carousels": selectors.carousels_for(request.team)[:50],
        "can_edit": can(request.membership, "edit"),
        "kit": brand.kit_for(request.team),
    }
    return render(request, "slides/list.html", context, status=422 if form.errors else 200)


@team_required("view")
def carousel_detail(request, carousel_id):
    carousel = selectors.carousel_get(request.team, carousel_id)
    if refused := method_refusal(request, "GET"):
        return refused
    services.slides_render_stale(carousel=carousel)
    slides = [services.slide_background_sync(slide=slide) for slide in selectors.slides_of(carousel)]
    count, cost, balance, refusal = services.backgrounds_quote(carousel)
    context = {
        "nav": "slides",
        "carousel": carousel,
        "cards": [_card(request, slide) for slide in slides],
        "blockers": services.export_blockers(carousel),
        "can_edit": can(request.membership, "edit"),
        "can_generate": can(request.membership, "generate"),
        "quote": {"count": count, "cost": cost, "balance": balance, "refusal": refusal},
        "live": any(
            slide.background_id is None and slide.background_job_id or slide.background_waiting for slide in slides
        ),
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
            f"Slide {slide.position} was not saved: " + form_errors_text(form),
        )
    return redirect(reverse("slides_carousel", args=[slide.carousel_id]) + f"#slide-{slide.pk}-card")


@team_required("view")
def slide_card(request, slide_id):
    """The card as it is now; it also takes a finished background in (when its task has not yet)."""
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
        count, now = services.backgrounds_start(carousel=carousel, user=request.user)
        plural = "s" if count != 1 else ""
        how = "slides update as they finish."
        if now < count:
            how = "slide 1 first, then the rest in its style; slides update as they finish."
        messages.success(request, f"{count} background{plural} on the way: {how}")
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


# Brand kit ------------------------------------------------------------------------------------------------------


def _kit_page(request, kit, *, colours=None, font=None, logo=None, status=200):
    editable = brand.may_edit_kit(request.membership)
    initial_colours = (
        kit.colours
        if kit
        else {"primary": "#1F4E79", "secondary": "#2E8B87", "text": "#FFFFFF", "background": "#10141C"}
    )
    context = {
        "nav": "slides",
        "kit": kit,
        "editable": editable,
        "colours_form": colours or ColoursForm(initial=initial_colours),
        "font_form": font or FontForm(),
        "logo_form": logo
        or LogoForm(
            initial={"placement": kit.logo_placement if kit else "bottom-right", "size": kit.logo_size if kit else 16}
        ),
        "fonts": [
            {
                "font": font,
                "roles": brand.font_roles(font, kit),
                "delete_question": brand.font_delete_effects(font, kit) if editable else "",
            }
            for font in selectors.brand_fonts(request.team)
        ],
        "bundled": brand.BUNDLED_FONTS,
    }
    return render(request, "slides/brand.html", context, status=status)


def _kit_editor(request):
    if not brand.may_edit_kit(request.membership):
        raise PermissionDenied("Only admins and the owner edit the brand kit; every member can use it.")


@team_required("view")
def brand_kit(request):
    if refused := method_refusal(request, "GET"):
        return refused
    return _kit_page(request, brand.kit_for(request.team))


@team_required("view")
def brand_colours(request):
    if refused := method_refusal(request, "POST"):
        return refused
    _kit_editor(request)
    form = ColoursForm(request.POST)
    form.is_valid()
    try:
        brand.brand_colours_save(team=request.team, user=request.user, colours=form.cleaned_data)
    except brand.BrandError as error:
        form_refused(form, error.errors)
        return _kit_page(request, brand.kit_for(request.team), colours=form, status=422)
    messages.success(request, "Brand colours saved.")
    return redirect("slides_brand")


@team_required("view")
def brand_font(request):
    if refused := method_refusal(request, "POST"):
        return refused
    _kit_editor(request)
    form = FontForm(request.POST, request.FILES)
    form.is_valid()
    upload = request.FILES.get("font")
    try:
        if upload is None:
            raise brand.BrandError({"font": "Choose a TTF or OTF file to upload."})
        font = brand.brand_font_upload(
            team=request.team,
            user=request.user,
            data=upload.read(brand.FONT_MAX_BYTES + 1),
            filename=upload.name,
            role=request.POST.get("role", ""),
            licence_confirmed=form.cleaned_data.get("licence", False),
        )
    except brand.BrandError as error:
        form_refused(form, {"font" if k == "__all__" else k: v for k, v in error.errors.items()})
        return _kit_page(request, brand.kit_for(request.team), font=form, status=422)
    messages.success(request, f"{font.label} added to the brand kit ({font.glyph_count} glyphs).")
    return redirect("slides_brand")


@team_required("view")
def brand_font_clear(request):
    if refused := method_refusal(request, "POST"):
        return refused
    _kit_editor(request)
    role = request.POST.get("role")
    if role not in ("headline", "body"):
        messages.error(request, "Choose which text goes back to the bundled font: headlines or body text.")
        return redirect("slides_brand")
    brand.brand_font_remove(team=request.team, user=request.user, role=role)
    messages.success(request, f"The kit's {role} text is set in the bundled fonts again.")
    return redirect("slides_brand")


@team_required("view")
def brand_font_delete(request, font_id):
    if not selectors.brand_font_exists(request.team, font_id):
        return _font_gone(request)
    if refused := method_refusal(request, "POST"):
        return refused
    _kit_editor(request)
    try:
        font, roles = brand.brand_font_delete(team=request.team, user=request.user, font_id=font_id)
    except brand.FontGone:  # deleted by someone else since the lookup
        return _font_gone(request)
    went_back = "".join(f" The kit's {role} font is {brand.BUNDLED_FONTS[role]} again." for role in roles)
    messages.success(request, f"{font.label} deleted.{went_back}")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("slides_brand"))
    return redirect("slides_brand")


def _font_gone(request):
    """404 for a font that is not the team's (another team's, or deleted): the kit page says so when asked from it."""
    if request.htmx:
        return toast(HttpResponseNotFound(brand.FONT_GONE), brand.FONT_GONE, "error")
    if request.method != "POST":
        raise Http404(brand.FONT_GONE)
    messages.error(request, brand.FONT_GONE)
    return _kit_page(request, brand.kit_for(request.team), status=404)


@team_required("view")
def brand_logo(request):
    if refused := method_refusal(request, "POST"):
        return refused
    _kit_editor(request)
    form = LogoForm(request.POST, request.FILES)
    form.is_valid()
    upload = request.FILES.get("logo")
    try:
        brand.brand_logo_save(
            team=request.team,
            user=request.user,
            data=upload.read() if upload else None,
            filename=upload.name if upload else "",
            placement=request.POST.get("placement", ""),
            size=request.POST.get("size", ""),
        )
    except brand.BrandError as error:
        form_refused(form, error.errors)
        return _kit_page(request, brand.kit_for(request.team), logo=form, status=422)
    messages.success(request, "Logo saved.")
    return redirect("slides_brand")


@team_required("view")
def brand_font_sample(request, font_id):
    """A line of the font set by the renderer, so the page shows the uploaded font without serving the file."""
    font = selectors.brand_font_get(request.team, font_id)
    if refused := method_refusal(request, "GET"):
        return refused
    try:
        sample = brand.font_sample_png(font)
    except OSError:  # its file is gone: the font is being deleted
        raise Http404(brand.FONT_GONE) from None
    response = HttpResponse(sample, content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response
