"""The browser tests: Debian's Chromium, driven by Playwright, against the whole site started
as the README starts it (`make run`: gunicorn, a Celery worker and beat, Redis, on the zero
set-up default with its own VAR_DIR), on a desktop and a phone-sized screen.

- They run in the zero set-up test run (CI's first). The site they start never reads the
  test run's DATABASE_URL, so a run with DATABASE_URL set (CI's second, on PostgreSQL) would
  repeat them unchanged: there they are skipped, and the skip says so.
- Chromium must start: if it is missing or fails, every browser test fails and says why
  (`make test` installs Debian's chromium when it runs as root; `CHROMIUM` names another).
- A failing test leaves a screenshot and the HTML of each page it had open in
  `var/browser-artefacts/` (CI keeps that folder).
"""

import os
import re
import shutil
import signal

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.support import Site
from tests.site_process import BASE_DIR, ZERO_SET_UP_ONLY, http_get

ARTEFACTS = BASE_DIR / "var" / "browser-artefacts"
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if os.environ.get("DATABASE_URL"):
                item.add_marker(pytest.mark.skip(reason=ZERO_SET_UP_ONLY))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    running = Site(tmp_path_factory.mktemp("site") / "var")
    # Every visitor here is 127.0.0.1 with a few e-mail addresses: the form limits are tested
    # on their own (tests/core/test_limits.py, tests/reliability/test_limits_processes.py).
    running.env.update(
        ENQUIRY_RATE_LIMIT="1000/h",
        BOOKING_RATE_LIMIT="1000/h",
        BOOKING_OPEN_PER_EMAIL="1000",
        UNCONFIRMED_ADDRESS_EMAILS_PER_DAY="1000",
        # What each article led to reaches the editor's list within seconds, not a minute
        # (test_one_customer.py waits for it).
        ANALYTICS_FLUSH_SECONDS="2",
    )
    # Staff sign in as in production: password, then a code from an authenticator app
    # (support.log_in sets the app up at each account's first sign-in).
    running.env["STAFF_TWO_FACTOR"] = "1"
    running.start()
    try:
        running.wait_until_healthy()
        yield running
        processes = running.processes()
        running.signal(signal.SIGINT)  # Ctrl-C, as the README says to stop it
        running.process.wait(timeout=60)
    finally:
        running.stop()  # SIGTERM, then SIGKILL, if Ctrl-C did not do it
    left = running.leftovers(processes)
    assert left == [], f"Ctrl-C to make run left these running: {left}"
    assert http_get(running.base_url + "/")[0] == 0, "make run's port is free again"


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail(
            "Chromium is not installed, so the browser tests cannot run: "
            "`apt-get install chromium` (make test does it when run as root), "
            "or set CHROMIUM to a Chromium binary.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as error:  # noqa: BLE001 (any failure to start is reported as is)
            pytest.fail(f"Chromium ({executable}) did not start: {error}", pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture(params=list(DEVICES))
def device(request) -> str:
    return request.param


@pytest.fixture
def new_context(browser, site, device, request):
    """Makes browser contexts (one per visitor or staff member in a journey) on the test's
    device; each page they open records its JavaScript errors in `page.errors`. On failure,
    each page's screenshot and HTML are saved as artefacts."""
    contexts = []

    def make():
        context = browser.new_context(base_url=site.base_url, **DEVICES[device])
        context.set_default_timeout(20_000)
        context.on("page", _record_errors)
        contexts.append(context)
        return context

    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _save_artefacts(request.node.nodeid, contexts)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """One visitor's page."""
    return new_context().new_page()


def _record_errors(page) -> None:
    """JavaScript errors and console errors, except Chromium's note that the page itself
    answered 4xx, which a test of a refusal expects."""
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))

    def on_console(message):
        refused_page = message.text.startswith("Failed to load resource") and (
            message.location.get("url") == page.url
        )
        if message.type == "error" and not refused_page:
            page.errors.append(message.text)

    page.on("console", on_console)


def _save_artefacts(nodeid: str, contexts) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", nodeid)
    for i, page in enumerate(p for context in contexts for p in context.pages):
        try:
            page.screenshot(path=str(ARTEFACTS / f"{stem}-{i}.png"), full_page=True)
            (ARTEFACTS / f"{stem}-{i}.html").write_text(page.content())
        except Exception as error:  # noqa: BLE001 (a closed page must not hide the failure)
            print(f"could not save the artefacts of page {i}: {error}")
