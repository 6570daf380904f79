"""`make run`, as a newcomer types it: the site answers, the worker is alive, Ctrl-C ends it all.

Runs the real command in a subprocess on free ports, with its own VAR_DIR (a fresh SQLite and
a fresh Redis), always on the zero set-up default (tests/site_process.py).
"""

import signal

import psutil
import pytest

from tests.site_process import RunningSite, http_get

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_make_run_serves_the_site_and_stops_every_process(tmp_path, stop_signal):
    site = RunningSite(tmp_path / "var").start()
    try:
        health = site.wait_until_healthy()
        assert health == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}
        assert site.get("/")[0] == 200

        processes = psutil.Process(site.process.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in processes)
        for expected in ("gunicorn", "celery -A config worker", "celery -A config beat", "redis"):
            assert expected in names

        # when the user presses Ctrl-C (the terminal signals the whole process group)
        site.signal(stop_signal)
        site.process.wait(timeout=60)

        # then nothing it started is left running
        gone, alive = psutil.wait_procs(processes, timeout=30)
        assert alive == [], f"left running: {[p.cmdline() for p in alive]}"
        assert http_get(site.base_url + "/")[0] == 0, "the port is free again"
    finally:
        site.stop()
        print(site.log_tail(3000))
