"""One active Celery beat in the whole deployment, however many hosts start one.

Each host may run ``celery beat`` (``make serve`` does); only the beat holding a PostgreSQL
advisory lock sends scheduled tasks, the others stand by and check every few seconds. The lock
belongs to a database session of its own, so it is freed when its beat stops or loses its
connection, and a standby beat takes over. Without PostgreSQL (the SQLite demo) there is one
process anyway and no lock is taken.
"""
from __future__ import annotations

import logging

from django.db import DatabaseError, connections
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

BEAT_LOCK = (4242, 0)  # (namespace, key); the year locks of the target computation use (4242, year)
STANDBY_SECONDS = 5.0


class SchedulerLock:
    """A session-level advisory lock on a connection of its own (never the one Django recycles)."""

    def __init__(self, alias: str = "default"):
        self.alias = alias
        self.connection = None
        self.held = False

    def acquire(self) -> bool:
        if connections[self.alias].vendor != "postgresql":
            return True
        try:
            if self.connection is None:
                self.connection = connections.create_connection(self.alias)
            with self.connection.cursor() as cursor:
                # Re-entrant for the holder; it also proves the session (and so the lock) is alive.
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", list(BEAT_LOCK))
                held = bool(cursor.fetchone()[0])
        except DatabaseError:
            logger.warning("beat: the scheduler lock's connection failed; reconnecting", exc_info=True)
            self.release()
            held = False
        if held != self.held:
            logger.warning("beat: %s", "this beat now sends the schedule" if held else "standing by (another beat sends)")
        self.held = held
        return held

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except DatabaseError:
                pass
        self.connection, self.held = None, False


class LockedDatabaseScheduler(DatabaseScheduler):
    """django-celery-beat's database scheduler that sends only while it holds the scheduler lock."""

    def __init__(self, *args, **kwargs):
        self.scheduler_lock = SchedulerLock()
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        if not self.scheduler_lock.acquire():
            return STANDBY_SECONDS
        return min(super().tick(*args, **kwargs), STANDBY_SECONDS)

    def close(self):
        try:
            super().close()
        finally:
            self.scheduler_lock.release()
