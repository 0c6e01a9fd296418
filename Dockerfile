# Postframe's image: one build serves web (daphne), worker and beat; docker-compose.yml picks the command.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=studio.settings.prod POSTFRAME_VAR_DIR=/var/lib/postframe

RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /app postframe \
    && mkdir -p /var/lib/postframe && chown postframe /var/lib/postframe

WORKDIR /app
COPY requirements/run.txt requirements/run.txt
RUN pip install --no-cache-dir -r requirements/run.txt
COPY --chown=postframe . .
# collectstatic needs settings to import; these throwaway values never reach a running container.
RUN SECRET_KEY=build-only-$(head -c 40 /dev/urandom | od -An -tx1 | tr -d ' \n') \
    POSTFRAME_FERNET_KEYS=YnVpbGQtb25seS1wb3N0ZnJhbWUtZmVybmV0LWtleTA= \
    python manage.py collectstatic --noinput

USER postframe
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "--proxy-headers", "studio.asgi:application"]
