"""The dashboard's cache: rendered pages keyed by scope unit, year, language, day and a DATA VERSION.

The data version changes whenever a figure the dashboard reads may have changed, so a cached page
is never served after a recompute, an approval or a saved plan:

* a token in the shared cache (Redis in production: every gunicorn process and the Celery worker
  see the same one), replaced by :func:`bump_data_version` after the commit of every write to
  ``PlanValue``, ``IndicatorAggregate`` (register counts), ``Submission`` status (completeness)
  and the catalogue (targets, indicators, forms, campaigns, programs, units) and officers' scopes — see
  :func:`connect_signals` and the explicit calls in ``reports.submissions.services``, ``registers.services``
  and ``demo.data``;
* a fingerprint of the ``ComputationRun`` rows (one small query): the target computation updates
  its run row in the same transaction as each batch of ``TargetResult`` rows it writes, and after
  the yearly roll-up of ``IndicatorAggregate``, so a recompute changes the version with no call
  from ``reports.computation`` (on the Celery worker too, whatever its cache).

Pages also expire after ``DASHBOARD_CACHE_SECONDS`` (300 s) as a safety net for writes made with
bulk SQL outside these paths; with no shared cache (no ``CACHE_URL``) it defaults to 0: no page
cache, since one process's bump would not reach the others. Any cache error falls back to
rendering the page uncached.
"""
from __future__ import annotations

import hashlib
import logging
import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

VERSION_KEY = "reports:data-version"
PAGE_PREFIX = "reports:dashboard"


def _new_token() -> str:
    return uuid.uuid4().hex[:16]


def _bump_now() -> None:
    try:
        cache.set(VERSION_KEY, _new_token(), timeout=None)
    except Exception:  # a cache outage must never undo a saved write
        logger.exception("could not bump the dashboard data version")


def bump_data_version() -> None:
    """Declare that dashboard figures changed: a new version now and again once the transaction commits.

    The bump after the commit is the one that matters: a reader that saw that version also sees
    the new rows (one that read the early version before the commit may have cached old rows
    under it; the second bump orphans them). The early bump makes the change visible inside the
    transaction itself (tests run in one that never commits). One bump after commit per transaction.
    """
    _bump_now()
    conn = transaction.get_connection()
    if conn.in_atomic_block and any(entry[1] is _bump_now for entry in conn.run_on_commit):
        return
    transaction.on_commit(_bump_now)


def cache_token() -> str:
    """The shared token; a lost or evicted token is replaced by a fresh one (never an old one)."""
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, _new_token(), timeout=None)
        token = cache.get(VERSION_KEY) or _new_token()
    return token


def runs_fingerprint() -> str:
    """A digest of every ``ComputationRun`` row: it changes with each step of a recompute.

    One small query, in plain SQL (a few rows per kind and year; compiling the ORM query would
    cost more than running it).
    """
    from reports.models import ComputationRun

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, year, status, started_at, finished_at, progress, dirty_since, attempts"  # noqa: S608
            f" FROM {ComputationRun._meta.db_table} ORDER BY kind, year"
        )
        rows = cursor.fetchall()
    return hashlib.blake2b(repr(rows).encode(), digest_size=8).hexdigest()


def data_version() -> str:
    """The version of the figures the dashboard reads: the shared token and the runs' fingerprint."""
    return f"{cache_token()}.{runs_fingerprint()}"


def page_key(*, name: str, unit_id: int, year: int, unit_param: str) -> str:
    """One cached page per view, scope unit, year, ``?unit=`` as typed, language, time zone and day.

    The page is stored with the data version it was rendered at and served only at that version.

    The unit is the page's root, which the view resolved within the user's scope before asking:
    an officer can only ever reach keys of units they may see.
    """
    digest = hashlib.blake2b(unit_param.encode(), digest_size=6).hexdigest()
    return ":".join([
        PAGE_PREFIX, name, str(unit_id), str(year), digest, translation.get_language() or "",
        timezone.get_current_timezone_name(), timezone.localdate().isoformat(),
    ])


def current_version() -> str | None:
    """The data version now, or None when the page cache is off or the cache cannot be reached."""
    if not getattr(settings, "DASHBOARD_CACHE_SECONDS", 0):
        return None
    try:
        return data_version()
    except Exception:
        logger.exception("dashboard cache unavailable; rendering uncached")
        return None


def cached_page(*, name: str, unit_id: int, year: int, unit_param: str, render, version: str | None = None) -> tuple[str, bool]:
    """``(html, hit)``: the cached HTML of the page, or ``render()``'s output, then stored.

    ``version`` is the data version read before anything was rendered (see :func:`current_version`).
    """
    timeout = getattr(settings, "DASHBOARD_CACHE_SECONDS", 0)
    if not timeout or version is None:
        return render(), False
    key = page_key(name=name, unit_id=unit_id, year=year, unit_param=unit_param)
    try:
        stored = cache.get(key)
    except Exception:
        logger.exception("dashboard cache unavailable; rendering uncached")
        return render(), False
    if stored is not None and stored[0] == version:
        return stored[1], True
    html = render()
    try:
        cache.set(key, (version, html), timeout=timeout)
    except Exception:
        logger.exception("could not store the dashboard page")
    return html, False


# ----------------------------------------------------------------------------- whole responses, per user

RESPONSE_PREFIX = "reports:response"
CSRF_SENTINEL = "@@csrf-token@@"
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def response_key(request) -> str:
    """One whole page per user, path with its query, account flags, language, time zone and day.

    Only the user who rendered a page can be served it again: the key starts with their id, and an
    entry is stored only after the view has resolved the page's unit within their scope. A change
    of scope (an ``Officer`` saved or deleted) bumps the data version, so it is never served stale;
    a deactivated account or a changed password is refused by the authentication middleware first.
    """
    user = request.user
    flags = f"{user.get_username()}|{user.is_active}|{user.is_staff}|{user.is_superuser}|{request.get_full_path()}"
    digest = hashlib.blake2b(flags.encode(), digest_size=10).hexdigest()
    return ":".join([
        RESPONSE_PREFIX, str(user.pk), digest, translation.get_language() or "",
        timezone.get_current_timezone_name(), timezone.localdate().isoformat(),
    ])


def _response_cacheable(request) -> bool:
    """GET by a signed-in user with no message waiting to be shown (a page with a message is never stored)."""
    if not getattr(settings, "DASHBOARD_CACHE_SECONDS", 0) or request.method != "GET":
        return False
    if not request.user.is_authenticated:
        return False
    return not len(messages.get_messages(request))


def cached_response(request) -> HttpResponse | None:
    """The page this user was last served at the current data version, with a fresh CSRF token; or None.

    The stored HTML holds a placeholder where the page's forms (language, sign-out) carry their CSRF
    token; it is replaced with ``get_token(request)`` on every serve, so the token is masked anew and
    bound to this session's secret exactly as a rendered page's would be.
    """
    if not _response_cacheable(request):
        return None
    key = response_key(request)
    try:
        found = cache.get_many([VERSION_KEY, key])
    except Exception:
        logger.exception("dashboard cache unavailable; rendering uncached")
        return None
    stored, token = found.get(key), found.get(VERSION_KEY)
    if stored is None or token is None or stored[0] != f"{token}.{runs_fingerprint()}":
        return None
    response = HttpResponse(stored[1].replace(CSRF_SENTINEL, get_token(request)))
    response.cache_hit = "response"
    return response


def store_response(request, response, version: str | None) -> None:
    """Keep a rendered 200 page for :func:`cached_response`, at the data version it was rendered at."""
    if version is None or response.status_code != 200 or not _response_cacheable(request):
        return
    html = _CSRF_INPUT.sub(rf"\g<1>{CSRF_SENTINEL}\g<2>", response.content.decode())
    try:
        cache.set(response_key(request), (version, html), timeout=settings.DASHBOARD_CACHE_SECONDS)
    except Exception:
        logger.exception("could not store the dashboard response")


# ----------------------------------------------------------------------------- signals


def _on_save(sender, instance=None, created=False, update_fields=None, **kwargs):
    bump_data_version()


def _on_submission_save(sender, instance=None, created=False, update_fields=None, **kwargs):
    """A new submission or a status change moves the completeness counts; a grid save does not."""
    if created or update_fields is None or "status" in update_fields:
        bump_data_version()


def connect_signals() -> None:
    """Bump on ORM saves (admin, loaders, tests) of the rows the dashboard reads.

    No ``post_delete`` receivers on the big tables: one would stop Django's fast bulk delete that
    the computation uses for stale rows. Their bulk writes bump explicitly (see the module docstring).
    """
    from campaigns.models import Campaign
    from mattran.models import Officer, Unit
    from programs.models import Indicator, Target, WorkProgram
    from reports.models import FormIndicator, IndicatorAggregate, PlanValue, ReportForm, Submission, TargetResult

    for model in (TargetResult, IndicatorAggregate, PlanValue):
        post_save.connect(_on_save, sender=model, dispatch_uid=f"reports.cache.save.{model.__name__}")
    post_save.connect(_on_submission_save, sender=Submission, dispatch_uid="reports.cache.save.Submission")
    for model in (Target, Indicator, ReportForm, FormIndicator, Campaign, WorkProgram, Unit, Officer):
        post_save.connect(_on_save, sender=model, dispatch_uid=f"reports.cache.save.{model.__name__}")
        post_delete.connect(_on_save, sender=model, dispatch_uid=f"reports.cache.delete.{model.__name__}")
