"""The portal keeps working when the cache's Redis stops or PostgreSQL restarts under it.

Each test starts its own private server (tests/instances.py) and stops or restarts that one; the
shared Redis and PostgreSQL of the machine are never touched, and every server started is stopped.
"""
import datetime
import json
import os
import runpy
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from reports.models import Submission, SubmissionStatus
from reports.tests.factories import make_world

from .instances import PostgresServer, RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "pw-123456"  # reports.tests.factories.make_user


def settings_with_cache_url(cache_url: str) -> dict:
    """The cache, session and dashboard settings production derives from ``CACHE_URL``."""
    with mock.patch.dict(os.environ, {"CACHE_URL": cache_url}):
        values = runpy.run_path(str(ROOT / "mattran" / "settings" / "base.py"))
    assert values["CACHES"]["default"]["LOCATION"] == cache_url
    return {name: values[name] for name in ("CACHES", "SESSION_ENGINE", "DASHBOARD_CACHE_SECONDS")}


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302, response.status_code
    return response


@pytest.mark.skipif(not RedisServer.available(), reason="needs redis-server on PATH to start a private Redis")
@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2019, 7, 20, 9, 0), tick=False)
def test_with_the_caches_redis_stopped_officers_sign_in_save_submit_and_approve(client):
    """Given CACHE_URL pointing at a Redis that then stops, signing in, the grid, saving, submitting,
    approving and the dashboard all still answer, from PostgreSQL alone."""
    world = make_world(communes=1, areas_per_commune=1)
    redis = RedisServer().start()
    try:
        with override_settings(**settings_with_cache_url(redis.url)):
            _sign_in_save_submit_and_approve_while_redis_is_down(client, world, redis)
    finally:
        redis.stop()


def _sign_in_save_submit_and_approve_while_redis_is_down(client, world, redis):
    commune = world.communes[0]
    grid = reverse("reports:grid", args=[world.monthly.code, world.district.code, "2019-06"])
    sign_in(client, world.officer)
    assert client.get(reverse("dashboard:index")).status_code == 200  # the cache in use while it runs

    redis.stop()

    assert client.get(grid).status_code == 200  # a session made before the outage still holds
    client.logout()
    sign_in(client, world.officer)
    cells = {f"v-{commune.pk}-{world.indicators[code].pk}": "1"
             for code in ("quy_vnn_thu", "quy_vnn_chi", "hoa_giai_vu", "hoa_giai_thanh")}
    assert client.post(grid, {"version": "0", **cells}).status_code == 302
    assert client.post(grid.rstrip("/") + "/gui/").status_code == 302
    submission = Submission.objects.get(form=world.monthly, unit=world.district, period="2019-06")
    assert submission.status == SubmissionStatus.SUBMITTED

    client.logout()
    sign_in(client, world.staff)
    assert client.post(grid.rstrip("/") + "/duyet/", {"version": submission.version}).status_code == 302
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.APPROVED
    assert client.get(reverse("dashboard:index")).status_code == 200
    assert client.get(reverse("reports:inbox")).status_code == 200


_SERVER_SCRIPT = """
import sys, wsgiref.simple_server
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
class Quiet(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass
server = wsgiref.simple_server.make_server("127.0.0.1", int(sys.argv[1]), WSGIHandler(), handler_class=Quiet)
print("ready", connection.settings_dict["CONN_MAX_AGE"], flush=True)
server.serve_forever()
"""


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.skipif(not PostgresServer.available(), reason="needs PostgreSQL's initdb and pg_ctl in /usr/lib/postgresql/*/bin")
def test_a_persistent_connection_cut_by_a_postgresql_restart_is_replaced_before_the_next_request():
    """With DATABASE_CONN_MAX_AGE=60 as the README recommends, one server process keeps its
    connection; PostgreSQL restarts between two requests; the second request still reaches it."""
    postgres = PostgresServer().start()
    try:
        port = free_port()
        env = {**os.environ, "DATABASE_URL": postgres.url(), "DATABASE_CONN_MAX_AGE": "60",
               "DJANGO_SETTINGS_MODULE": "mattran.settings.test", "CELERY_BROKER_URL": ""}
        server = subprocess.Popen([sys.executable, "-c", _SERVER_SCRIPT, str(port)], cwd=ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert server.stdout.readline().split() == ["ready", "60"]
            url = f"http://127.0.0.1:{port}/healthz"
            assert _get(url) == (200, {"database": "ok", "broker": "eager", "status": "ok"})

            postgres.restart()

            for _ in range(3):
                assert _get(url)[0] == 200
        finally:
            server.terminate()
            server.wait(timeout=10)
    finally:
        postgres.destroy()
