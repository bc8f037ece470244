"""`make serve`: gunicorn, a Celery worker and beat from the environment, stopped together."""
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_serve_refuses_to_start_without_its_environment():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY")}
    result = subprocess.run(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _workers(group: int) -> set[int]:
    """Pids of the main processes of celery workers started by serve (process group ``group``).

    A main process is one whose parent is serve's own shell. When a worker's main process is
    killed, its pool children live on for a moment, re-parented outside the group: they are not
    a new worker, and counting them once made this test pass its wait and fail its assertion.
    """
    out = subprocess.run(["ps", "-ww", "-o", "pid=,ppid=,pgid=,args=", "-e"], capture_output=True, text=True).stdout
    rows = [line.split(None, 3) for line in out.splitlines() if len(line.split(None, 3)) == 4]
    procs = {int(pid): (int(ppid), int(pgid), args) for pid, ppid, pgid, args in rows}
    in_group = {pid for pid, (_, pgid, _) in procs.items() if pgid == group}
    workers = {pid for pid in in_group if "celery" in procs[pid][2] and " worker" in procs[pid][2]}
    return {pid for pid in workers if procs[pid][0] in in_group and procs[pid][0] not in workers}


def _group_state(group: int) -> str:
    """``ps`` of serve's process group: state, kernel wait channel, age and command of each process."""
    out = subprocess.run(
        ["ps", "-ww", "-e", "-o", "pgid=,pid=,ppid=,stat=,wchan:32=,etime=,args="], capture_output=True, text=True,
    ).stdout
    return "\n".join(line for line in out.splitlines() if line.split(None, 1)[:1] == [str(group)])


def _own_database(url: str) -> str:
    """A database of its own beside the test database, created fresh."""
    import psycopg2

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'mattran'}_serve"
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.slow
def test_serve_runs_web_worker_and_beat_and_stops_them_all_on_sigterm():
    port = _free_port()
    env = dict(
        os.environ,
        DATABASE_URL=_own_database(os.environ["DATABASE_URL"]),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        PORT=str(port),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    serve = subprocess.Popen(
        ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    # Read as it comes: a full pipe would block every process of serve at its next log line.
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(serve.stdout), daemon=True)
    reader.start()
    try:
        state = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and serve.poll() is None:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"})
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    state = response.read().decode()
                    break
            except OSError:
                time.sleep(1)
        assert state is not None, "serve did not answer /healthz"
        assert '"database": "ok"' in state and '"broker": "ok"' in state

        # The worker dies (or gives up on a broker that stays away): the site keeps serving and a
        # new worker is started.
        wait = time.monotonic() + 30
        while time.monotonic() < wait and not _workers(serve.pid):
            time.sleep(1)
        first = _workers(serve.pid)
        assert first, "no celery worker under serve"
        for pid in first:
            os.kill(pid, signal.SIGKILL)
        wait = time.monotonic() + 90  # restarted after 5 s; a loaded machine starts Python slowly
        while time.monotonic() < wait and not (_workers(serve.pid) - first):
            time.sleep(1)
        assert serve.poll() is None, "serve stopped when its worker died"
        # When it fails (twice in full CI runs, never alone), say what serve's processes were doing.
        assert _workers(serve.pid) - first, "the worker was not started again:\n" + _group_state(serve.pid)
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200

        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
        time.sleep(1)
        with pytest.raises(ProcessLookupError):  # nothing left in its process group
            os.killpg(serve.pid, 0)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
        reader.join(10)
        print("".join(lines)[-3000:])
