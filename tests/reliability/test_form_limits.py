"""The form limits are exact under the real server: counted in the database, shared by every
web process (and machine), and kept when a worker restarts.

The outside probe sent fourteen enquiries from one address to two gunicorn workers and had
ten accepted where the README promised five an hour: django-ratelimit counted in each
process's own memory. Here the same fourteen, with the workers restarted half-way, get
exactly five."""

import os
import re
import signal
import subprocess
import sys

import pytest
import requests
from oscar.test.factories import create_product

from insurance.models import Enquiry, HealthFund
from tests.reliability.fault_tools import BASE_DIR, free_port, wait_for_port
from tests.reliability.test_faults import _subprocess_env
from tests.waiting import wait_for

ENQUIRIES = 14


@pytest.fixture
def gunicorn(committed_db, settings, tmp_path):
    """The site under gunicorn with two sync workers, as `make run` starts it."""
    port = free_port()
    env = _subprocess_env(tmp_path, settings, DEBUG="0", ENQUIRY_RATE_LIMIT="5/h")
    argv = [
        sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", "2", "--timeout", "30",
    ]  # fmt: skip
    with (tmp_path / "gunicorn.log").open("ab") as log:
        server = subprocess.Popen(  # noqa: S603
            argv, cwd=BASE_DIR, env={**os.environ, **env}, stdout=log, stderr=log
        )
    try:
        wait_for_port(port, timeout=30)
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=15)


def _worker_pids(server) -> set[int]:
    import psutil

    return {child.pid for child in psutil.Process(server.pid).children()}


def _send_enquiry(base: str, product, fund, n: int) -> int:
    session = requests.Session()
    form = session.get(f"{base}/insurance/enquiry/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    response = session.post(
        f"{base}/insurance/enquiry/",
        data={
            "csrfmiddlewaretoken": token,
            "name": "Mia Nguyen",
            "email": f"person{n}@example.com.au",  # the per-address limit, not the e-mail cap
            "phone": "",
            "state": "NSW",
            "postcode": "2000",
            "fund": fund.pk,
            "cover_level": "top",
            "product": product.pk,
            "referral": "gp",
            "question": "Can I claim?",
            "contact_preference": "email",
            "consent": "on",
        },  # fmt: skip
        headers={"Referer": f"{base}/insurance/enquiry/"},
        allow_redirects=False,
        timeout=30,
    )
    return response.status_code


@pytest.mark.slow
def test_fourteen_enquiries_from_one_address_to_two_workers_restarted_midway_accept_five(
    gunicorn,
):
    # given the site under two gunicorn workers, and a customer's connection
    server, base = gunicorn
    product = create_product(upc="LT", title="LumboTrain Back Support", price=289)
    fund = HealthFund.objects.get(slug="bupa")
    first_workers = _worker_pids(server)

    # when fourteen enquiries are sent from it, the workers being restarted after the third
    statuses = [_send_enquiry(base, product, fund, n) for n in range(3)]
    server.send_signal(signal.SIGHUP)  # gunicorn replaces its workers
    wait_for(lambda: _worker_pids(server).isdisjoint(first_workers), timeout=30)
    wait_for(lambda: len(_worker_pids(server)) == 2, timeout=30)
    statuses += [_send_enquiry(base, product, fund, n) for n in range(3, ENQUIRIES)]

    # then exactly five are accepted, and the rest are told to wait
    assert statuses.count(302) == 5, statuses
    assert statuses.count(429) == ENQUIRIES - 5, statuses
    assert Enquiry.objects.count() == 5
    print(f"\nfourteen enquiries, two workers restarted after the third: {statuses}")
