"""A second zero set-up site on this machine gets a Redis of its own (config/localredis.py)."""

import socket

import pytest

from config import localredis


@pytest.fixture
def taken():
    """A port held by something else, as another run's Redis would hold it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_run_takes_the_usual_port_when_it_is_free(monkeypatch):
    monkeypatch.delenv("LOCAL_REDIS_PORT", raising=False)
    monkeypatch.setattr(localredis, "_free", lambda port: True)

    assert localredis.port_for_this_run() == localredis.DEFAULT_PORT


def test_a_second_run_takes_a_free_port_and_says_so(monkeypatch, taken, capsys):
    monkeypatch.delenv("LOCAL_REDIS_PORT", raising=False)
    monkeypatch.setattr(localredis, "DEFAULT_PORT", taken)

    port = localredis.port_for_this_run()

    assert port != taken and localredis._free(port)
    assert f"Port {taken} is taken" in capsys.readouterr().err


def test_a_chosen_port_that_is_taken_is_refused_in_one_sentence(monkeypatch, taken):
    monkeypatch.setenv("LOCAL_REDIS_PORT", str(taken))

    with pytest.raises(SystemExit, match=f"LOCAL_REDIS_PORT={taken} is taken"):
        localredis.port_for_this_run()
