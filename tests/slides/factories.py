"""Carousels for tests, made through the real service (offline outliner) so each starts as a user's would."""

from slides.services import carousel_create

BRIEF = {
    "topic": "Five habits of calm product teams",
    "audience": "founders of small software companies",
    "goal": "book a demo",
    "tone": "warm",
    "slide_count": 10,
    "preset": "instagram",
}


def carousel_for(team, user, **brief):
    return carousel_create(team=team, user=user, brief_data={**BRIEF, **brief})


def carousel_row(team):
    """A bare carousel with one slide (no outline run, no render), for tests that only need the rows."""
    from slides.models import Carousel, Slide

    carousel = Carousel.objects.create(team=team, topic="Spring menu", slide_count=3)
    Slide.objects.create(carousel=carousel, position=1, layout="title", headline="Spring menu")
    return carousel


def brand_font_row(team):
    """A brand font's row alone (no stored file), for tests that only walk URLs."""
    from slides.models import BrandFont

    return BrandFont.objects.create(team=team, family="Row Sans", file="", format="ttf", bytes=0, sha256="0" * 64)
