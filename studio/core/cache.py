"""The cache backend: Django's Redis cache with one client, and so one connection pool, per process.

Django makes a cache object per thread, and under ASGI every request runs in a thread of its own, so the stock
backend opened a new Redis connection (and built a new client) for every request: more CPU than the rest of a
cached page. redis-py's clients and pools are thread-safe and notice a fork, so one per process is enough.
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

_clients = {}
_lock = threading.Lock()


class _ReusedClient(RedisCacheClient):
    """Keeps the redis.Redis object of each pool instead of building one for every command."""

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._redis = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._redis.get(index)
        if client is None:
            client = self._redis[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class SharedRedisCache(RedisCache):
    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            if key not in _clients:
                _clients[key] = _ReusedClient(self._servers, **self._options)
            return _clients[key]
