"""/healthz tells a load balancer and a person what is wrong, and answers 503 when anything is."""

import socket
import threading

from core.tasks import record_heartbeat
from tests.plugins.local_redis import free_port
from tests.waiting import wait_for


def test_healthz_is_ok_with_a_running_worker(client, celery_worker):
    record_heartbeat.delay()

    response = wait_for(lambda: (r := client.get("/healthz")).status_code == 200 and r)

    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_reports_a_missing_worker(client, db, redis_conn):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["redis"] == "ok"
    assert body["worker"].startswith("error: no heartbeat")


def test_healthz_is_503_when_redis_is_unreachable(client, db, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["redis"].startswith("error: ConnectionError")
    assert body["worker"] == "unknown: Redis unreachable"


def test_healthz_reports_a_redis_that_does_not_answer_within_redis_timeout(client, db, settings):
    # given a "Redis" that takes connections (the kernel queues them) and never answers, as a
    # paused or overloaded one does
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.REDIS_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"

        # when /healthz is asked (in a thread: a client without a timeout would never return)
        answered = []
        asking = threading.Thread(target=lambda: answered.append(client.get("/healthz")))
        asking.start()
        asking.join(timeout=30)

    # then it gave up after REDIS_TIMEOUT and said so
    assert answered, "/healthz waited for a Redis that does not answer"
    assert answered[0].status_code == 503
    assert answered[0].json()["redis"] == "error: TimeoutError"
    assert answered[0].json()["worker"] == "unknown: Redis unreachable"


def test_healthz_calls_an_old_heartbeat_stale(client, db, redis_conn, settings):
    record_heartbeat()  # run in-process: the heartbeat is fresh now
    settings.HEARTBEAT_STALE_AFTER = -1  # ...and counts as too old

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["worker"].startswith("error: stale")
