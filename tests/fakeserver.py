"""A scripted OpenAI-compatible server: a real HTTP server on 127.0.0.1, no model.

Tests queue what the "model" does next (answer with this JSON, fail with a 500, stall past the
timeout, stop at max_tokens) and then drive the real client, retries, grounding and API against it.
The benchmarks use it too, with a fixed delay per call.
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted step. `content` is the assistant message; `status` != 200 sends an error."""

    content: str | None = None
    status: int = 200
    body: str | None = None
    delay: float = 0.0
    finish_reason: str = "stop"
    prompt_tokens: int = 100
    completion_tokens: int = 50
    drop_connection: bool = False
    # Kill the process that sent the request (SIGKILL), as a worker dying mid-call would.
    kill_caller: bool = False
    # A whole-article draft to answer in the shape the request asks for (see `answer_for`).
    draft: dict | None = None

    @classmethod
    def json(cls, obj: Any, **kw: Any) -> Reply:
        return cls(content=json.dumps(obj), **kw)

    @classmethod
    def meetings(cls, draft: dict | None = None, **kw: Any) -> Reply:
        """The meetings of `draft` (none by default), answered as the strategy asks for them."""
        return cls(draft=draft or {"meetings": []}, **kw)

    def text(self, payload: dict) -> str:
        if self.content is not None or self.draft is None:
            return self.content or ""
        return json.dumps(answer_for(payload, self.draft))


def peer_pid(port: int) -> int:
    """The process holding the local TCP socket on `port` (Linux: /proc/net/tcp, then the file
    descriptors that point at that socket's inode)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for line in fh.readlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes and int(pid) != os.getpid():
                    return int(pid)
        except OSError:
            continue
    raise LookupError(f"no process holds local port {port}")


_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    """The scripted server's tokenizer: a word or a punctuation mark is one token."""
    return len(_TOKEN.findall(text))


def prompt_tokens(payload: dict) -> int:
    """Tokens of a chat request's prompt: its messages, plus a few for the template of each."""
    messages = payload.get("messages", [])
    return sum(count_tokens(m.get("content") or "") for m in messages) + 5 * len(messages)


_QUESTION = re.compile(r"Question about sentence \[(\d+)\]")


def answer_for(payload: dict, draft: dict) -> dict:
    """What a model that knows `draft` answers to this request, for either strategy.

    A whole-article request (`Draft` schema) gets the draft; a per-sentence question gets the
    draft's meetings of that sentence: the first or "no meeting" (`SentenceAnswer`; `LeanAnswer`
    with its fewer slots), or all of them as a list (`SentenceMeetings`).
    """
    fmt = payload.get("response_format") or {}
    schema = fmt.get("json_schema", {}).get("schema") or fmt.get("schema") or {}
    title = schema.get("title")
    if title not in ("SentenceAnswer", "SentenceMeetings", "LeanAnswer"):
        return draft
    asked = _QUESTION.search(payload["messages"][-1]["content"])
    number = int(asked.group(1)) if asked else None
    found = [
        {k: v for k, v in meeting.items() if k != "sentence"}
        for meeting in draft["meetings"]
        if meeting["sentence"] == number
    ]
    if title == "SentenceMeetings":
        return {"meetings": found}
    if title == "LeanAnswer" and found:
        m = found[0]
        lean = {"participants": [p["mention"] for p in m["participants"]],
                "location": m["location"], "time": m["time"], "status": m["status"]}  # fmt: skip
        return {"answer": {"is_meeting": True, **lean}}
    return {"answer": {"is_meeting": True, **found[0]} if found else {"is_meeting": False}}


@dataclass
class FakeModelServer:
    """Serves `/v1/chat/completions` from `queue`; falls back to `default` when it is empty."""

    default: Callable[[dict], Reply] | None = None
    # With a context size, it says so at /props, counts tokens at /tokenize and refuses a request
    # whose prompt and max_tokens exceed it, as llama.cpp's server does (HTTP 400).
    n_ctx: int | None = None
    host: str = "127.0.0.1"
    port: int = 0
    queue: deque[Reply] = field(default_factory=deque)
    requests: list[dict] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)  # tokens asked for, of requests over n_ctx
    tokenized: int = 0  # /tokenize requests answered
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def push(self, *replies: Reply) -> None:
        with self._lock:
            self.queue.extend(replies)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://{self.host}:{self._server.server_address[1]}/v1"

    def start(self) -> FakeModelServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle on, the client's delayed ACK adds
            # 40 ms to every reply, which the benchmarks would charge to the service.
            disable_nagle_algorithm = True

            def log_message(self, *_: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/v1/models":
                    self._send(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
                elif self.path.rstrip("/") == "/props" and owner.n_ctx:
                    self._send(200, {"default_generation_settings": {"n_ctx": owner.n_ctx}})
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                payload = json.loads(self.rfile.read(length) or b"{}")
                if self.path.rstrip("/") == "/tokenize" and owner.n_ctx:
                    with owner._lock:
                        owner.tokenized += 1
                    self._send(200, {"tokens": [0] * count_tokens(payload.get("content", ""))})
                    return
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": "not found"}})
                    return
                if owner.n_ctx:
                    needed = prompt_tokens(payload) + int(payload.get("max_tokens") or 0)
                    if needed > owner.n_ctx:
                        with owner._lock:
                            owner.refused.append(needed)
                        self._send(400, {"error": {"message": (
                            f"the request exceeds the available context size ({needed} > "
                            f"{owner.n_ctx} tokens)")}})  # fmt: skip
                        return
                reply = owner._next(payload)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.kill_caller:
                    os.kill(peer_pid(self.client_address[1]), signal.SIGKILL)
                    self.close_connection = True
                    return
                if reply.drop_connection:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if reply.status != 200:
                    body = reply.body or json.dumps(
                        {"error": {"message": f"scripted {reply.status}"}}
                    )
                    self._send(reply.status, body)
                    return
                self._send(200, _completion(payload, reply))

            def _send(self, status: int, body: Any) -> None:
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test): nothing to do

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _next(self, payload: dict) -> Reply:
        with self._lock:
            self.requests.append(payload)
            if self.queue:
                return self.queue.popleft()
        if self.default is not None:
            return self.default(payload)
        return Reply(status=500, body=json.dumps({"error": {"message": "no scripted reply left"}}))

    def __enter__(self) -> FakeModelServer:
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()


def _completion(payload: dict, reply: Reply) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": payload.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text(payload)},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


def main() -> None:
    """Serve a fixed reply after a fixed delay: `python -m tests.fakeserver --delay 0.2`.

    For benchmarks and fault-injection tests that need the model in another process (to kill it).
    """
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--reply", help="assistant message content (default: no meetings)")
    args = parser.parse_args()
    if args.reply is None:
        server = FakeModelServer(
            default=lambda _p: Reply.meetings(delay=args.delay), port=args.port
        )
    else:
        server = FakeModelServer(
            default=lambda _p: Reply(content=args.reply, delay=args.delay), port=args.port
        )
    server.start()
    print(server.base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
