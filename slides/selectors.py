"""Reads about carousels, always inside the team's scope."""

import base64

from slides.models import BrandFont, Carousel, Slide
from studio.generation.models import GenerationJob
from studio.teams.scoping import get_scoped_or_404, scoped


def carousels_for(team):
    return scoped(Carousel, team).order_by("-created_at", "-id")


def carousel_get(team, carousel_id):
    return get_scoped_or_404(Carousel.objects.select_related("team"), team, pk=carousel_id)


def slide_get(team, slide_id):
    return get_scoped_or_404(
        Slide.objects.select_related("carousel__team", "background_job", "background"), team, pk=slide_id
    )


def slides_of(carousel):
    return list(carousel.slides.select_related("background_job", "background").defer("rendered", "base"))


def slides_live(carousel):
    """The slides with what their live part needs (the job's newest frame included), without their renders."""
    return list(carousel.slides.select_related("background_job").defer("rendered", "base", "lines"))


def slide_card(slide):
    """What a slide card's live part shows: its background's state, the newest frame, the failed checks."""
    state, status_line = background_state(slide)
    return {
        "slide": slide,
        "state": state,
        "status_line": status_line,
        "frame_url": live_frame_url(slide),
        "failed": slide.failed_checks,
    }


def background_state(slide):
    """("none" | "waiting" | "pending" | "failed" | "done", a line for people) for a slide's background."""
    job = slide.background_job
    if slide.background_id is not None:
        return "done", "Background ready"
    if slide.background_waiting:
        return "waiting", "Waiting for the first slide's background, its style reference"
    if slide.background_error:
        return "failed", slide.background_error
    if job is None:
        return "none", "Neutral background until you make backgrounds"
    if job.status in GenerationJob.ACTIVE:
        frames = f" · frame {job.partial_count}" if job.partial_count else ""
        return "pending", f"Background {job.get_status_display().lower()}{frames}"
    if job.status == GenerationJob.Status.SUCCEEDED:
        return "pending", "Background arriving"
    return "failed", f"Background failed: {job.error_message or job.get_status_display()}"


def live_frame_url(slide):
    """The running background job's newest partial frame, inline (a small JPEG), as the Studio shows it."""
    job = slide.background_job
    if slide.background_id is not None or job is None or job.status not in GenerationJob.ACTIVE:
        return None
    if not job.latest_frame:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(bytes(job.latest_frame)).decode()


def brand_fonts(team):
    return list(scoped(BrandFont, team).order_by("-uploaded_at", "-id")[:20])


def brand_font_get(team, font_id):
    return get_scoped_or_404(BrandFont, team, pk=font_id)


def brand_font_exists(team, font_id):
    return scoped(BrandFont, team).filter(pk=font_id).exists()
