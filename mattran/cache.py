"""The shared cache's backend: Django's Redis cache that fails fast while Redis is away.

Each call has a one-second socket timeout (settings); after a failed call the process fails every
call at once for ``OUTAGE_SECONDS`` instead of waiting a second on each, so a frozen or unreachable
Redis costs a request about one second, once. Callers treat a failure as "no cache"
(``reports/cache.py``).
"""
import time

from django.core.cache.backends.redis import RedisCache

OUTAGE_SECONDS = 15.0


class CacheUnavailable(ConnectionError):
    pass


class FailFastRedisCache(RedisCache):
    _down_until = 0.0  # per process, shared by every thread

    def _guarded(self, name, *args, **kwargs):
        if time.monotonic() < FailFastRedisCache._down_until:
            raise CacheUnavailable("the cache failed a moment ago; not tried again yet")
        try:
            return getattr(super(), name)(*args, **kwargs)
        except Exception:
            FailFastRedisCache._down_until = time.monotonic() + OUTAGE_SECONDS
            raise


def _guard(name):
    def method(self, *args, **kwargs):
        return self._guarded(name, *args, **kwargs)

    method.__name__ = name
    return method


for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear"):
    setattr(FailFastRedisCache, _name, _guard(_name))
