"""Writes about carousels: create from a brief, edit the outline, ask for backgrounds, render slides, export.

Keyword-only; writes are atomic. Backgrounds are made only through generation_submit (so credits move only there),
and exported slides are kept only as library assets with provenance.
"""

import io
import logging
import re
import zipfile
from dataclasses import asdict

from django.db import transaction
from django.db.models import F, Max, Q
from PIL import Image

from library.models import STILLS, Asset
from library.selectors import asset_bytes
from library.services import Origin, asset_ingest
from slides import outline as outliners
from slides.brand import style_for
from slides.models import DEFAULT_SLIDES, MAX_SLIDES, MIN_SLIDES, Carousel, Layout, Preset, Slide
from slides.push import carousel_push
from slides.typography import Line, font_location, slide_render
from studio.credits.pricing import PricingError, estimate
from studio.credits.selectors import wallet_for
from studio.engines.capabilities import capabilities
from studio.generation.models import GenerationJob
from studio.generation.selectors import generation_check
from studio.generation.services import GenerationRejected, generation_submit
from studio.teams.models import Provider
from studio.teams.scoping import scoped
from studio.teams.selectors import provider_key_for

logger = logging.getLogger(__name__)
JPEG_QUALITY = 92
BACKGROUND_TIER = "1K"


class SlidesError(Exception):
    """A refused change: {field: message} for the form; nothing was saved and no credit moved."""

    def __init__(self, errors):
        self.errors = errors if isinstance(errors, dict) else {"__all__": str(errors)}
        super().__init__("; ".join(self.errors.values()))


def outline_write(*, team, brief):
    """(slides, outliner name, note): OpenAI's outline when the team has a key, the offline one otherwise.

    Runs outside any transaction: a network call must not hold a database transaction open.
    """
    key = provider_key_for(team=team, provider=Provider.OPENAI)
    if key:
        try:
            return outliners.openai_outline(brief, api_key=key), outliners.OUTLINE_MODEL, ""
        except outliners.OutlineError as error:
            note = f"{error} The offline outliner wrote this outline instead."
            return outliners.offline_outline(brief), "offline", note
    return outliners.offline_outline(brief), "offline", ""


BRIEF_LIMITS = {"topic": 300, "audience": 200, "goal": 200, "tone": 100}


def brief_clean(data):
    """The brief's fields, stripped and checked; SlidesError names each field that is empty, too long or unknown."""
    errors, clean = {}, {}
    for name, limit in BRIEF_LIMITS.items():
        value = str(data.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = f"Keep the {name} to {limit} characters (this has {len(value)})."
        clean[name] = value
    if not clean["topic"] and "topic" not in errors:
        errors["topic"] = "Write the topic: the outline is built from it."
    count = data.get("slide_count") or DEFAULT_SLIDES
    if not isinstance(count, int) or not MIN_SLIDES <= count <= MAX_SLIDES:
        errors["slide_count"] = f"Choose {MIN_SLIDES} to {MAX_SLIDES} slides."
    preset = data.get("preset") or Preset.INSTAGRAM
    if preset not in Preset.values:
        errors["preset"] = "Choose one of the platform presets."
    if errors:
        raise SlidesError(errors)
    return {**clean, "slide_count": count, "preset": preset}


# A background prompt that asks for one of these shows a person: the influencer's references go with it.
PERSON_WORDS = re.compile(
    r"\b(person|people|woman|man|founder|founders|portrait|someone|customer|presenter|host|speaker|face|hands?)\b",
    re.IGNORECASE,
)


def brief_options(*, team, data):
    """The brief's options (follow the kit, an influencer, a style reference), each checked inside the team."""
    from influencers.models import Influencer

    errors, options = {}, {"follow_brand": bool(data.get("follow_brand"))}
    influencer = data.get("influencer")
    if influencer:
        influencer_id = getattr(influencer, "pk", influencer)
        found = scoped(Influencer, team).select_related("current_version").filter(pk=influencer_id).first()
        if found is None:
            errors["influencer"] = "Choose one of the team's influencers."
        elif found.current_version_id is None:
            errors["influencer"] = f"{found.name} has no reference set yet: add references on the Influencers page."
        options["influencer"] = found
    style = data.get("style_reference")
    if style:
        asset_id = getattr(style, "pk", style)
        found = scoped(Asset, team).filter(STILLS, pk=asset_id).first()
        if found is None:
            errors["style_reference"] = "Choose an image from the team's library as the style reference."
        options["style_reference"] = found
    if errors:
        raise SlidesError(errors)
    return options


def carousel_create(*, team, user, brief_data):
    """A carousel and its outline from a brief; each slide rendered on a neutral background until it has its own."""
    options = brief_options(team=team, data=brief_data)
    brief_data = brief_clean({k: v for k, v in brief_data.items() if k not in options})
    brief = outliners.Brief(**{k: v for k, v in brief_data.items() if k != "preset"})
    slides, outliner, note = outline_write(team=team, brief=brief)
    with transaction.atomic():
        carousel = Carousel.objects.create(team=team, created_by=user, outliner=outliner, **brief_data, **options)
        last = len(slides)
        for position, slide in enumerate(slides, start=1):
            # The influencer is in the hook, the call to action and any slide whose background asks for a person.
            person = bool(options.get("influencer")) and (
                position in (1, last) or bool(PERSON_WORDS.search(slide.get("background_prompt") or ""))
            )
            Slide.objects.create(carousel=carousel, position=position, with_influencer=person, **slide)
    for slide in carousel.slides.all():
        slide_render_save(slide=slide)
    carousel.note = note
    return carousel


def _background_image(slide):
    if slide.background_id is None:
        return None
    try:
        return Image.open(io.BytesIO(asset_bytes(slide.background)))
    except (OSError, FileNotFoundError):
        logger.warning("slide %s: background asset %s could not be read", slide.pk, slide.background_id)
        return None


def render_of(slide, *, carousel=None):
    carousel = carousel or slide.carousel
    return slide_render(
        layout=slide.layout,
        headline=slide.headline,
        body=slide.body,
        size=carousel.size,
        background=_background_image(slide),
        seed=carousel.pk,
        style=style_for(carousel),
    )


def slide_render_save(*, slide):
    """Set this one slide's type again over its background (no new background job) and keep the result."""
    result = render_of(slide)
    Slide.objects.filter(pk=slide.pk).update(
        rendered=_jpeg(result.image),
        base=_jpeg(result.base),
        lines=[asdict(line) for line in result.lines],
        checks=result.checks,
        render_version=F("render_version") + 1,
    )
    slide.refresh_from_db(fields=["rendered", "base", "lines", "checks", "render_version"])
    return slide


def slides_render_stale(*, carousel):
    """Set again the slides whose render was dropped or names a font that is gone (the kit lost an uploaded font),
    so their images, checks and PDF lines follow the kit as it is now. Returns how many were set again."""
    stale = set(carousel.slides.filter(Q(rendered__isnull=True) | Q(base__isnull=True)).values_list("pk", flat=True))
    stale.update(pk for pk, lines in carousel.slides.values_list("pk", "lines") if not _fonts_present(lines))
    for slide in carousel.slides.filter(pk__in=stale).select_related("carousel__team", "background"):
        slide_render_save(slide=slide)
    return len(stale)


def _fonts_present(lines):
    try:
        for name in {line["font"] for line in lines or []}:
            font_location(name)
    except OSError:  # a brand font deleted since (FileNotFoundError), or its stored file unreadable
        return False
    return True


def _jpeg(image):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def _text_errors(layout, headline, body):
    errors = {}
    if layout not in Layout.values:
        errors["layout"] = "Choose one of the layouts."
    if not headline.strip():
        errors["headline"] = "Write a headline: every slide needs one."
    elif len(headline) > outliners.HEADLINE_MAX:
        errors["headline"] = f"Keep the headline to {outliners.HEADLINE_MAX} characters (this has {len(headline)})."
    if len(body) > outliners.BODY_MAX:
        errors["body"] = f"Keep the body to {outliners.BODY_MAX} characters (this has {len(body)})."
    return errors


def slide_update(*, slide, layout, headline, body, background_prompt=None, with_influencer=None):
    """New text or layout for one slide, re-rendered at once; its background (and its job) stay as they are.

    `with_influencer` says whether the carousel's influencer appears in the background still to be made.
    """
    headline, body = headline.strip(), body.strip()
    errors = _text_errors(layout, headline, body)
    if background_prompt is not None and len(background_prompt) > outliners.PROMPT_MAX:
        errors["background_prompt"] = f"Keep the background prompt to {outliners.PROMPT_MAX} characters."
    if errors:
        raise SlidesError(errors)
    slide.layout, slide.headline, slide.body = layout, headline, body
    fields = ["layout", "headline", "body"]
    if background_prompt is not None and slide.carousel.editable_outline:
        slide.background_prompt = background_prompt.strip()
        fields.append("background_prompt")
    if with_influencer is not None and slide.background_job_id is None:
        slide.with_influencer = bool(with_influencer) and slide.carousel.influencer_id is not None
        fields.append("with_influencer")
    slide.save(update_fields=fields)
    return slide_render_save(slide=slide)


def _outline_open(carousel):
    if not carousel.editable_outline:
        raise SlidesError("The outline is fixed once backgrounds are asked for: edit the slides' text instead.")


@transaction.atomic
def slide_add(*, carousel, after=None):
    carousel = Carousel.objects.select_for_update().get(pk=carousel.pk)
    _outline_open(carousel)
    count = carousel.slides.count()
    if count >= MAX_SLIDES:
        raise SlidesError(f"A carousel has at most {MAX_SLIDES} slides.")
    position = (after.position + 1) if after else (carousel.slides.aggregate(top=Max("position"))["top"] or 0) + 1
    carousel.slides.filter(position__gte=position).update(position=F("position") + 1)
    brief = outliners.Brief(topic=carousel.topic, tone=carousel.tone)
    slide = Slide.objects.create(
        carousel=carousel,
        position=position,
        layout=Layout.CAPTION,
        headline="New slide",
        body="",
        background_prompt=outliners.background_prompt(brief, "a calm, simple background with open space"),
    )
    Carousel.objects.filter(pk=carousel.pk).update(slide_count=count + 1)
    return slide_render_save(slide=slide)


@transaction.atomic
def slide_delete(*, slide):
    carousel = Carousel.objects.select_for_update().get(pk=slide.carousel_id)
    _outline_open(carousel)
    count = carousel.slides.count()
    if count <= MIN_SLIDES:
        raise SlidesError(f"A carousel has at least {MIN_SLIDES} slides.")
    position = slide.position
    slide.delete()
    carousel.slides.filter(position__gt=position).update(position=F("position") - 1)
    Carousel.objects.filter(pk=carousel.pk).update(slide_count=count - 1)


@transaction.atomic
def slide_move(*, slide, offset):
    """Swap the slide with its neighbour `offset` (-1 earlier, +1 later); at either end it stays."""
    carousel = Carousel.objects.select_for_update().get(pk=slide.carousel_id)
    _outline_open(carousel)
    neighbour = carousel.slides.filter(position=slide.position + offset).first()
    if neighbour is None:
        return slide
    neighbour.position, slide.position = slide.position, neighbour.position
    Slide.objects.filter(pk=neighbour.pk).update(position=neighbour.position)
    Slide.objects.filter(pk=slide.pk).update(position=slide.position)
    return slide


def background_request(carousel, slide, style=None, identity=None):
    """The generation_submit data for one slide's background: the team's active model, one image, no text in it.

    `style` is the deck's style reference (the brief's library image, or the first slide's finished background): it
    goes along so every slide keeps one look. `identity` is the influencer's plan (influencers.prompting.Plan) for
    a slide that shows the person: its images come first (the anchor as Image 1) and its prompt keeps the person.
    """
    prompt = slide.background_prompt or outliners.background_prompt(
        outliners.Brief(topic=carousel.topic), "a calm abstract background"
    )
    model_id = carousel.team.active_model
    references, extra = [], {}
    if identity is not None:
        room = capabilities(model_id).max_references - (1 if style is not None else 0)
        references = identity.references[:room]
        prompt = identity.prompt.replace("(background)", prompt)
        if identity.input_fidelity:
            extra["input_fidelity"] = identity.input_fidelity
        extra["influencer_version"] = carousel.influencer.current_version_id
    if style is not None:
        references = [*references, {"asset_id": style.pk, "role": "style"}]
        number = len(references)
        prompt = f"{prompt} Match the colours, light and style of Image {number}; do not copy its content."
    if references:
        extra["references"] = references
    return {
        **extra,
        "model_id": model_id,
        "prompt": prompt,
        "aspect": carousel.aspect,
        "tier": BACKGROUND_TIER,
        "n": 1,
        "output_format": "jpeg",
        "partial_images": 1,
        "seed": carousel.pk % 2_000_000_000,  # one seed for the deck: the offline engine keeps one look
    }


def _identity_plan(carousel, user):
    """The influencer's plan for a slide that shows the person, or None when the brief named no influencer."""
    if carousel.influencer_id is None:
        return None
    from influencers.models import Influencer
    from influencers.prompting import scene_plan
    from influencers.services import references_ready

    influencer = Influencer.objects.select_related("current_version__influencer").get(pk=carousel.influencer_id)
    version = influencer.current_version
    if version is None:
        return None
    references_ready(version=version, user=user)  # re-files any reference deleted from the library
    return scene_plan(version, "(background)", carousel.team.active_model)


def deck_style(carousel):
    """The style reference every background follows: the brief's library image, else the first finished one."""
    if carousel.style_reference_id:
        return carousel.style_reference
    styled = carousel.slides.filter(background__isnull=False).select_related("background").first()
    return styled.background if styled else None


def _slides_needing_backgrounds(carousel):
    return [
        slide
        for slide in carousel.slides.select_related("background_job")
        if slide.background_id is None
        and not slide.background_waiting  # asked for already; it goes once the first background is made
        and (slide.background_job is None or slide.background_job.status not in GenerationJob.ACTIVE)
    ]


def backgrounds_quote(carousel, slides=None):
    """(slides, credits, balance, refusal or "") for making the backgrounds still missing, priced as they would be."""
    slides = _slides_needing_backgrounds(carousel) if slides is None else slides
    balance = wallet_for(carousel.team).balance
    if not slides:
        return 0, 0, balance, ""
    check = generation_check(team=carousel.team, data=background_request(carousel, slides[0]))
    blocking = {name: message for name, message in check.errors.items() if name != "credits"}
    if blocking:
        return len(slides), 0, balance, f"Slide {slides[0].position}: {next(iter(blocking.values()))}"
    try:
        cost = estimate(
            model_id=check.model_id, size=check.params["size"], quality=check.params["quality"], n=len(slides)
        )
    except PricingError as error:
        return len(slides), 0, balance, str(error)
    if cost > balance:
        count = len(slides)
        return (
            count,
            cost,
            balance,
            f"Backgrounds for {count} slide{'s' if count != 1 else ''} cost {cost} credits and the team has {balance}."
            " Use Request credits at the top of the page to ask for more, or make fewer slides.",
        )
    return len(slides), cost, balance, ""


def _submit(carousel, slide, user, style, identity):
    job = generation_submit(
        team=carousel.team,
        user=user,
        data=background_request(carousel, slide, style=style, identity=identity if slide.with_influencer else None),
    )
    Slide.objects.filter(pk=slide.pk).update(background_job=job, background_waiting=False, background_error="")
    return job


@transaction.atomic
def backgrounds_start(*, carousel, user):
    """Ask for the backgrounds still missing; the whole deck's price is checked first, and nothing is held on refusal.

    With a style reference (the brief's, or a slide already made) every slide is submitted at once with it. Without
    one the first slide goes alone and the rest wait for its result, which becomes their style reference
    (background_arrived submits them); waiting slides hold no credit. Returns (slides asked for, submitted now).
    """
    carousel = (
        Carousel.objects.select_for_update(of=("self",)).select_related("team", "style_reference").get(pk=carousel.pk)
    )
    slides = _slides_needing_backgrounds(carousel)
    if not slides:
        raise SlidesError("Every slide already has its background or one on the way.")
    _count, _cost, _balance, refusal = backgrounds_quote(carousel, slides)
    if refusal:
        raise SlidesError(refusal)
    style = deck_style(carousel)
    identity = _identity_plan(carousel, user)
    now, later = (slides, []) if style is not None else (slides[:1], slides[1:])
    for slide in now:
        try:
            _submit(carousel, slide, user, style, identity)
        except GenerationRejected as error:
            message = next(iter(error.errors.values()))
            raise SlidesError(f"Slide {slide.position}: {message}") from None
    Slide.objects.filter(pk__in=[slide.pk for slide in later]).update(background_waiting=True, background_error="")
    Carousel.objects.filter(pk=carousel.pk).update(status=Carousel.Status.BACKGROUNDS)
    carousel_id = carousel.pk
    transaction.on_commit(lambda: carousel_push(carousel_id))
    if later:
        transaction.on_commit(lambda: _follow_enqueue(carousel_id))
    return len(slides), len(now)


def _follow_enqueue(carousel_id):
    from slides.tasks import backgrounds_follow_task

    try:
        backgrounds_follow_task.apply_async(args=[carousel_id], countdown=FOLLOW_SECONDS)
    except Exception:  # the lead's own arrival (background_arrived) still sends the rest
        logger.exception("could not queue the follow-up of carousel %s", carousel_id)


FOLLOW_SECONDS = 3
LEAD_FAILED = "Not asked for: slide {position}'s background failed ({reason}). Press Make backgrounds to try again."


@transaction.atomic
def backgrounds_rest_submit(*, carousel_id, user=None):
    """Submit the slides waiting for the deck's first background, with it as their style reference.

    Safe to run twice (a slide stops waiting as it is submitted). A slide that cannot be submitted now (the credits
    ran out meanwhile) keeps the reason and holds nothing. Returns how many were submitted.
    """
    carousel = (
        Carousel.objects.select_for_update(of=("self",))
        .select_related("team", "style_reference", "created_by")
        .get(pk=carousel_id)
    )
    waiting = list(carousel.slides.filter(background_waiting=True))
    style = deck_style(carousel)
    if not waiting or style is None:
        return 0
    user = user or carousel.created_by
    identity = _identity_plan(carousel, user)
    submitted = 0
    for slide in waiting:
        try:
            _submit(carousel, slide, user, style, identity)
            submitted += 1
        except GenerationRejected as error:
            reason = next(iter(error.errors.values()))
            Slide.objects.filter(pk=slide.pk).update(background_waiting=False, background_error=reason[:300])
    transaction.on_commit(lambda: carousel_push(carousel_id))
    return submitted


def backgrounds_follow(*, carousel_id):
    """What the follow-up task does: True once the deck's waiting slides are settled, False to look again later.

    The lead's background taken in sends the rest; a lead that failed leaves them with the reason, holding nothing.
    """
    carousel = Carousel.objects.filter(pk=carousel_id).first()
    if carousel is None or not carousel.slides.filter(background_waiting=True).exists():
        return True
    lead = carousel.slides.filter(background_job__isnull=False).select_related("background_job").first()
    job = lead.background_job if lead else None
    if job is None:
        return True
    if job.status in GenerationJob.ACTIVE:
        return False
    if job.status == GenerationJob.Status.SUCCEEDED:
        slide_background_sync(slide=lead)
        backgrounds_rest_submit(carousel_id=carousel_id, user=job.user)
        return True
    reason = (job.error_message or job.get_status_display()).rstrip(".")
    Slide.objects.filter(carousel_id=carousel_id, background_waiting=True).update(
        background_waiting=False, background_error=LEAD_FAILED.format(position=lead.position, reason=reason)[:300]
    )
    transaction.on_commit(lambda: carousel_push(carousel_id))
    return True


def background_arrived(*, job_uuid):
    """A slide's background job made its image: take it in, push the card, and send any slides waiting for it."""
    slide = Slide.objects.select_related("carousel", "background_job").filter(background_job__uuid=job_uuid).first()
    if slide is None:
        return None
    slide_background_sync(slide=slide)
    carousel_push(slide.carousel_id, slide_ids=[slide.pk])
    if slide.carousel.slides.filter(background_waiting=True).exists():
        backgrounds_rest_submit(carousel_id=slide.carousel_id, user=slide.background_job.user)
    return slide


def slide_background_sync(*, slide):
    """Once the slide's job has finished, take its image as the background and re-render; safe to call repeatedly."""
    job = slide.background_job
    if slide.background_id is not None or job is None or job.status != GenerationJob.Status.SUCCEEDED:
        return slide
    output = job.job_outputs.select_related("asset").first()
    if output is None:
        return slide
    updated = Slide.objects.filter(pk=slide.pk, background__isnull=True).update(background=output.asset)
    if updated:
        slide.background = output.asset
        slide_render_save(slide=slide)
        carousel = slide.carousel
        if not carousel.slides.filter(background__isnull=True).exists():
            Carousel.objects.filter(pk=carousel.pk).update(status=Carousel.Status.READY)
    return slide


def export_blockers(carousel):
    """{slide position: [messages]} for the checks that stop an export."""
    blockers = {}
    for slide in carousel.slides.all():
        failed = [check["message"] for check in slide.checks if check["blocking"] and not check["ok"]]
        if failed:
            blockers[slide.position] = failed
    return blockers


def _refuse_unchecked(carousel):
    blockers = export_blockers(carousel)
    if blockers:
        first = next(iter(blockers))
        raise SlidesError(
            f"Fix slide {first} first: {blockers[first][0]}"
            + (f" ({len(blockers)} slides need a fix.)" if len(blockers) > 1 else "")
        )


def slides_to_library(*, carousel, user):
    """Each slide as it is now, saved to the library with where it came from; unchanged slides are not saved twice."""
    saved = []
    for slide in carousel.slides.select_related("background", "exported_asset"):
        kept = slide.exported_asset
        if kept is not None and (kept.provenance or {}).get("slides", {}).get("render_version") == slide.render_version:
            saved.append(kept)
            continue
        provenance = {
            "slides": {
                "carousel_id": carousel.pk,
                "carousel_topic": carousel.topic,
                "slide_id": slide.pk,
                "position": slide.position,
                "layout": slide.layout,
                "headline": slide.headline,
                "preset": carousel.preset,
                "render_version": slide.render_version,
                "background_asset_id": slide.background_id,
                "background_job_id": str(slide.background_job.uuid) if slide.background_job_id else None,
                "typography": "studio",
            }
        }
        asset = asset_ingest(
            team=carousel.team,
            user=user,
            data=bytes(slide.rendered),
            filename=f"slide-{slide.position}.jpg",
            origin=Origin(
                source=Asset.Source.GENERATED,
                provenance=provenance,
                parent=slide.background,
                name=f"{carousel.topic[:150]} · slide {slide.position}",
            ),
            renditions_later=True,
        )
        Slide.objects.filter(pk=slide.pk).update(exported_asset=asset)
        saved.append(asset)
    return saved


def carousel_export_images(*, carousel, user):
    """A zip of the slides as JPEGs at exactly the preset size, in order; the slides also go to the library."""
    slides_render_stale(carousel=carousel)
    _refuse_unchecked(carousel)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for slide in carousel.slides.all():
            archive.writestr(f"slide-{slide.position:02d}.jpg", bytes(slide.rendered))
    slides_to_library(carousel=carousel, user=user)
    return buffer.getvalue()


def carousel_export_pdf(*, carousel, user):
    """The LinkedIn document: one page per slide at the preset size, real text in embedded subset fonts."""
    from slides.pdf import carousel_pdf

    slides_render_stale(carousel=carousel)  # also a slide rendered before its layers were kept
    _refuse_unchecked(carousel)
    pages = []
    for slide in carousel.slides.all():
        pages.append((bytes(slide.base), [Line(**{**line, "colour": tuple(line["colour"])}) for line in slide.lines]))
    data = carousel_pdf(pages, carousel.size, title=carousel.topic)
    slides_to_library(carousel=carousel, user=user)
    return data
