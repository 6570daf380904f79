"""`make run`, as a newcomer types it: the site answers, the worker is alive, Ctrl-C ends it all.

Runs the real command in a subprocess on free ports, with its own VAR_DIR (a fresh SQLite and
a fresh Redis), always on the zero set-up default (tests/site_process.py). Stopping it with
SIGTERM, as a process manager does, is checked each time the browser tests' site stops
(tests/browser/conftest.py), so starting the site a third time is not needed.
"""

import os
import signal

import pytest

from tests.site_process import ZERO_SET_UP_ONLY, RunningSite, http_get

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason=ZERO_SET_UP_ONLY,
    ),
]


def test_make_run_serves_the_site_and_ctrl_c_stops_every_process(tmp_path):
    site = RunningSite(tmp_path / "var").start()
    try:
        health = site.wait_until_healthy()
        assert health == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}
        assert site.get("/")[0] == 200

        processes = site.processes()
        names = " ".join(" ".join(p.cmdline()) for p in processes)
        for expected in ("gunicorn", "celery -A config worker", "celery -A config beat", "redis"):
            assert expected in names

        # when the user presses Ctrl-C (the terminal signals the whole process group)
        site.signal(signal.SIGINT)
        site.process.wait(timeout=60)

        # then nothing it started is left running
        assert site.leftovers(processes) == []
        assert http_get(site.base_url + "/")[0] == 0, "the port is free again"
    finally:
        site.stop()
        print(site.log_tail(3000))
