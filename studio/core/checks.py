"""System checks about the deployment: enough PostgreSQL connections for every process's pool."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import connections


def connection_budget():
    """(connections the studio may open at most, the processes counted) from the pool size and process counts.

    Each daphne replica and each Celery worker process keeps its own pool; beat opens one connection.
    """
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    per_process = pool.get("max_size", 10) if isinstance(pool, dict) else 1
    web = settings.POSTFRAME_WEB_REPLICAS
    workers = settings.CELERY_CONCURRENCY
    return per_process * (web + workers) + 1, {"web": web, "workers": workers, "pool": per_process}


@register(Tags.database)
def postgres_connections_check(app_configs=None, databases=None, **kwargs):
    """Warns when web replicas × pool + worker processes × pool could exceed PostgreSQL's max_connections."""
    if not databases or "default" not in databases:
        return []
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute("SHOW superuser_reserved_connections")
        limit -= int(cursor.fetchone()[0])
    needed, counts = connection_budget()
    if needed <= limit:
        return []
    return [
        Warning(
            f"Postframe may open {needed} PostgreSQL connections ({counts['web']} web replica(s) and "
            f"{counts['workers']} worker process(es), each with a pool of up to {counts['pool']}, plus beat), "
            f"but the server allows {limit}.",
            hint="Lower DATABASE_POOL_MAX_SIZE, POSTFRAME_WEB_REPLICAS or CELERY_CONCURRENCY, or raise PostgreSQL's "
            "max_connections (or put PgBouncer in front of it).",
            id="postframe.W001",
        )
    ]
