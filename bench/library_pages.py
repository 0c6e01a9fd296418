"""Library pages: how fast the grid and search answer with 10,000 assets, and what ingesting a 4K PNG costs.

The bench makes its own world and removes it afterwards: a throwaway PostgreSQL database (postframe_bench_library:
created, migrated, dropped), a Redis database of its own (--redis-db, flushed before and after), a temporary
MEDIA_ROOT, and a team holding 10,000 assets (rows made with bulk_create, all pointing at one small shared file;
their names, prompts and tags vary so that searches match realistic fractions). It serves the studio as `make run`
does (daphne with the stock Channels application) on a free port and sends real HTTP requests over 16 concurrent
keep-alive connections (a lean asyncio HTTP/1.1 client) to the grid, its later pages, its filters and full-text
searches, for a bounded number of requests, then as many to a trivial signed-in page (/help/: the same middleware
and app shell, no library query) on the same server, and records the CPU time the server and the client each
spent per request. The grid's median over the trivial page's is `ratio_to_trivial`.

The ingest is measured in a fresh child process, so that its memory figure is not hidden by what this process
already used: the time of `asset_ingest` for a 3840 × 2160 PNG (validate by content, strip metadata, hash, make
the WebP preview and tile, store, insert the row), the median of several runs, and its peak memory as the growth
of the process's peak resident set size across the first 4K ingest (the kernel's VmHWM, reset just before through
/proc/self/clear_refs). RSS counts the pixel buffers Pillow allocates in C, which tracemalloc would not see;
tracemalloc's peak is reported beside it.

Figures go to stdout and bench/results/library_pages.json (median_ms, p95_ms, trivial_median_ms, ratio_to_trivial,
ingest_4k_ms, ingest_4k_peak_mb).

    .venv/bin/python bench/library_pages.py [--requests 1600] [--concurrency 16] [--redis-db 14] [--keep-database]
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._throwaway import PG, database_drop, database_recreate, redis_flush  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "library_pages.json"
DATABASE = "postframe_bench_library"
ASSETS = 10_000
TARGETS = {"p95_ms": 150, "ratio_to_trivial": 2.0, "ingest_4k_ms": 400, "ingest_4k_peak_mb": 250}
# A signed-in page with the same middleware and app shell as the grid and no library query: the studio's floor.
TRIVIAL_PAGE = "/help/"

SUBJECTS = ["red fox", "city skyline", "perfume bottle", "running shoe", "coffee cup", "mountain lake", "neon sign"]
PLACES = ["at sunset", "in the rain", "on a marble table", "in a forest", "under studio light", "at night"]
STYLES = ["cinematic", "flat illustration", "35mm film", "watercolour", "product shot", "minimal poster"]
TAGS = ["hero", "approved", "q3-launch", "social", "draft", "print", "story", "banner"]
MODELS = ["local:draft", "openai:gpt-image-2", "openai:gpt-image-1.5"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1600, help="measured HTTP requests in all")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent connections")
    # Enough for every web worker to have run each page a few times, grown its connection pool and filled its
    # caches: a steady server is what the figures describe, not one that has just started.
    parser.add_argument("--warmup", type=int, default=256, help="requests sent first and not counted")
    parser.add_argument("--ingest-runs", type=int, default=5, help="timed 4K ingests (each of different pixels)")
    parser.add_argument("--redis-db", type=int, default=14, help="a Redis database this bench may flush")
    parser.add_argument("--keep-database", action="store_true", help="leave the bench database for inspection")
    parser.add_argument("--ingest-child", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args()


def configure(args, var_dir):
    """The environment shared by this process and the ones it starts; read by Django's settings once."""
    os.environ.update(
        DJANGO_SETTINGS_MODULE="studio.settings.test",
        DATABASE_URL=f"{PG}/{DATABASE}",
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        POSTFRAME_VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(Path(var_dir) / "media"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )


def library_setup():
    """A team with 10,000 assets, tags and a board, and the session cookie of its owner."""
    from django.contrib.auth import get_user_model
    from django.contrib.postgres.search import SearchVector
    from django.db import connection
    from django.test import Client
    from PIL import Image

    from library.models import Asset, Board, BoardItem, Tag
    from library.services import SEARCH_CONFIG, asset_ingest
    from studio.teams.services import team_create

    user = get_user_model().objects.create_user(username="bench", email="bench@postframe.local", password="bench")
    team = team_create(owner=user, name="Bench Studio")
    shared = asset_ingest(
        team=team, user=user, data=_png(Image.new("RGB", (1024, 1024), (90, 120, 200))), filename="s.png"
    )
    rng = random.Random(7)
    tags = Tag.objects.bulk_create([Tag(team=team, name=name) for name in TAGS])
    rows, tag_names = [], []
    for i in range(ASSETS):
        prompt = f"{rng.choice(SUBJECTS)} {rng.choice(PLACES)}, {rng.choice(STYLES)}"
        chosen = rng.sample(tags, rng.randint(0, 2))
        tag_names.append(chosen)
        rows.append(
            Asset(
                team=team,
                name=f"Campaign visual {i + 1}",
                source="generated",
                file=shared.file,
                thumb=shared.thumb,
                preview=shared.preview,
                format="png",
                bytes=shared.bytes,
                width=1024,
                height=1024,
                sha256=f"{i:064x}",
                created_by=user,
                rating=rng.randint(0, 5),
                model_id=rng.choice(MODELS),
                provenance={"prompt": prompt, "seed": i, "parameters": {"size": "1024x1024", "quality": "high"}},
                search_text="",
            )
        )
    Asset.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:  # spread over the last 90 days, 13 minutes apart
        cursor.execute(
            "UPDATE library_asset SET created_at = now() - interval '91 days' + (id * interval '13 minutes') "
            "WHERE team_id = %s",
            [team.pk],
        )
    through = Asset.tags.through
    through.objects.bulk_create(
        [through(asset_id=row.pk, tag_id=tag.pk) for row, chosen in zip(rows, tag_names, strict=True) for tag in chosen]
    )
    texts = {
        row.pk: "\n".join([row.name, row.provenance["prompt"], " ".join(t.name for t in chosen)])
        for row, chosen in zip(rows, tag_names, strict=True)
    }
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE library_asset SET search_text = %s WHERE id = %s", [(t, pk) for pk, t in texts.items()]
        )
    Asset.objects.filter(team=team).update(search_vector=SearchVector("search_text", config=SEARCH_CONFIG))
    board = Board.objects.create(team=team, name="Spring campaign", created_by=user)
    BoardItem.objects.bulk_create([BoardItem(board=board, asset=row, position=n) for n, row in enumerate(rows[:300])])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value, board.pk


def _png(image):
    import io

    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def page_urls(board_id):
    """The mix of pages a team browsing its library asks for."""
    return [
        "/library/",
        "/library/",
        "/library/?q=fox",
        "/library/?q=neon+sign+night",
        "/library/?q=suns",
        "/library/?q=approved",
        "/library/?rating=4",
        "/library/?model=openai%3Agpt-image-2&rating=2",
        f"/library/?board={board_id}",
        "/library/?tag=hero&q=city",
        "/library/?date_from=2026-01-01&kind=image",
    ]


def later_pages(base, session):
    """Cursor URLs of the grid's pages 2 to 6, as infinite scroll asks for them."""
    import re

    import httpx

    urls, url = [], "/library/"
    with httpx.Client(base_url=base, cookies={"sessionid": session}, timeout=60) as client:
        for _ in range(5):
            found = re.search(r'href="(/library/\?[^"]*cursor=[\d-]+)"', client.get(url).text)
            if not found:
                break
            url = found.group(1).replace("&amp;", "&")
            urls.append(url)
    return urls


def grid_answered(status, body):
    return status == 200 and b"asset-" in body


def load(base, session, urls, *, total, concurrency, warmup, answered=grid_answered):
    """Send `total` requests over `concurrency` connections at once; return latencies (ms) and the wall time.

    Each connection is an HTTP/1.1 keep-alive socket driven by one asyncio loop; it sends its next request as
    soon as its last answer is read in full (Content-Length or chunked). The client is this lean on purpose: it
    runs on the same two cores as the server it measures, and a general-purpose client (httpx) spent ~2 ms of CPU
    a request there, about a third of what the server spends answering.
    """
    return asyncio.run(_load(base, session, urls, total, concurrency, warmup, answered))


async def _load(base, session, urls, total, concurrency, warmup, answered):
    from urllib.parse import urlsplit

    where = urlsplit(base)
    latencies, errors = [], []
    counter = iter(range(warmup + total))

    def request_bytes(url):
        htmx = "HX-Request: true\r\n" if "cursor=" in url else ""
        return (
            f"GET {url} HTTP/1.1\r\nHost: {where.netloc}\r\nCookie: sessionid={session}\r\n"
            f"Accept: text/html\r\n{htmx}\r\n"
        ).encode()

    prepared = [request_bytes(url) for url in urls]

    async def connection():
        reader, writer = await asyncio.open_connection(where.hostname, where.port)
        try:
            for number in counter:
                started = time.perf_counter()
                writer.write(prepared[number % len(prepared)])
                status, body = await _response(reader)
                elapsed = (time.perf_counter() - started) * 1000
                if not answered(status, body):
                    errors.append(f"{urls[number % len(urls)]}: {status}")
                elif number >= warmup:
                    latencies.append(elapsed)
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    wall = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, e.g. {errors[:3]}")
    return latencies, wall


async def _response(reader):
    """(status, body) of one HTTP/1.1 response read from `reader`."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        await reader.readuntil(b"\r\n")
        return status, b"".join(chunks)
    raise RuntimeError(f"an answer with no length the client can read: {lines[0]}")


def cpu_seconds(pid=None):
    """CPU time (user + system) used so far by this process, or by process `pid` and all its descendants."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(child) for child in _children(pid))


def _children(pid):
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):  # a thread that ended meanwhile
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def posters(directory, count):
    """`count` 3840 × 2160 PNGs of different pixels (noise and shapes, ~6 MB each, like a detailed render)."""
    from PIL import Image, ImageDraw

    paths = []
    for seed in range(count):
        rng = random.Random(seed)
        image = Image.effect_noise((3840, 2160), 24).convert("RGB")
        draw = ImageDraw.Draw(image)
        for _ in range(120):
            x, y = rng.randint(0, 3400), rng.randint(0, 1800)
            fill = tuple(rng.randint(0, 255) for _ in range(3))
            draw.rectangle([x, y, x + rng.randint(20, 440), y + rng.randint(20, 360)], fill=fill)
        path = Path(directory) / f"poster-{seed}.png"
        image.save(path, "PNG")
        paths.append(str(path))
    return paths


def _status_bytes(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _rss_peak_reset():
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS and return that RSS, in bytes.

    Without the reset, the peak since the process started (Django's imports, reading the files) could hide the
    ingest's own peak. Falls back to getrusage's lifetime peak where /proc/self/clear_refs is not writable.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_bytes("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _rss_peak():
    try:
        return _status_bytes("VmHWM")
    except (OSError, RuntimeError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def ingest_child(paths):
    """Runs in a fresh process: time and peak memory of asset_ingest for 4K PNGs. Prints one JSON line.

    The files are made by the parent, so this process's peak RSS before the first ingest is only Django and the
    file bytes: its growth during that ingest is the ingest's own peak memory.
    """
    import tracemalloc

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from PIL import Image

    from library.services import asset_ingest
    from studio.teams.models import Team

    team = Team.objects.get(name="Bench Studio")
    user = get_user_model().objects.get(username="bench")
    asset_ingest(team=team, user=user, data=_png(Image.new("RGB", (640, 360), (1, 2, 3))), filename="warm.png")
    files = [Path(path).read_bytes() for path in paths]

    times, peak_mb, traced_mb = [], None, None
    for number, data in enumerate(files):
        if number == 0:
            rss_before = _rss_peak_reset()
            tracemalloc.start()
        started = time.perf_counter()
        asset = asset_ingest(team=team, user=user, data=data, filename=f"poster-{number}.png")
        times.append((time.perf_counter() - started) * 1000)
        if number == 0:
            traced_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            peak_mb = (_rss_peak() - rss_before) / 2**20
        assert asset.created and (asset.width, asset.height) == (3840, 2160)
    print(
        json.dumps(
            {
                "ingest_4k_ms": round(statistics.median(times), 1),
                "ingest_4k_runs_ms": [round(t, 1) for t in times],
                "ingest_4k_peak_mb": round(peak_mb, 1),
                "ingest_4k_tracemalloc_peak_mb": round(traced_mb, 1),
                "ingest_4k_file_mb": round(statistics.mean(len(f) for f in files) / 2**20, 1),
            }
        )
    )


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered))) - 1))]


def main():
    args = parse_args()
    if args.ingest_child is not None:
        ingest_child(args.ingest_child)
        return 0
    with tempfile.TemporaryDirectory(prefix="postframe-bench-library-") as var_dir:
        configure(args, var_dir)
        database_recreate(DATABASE)
        import django

        django.setup()
        from django.core.management import call_command

        from tests.processes import child_environment, free_port, start_web

        server = None
        try:
            call_command("migrate", verbosity=0)
            redis_flush()
            began = time.perf_counter()
            session, board_id = library_setup()
            print(f"library pages: {ASSETS:,} assets ready in {time.perf_counter() - began:.1f} s", flush=True)
            env = child_environment()
            port = free_port()
            server = start_web(env, port)
            base = f"http://127.0.0.1:{port}"
            urls = page_urls(board_id) + later_pages(base, session)
            print(
                f"library pages: {args.requests} requests over {len(urls)} URLs from {args.concurrency} connections",
                flush=True,
            )
            # One connection first: what one user feels on an idle server, for comparison with the loaded figures.
            alone, _ = load(base, session, urls, total=min(args.requests, 160), concurrency=1, warmup=16)
            load(base, session, urls, total=args.warmup, concurrency=args.concurrency, warmup=0)
            cpu_before = cpu_seconds(), cpu_seconds(server.pid)
            latencies, wall = load(base, session, urls, total=args.requests, concurrency=args.concurrency, warmup=0)
            # Where the CPU went, per measured request: the client shares the cores with the server.
            client_cpu_ms = (cpu_seconds() - cpu_before[0]) * 1000 / args.requests
            server_cpu_ms = (cpu_seconds(server.pid) - cpu_before[1]) * 1000 / args.requests
            # The floor: a signed-in page with the same shell and no library query, same load, same server.
            trivial, _ = load(
                base,
                session,
                [TRIVIAL_PAGE],
                total=args.requests,
                concurrency=args.concurrency,
                warmup=64,
                answered=lambda status, body: status == 200 and b"<h1>Help</h1>" in body,
            )
            # For scale: the project's cheapest page (/healthz) under the same load on the same machine.
            reference, _ = load(
                base,
                session,
                ["/healthz"],
                total=min(args.requests, 480),
                concurrency=args.concurrency,
                warmup=64,
                answered=lambda status, body: status in (200, 503),
            )
            server.stop()
            server = None
            child = subprocess.run(
                [sys.executable, __file__, "--ingest-child", *posters(var_dir, args.ingest_runs)],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            if child.returncode != 0:
                raise RuntimeError(f"the ingest measurement failed:\n{child.stderr[-3000:]}")
            ingest = json.loads(child.stdout.strip().splitlines()[-1])
        finally:
            if server is not None:
                server.stop()
            try:
                redis_flush()
            finally:
                if not args.keep_database:
                    database_drop(DATABASE)

    result = {
        "assets": ASSETS,
        "requests": len(latencies),
        "concurrency": args.concurrency,
        "urls": urls,
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        "throughput_rps": round(len(latencies) / wall, 1),
        "server_cpu_ms_per_request": round(server_cpu_ms, 2),
        "client_cpu_ms_per_request": round(client_cpu_ms, 2),
        "trivial_median_ms": round(statistics.median(trivial), 1),
        "trivial_p95_ms": round(percentile(trivial, 0.95), 1),
        "ratio_to_trivial": round(statistics.median(latencies) / statistics.median(trivial), 2),
        "server": "daphne (one process), stock Channels application",
        "one_connection_median_ms": round(statistics.median(alone), 1),
        "one_connection_p95_ms": round(percentile(alone, 0.95), 1),
        "reference_healthz_median_ms": round(statistics.median(reference), 1),
        "reference_healthz_p95_ms": round(percentile(reference, 0.95), 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
        **ingest,
        "memory_measure": "peak RSS growth across the first 4K ingest in a fresh process: VmHWM after, reset to "
        "VmRSS just before through /proc/self/clear_refs (getrusage ru_maxrss where that is not writable)",
        "targets": TARGETS,
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
    result["met"] = {key: result[key] <= limit for key, limit in TARGETS.items()}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")

    print(f"\nlibrary pages ({ASSETS:,} assets, {args.concurrency} connections, {len(latencies)} requests)")
    print(f"  median {result['median_ms']} ms, p95 {result['p95_ms']} ms, max {result['max_ms']} ms")
    print(
        f"  trivial signed-in page ({TRIVIAL_PAGE}): median {result['trivial_median_ms']} ms, "
        f"p95 {result['trivial_p95_ms']} ms; grid / trivial = {result['ratio_to_trivial']}"
    )
    print(f"  throughput {result['throughput_rps']} requests/s; machine load average {result['load_average_1m']}")
    print(
        f"  CPU per request: server {result['server_cpu_ms_per_request']} ms, "
        f"this client {result['client_cpu_ms_per_request']} ms"
    )
    print(
        f"  one connection at a time: median {result['one_connection_median_ms']} ms, "
        f"p95 {result['one_connection_p95_ms']} ms"
    )
    print(
        f"  for scale, /healthz under the same load: median {result['reference_healthz_median_ms']} ms, "
        f"p95 {result['reference_healthz_p95_ms']} ms"
    )
    print(
        f"  4K PNG ingest: {result['ingest_4k_ms']} ms (median of {len(ingest['ingest_4k_runs_ms'])} runs: "
        f"{ingest['ingest_4k_runs_ms']}), peak memory +{result['ingest_4k_peak_mb']} MB RSS "
        f"(tracemalloc {ingest['ingest_4k_tracemalloc_peak_mb']} MB), file {ingest['ingest_4k_file_mb']} MB"
    )
    for key, limit in TARGETS.items():
        print(f"  {key} = {result[key]} (target ≤ {limit}): {'ok' if result['met'][key] else 'MISSED'}")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    # A missed target is a finding to report, not a crash: `make bench` carries on to the other benchmarks.
    return 0


if __name__ == "__main__":
    sys.exit(main())
