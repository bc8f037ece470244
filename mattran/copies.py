"""Per-process copies of what pages read on every request and what changes rarely, checked against the
database on every use: the catalogue (plans, programs, indicators, targets, campaigns, forms) and the
unit tree (a unit's children on a day, its units counted by kind).

Reading these again on every request was most of a page's queries (6 of the dashboard's 15). Each copy
is kept with the token its source had in ``mattran.CopyVersion`` when it was read; database triggers on
every table of a source give that source's row a new random token in the same transaction as any
write to them (admin saves, bulk actions, imports, migrations, raw SQL: all of them; see the
migrations ``mattran.0009_tree_copy_triggers`` and ``reports.0014_catalogue_copy_triggers``). A copy is
served only while its source's token is still the one the database shows, so a page never sees data
older than its own reads:

- the token is read before the rows, so a change committed between the two leaves a copy newer than
  its token, read again at the next request, never an older one under a newer token;
- a transaction that writes a source sees its own new token, and no other connection sees that token
  until it commits; a rollback puts the old token back with the old rows.

The tokens (one query for all sources) are read once per GET or HEAD request, the first time a copy is
wanted; in other requests and outside requests (tasks, commands) at every use, since those may change
a source and read it after, except within ``tokens_read_once``.

Copies are shared by the threads of a process and must be treated as read-only: an accessor returns a
tuple or a mapping, and the model instances in it must not be changed by the code that reads them.
"""
from __future__ import annotations

import contextlib
import functools
import threading

from django.core.signals import request_finished, request_started
from django.db import connection

CATALOGUE = 1  # CopyVersion row of the catalogue's tables
TREE = 2  # CopyVersion row of the unit tree's tables
SAFE_METHODS = frozenset({"GET", "HEAD"})
KEYED_COPIES_KEPT = 256  # per keyed accessor and token: a page reads a few keys (its unit, a day)
_UNREAD = object()

_copies: dict[str, tuple[int, dict]] = {}  # name → (token, {arguments: value}), shared by the process's threads
_request = threading.local()  # .tokens: this request's tokens (GET/HEAD only), or absent


def read_tokens() -> dict[int, int]:
    """Every source's token (one query); a source without its row (a flushed test database) is absent."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, token FROM mattran_copyversion")
        return dict(cursor.fetchall())


def token_of(source: int) -> int | None:
    tokens = getattr(_request, "tokens", None)
    if tokens is _UNREAD:
        tokens = _request.tokens = read_tokens()
    elif tokens is None:
        tokens = read_tokens()
    return tokens.get(source)


@contextlib.contextmanager
def tokens_read_once():
    """Within the block the tokens are read once, the first time a copy is wanted, as in a GET
    request: for work that reads several copies and writes none of their sources (a submission's
    recompute: the tree and the catalogue around it, for one token query). Inside a GET request it
    changes nothing."""
    if "tokens" in _request.__dict__:  # a GET request's, or an enclosing block's
        yield
        return
    _request.tokens = _UNREAD
    try:
        yield
    finally:
        _request.__dict__.pop("tokens", None)


def cached_per_key(name: str, source: int = TREE):
    """Decorate a loader of hashable arguments to serve the process's copy of its result for those
    arguments, under its source's current token; at most ``KEYED_COPIES_KEPT`` of them (all are dropped
    when more are wanted). The loader must read only the tables of ``source`` (those its triggers
    watch), or its copy can be stale."""

    def decorate(loader):
        @functools.wraps(loader)
        def get(*key):
            token = token_of(source)
            if token is None:
                return loader(*key)
            copy = _copies.get(name)
            if copy is None or copy[0] != token or len(copy[1]) >= KEYED_COPIES_KEPT and key not in copy[1]:
                copy = (token, {})
                _copies[name] = copy
            values = copy[1]
            if key not in values:
                values[key] = loader(*key)
            return values[key]

        return get

    return decorate


def cached(name: str, source: int = CATALOGUE):
    """:func:`cached_per_key` for a loader without arguments (returning a tuple)."""
    return cached_per_key(name, source)


def _on_request_started(sender, environ=None, **kwargs):
    if (environ or {}).get("REQUEST_METHOD", "") in SAFE_METHODS:
        _request.tokens = _UNREAD
    else:
        _request.__dict__.pop("tokens", None)


def _on_request_finished(sender, **kwargs):
    _request.__dict__.pop("tokens", None)


request_started.connect(_on_request_started, dispatch_uid="mattran.copies.request_started")
request_finished.connect(_on_request_finished, dispatch_uid="mattran.copies.request_finished")
