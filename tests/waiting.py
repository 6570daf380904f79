"""Waiting for something another process or thread does, without timing assertions.

A test waits *until* the behaviour is observed, with a generous deadline that exists only so a
broken build fails instead of hanging; a slow machine never makes a test fail.
"""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(condition: Callable[[], T], *, timeout: float = 60.0, interval: float = 0.1) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting after {timeout}s for {condition.__name__}")
        time.sleep(interval)
