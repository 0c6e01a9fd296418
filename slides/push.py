"""Pushes a carousel's slide cards (their live part: image, frame, background state, checks) to every page open on it.

The page listens on ws/slides/<carousel>/ (slides.consumers): that consumer joins the carousel's group and the
Channels group of each running background job, so a job's partial frames and this app's own news (a background
taken in, the waiting slides submitted) both arrive as the same server-rendered fragments the page first showed.
"""

import logging

from django.template.loader import render_to_string

from studio.generation.push import message_send

logger = logging.getLogger(__name__)

UPDATE_EVENT = "slides.update"


def carousel_group(carousel_id):
    return f"slides-carousel-{carousel_id}"


def live_html(carousel, slides):
    """The live fragments of `slides`, each rooted at slide-<pk>-live, ready to swap out of band."""
    from slides.selectors import slide_card

    return "".join(
        render_to_string("slides/carousel.html#slide-live", {"card": slide_card(slide), "carousel": carousel})
        for slide in slides
    )


def live_signature(slide):
    """What a slide's live part shows, in short: a consumer sends a slide again only when this changed."""
    job = slide.background_job
    return [
        slide.render_version,
        slide.background_id,
        slide.background_waiting,
        slide.background_error,
        job.status if job else None,
        job.partial_count if job else None,
    ]


def job_groups(slides):
    """The Channels groups of the slides' running background jobs (where their partial frames are pushed)."""
    jobs = [slide.background_job for slide in slides if slide.background_job is not None]
    return [job.group_name for job in jobs if job.is_active]


def carousel_message(carousel_id, slide_ids=None):
    from slides.models import Carousel
    from slides.selectors import slides_live

    carousel = Carousel.objects.select_related("team").get(pk=carousel_id)
    slides = slides_live(carousel)
    chosen = [slide for slide in slides if slide_ids is None or slide.pk in slide_ids]
    return {
        "type": UPDATE_EVENT,
        "html": live_html(carousel, chosen),
        "groups": job_groups(slides),
        "signatures": {str(slide.pk): live_signature(slide) for slide in chosen},
    }


def carousel_push(carousel_id, slide_ids=None):
    """Send the slides' current live parts (all, or `slide_ids`) to the carousel's pages; a failure is logged only."""
    try:
        message_send(carousel_group(carousel_id), carousel_message(carousel_id, slide_ids), wait=True)
    except Exception:
        logger.warning("could not push carousel %s", carousel_id, exc_info=True)
