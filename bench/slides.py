"""Slides: re-rendering one edited slide, exporting a 10-slide PDF, and a 10-slide deck end to end offline.

1. Re-render: `slide_update` with a new headline on a slide that has a real background (from the offline draft
   engine), as the page does when a headline is saved: typography, contrast measurement, scrim, JPEG, database save.
2. PDF export: `carousel_export_pdf` of 10 slides with backgrounds (runs after the first: the library already holds
   the unchanged slides, so this is the PDF itself: re-laying the type, the page images, shaped text, font subsets).
3. End to end: brief → offline outline → 10 background jobs on local:draft → every slide re-set over its background
   → the PDF. The jobs run one after another in this process through the same `generation_run` the worker calls
   (no Celery round trip), so this is the studio's own work, not queueing.

It runs on a throwaway PostgreSQL database (postframe_bench_slides, created, migrated and dropped) and Redis db 10
(flushed before and after). Figures go to stdout and bench/results/slides.json.

    .venv/bin/python bench/slides.py [--runs 30] [--keep-database]
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._throwaway import PG, database_drop, database_recreate, redis_flush  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "slides.json"
DATABASE = "postframe_bench_slides"
TARGETS = {"rerender_median_ms": 150, "pdf_10_median_ms": 1000, "deck_10_end_to_end_ms": 10000}
BRIEF = {
    "topic": "Five habits of calm product teams",
    "audience": "founders of small software companies",
    "goal": "book a demo",
    "tone": "warm",
    "slide_count": 10,
    "preset": "linkedin-4x5",
}


def _stats(samples):
    samples = sorted(samples)
    return {
        "runs": len(samples),
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 1),
        "min_ms": round(samples[0], 1),
        "max_ms": round(samples[-1], 1),
    }


def _deck(team, user, **options):
    """A 10-slide deck with every background made and taken in; returns (carousel, milliseconds).

    As in the studio, slide 1's background is made first and the other nine follow with it as their style reference
    (`background_arrived` is what the worker's task runs when slide 1's image is saved).
    """
    from slides import services
    from studio.generation.services import generation_run

    start = time.perf_counter()
    carousel = services.carousel_create(team=team, user=user, brief_data={**BRIEF, **options})
    services.backgrounds_start(carousel=carousel, user=user)
    lead = carousel.slides.select_related("background_job").get(position=1).background_job
    generation_run(job_id=lead.pk)
    services.background_arrived(job_uuid=str(lead.uuid))
    for slide in carousel.slides.filter(position__gt=1):
        generation_run(job_id=slide.background_job_id)
    for slide in carousel.slides.select_related("background_job", "carousel"):
        services.slide_background_sync(slide=slide)
    services.carousel_export_pdf(carousel=carousel, user=user)
    return carousel, (time.perf_counter() - start) * 1000


def _kit_deck(team, user):
    import io

    from PIL import Image

    from slides import brand

    colours = {"primary": "#0B3D2E", "secondary": "#145C45", "text": "#FFF4D6", "background": "#06140F"}
    brand.brand_colours_save(team=team, user=user, colours=colours)
    font = (ROOT / "static" / "fonts" / "EBGaramond12-Regular.otf").read_bytes()
    brand.brand_font_upload(team=team, user=user, data=font, filename="Brand.otf", role="both", licence_confirmed=True)
    logo = io.BytesIO()
    Image.new("RGBA", (300, 120), (220, 30, 40, 255)).save(logo, "PNG")
    brand.brand_logo_save(
        team=team, user=user, data=logo.getvalue(), filename="logo.png", placement="top-right", size=16
    )
    return _deck(team, user, follow_brand=True)[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"{PG}/{DATABASE}"
    os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/10"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings.dev")
    os.environ["POSTFRAME_VAR_DIR"] = tempfile.mkdtemp(prefix="postframe-bench-slides-")
    database_recreate(DATABASE)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    redis_flush()
    try:
        from slides import services
        from slides.models import Slide
        from tests.factories import MembershipFactory, TeamFactory

        team = TeamFactory(name="Bench Studio")
        user = MembershipFactory(team=team, role="owner").user

        carousel, first_deck_ms = _deck(team, user)
        decks = [first_deck_ms] + [_deck(team, user)[1] for _ in range(2)]

        slide = Slide.objects.select_related("carousel", "background").get(carousel=carousel, position=2)
        rerender = []
        for run in range(args.runs + 3):
            start = time.perf_counter()
            services.slide_update(slide=slide, layout=slide.layout, headline=f"Calm teams, take {run}", body=slide.body)
            if run >= 3:
                rerender.append((time.perf_counter() - start) * 1000)

        services.carousel_export_pdf(carousel=carousel, user=user)  # the edited slide goes to the library once
        pdf = []
        for _ in range(max(5, args.runs // 3)):
            start = time.perf_counter()
            data = services.carousel_export_pdf(carousel=carousel, user=user)
            pdf.append((time.perf_counter() - start) * 1000)

        # The same with the brand kit: an uploaded font (a bundled OFL font standing in), kit colours and a logo.
        kit_carousel = _kit_deck(team, user)
        kit_slide = Slide.objects.select_related("carousel", "background").get(carousel=kit_carousel, position=2)
        kit_rerender = []
        for run in range(args.runs + 3):
            start = time.perf_counter()
            services.slide_update(
                slide=kit_slide, layout=kit_slide.layout, headline=f"Calm teams, take {run}", body=kit_slide.body
            )
            if run >= 3:
                kit_rerender.append((time.perf_counter() - start) * 1000)
        services.carousel_export_pdf(carousel=kit_carousel, user=user)
        kit_pdf = []
        for _ in range(max(5, args.runs // 3)):
            start = time.perf_counter()
            kit_data = services.carousel_export_pdf(carousel=kit_carousel, user=user)
            kit_pdf.append((time.perf_counter() - start) * 1000)

        results = {
            "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
            "targets": TARGETS,
            "rerender_one_slide": _stats(rerender),
            "pdf_10_slides": {**_stats(pdf), "bytes": len(data)},
            "deck_10_end_to_end": {**_stats(decks), "engine": "local:draft", "outliner": "offline"},
            "brand_kit_rerender_one_slide": _stats(kit_rerender),
            "brand_kit_pdf_10_slides": {**_stats(kit_pdf), "bytes": len(kit_data)},
        }
        results["met"] = {
            "rerender_median_ms": results["rerender_one_slide"]["median_ms"] <= TARGETS["rerender_median_ms"],
            "pdf_10_median_ms": results["pdf_10_slides"]["median_ms"] <= TARGETS["pdf_10_median_ms"],
            "deck_10_end_to_end_ms": results["deck_10_end_to_end"]["median_ms"] <= TARGETS["deck_10_end_to_end_ms"],
        }
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(json.dumps(results, indent=2))
    finally:
        redis_flush()
        if not args.keep_database:
            database_drop(DATABASE)


if __name__ == "__main__":
    main()
