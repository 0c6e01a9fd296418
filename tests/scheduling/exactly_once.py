"""The exactly-once run shared by tests/integration/test_scheduling_exactly_once.py and bench/scheduler.py: many posts
due at once over real Celery workers that get SIGKILLed at random, counted afterwards by the fakes themselves.

The driver plays the beat: it calls the dispatcher's services (dispatch_due, unconfirmed_check) every `tick`
seconds in this process, as the beat's tasks would, and kills and restarts workers meanwhile. Every recovery the run
relies on lives in the database (leases, stale attempts, confirmations), not in the broker's redelivery.
"""

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from scheduling import dispatch
from scheduling.channels import channel_connect_token
from scheduling.models import Post, PostMedia, PostTarget, PublishAttempt
from tests.processes import start_worker
from tests.scheduling.scheduled import webhook_channel

PLATFORMS = ("instagram", "linkedin", "x", "tiktok")
OPEN = (
    PostTarget.Status.PENDING,
    PostTarget.Status.DEFERRED,
    PostTarget.Status.PUBLISHING,
    PostTarget.Status.UNCONFIRMED,
)


@dataclass
class Planned:
    target_id: int
    platform: str
    key: str  # what the fake counts by: the delivery id for the webhook, the caption for the platforms


@dataclass
class RunResult:
    total_s: float
    targets: int
    published: int
    duplicates: int  # extra copies live on a platform (a post published twice)
    lost: int  # targets that never reached their fake
    webhook_redeliveries: int  # repeats with the same delivery id that the receiver de-duplicated (safe by design)
    kills: int
    statuses: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)
    seed: int = 0
    unfinished: list = field(default_factory=list)  # (platform, status, message) of targets not published


def populate(*, teams, receiver, fakes, webhook_posts, platform_posts, image_asset_for, accounts_per_platform=1):
    """Channels for each team (a webhook and, for each fake, `accounts_per_platform` accounts) and the posts, all
    due a minute ago, spread round-robin. Returns the plan: one Planned per target."""
    run = uuid.uuid4().hex[:8]
    hooks, platform_channels = [], []
    for n, team in enumerate(teams):
        hooks.append(webhook_channel(team, receiver, name=f"team{n}"))
        for platform in PLATFORMS:
            fake = fakes[platform]
            for a in range(accounts_per_platform):
                account = f"{90000000 + n * 100 + a}" if platform != "linkedin" else f"urn:li:person:bench{n}x{a}"
                token = fake.issue_token(account)
                extra = {"account_id": f"tiktok-{n}-{a}", "name": f"TikTok {n}-{a}"} if platform == "tiktok" else {}
                platform_channels.append(
                    channel_connect_token(team=team, user=None, platform=platform, access_token=token, **extra)
                )
    due = timezone.now() - timedelta(seconds=60)
    posts, targets, media, plan_keys = [], [], [], []

    def add(channel, number):
        caption = f"Post {number} of run {run} for {channel.platform}"
        post = Post(team=channel.team, caption=caption, status=Post.Status.SCHEDULED, publish_at=due)
        external = f"pf-{uuid.uuid4().hex}"
        posts.append(post)
        options = {"privacy_level": "SELF_ONLY"} if channel.platform == "tiktok" else {}
        targets.append((post, channel, external, options))
        plan_keys.append((channel.platform, external if channel.platform == "webhook" else caption))

    for number in range(webhook_posts):
        add(hooks[number % len(hooks)], number)
    for number in range(platform_posts):
        add(platform_channels[number % len(platform_channels)], webhook_posts + number)
    Post.objects.bulk_create(posts, batch_size=1000)
    rows = []
    for post, channel, external, options in targets:
        rows.append(PostTarget(post=post, channel=channel, external_id=external, options=options))
        if channel.platform in ("instagram", "tiktok"):
            asset = image_asset_for(channel.team)
            media.append(PostMedia(post=post, asset=asset, asset_name=asset.name, position=0))
    PostTarget.objects.bulk_create(rows, batch_size=1000)
    PostMedia.objects.bulk_create(media, batch_size=1000)
    return [Planned(row.pk, platform, key) for row, (platform, key) in zip(rows, plan_keys, strict=True)]


def drive(
    *,
    env,
    workers=2,
    concurrency=2,
    pool=None,
    kills=3,
    kill_window=(1.0, 10.0),
    tick=1.0,
    confirm_every=3.0,
    timeout=120.0,
    seed=None,
    log=print,
):
    """Run workers until no target is open (or `timeout`), SIGKILLing a random worker `kills` times at random
    moments inside `kill_window` (seconds after the first dispatch) and starting a fresh one in its place. `pool` is
    Celery's (None: prefork), with `concurrency` children or threads per worker."""
    seed = seed if seed is not None else random.SystemRandom().randrange(1 << 30)
    rng = random.Random(seed)
    log(f"seed {seed}")
    running = [None] * workers
    starting = [
        threading.Thread(
            target=lambda n=n: running.__setitem__(
                n, start_worker(env, name=f"sched-{n}", concurrency=concurrency, pool=pool)
            )
        )
        for n in range(workers)
    ]
    for thread in starting:
        thread.start()
    for thread in starting:
        thread.join(timeout=90)
    if None in running:
        raise RuntimeError("a worker did not start")
    everyone = list(running)
    moments = sorted(rng.uniform(*kill_window) for _ in range(kills))
    restarts, killed = [], 0

    def restart(slot, generation):
        fresh = start_worker(env, name=f"sched-{slot}-{generation}", concurrency=concurrency, pool=pool)
        running[slot] = fresh
        everyone.append(fresh)

    started = time.monotonic()
    last_confirm = last_report = started
    try:
        while True:
            now = time.monotonic()
            dispatch.dispatch_due()
            if now - last_confirm >= confirm_every:
                dispatch.unconfirmed_check()
                last_confirm = now
            alive = [slot for slot in range(workers) if running[slot].process.poll() is None]
            if moments and now - started >= moments[0] and alive:
                moments.pop(0)
                slot = rng.choice(alive)  # a worker still starting after the last kill is left to start
                victim = running[slot]
                victim.kill()
                killed += 1
                log(f"{now - started:5.1f}s killed {victim.name}")
                thread = threading.Thread(target=restart, args=(slot, killed), daemon=True)
                thread.start()
                restarts.append(thread)
            if now - last_report >= 5:
                log(f"{now - started:5.1f}s {PostTarget.objects.filter(status__in=OPEN).count()} still open")
                last_report = now
            if not PostTarget.objects.filter(status__in=OPEN).exists() and not moments:
                break
            if now - started > timeout:
                log(f"gave up after {timeout}s")
                break
            time.sleep(tick)
        return time.monotonic() - started, killed, seed
    finally:
        for thread in restarts:
            thread.join(timeout=60)
        for worker in everyone:
            worker.stop()


def count(plan, *, receiver, fakes, total_s, kills, seed):
    """What the fakes say happened to each planned target."""
    published = duplicates = lost = 0
    for item in plan:
        if item.platform == "webhook":
            times = receiver.deliveries[item.key]
        else:
            times = fakes[item.platform].published[item.key]
        published += times >= 1
        duplicates += max(0, times - 1)
        lost += times == 0
    statuses = Counter(PostTarget.objects.filter(pk__in=[p.target_id for p in plan]).values_list("status", flat=True))
    outcomes = Counter(
        PublishAttempt.objects.filter(target_id__in=[p.target_id for p in plan]).values_list("outcome", flat=True)
    )
    return RunResult(
        total_s=round(total_s, 2),
        targets=len(plan),
        published=published,
        duplicates=duplicates,
        lost=lost,
        webhook_redeliveries=sum(receiver.duplicates.values()),
        kills=kills,
        statuses=dict(statuses),
        outcomes=dict(outcomes),
        seed=seed,
        unfinished=list(
            PostTarget.objects.filter(pk__in=[p.target_id for p in plan])
            .exclude(status=PostTarget.Status.PUBLISHED)
            .values_list("channel__platform", "status", "message", "next_attempt_at", "updated_at")[:20]
        ),
    )


def worker_env(*, receiver, fakes, site_url, **extra):
    """What the workers need beside the test database: the fakes' hosts, short timeouts, the media links' host."""
    from tests.processes import child_environment

    settings = {
        "INSTAGRAM_API_URL": fakes["instagram"].url,
        "LINKEDIN_API_URL": fakes["linkedin"].url,
        "X_API_URL": fakes["x"].url,
        "TIKTOK_API_URL": fakes["tiktok"].url,
        "LINKEDIN_VERSION": "202611",
        "SITE_URL": site_url,
        "SCHEDULING_PUBLISH_TIMEOUT": 4,
        "SCHEDULING_POLL_INTERVAL_MS": 50,
        "LOG_LEVEL": "WARNING",
    }
    return child_environment(**{**settings, **extra})
