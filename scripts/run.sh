#!/usr/bin/env bash
# Serves the whole studio in the foreground: prepares the database and the demo login, then honcho runs the
# Procfile's web (daphne: HTTP + websockets), worker and beat, and a private Redis when none answers.
# Ctrl-C stops them all; one that dies stops the rest, with its output above.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-studio.settings.dev}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
export HOST=${HOST:-127.0.0.1}
export PORT=${PORT:-8000}
export PYTHONUNBUFFERED=1
# honcho hands each process a PORT of its own; daphne gets the studio's through these.
export POSTFRAME_BIND=$HOST POSTFRAME_WEB_PORT=$PORT
mkdir -p var/log var/redis

case "$HOST" in
  127.0.0.1|localhost|::1) ;;
  *)
    if [[ "${DEBUG:-}" =~ ^(1|true|yes|on)$ ]]; then
      echo "Refusing to serve on $HOST with DEBUG=$DEBUG: debug pages would show code and settings to other machines." >&2
      exit 2
    fi
    echo "Serving on $HOST, reachable from other machines: DEBUG is off. Set SITE_URL to the address people use."
    ;;
esac

redis_answers() { $BIN/python -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()" "$1" >/dev/null 2>&1; }

processes=(web worker beat)
if ! redis_answers "$REDIS_URL"; then
  if ! command -v redis-server >/dev/null; then
    echo "Postframe needs Redis: nothing answers at $REDIS_URL and redis-server is not installed. Install it (apt-get install redis-server) or set REDIS_URL." >&2
    exit 1
  fi
  export POSTFRAME_PRIVATE_REDIS_PORT=${POSTFRAME_PRIVATE_REDIS_PORT:-6390}
  export REDIS_URL="redis://127.0.0.1:$POSTFRAME_PRIVATE_REDIS_PORT/0"
  echo "Nothing answers at the Redis URL; a private Redis starts on 127.0.0.1:$POSTFRAME_PRIVATE_REDIS_PORT."
  processes+=(redis)
fi

$BIN/python manage.py migrate --noinput
$BIN/python manage.py check --database default --fail-level ERROR
$BIN/python manage.py seed_demo

echo "Starting Postframe at http://$HOST:$PORT (Ctrl-C stops it)"
exec $BIN/honcho start -f Procfile "${processes[@]}"
