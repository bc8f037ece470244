"""A real Celery worker (and, for the broker-down test, a private redis-server) for the target tests.

The worker runs ``celery -A mattran worker`` in its own process group against the pytest TEST
database and the broker from the environment (CELERY_BROKER_URL), with a short visibility
timeout so a message whose worker was killed is handed out again within seconds.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from tests.instances import RedisServer, wait_until  # noqa: F401 (re-exported for the worker tests)

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
VISIBILITY_TIMEOUT = 3


def worker_database_url() -> str:
    """DATABASE_URL with its database name replaced by the pytest test database's."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


def broker_on_port(port: int) -> str:
    """The environment's broker URL moved to ``port`` on localhost (same database number)."""
    parts = urlsplit(os.environ["CELERY_BROKER_URL"])
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))


class Worker:
    def __init__(self, broker_url: str, *, delay: float = 0, concurrency: int = 1, log: Path,
                 visibility_timeout: int = VISIBILITY_TIMEOUT, database_url: str | None = None,
                 env: dict | None = None):
        self.broker_url, self.delay, self.concurrency, self.log = broker_url, delay, concurrency, log
        self.visibility_timeout, self.database_url, self.extra_env = visibility_timeout, database_url, env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mattran.settings.test",
            "DATABASE_URL": self.database_url or worker_database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_RESULT_BACKEND": "",
            "MATTRAN_TEST_WORKER": "1",
            "CELERY_VISIBILITY_TIMEOUT": str(self.visibility_timeout),
            "TARGETS_TEST_DELAY_SECONDS": str(self.delay),
            "PYTHONPATH": str(ROOT),
            **self.extra_env,
        }
        pool = ["-P", "solo"] if self.concurrency == 1 else ["-P", "prefork", "-c", str(self.concurrency)]
        self.process = subprocess.Popen(
            [CELERY, "-A", "mattran", "worker", "-l", "info", *pool, "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", f"tgt-{os.getpid()}-{time.monotonic_ns()}@%h"],
            cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    def kill(self) -> None:
        """SIGKILL the worker and every child: no cleanup, no acknowledgement."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
