"""Private Redis and PostgreSQL servers that a test may stop and restart, never the shared ones.

Each runs on a free port with its data in a temporary folder and is stopped (and its folder
removed) when its context ends, whatever the test did. PostgreSQL runs as the ``postgres`` OS user
through ``runuser`` when the tests run as root (initdb refuses root).
"""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def redis_server_path() -> str | None:
    return shutil.which("redis-server")


@dataclass
class RedisInstance:
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redis_server_path(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def redis_instance():
    """A running private redis-server; ``stop()`` it to simulate an outage."""
    instance = RedisInstance(port=free_port())
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


def postgres_bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@dataclass
class PostgresInstance:
    port: int
    folder: Path

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_postgres([str(postgres_bin_dir() / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
                          "-o", options, "-w", "-t", "60", *args]),
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def init(self) -> None:
        subprocess.run(
            _as_postgres([str(postgres_bin_dir() / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                          "--no-sync", "-E", "UTF8"]),
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self._pg_ctl("start")
        _wait_for_port(self.port)

    def restart(self) -> None:
        """A fast restart: every open connection is cut, as after a failover or an upgrade."""
        self._pg_ctl("-m", "fast", "restart")
        _wait_for_port(self.port)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("-m", "immediate", "stop")


@contextlib.contextmanager
def postgres_instance():
    """A running private PostgreSQL cluster (trust authentication, user ``postgres``)."""
    folder = Path(tempfile.mkdtemp(prefix="pg_", dir="/tmp"))  # short: it also holds the unix socket
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    instance = PostgresInstance(port=free_port(), folder=folder)
    try:
        instance.init()
        instance.start()
        yield instance
    finally:
        try:
            instance.stop()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
