"""Run the embedded model on llama.cpp's own `llama-server` when no model server is configured.

`scripts/setup.sh` builds it from the llama.cpp tree vendored in the pinned llama-cpp-python sdist
(no other download) and links it into the venv's `bin/`; it evaluates prompts and generates about
1.5 times faster than llama-cpp-python's server on this machine at the same quality
(bench/README.md), and honours the standard nested `json_schema` response format.

Used only when `BACKCHANNEL_BASE_URL` is unset. A server already answering on the configured port
is reused (and left running); one we start is stopped when the command that needed it ends.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from backchannel.embedded import model_files
from backchannel.settings import Settings

Progress = Callable[[str], None]


class LocalServerError(RuntimeError):
    """The embedded model server could not be started."""


def is_ready(base_url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(f"{base_url}/models", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def _wait_for_listener(settings: Settings, progress: Progress) -> bool:
    """A server that holds the port but does not answer is busy (a long generation) or loading:
    wait for it rather than start a second one that cannot bind."""
    if not _listening(settings.server_host, settings.server_port):
        return False
    progress(
        f"port {settings.server_port} is taken by a server that is busy or loading; waiting "
        f"up to {settings.server_start_timeout:.0f} s (BACKCHANNEL_SERVER_START_TIMEOUT)"
    )
    deadline = time.monotonic() + settings.server_start_timeout
    while time.monotonic() < deadline:
        if is_ready(settings.effective_base_url, timeout=5.0):
            return True
        if not _listening(settings.server_host, settings.server_port):
            return False  # it went away: start our own
        time.sleep(1.0)
    raise LocalServerError(
        f"port {settings.server_port} on {settings.server_host} is in use but no model server "
        "answered there; stop that process or set BACKCHANNEL_SERVER_PORT to a free port"
    )


def server_binary(settings: Settings) -> Path:
    """`BACKCHANNEL_SERVER_BINARY`, else the `llama-server` setup linked beside the venv's
    Python, else one on PATH."""
    if settings.server_binary is not None:
        return settings.server_binary
    beside = Path(sys.executable).with_name("llama-server")
    if beside.exists():
        return beside
    found = shutil.which("llama-server")
    if found is None:
        raise LocalServerError(
            "llama-server is not installed; run `make setup` (it builds it once, see README) or "
            "set BACKCHANNEL_SERVER_BINARY, or BACKCHANNEL_BASE_URL to an OpenAI-compatible server"
        )
    return Path(found)


def server_command(settings: Settings, model_path: Path) -> list[str]:
    threads = settings.server_threads or os.cpu_count() or 2
    return [
        str(server_binary(settings)),
        "--model", str(model_path),
        "--alias", settings.effective_model,
        "--host", settings.server_host,
        "--port", str(settings.server_port),
        "--ctx-size", str(settings.server_ctx),
        "--threads", str(threads),
        "--threads-batch", str(threads),
        "--parallel", "1",  # two slots gave no gain on two cores (issue 17)
        "--batch-size", "512",
        *shlex.split(settings.server_args),
    ]  # fmt: skip


@contextlib.contextmanager
def embedded_backend(settings: Settings, progress: Progress) -> Iterator[None]:
    """Ensure a model server is up for the duration of the block (no-op with a base_url)."""
    if not settings.embedded:
        yield
        return
    base_url = settings.effective_base_url
    if is_ready(base_url) or _wait_for_listener(settings, progress):
        progress(f"using the model server already running at {base_url}")
        yield
        return
    proc = start(settings, progress)
    # While we hold a server, SIGTERM unwinds through `finally` (stopping it) instead of ending
    # the process at once and leaving the server running in its own session. Only the main
    # thread can set a handler; the previous one is put back.
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt) if main else None
    try:
        yield
    finally:
        stop(proc)
        if main:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def start(settings: Settings, progress: Progress) -> subprocess.Popen[bytes]:
    variant = model_files.VARIANTS[settings.model_variant]
    status = model_files.check_cached(settings.model_dir, variant)
    if not status.verified:
        progress(f"embedded model {variant.filename}: {status.detail}; installing")
        status = model_files.install(settings.model_dir, variant, progress)
        if not status.verified:
            raise LocalServerError(f"model file not usable: {status.detail}")
    log_path = settings.model_dir / "server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = server_command(settings, status.path)
    progress(f"starting the model server on {settings.effective_base_url} (log: {log_path})")
    with log_path.open("ab") as log_file:
        proc = subprocess.Popen(
            cmd, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + settings.server_start_timeout
    started = time.monotonic()
    last_note = started
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LocalServerError(
                f"model server exited with code {proc.returncode} while loading; "
                f"last log lines:\n{_tail(log_path)}"
            )
        if is_ready(settings.effective_base_url, timeout=1.0):
            progress(f"model server ready in {time.monotonic() - started:.1f} s")
            return proc
        if time.monotonic() - last_note > 10:
            progress(f"loading the model ... {time.monotonic() - started:.0f} s")
            last_note = time.monotonic()
        time.sleep(0.5)
    stop(proc)
    raise LocalServerError(
        f"model server not ready after {settings.server_start_timeout:.0f} s "
        f"(BACKCHANNEL_SERVER_START_TIMEOUT); last log lines:\n{_tail(log_path)}"
    )


def stop(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL: a server busy with a runaway generation ignores SIGTERM's wait."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
