"""`make run`, as a newcomer types it: the site answers, the worker is alive, every process the
README promises is running. This is the site the browser journeys use (the `site` fixture);
when the run ends it is stopped with Ctrl-C (SIGINT to its process group, as a terminal
sends it), and the fixture then checks that nothing it started is left and the port is free.
"""

from tests.site_process import http_get


def test_make_run_serves_the_site_with_its_worker_beat_and_redis(site):
    assert site.health() == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}
    assert http_get(site.base_url + "/")[0] == 200

    names = " ".join(" ".join(p.cmdline()) for p in site.processes())

    for expected in ("gunicorn", "celery -A config worker", "celery -A config beat", "redis"):
        assert expected in names
