"""A per-process copy of the catalogue (plans, programs, indicators, targets, campaigns, forms), checked
against the database on every use.

The catalogue is read by nearly every page and changes only when an administrator edits it, so
reading it again on every request was most of a page's queries (6 of the dashboard's 15). Each copy
here is kept with the token of ``mattran.CatalogueVersion`` it was read under; database triggers on
every catalogue table give that row a new random token in the same transaction as any write to them
(admin saves, bulk actions, imports, migrations, raw SQL: all of them, see the migration
``reports.0014_catalogue_version_triggers``). A copy is served only while the token it was read under is
still the one the database shows, so a page never sees a catalogue older than its own reads:

- the token is read before the rows, so a change committed between the two leaves a copy newer than
  its token, read again at the next request, never an older one under a newer token;
- a transaction that writes the catalogue sees its own new token, and no other connection sees that
  token until it commits; a rollback puts the old token back with the old rows.

Within one GET or HEAD request the token is read once (the first time a copy is wanted); in other
requests and outside requests (tasks, commands) it is read at every use, since those may change the
catalogue and read it after.

Copies are shared by the threads of a process and must be treated as read-only: an accessor returns a
tuple, and its model instances must not be changed by the code that reads them.
"""
from __future__ import annotations

import functools
import threading

from django.core.signals import request_finished, request_started
from django.db import connection

SAFE_METHODS = frozenset({"GET", "HEAD"})
_UNREAD = object()

_copies: dict[str, tuple[int, object]] = {}  # name → (token, value), shared by the process's threads
_request = threading.local()  # .token: this request's token (GET/HEAD only), or absent


def read_token() -> int | None:
    """The database's catalogue token (one query); None when the row is missing (a flushed test database)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM mattran_catalogueversion WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def current_token() -> int | None:
    token = getattr(_request, "token", None)
    if token is _UNREAD:
        token = _request.token = read_token()
        return token
    if token is not None:
        return token
    return read_token()


def cached(name: str):
    """Decorate a loader of catalogue rows (no arguments, returns a tuple) to serve the process's copy.

    The loader must read only catalogue tables (those the triggers watch), or its copy can be stale."""

    def decorate(loader):
        @functools.wraps(loader)
        def get():
            token = current_token()
            if token is not None:
                copy = _copies.get(name)
                if copy is not None and copy[0] == token:
                    return copy[1]
            value = loader()
            if token is not None:
                _copies[name] = (token, value)
            return value

        get.load = loader  # the uncached read, for tests and tasks that want it
        return get

    return decorate


def forget() -> None:
    """Drop every copy (tests that swap databases)."""
    _copies.clear()


def _on_request_started(sender, environ=None, **kwargs):
    method = (environ or {}).get("REQUEST_METHOD", "")
    if method in SAFE_METHODS:
        _request.token = _UNREAD
    else:
        _request.__dict__.pop("token", None)


def _on_request_finished(sender, **kwargs):
    _request.__dict__.pop("token", None)


request_started.connect(_on_request_started, dispatch_uid="mattran.catalogue.request_started")
request_finished.connect(_on_request_finished, dispatch_uid="mattran.catalogue.request_finished")
