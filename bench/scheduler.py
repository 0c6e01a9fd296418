"""Scheduler: 10,000 posts due at once, published by 2 Celery worker processes that get SIGKILLed at random.

Most posts go to webhook channels (a local receiver that de-duplicates by delivery id), 500 spread over the four
platform fakes (Instagram, LinkedIn, X, TikTok; Instagram's and TikTok's fetch the signed media URLs from daphne).
Afterwards the fakes say how many posts went live once (published), how many extra copies went live (duplicates) and
how many never arrived (lost). This process plays the beat: it calls the dispatcher's services every second.

It starts everything it needs and cleans up after itself: a throwaway PostgreSQL database (postframe_bench_sched,
created, migrated and dropped), a Redis database of its own (--redis-db, flushed before and after), daphne, the
workers and the fakes. Figures go to stdout and bench/results/scheduler.json.

Each worker runs Celery's threads pool with 4 threads by default (publishing waits on PostgreSQL and HTTP; on
2 cores two processes of 4 threads went faster than 2 × 4 prefork children: 45 s against 56 s), and the
dispatcher hands out tasks of 25 targets each.

    .venv/bin/python bench/scheduler.py [--posts 10000] [--platform-posts 500] [--kills 3] [--concurrency 4]
        [--pool threads|prefork] [--batch 25]
"""

import argparse
import json
import os
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._throwaway import PG, database_drop, database_recreate, redis_flush  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "scheduler.json"
DATABASE = "postframe_bench_sched"
TARGET_S = 60
# The bench's recovery timings (the defaults are for production): platform calls time out after 5 s, an attempt
# still "started" after 15 s is a killed worker's and goes to confirmation, a failed fetch is tried again 2 s later,
# at most 400 targets wait in the queue and a lease lasts 15 s: the unclaimed targets of a batch lost with a killed
# worker come back then. 400 queued drain in a few seconds, well inside the lease, so a live batch is not handed
# out again (and if it were, its claims are conditional: nothing is sent twice, only work repeated).
WORKER_SETTINGS = {"SCHEDULING_PUBLISH_TIMEOUT": 5, "SCHEDULING_OUTAGE_RETRY_SECONDS": 2}
DRIVER_SETTINGS = {
    "SCHEDULING_ATTEMPT_STALE_SECONDS": 15,
    "SCHEDULING_DISPATCH_LEASE_SECONDS": 15,
    "SCHEDULING_DISPATCH_MAX_QUEUED": 400,
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts due at once, all channels together")
    parser.add_argument("--platform-posts", type=int, default=500, help="of which to the four platform fakes")
    parser.add_argument("--teams", type=int, default=20, help="teams, each with a webhook and one account per fake")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--concurrency", type=int, default=4, help="children (or threads) per worker")
    parser.add_argument("--pool", default="threads", choices=("prefork", "threads"), help="Celery's worker pool")
    parser.add_argument("--batch", type=int, default=25, help="targets per publish task (SCHEDULING_PUBLISH_BATCH)")
    parser.add_argument("--kills", type=int, default=3, help="random SIGKILLs of a whole worker")
    parser.add_argument("--kill-window", type=float, nargs=2, default=(2.0, 30.0), metavar=("FROM", "TO"))
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--redis-db", type=int, default=12, help="a Redis database this bench may flush")
    parser.add_argument("--keep-database", action="store_true", help="leave the database for inspection")
    parser.add_argument("--no-record", action="store_true", help="print, but leave bench/results alone")
    return parser.parse_args()


def configure(args, var_dir):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="studio.settings.test",
        DATABASE_URL=f"{PG}/{DATABASE}",
        REDIS_URL=f"redis://127.0.0.1:6379/{args.redis_db}",
        POSTFRAME_VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(Path(var_dir) / "media"),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        **{name: str(value) for name, value in DRIVER_SETTINGS.items()},
    )
    DRIVER_SETTINGS["SCHEDULING_PUBLISH_BATCH"] = args.batch  # the driver's dispatcher makes the batches
    os.environ["SCHEDULING_PUBLISH_BATCH"] = str(args.batch)


def main():
    args = parse_args()
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="postframe-bench-") as var_dir:
        configure(args, var_dir)
        database_recreate(DATABASE)
        import django

        django.setup()
        from django.core.management import call_command

        from studio.teams.models import Team
        from tests.fakes.instagram.server import FakeInstagram
        from tests.fakes.linkedin.server import FakeLinkedIn
        from tests.fakes.tiktok.server import FakeTikTok
        from tests.fakes.webhook_receiver.server import WebhookReceiver
        from tests.fakes.x.server import FakeX
        from tests.library import images
        from tests.library.factories import stored_asset
        from tests.processes import free_port, start_web
        from tests.scheduling.exactly_once import count, drive, populate, worker_env

        started, fakes, receiver = [], {}, None
        try:
            call_command("migrate", verbosity=0)
            redis_flush()
            receiver = WebhookReceiver(record=False).start()
            fakes = {
                "instagram": FakeInstagram(record=False).start(),
                "linkedin": FakeLinkedIn(record=False).start(),
                "x": FakeX(record=False).start(),
                "tiktok": FakeTikTok(record=False).start(),
            }
            # The driver's own processes read the fakes' hosts from settings (the read endpoints at connect time).
            from django.conf import settings

            settings.INSTAGRAM_API_URL, settings.LINKEDIN_API_URL = fakes["instagram"].url, fakes["linkedin"].url
            settings.X_API_URL, settings.TIKTOK_API_URL = fakes["x"].url, fakes["tiktok"].url
            port = free_port()
            site = f"http://127.0.0.1:{port}"
            fakes["tiktok"].verified_prefixes = [site]

            teams = [Team.objects.create(name=f"Bench {n}", slug=f"bench-{n}") for n in range(args.teams)]
            squares = {team.pk: stored_asset(team, data=images.png(320, 320), name="square") for team in teams}
            plan = populate(
                teams=teams,
                receiver=receiver,
                fakes=fakes,
                webhook_posts=args.posts - args.platform_posts,
                platform_posts=args.platform_posts,
                image_asset_for=lambda team: squares[team.pk],
            )
            print(f"scheduler: {len(plan)} posts due, {args.platform_posts} of them to the platform fakes", flush=True)
            env = worker_env(receiver=receiver, fakes=fakes, site_url=site, **WORKER_SETTINGS)
            started.append(start_web(env, port))
            total_s, kills, seed = drive(
                env=env,
                workers=args.workers,
                concurrency=args.concurrency,
                pool=args.pool,
                kills=args.kills,
                kill_window=tuple(args.kill_window),
                timeout=args.timeout,
                seed=args.seed,
            )
            result = count(plan, receiver=receiver, fakes=fakes, total_s=total_s, kills=kills, seed=seed)
        finally:
            for process in reversed(started):
                process.stop()
            for fake in [receiver, *fakes.values()]:
                if fake is not None:
                    fake.stop()
            try:
                redis_flush()
            finally:
                if not args.keep_database:
                    database_drop(DATABASE)

    record = {
        "total_s": result.total_s,
        "published": result.published,
        "duplicates": result.duplicates,
        "lost": result.lost,
        "posts": result.targets,
        "platform_posts": args.platform_posts,
        "webhook_redeliveries": result.webhook_redeliveries,
        "kills": result.kills,
        "seed": result.seed,
        "statuses": result.statuses,
        "attempt_outcomes": result.outcomes,
        "unfinished": [list(map(str, row)) for row in result.unfinished],
        "workers": args.workers,
        "concurrency": args.concurrency,
        "pool": args.pool,
        "settings": {**WORKER_SETTINGS, **DRIVER_SETTINGS},
        "target_total_s": TARGET_S,
        "meets_target": result.total_s <= TARGET_S and result.lost == 0 and result.duplicates == 0,
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(record, indent=2))
    if not args.no_record:
        RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    return asdict(result)


if __name__ == "__main__":
    main()
