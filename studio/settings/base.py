"""Settings shared by every environment; each value comes from the environment with a typed default."""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from studio.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("POSTFRAME_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where `make run` serves; SITE_URL (the address in links and e-mails, and the Sites framework's domain) follows
# them unless set.
HOST = env_str("HOST", "127.0.0.1")
PORT = env_int("PORT", 8000)
_URL_HOST = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(HOST, f"[{HOST}]" if ":" in HOST else HOST)  # noqa: S104
SITE_URL = env_str("SITE_URL", f"http://{_URL_HOST}:{PORT}")

INSTALLED_APPS = [
    # First, so `manage.py runserver` serves websockets through daphne too.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.postgres",
    "django_htmx",
    "channels",
    "allauth",
    "allauth.account",
    "studio.core",
    "studio.teams",
    "studio.credits",
    "studio.engines",
    "ninja",
    "studio.api",
    "library",
    "studio.generation",
    "influencers",
    "slides",
    "studio.video",
    "scheduling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "studio.teams.middleware.CurrentTeamMiddleware",
]

ROOT_URLCONF = "studio.urls"
ASGI_APPLICATION = "studio.asgi.application"
SITE_ID = 1

# Parsed templates stay in memory (Django's cached loader) unless DEBUG is on, where edits show on the next request;
# TEMPLATE_CACHE=true/false overrides that either way.
_TEMPLATE_LOADERS = ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "loaders": [("django.template.loaders.cached.Loader", _TEMPLATE_LOADERS)]
            if env_bool("TEMPLATE_CACHE", not DEBUG)
            else _TEMPLATE_LOADERS,
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studio.teams.context_processors.current_team",
                "studio.credits.context_processors.credits_balance",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'postframe.sqlite3'}"),
        # Seconds a connection is kept between requests, checked before reuse; only where no pool is used below.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}
# SQLite, the zero-configuration local database, shared by the web server and the worker: WAL lets readers go on
# while one writes, a writer waits for the lock (up to the timeout) instead of failing with "database is locked",
# and IMMEDIATE takes the write lock when a transaction starts, so two transactions that read and then write
# never deadlock into an error (Django's documented SQLite options).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
        }
    )
# On PostgreSQL a psycopg pool (psycopg-pool, as Django's `pool` option) lends each request an open connection and
# checks it before lending (ConnectionPool.check_connection), so one that PostgreSQL dropped is replaced rather than
# failing a request. Sizes are per process (each daphne, each Celery worker process): keep their product below
# PostgreSQL's max_connections (see the README; `manage.py check` warns). DATABASE_POOL=false opens a connection
# per request instead.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_POOL", True):
    from psycopg_pool import ConnectionPool

    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1),
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10),
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        "check": ConnectionPool.check_connection,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "postframe",
    }
}

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # A socket timeout above the layer's 5 s blocking receive: redis-py 8's default of 5 s would end every
        # quiet websocket (a long job's page) with an error at the fifth silent second.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}], "prefix": "postframe:channels"},
    }
}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# How many processes the deployment runs: worker processes per Celery worker (make run's Procfile and compose pass
# it to celery) and daphne replicas; with the pool size they bound the PostgreSQL connections (studio/core/checks.py).
CELERY_CONCURRENCY = env_int("CELERY_CONCURRENCY", 2)
POSTFRAME_WEB_REPLICAS = env_int("POSTFRAME_WEB_REPLICAS", 1)
# Celery's Django fixup closes a worker's database connections around every task, and in a prefork worker the
# whole connection pool with them, so each job would open new connections. With this it does so only every this
# many tasks; in between, each task still starts on a checked connection (studio/celery.py).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 100)
# A key prefix on the broker keeps apart several installs, or test runs, that share one Redis database.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 900),
    "global_keyprefix": env_str("CELERY_BROKER_KEY_PREFIX", ""),
}
# Publishing posts has a queue of its own, so the beat's dispatch ticks and other apps' tasks never wait behind a
# backlog of posts going out. A worker started without -Q consumes every queue listed here; the Procfile, compose
# and the tests' workers name them (-Q celery,scheduling), and a deployment may give "scheduling" workers of its own.
CELERY_TASK_QUEUES = {"celery": {}, "scheduling": {}}
CELERY_TASK_ROUTES = {
    "scheduling.publish": {"queue": "scheduling"},
    "scheduling.confirm": {"queue": "scheduling"},
    "scheduling.comment": {"queue": "scheduling"},
    "scheduling.comment_confirm": {"queue": "scheduling"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Fails generation jobs whose worker went silent and returns their credits.
    "generation-sweep": {"task": "generation.sweep", "schedule": 30.0},
    # Removes library files that no asset refers to (an ingest rolled back by its caller, a process killed).
    "library-orphan-files-sweep": {"task": "library.orphan_files_sweep", "schedule": 3600.0},
    # Removes brand-kit font files that no font refers to (an upload rolled back, a delete whose file removal failed).
    "slides-font-files-sweep": {"task": "slides.font_files_sweep", "schedule": 3600.0},
    # Forgets Idempotency-Key answers of the JSON API once they are 24 hours old.
    "api-idempotency-keys-expire": {"task": "api.idempotency_keys_expire", "schedule": 3600.0},
    # Scores influencer outputs whose drift score never came (a lost task, a killed worker).
    "influencers-drift-scores-sweep": {"task": "influencers.drift_scores_sweep", "schedule": 300.0},
    # Takes up video shots whose next step is long overdue (a lost task, a killed worker) and unfinished stitches.
    "video-sweep": {"task": "video.sweep", "schedule": 60.0},
    # Scheduling: claims due posts (publish_at lives in the database, never in a Celery ETA) every few seconds;
    # checks unconfirmed ones against the platforms; finds posts left behind; refreshes tokens ahead of expiry.
    "scheduling-dispatch": {"task": "scheduling.dispatch", "schedule": 5.0},
    "scheduling-unconfirmed-check": {"task": "scheduling.unconfirmed_check", "schedule": 60.0},
    "scheduling-sweep": {"task": "scheduling.sweep", "schedule": 3600.0},
    "scheduling-tokens-refresh": {"task": "scheduling.tokens_refresh", "schedule": 900.0},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env_str("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")
# Wrong passwords lock the account being guessed (5 in 5 minutes, keyed by the address typed), not everyone behind
# the same IP: a team signs in through one office proxy. The per-IP ceilings are generous and only stop a flood.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/key,100/5m/ip",
    "login": "100/m/ip",
}

# Mail: SMTP when EMAIL_HOST is configured; dev prints to the console (EMAIL_BACKEND picks another backend).
EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        }
        if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Postframe <postframe@localhost>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# The asset library's files: local under MEDIA_ROOT by default, never on a public URL (no media route; a
# team-scoped view streams them); a private S3-compatible bucket with short-lived signed URLs when a bucket is set.
POSTFRAME_S3_BUCKET = env_str("POSTFRAME_S3_BUCKET", "")
POSTFRAME_S3_ENDPOINT_URL = env_str("POSTFRAME_S3_ENDPOINT_URL", "")
POSTFRAME_S3_REGION = env_str("POSTFRAME_S3_REGION", "")
POSTFRAME_S3_URL_EXPIRY = env_int("POSTFRAME_S3_URL_EXPIRY", 300)
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID", "")
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY", "")
# Seconds a rendered page of the library grid stays cached (any change to the team's library drops it at once;
# see library/grid_cache.py); 0 renders every request afresh.
POSTFRAME_LIBRARY_CACHE_SECONDS = env_int("POSTFRAME_LIBRARY_CACHE_SECONDS", 600)
# Age after which a stored library file that no asset refers to is removed by the hourly sweep; far longer than
# any transaction that writes a file before its row commits.
POSTFRAME_ORPHAN_FILE_GRACE_SECONDS = env_int("POSTFRAME_ORPHAN_FILE_GRACE_SECONDS", 6 * 3600)
POSTFRAME_UPLOAD_MAX_BYTES = env_int("POSTFRAME_UPLOAD_MAX_BYTES", 50 * 1024 * 1024)
POSTFRAME_UPLOAD_MAX_PIXELS = env_int("POSTFRAME_UPLOAD_MAX_PIXELS", 40_000_000)


def _s3_image_origins():
    """Where the browser fetches presigned asset URLs from, so img-src can allow exactly that."""
    if not POSTFRAME_S3_BUCKET:
        return []
    if POSTFRAME_S3_ENDPOINT_URL:
        from urllib.parse import urlsplit

        parts = urlsplit(POSTFRAME_S3_ENDPOINT_URL)
        return [f"{parts.scheme}://{parts.netloc}"]
    regional = [f"https://{POSTFRAME_S3_BUCKET}.s3.{POSTFRAME_S3_REGION}.amazonaws.com"] if POSTFRAME_S3_REGION else []
    return [f"https://{POSTFRAME_S3_BUCKET}.s3.amazonaws.com", *regional]


# Strict CSP: no inline script, no eval; scripts carry the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:", *_s3_image_origins()],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Sessions are read from the cache (Redis) and written through to the database, so every request is spared a
# query and a cleared cache signs nobody out; SESSION_ENGINE picks another of Django's engines.
SESSION_ENGINE = env_str("SESSION_ENGINE", "django.contrib.sessions.backends.cached_db")
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"

# Provider keys are encrypted with Fernet keys kept apart from SECRET_KEY; the first key encrypts,
# all of them decrypt, so keys can rotate (see `manage.py rotate_provider_keys`).
POSTFRAME_FERNET_KEYS = env_list("POSTFRAME_FERNET_KEYS", [])

# Instance-wide provider keys, used when a team has set none of its own.
OPENAI_API_KEY = env_str("OPENAI_API_KEY", "")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL", "")
# The mainline model that drives the Responses API's image_generation tool for refinable results and
# multi-turn refinement (OpenAI's image generation tool guide uses gpt-5); the tool itself runs the image model.
POSTFRAME_RESPONSES_MODEL = env_str("POSTFRAME_RESPONSES_MODEL", "gpt-5")

# --- Video (studio/video): Kling signs a JWT per request with an access key and a secret key; Ark takes a Bearer key.
KLING_BASE_URL = env_str("KLING_BASE_URL", "https://api-singapore.klingai.com")
KLING_ACCESS_KEY = env_str("KLING_ACCESS_KEY", "")
KLING_SECRET_KEY = env_str("KLING_SECRET_KEY", "")
ARK_API_KEY = env_str("ARK_API_KEY", "")
ARK_BASE_URL = env_str("ARK_BASE_URL", "https://ark.ap-southeast.bytepluses.com/api/v3")
# The pipeline (studio/video/services.py): how many shots of one team may be at each provider at once; the first
# lookup's delay in seconds (backing off to the maximum; the offline animator is looked at sooner); how long a
# submit may go unanswered before another worker looks its task up by external id and takes it over; how overdue a
# shot's step or a stitch must be before the sweep takes it up; the OpenAI text model that writes shot lists.
VIDEO_KLING_CONCURRENCY = env_int("VIDEO_KLING_CONCURRENCY", 3)
VIDEO_ARK_CONCURRENCY = env_int("VIDEO_ARK_CONCURRENCY", 3)
VIDEO_LOCAL_CONCURRENCY = env_int("VIDEO_LOCAL_CONCURRENCY", 2)
VIDEO_POLL_SECONDS = env_int("VIDEO_POLL_SECONDS", 3)
VIDEO_POLL_MAX_SECONDS = env_int("VIDEO_POLL_MAX_SECONDS", 30)
VIDEO_SUBMIT_STALE_SECONDS = env_int("VIDEO_SUBMIT_STALE_SECONDS", 60)
VIDEO_STEP_GRACE_SECONDS = env_int("VIDEO_STEP_GRACE_SECONDS", 120)
VIDEO_STITCH_GRACE_SECONDS = env_int("VIDEO_STITCH_GRACE_SECONDS", 600)
VIDEO_SHOTLIST_MODEL = env_str("VIDEO_SHOTLIST_MODEL", "gpt-5-mini")
# --- end of video settings

# --- Scheduling (scheduling/): the platforms' API hosts, real ones by default; tests point them at local fakes.
INSTAGRAM_API_URL = env_str("INSTAGRAM_API_URL", "https://graph.instagram.com")
LINKEDIN_API_URL = env_str("LINKEDIN_API_URL", "https://api.linkedin.com")
X_API_URL = env_str("X_API_URL", "https://api.x.com")
TIKTOK_API_URL = env_str("TIKTOK_API_URL", "https://open.tiktokapis.com")
# OAuth apps (empty: that platform connects only by pasting a token) and their authorize/token endpoints.
INSTAGRAM_CLIENT_ID = env_str("INSTAGRAM_CLIENT_ID", "")
INSTAGRAM_CLIENT_SECRET = env_str("INSTAGRAM_CLIENT_SECRET", "")
INSTAGRAM_OAUTH_URL = env_str("INSTAGRAM_OAUTH_URL", "https://www.instagram.com/oauth/authorize")
INSTAGRAM_TOKEN_URL = env_str("INSTAGRAM_TOKEN_URL", "https://api.instagram.com/oauth/access_token")
LINKEDIN_CLIENT_ID = env_str("LINKEDIN_CLIENT_ID", "")
LINKEDIN_CLIENT_SECRET = env_str("LINKEDIN_CLIENT_SECRET", "")
LINKEDIN_OAUTH_URL = env_str("LINKEDIN_OAUTH_URL", "https://www.linkedin.com/oauth/v2/authorization")
LINKEDIN_TOKEN_URL = env_str("LINKEDIN_TOKEN_URL", "https://www.linkedin.com/oauth/v2/accessToken")
# The monthly LinkedIn API version sent on every call (YYYYMM); LinkedIn answers 426 once a version is sunset.
LINKEDIN_VERSION = env_str("LINKEDIN_VERSION", "202611")
X_CLIENT_ID = env_str("X_CLIENT_ID", "")
X_CLIENT_SECRET = env_str("X_CLIENT_SECRET", "")
X_OAUTH_URL = env_str("X_OAUTH_URL", "https://x.com/i/oauth2/authorize")
X_TOKEN_URL = env_str("X_TOKEN_URL", "https://api.x.com/2/oauth2/token")
TIKTOK_CLIENT_KEY = env_str("TIKTOK_CLIENT_KEY", "")
TIKTOK_CLIENT_SECRET = env_str("TIKTOK_CLIENT_SECRET", "")
TIKTOK_OAUTH_URL = env_str("TIKTOK_OAUTH_URL", "https://www.tiktok.com/v2/auth/authorize/")
TIKTOK_TOKEN_URL = env_str("TIKTOK_TOKEN_URL", "https://open.tiktokapis.com/v2/oauth/token/")
# Publishers: seconds before a platform call counts as unanswered, and how often / how far apart a worker polls
# a platform's processing status before it defers the post instead of holding the worker.
SCHEDULING_PUBLISH_TIMEOUT = env_int("SCHEDULING_PUBLISH_TIMEOUT", 30)
SCHEDULING_POLL_ATTEMPTS = env_int("SCHEDULING_POLL_ATTEMPTS", 5)
SCHEDULING_POLL_INTERVAL_MS = env_int("SCHEDULING_POLL_INTERVAL_MS", 2000)
# The dispatcher (scheduling/dispatch.py): targets leased per claim, how long a leased target waits for its task
# before it is dispatched again, and after how long an attempt still "started" means its worker died (it is then
# confirmed through the platform's read API, never re-sent: keep it above the longest platform call).
SCHEDULING_DISPATCH_BATCH = env_int("SCHEDULING_DISPATCH_BATCH", 200)
SCHEDULING_DISPATCH_LEASE_SECONDS = env_int("SCHEDULING_DISPATCH_LEASE_SECONDS", 120)
# At most this many targets handed out and not yet claimed at once, so the queue drains well inside a lease and a
# message lost with a killed worker is handed out again after the lease, not after the whole backlog.
SCHEDULING_DISPATCH_MAX_QUEUED = env_int("SCHEDULING_DISPATCH_MAX_QUEUED", 1000)
# Targets per publish task: the task claims and publishes them one after the other (each attempt saved before its
# own call). Larger batches spend less on the broker per post; keep a batch's worst case (its platform calls'
# timeouts) well inside the lease, or its last targets are handed out again while it still runs.
SCHEDULING_PUBLISH_BATCH = env_int("SCHEDULING_PUBLISH_BATCH", 10)
SCHEDULING_ATTEMPT_STALE_SECONDS = env_int("SCHEDULING_ATTEMPT_STALE_SECONDS", 300)
# Tries per post and channel (outages, answers confirmed absent) before it fails and waits for a person's Retry;
# the wait after an outage; how many read-API checks an unconfirmed post gets before it is left to a person.
SCHEDULING_MAX_ATTEMPTS = env_int("SCHEDULING_MAX_ATTEMPTS", 3)
SCHEDULING_OUTAGE_RETRY_SECONDS = env_int("SCHEDULING_OUTAGE_RETRY_SECONDS", 300)
SCHEDULING_CONFIRM_MAX_CHECKS = env_int("SCHEDULING_CONFIRM_MAX_CHECKS", 5)
# A post due this long ago whose channel is still waiting is reported lost by the hourly sweep (and dispatched).
SCHEDULING_LATE_SECONDS = env_int("SCHEDULING_LATE_SECONDS", 900)
# How long a signed public media URL (what the platforms fetch) stays valid.
SCHEDULING_MEDIA_LINK_SECONDS = env_int("SCHEDULING_MEDIA_LINK_SECONDS", 3600)
# Webhook channels may POST to receivers on private networks, loopback or link-local addresses only when this is on
# (the server would otherwise reach into its own network for whoever sets a channel up).
SCHEDULING_WEBHOOK_ALLOW_PRIVATE = env_bool("SCHEDULING_WEBHOOK_ALLOW_PRIVATE", False)
# --- end of scheduling settings

# Credits a team created through sign-up starts with.
POSTFRAME_SIGNUP_CREDITS = env_int("POSTFRAME_SIGNUP_CREDITS", 0)
POSTFRAME_INVITATION_DAYS = env_int("POSTFRAME_INVITATION_DAYS", 7)
# Seconds after which a silent worker or beat counts as down in /healthz.
POSTFRAME_HEARTBEAT_STALE_SECONDS = env_int("POSTFRAME_HEARTBEAT_STALE_SECONDS", 60)

# Generation jobs: a running job silent this long is swept (failed, credits returned) or claimed again by a
# redelivered task; a queued one only after the broker's redelivery window; a run stops after the time limit.
POSTFRAME_JOB_STALE_SECONDS = env_int("POSTFRAME_JOB_STALE_SECONDS", 120)
POSTFRAME_JOB_QUEUED_STALE_SECONDS = env_int("POSTFRAME_JOB_QUEUED_STALE_SECONDS", 1800)
POSTFRAME_JOB_TIME_LIMIT_SECONDS = env_int("POSTFRAME_JOB_TIME_LIMIT_SECONDS", 900)
# A pause after each partial frame, so demos and browser tests can watch the offline engine's fast frames.
POSTFRAME_FRAME_PAUSE_MS = env_int("POSTFRAME_FRAME_PAUSE_MS", 0)

# Reference images the API fetches by URL: a byte cap enforced while streaming, a time limit for the whole fetch,
# and internal addresses refused unless this is a closed test network.
POSTFRAME_REMOTE_FETCH_MAX_BYTES = env_int("POSTFRAME_REMOTE_FETCH_MAX_BYTES", 50 * 1024 * 1024)
POSTFRAME_REMOTE_FETCH_TIMEOUT = env_int("POSTFRAME_REMOTE_FETCH_TIMEOUT", 15)
POSTFRAME_REMOTE_FETCH_ALLOW_PRIVATE = env_bool("POSTFRAME_REMOTE_FETCH_ALLOW_PRIVATE", False)
# The largest video file (MP4/MOV) the library keeps: a clip, or a stitched sequence of them.
POSTFRAME_VIDEO_MAX_BYTES = env_int("POSTFRAME_VIDEO_MAX_BYTES", 500 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# The image models' capability table; POSTFRAME_EXTRA_IMAGE_MODELS (JSON) adds or overrides rows, so a
# newer OpenAI image model is a configuration change: {"openai:gpt-image-3": {"label": ..., ...}}.
import json  # noqa: E402

from studio.engines.capabilities import DEFAULT_IMAGE_MODELS  # noqa: E402

POSTFRAME_IMAGE_MODELS = {**DEFAULT_IMAGE_MODELS, **json.loads(env_str("POSTFRAME_EXTRA_IMAGE_MODELS", "{}"))}
