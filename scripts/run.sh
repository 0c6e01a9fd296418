#!/usr/bin/env bash
# Serves the whole studio in the foreground: the web server (uvicorn workers: HTTP + websockets), one Celery
# worker and one beat.
# Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-studio.settings.dev}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var/log

pids=()
stop() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo; echo "Stopping Postframe..."
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap stop INT TERM EXIT

redis_answers() { $BIN/python -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()" "$1" >/dev/null 2>&1; }

if ! redis_answers "$REDIS_URL"; then
  if command -v redis-server >/dev/null; then
    private_port=${POSTFRAME_PRIVATE_REDIS_PORT:-6390}
    echo "Nothing answers at $REDIS_URL; starting a private Redis on 127.0.0.1:$private_port (data in var/redis)."
    mkdir -p var/redis
    redis-server --bind 127.0.0.1 --port "$private_port" --save "" --appendonly no --dir var/redis \
      --logfile "$PWD/var/log/redis.log" &
    pids+=($!)
    export REDIS_URL="redis://127.0.0.1:$private_port/0"
    for _ in $(seq 50); do redis_answers "$REDIS_URL" && break; sleep 0.1; done
    redis_answers "$REDIS_URL" || { echo "The private Redis did not start; see var/log/redis.log." >&2; exit 1; }
  else
    echo "Postframe needs Redis: nothing answers at $REDIS_URL and redis-server is not installed. Install it (apt-get install redis-server) or set REDIS_URL." >&2
    exit 1
  fi
fi

$BIN/python manage.py migrate --noinput
$BIN/python manage.py seed_demo

echo "Starting Postframe at http://$HOST:$PORT (Ctrl-C stops it)"
$BIN/celery -A studio worker --loglevel=INFO --concurrency="${CELERY_CONCURRENCY:-2}" --hostname="postframe@%h" &
pids+=($!)
$BIN/celery -A studio beat --loglevel=INFO --scheduler=studio.celery.HeartbeatScheduler \
  --schedule=var/celerybeat-schedule &
pids+=($!)
WEB_ACCESS_LOG=${WEB_ACCESS_LOG:-true} $BIN/python -m studio.web --host "$HOST" --port "$PORT" &
pids+=($!)

# Whichever process ends first ends the studio, so a crash is never silent.
set +e
wait -n "${pids[@]}"
status=$?
echo "A Postframe process stopped (exit $status); shutting the rest down." >&2
exit $status
