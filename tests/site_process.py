"""The whole site started as the README starts it (`make run`), in a subprocess, on free ports,
with its own VAR_DIR: a fresh SQLite database, Redis, mail folder and uploads.

Always the zero set-up default: the DATABASE_URL and REDIS_URL of the test run itself are
never passed on, so the site never touches the database or the queues the other tests use.
"""

import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from tests.plugins.local_redis import free_port
from tests.waiting import wait_for

BASE_DIR = Path(__file__).resolve().parents[1]
# Why tests that start this site skip themselves in a run with DATABASE_URL (CI's second).
ZERO_SET_UP_ONLY = (
    "starts the zero set-up site, which never reads DATABASE_URL: the zero set-up test run "
    "(CI's first) runs it; a run with DATABASE_URL would only repeat it"
)


def http_get(url: str) -> tuple[int, bytes]:
    """(status, body); status 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


class RunningSite:
    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = var_dir.parent / f"{var_dir.name}-make-run.log"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
        }
        self.env.update(
            PORT=str(self.port),
            LOCAL_REDIS_PORT=str(free_port()),
            VAR_DIR=str(var_dir),
            DJANGO_ENV="development",
            SITE_URL=self.base_url,
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> "RunningSite":
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            ["make", "--no-print-directory", "run"],  # noqa: S607
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal would give it
        )
        return self

    def get(self, path: str) -> tuple[int, bytes]:
        assert self.process.poll() is None, (
            f"make run exited early with {self.process.returncode}:\n{self.log_tail()}"
        )
        return http_get(self.base_url + path)

    def health(self):
        """/healthz as a dict once the site answers it with 200, else None."""
        code, body = self.get("/healthz")
        return json.loads(body) if code == 200 else None

    def wait_until_healthy(self, timeout: float = 300) -> dict:
        """Until web, database, Redis and the worker all answer (setup migrates first)."""
        try:
            return wait_for(self.health, timeout=timeout, interval=0.5)
        except AssertionError as error:
            raise AssertionError(f"{error}; make run said:\n{self.log_tail()}") from None

    def processes(self) -> list[psutil.Process]:
        """Everything `make run` started (gunicorn, worker, beat, redis and their children)."""
        return psutil.Process(self.process.pid).children(recursive=True)

    @staticmethod
    def leftovers(processes) -> list[str]:
        """The command lines of any of `processes` still running after a grace period."""
        gone, alive = psutil.wait_procs(processes, timeout=30)
        return [" ".join(p.cmdline()) for p in alive if p.is_running()]

    def signal(self, stop_signal=signal.SIGTERM) -> None:
        os.killpg(self.process.pid, stop_signal)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]
