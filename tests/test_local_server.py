"""Finding the embedded model server: reuse one that answers, wait for one that is busy."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from backchannel.embedded import local_server
from backchannel.embedded.local_server import LocalServerError, embedded_backend
from backchannel.settings import Settings

from tests.fakeserver import FakeModelServer


def _settings(port: int, tmp_path, timeout: float = 3.0) -> Settings:
    return Settings(
        server_port=port, server_start_timeout=timeout, model_dir=tmp_path, cache_dir=tmp_path
    )


@pytest.fixture
def no_start(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("a second model server was started")

    monkeypatch.setattr(local_server, "start", refuse)


def test_a_running_server_is_reused(tmp_path, no_start):
    model = FakeModelServer().start()
    port = int(model.base_url.rsplit(":", 1)[1].split("/")[0])
    notes: list[str] = []
    try:
        with embedded_backend(_settings(port, tmp_path), notes.append):
            pass
    finally:
        model.stop()
    assert any("already running" in n for n in notes)


def test_a_port_held_by_a_silent_process_is_an_error_not_a_second_server(tmp_path, no_start):
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        started = time.monotonic()
        with (
            pytest.raises(LocalServerError, match="in use but no model server answered"),
            embedded_backend(_settings(port, tmp_path, timeout=2.0), lambda _m: None),
        ):
            pass
        assert time.monotonic() - started < 15


def test_a_busy_server_is_waited_for(tmp_path, no_start):
    """The port's holder answers nothing at first (busy generating), then answers /v1/models."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    busy_until = time.monotonic() + 1.5
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            if time.monotonic() < busy_until:
                held.append(conn)  # never answered, like a server stuck in a generation
                continue
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    notes: list[str] = []
    try:
        with embedded_backend(_settings(port, tmp_path, timeout=30), notes.append):
            pass
    finally:
        listener.close()
        for conn in held:
            conn.close()
    assert any("busy or loading" in n for n in notes)
    assert any("already running" in n for n in notes)


def test_server_command_runs_llama_server_with_the_settings(tmp_path):
    binary = tmp_path / "llama-server"
    binary.write_text("#!/bin/sh\n")
    settings = _settings(8799, tmp_path).model_copy(
        update={"server_binary": binary, "server_threads": 2, "server_ctx": 4096}
    )
    cmd = local_server.server_command(settings, tmp_path / "m.gguf")
    assert cmd[0] == str(binary)
    flags = dict(zip(cmd[1::2], cmd[2::2], strict=True))
    assert flags["--model"] == str(tmp_path / "m.gguf")
    assert flags["--alias"] == "qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert (flags["--port"], flags["--ctx-size"], flags["--threads"]) == ("8799", "4096", "2")
    assert flags["--host"] == "127.0.0.1" and flags["--parallel"] == "1"
    # More options for the server (speculative decoding, cache reuse) go through as words.
    more = settings.model_copy(
        update={"server_args": "--cache-reuse 256 --spec-type 'ngram-simple'"}
    )
    extra = local_server.server_command(more, tmp_path / "m.gguf")
    assert extra[: len(cmd)] == cmd and extra[len(cmd) :] == [
        "--cache-reuse", "256", "--spec-type", "ngram-simple",
    ]  # fmt: skip


def test_missing_llama_server_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(local_server.sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LocalServerError, match="make setup"):
        local_server.server_binary(_settings(8799, tmp_path))


_HOLDER = """
import subprocess, sys, time
from backchannel.embedded import local_server
from backchannel.settings import Settings

def start(_settings, _progress):
    return subprocess.Popen(["sleep", "300"], start_new_session=True)

local_server.start = start
settings = Settings(server_port=int(sys.argv[1]), server_start_timeout=1.0)
with local_server.embedded_backend(settings, lambda _m: None):
    print(local_server.start.__name__, flush=True)
    time.sleep(60)
"""


def test_sigterm_stops_the_server_we_started(tmp_path):
    """A script holding the embedded server (a benchmark, the eval) and stopped by SIGTERM
    stops the server too, instead of leaving it running in its own session."""
    import os
    import signal
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free: nothing answers, so the holder starts its "server"
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(port)], stdout=subprocess.PIPE,
                              text=True, start_new_session=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "start"
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(holder.pid)],
                                  capture_output=True, text=True).stdout.split()  # fmt: skip
        assert len(children) == 1, children
        server = int(children[0])
        holder.send_signal(signal.SIGTERM)
        assert holder.wait(timeout=30) != 0
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(server, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the server outlived its holder")
    finally:
        if holder.poll() is None:
            holder.kill()
