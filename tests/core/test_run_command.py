"""`make run`, as a newcomer types it: the site answers, the worker is alive, Ctrl-C ends it all.

Runs the real command in a subprocess on free ports, with its own VAR_DIR (a fresh SQLite and
a fresh Redis), always on the zero set-up default: DATABASE_URL and REDIS_URL are removed from
its environment so the run that CI makes against PostgreSQL does not touch that database.
"""

import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.plugins.local_redis import free_port
from tests.waiting import wait_for

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_make_run_serves_the_site_and_stops_every_process(tmp_path, stop_signal):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    }
    env.update(
        PORT=str(port),
        LOCAL_REDIS_PORT=str(free_port()),
        VAR_DIR=str(tmp_path / "var"),
        DJANGO_ENV="development",
    )
    log = (tmp_path / "make-run.log").open("wb")
    make = subprocess.Popen(  # noqa: S603
        ["make", "--no-print-directory", "run"],  # noqa: S607
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal would give it
    )
    base = f"http://127.0.0.1:{port}"

    def get_while_running(path):
        assert make.poll() is None, f"make run exited early with {make.returncode}"
        return _get(base + path)

    def home_page_served():
        return get_while_running("/")[0] == 200

    def worker_alive():
        code, body = get_while_running("/healthz")
        return code == 200 and json.loads(body)

    try:
        wait_for(home_page_served, timeout=300)

        health = wait_for(worker_alive, timeout=120)
        assert health == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}

        processes = psutil.Process(make.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in processes)
        for expected in ("gunicorn", "celery -A config worker", "celery -A config beat", "redis"):
            assert expected in names

        # when the user presses Ctrl-C (the terminal signals the whole process group)
        os.killpg(make.pid, stop_signal)
        make.wait(timeout=60)

        # then nothing it started is left running
        gone, alive = psutil.wait_procs(processes, timeout=30)
        assert alive == [], f"left running: {[p.cmdline() for p in alive]}"
        assert _get(base + "/")[0] == 0, "the port is free again"
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        log.close()
        print((tmp_path / "make-run.log").read_text(errors="replace")[-3000:])
