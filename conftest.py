"""Project-wide pytest fixtures and the rules for tests that need real services."""
import os
import shutil

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    """Skip service tests, with the reason, only where that service is not configured."""
    db_url = os.environ.get("DATABASE_URL", "")
    reasons = {
        "postgres": None if db_url.startswith(("postgres", "psql")) else "needs PostgreSQL: set DATABASE_URL=postgres://…",
        "broker": None if os.environ.get("CELERY_BROKER_URL") else "needs Redis and a Celery worker: set CELERY_BROKER_URL=redis://…",
        "browser": None if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM) else f"needs Chromium at {CHROMIUM}",
    }
    require = os.environ.get("MATTRAN_REQUIRE_SERVICES") == "1"
    for item in items:
        for mark, reason in reasons.items():
            if reason and item.get_closest_marker(mark):
                if require:  # CI provides every service: a missing one is a failure, not a skip
                    item.add_marker(pytest.mark.xfail(reason=reason, run=False, strict=True))
                else:
                    item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a per-test folder, never the developer's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Every test starts with an empty cache (dashboard pages, data version, sessions)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = os.environ.get("CELERY_BROKER_URL") or "none (eager)"
    return f"database: {db}; broker: {broker}; chromium: {CHROMIUM if os.path.exists(CHROMIUM) else 'absent'}"


def load_all_catalogues():
    """Everything the data migrations load, in their order; each loader is idempotent."""
    from campaigns.loaders import load_campaigns
    from emulation.loaders import load_default_guides
    from programs.loaders import load_catalogue
    from registers.loaders import load_registers
    from reports.loaders import load_reporting

    load_catalogue()
    load_campaigns()
    load_reporting()
    load_registers()
    load_default_guides()


@pytest.fixture(autouse=True)
def _catalogue_after_flush(request):
    """Transactional tests flush the database when they end, taking the migrated catalogue with
    them; reload it so every transactional test starts from what a fresh ``migrate`` holds."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        load_all_catalogues()


@pytest.fixture(autouse=True)
def _default_language():
    """A request made in English leaves its language active in the thread; start every test in Vietnamese."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _broker_backoff_reset():
    """A broker or cache failure in one test must not make the next one skip its broker or cache."""
    from mattran import queue
    from mattran.cache import FailFastRedisCache

    queue._broker_down_until = FailFastRedisCache._down_until = 0.0
    yield
    queue._broker_down_until = FailFastRedisCache._down_until = 0.0


@pytest.fixture
def publish_to():
    """``publish_to(url)``: this test process queues tasks on the broker at ``url`` instead of running
    them in-process; restored afterwards."""
    from mattran.celery import app

    keys = ("task_always_eager", "broker_url", "broker_write_url", "broker_read_url")
    saved = {key: app.conf[key] for key in keys}

    def switch(url):
        app.conf.update(task_always_eager=False, broker_url=url, broker_write_url=url, broker_read_url=url)
        app._pool = None
        app.amqp._producer_pool = None

    yield switch
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def private_broker(publish_to, tmp_path):
    """A redis-server of the test's own, on its own port, that this test process publishes to."""
    from tests.instances import RedisServer

    if not RedisServer.available():
        pytest.skip("needs redis-server to run a private broker")
    redis = RedisServer(log=tmp_path / "redis.log").start()
    publish_to(redis.url)
    yield redis
    redis.stop()
