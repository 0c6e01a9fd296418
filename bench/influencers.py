"""Drift scoring: how long the face check of one 1024×1024 output takes, and what the face models cost in memory.

With the models already loaded (as in a worker that has scored before), the bench scores a 1024² PNG of a real
photograph (scikit-image's astronaut, scaled up) many times: decode, pad, detect, 5-point landmarks, 128-d embedding,
the same work influencers.drift.faces_in does for every output. It also times an image with no face (the detector's
second, upsampled pass runs then) and a 1536×1024 one (padded to a square first), and records the peak resident
memory of this process before and after the models load. No database, Redis or network is needed.

Figures go to stdout and bench/results/influencers.json.

    .venv/bin/python bench/influencers.py [--runs 40] [--warmup 3]
"""

import argparse
import io
import json
import os
import platform
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings.dev")

RESULTS = ROOT / "bench" / "results" / "influencers.json"
TARGETS = {"median_1024_ms": 150}


def _peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _png(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _timed(score, data, runs, warmup):
    for _ in range(warmup):
        score(data)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        faces = score(data)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "runs": runs,
        "faces": len(faces),
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 1),
        "min_ms": round(samples[0], 1),
        "max_ms": round(samples[-1], 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    from PIL import Image
    from skimage import data as skimage_data

    rss_before = _peak_rss_mb()
    from influencers import drift

    start = time.perf_counter()
    drift.models()
    load_ms = round((time.perf_counter() - start) * 1000, 1)
    rss_loaded = _peak_rss_mb()

    astronaut = Image.fromarray(skimage_data.astronaut())
    square = _png(astronaut.resize((1024, 1024), Image.Resampling.LANCZOS))
    wide_canvas = Image.new("RGB", (1536, 1024), (200, 210, 220))
    wide_canvas.paste(astronaut.resize((1024, 1024)), (256, 0))
    wide = _png(wide_canvas)
    no_face = _png(Image.fromarray(skimage_data.coffee()).resize((1024, 1024)))

    results = {
        "square_1024": _timed(drift.faces_in, square, args.runs, args.warmup),
        "wide_1536x1024": _timed(drift.faces_in, wide, max(5, args.runs // 4), 1),
        "no_face_1024": _timed(drift.faces_in, no_face, max(5, args.runs // 4), 1),
    }
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "models_load_ms": load_ms,
        "peak_rss_mb": {"before_models": rss_before, "models_loaded": rss_loaded, "after_scoring": _peak_rss_mb()},
        "scoring": results,
        "targets": TARGETS,
        "met": {"median_1024_ms": results["square_1024"]["median_ms"] <= TARGETS["median_1024_ms"]},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
