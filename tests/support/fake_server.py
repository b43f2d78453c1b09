"""A scripted OpenAI-compatible chat-completions server on loopback, for tests and benchmarks.

Test support, not part of the package: the deterministic verdict tests (tests/test_judge.py) and
benchmarks/bench_judge.py use it; the end-to-end test against a real server (a model served by
``transformers serve``) is tests/integrations/e2e/test_judge.py. Standard library only. ``ScriptedJudgeServer(script)`` serves ``POST /v1/chat/completions`` and
``GET /v1/models`` on 127.0.0.1 (an ephemeral port by default) with HTTP/1.1 keep-alive, one
thread per connection, and stops itself after ``max_lifetime`` seconds. ``script(request)``
returns a :class:`Reply`: the judge's text, an HTTP error, a malformed body, a delay, or a
dropped connection. The default script, :func:`semantic_script`, behaves like a small verifier
model: it reads the output and the correct answer from the prompt and says "Correct" when they
match after light normalisation (number words included); instructions in the prompt do not move
it. :func:`gullible_script` is the same model fooled by injections: it says "Correct" to any
prompt that contains "ignore previous instructions". Tests about judge hacking pass it
explicitly, so they can show that such text never reaches the judge.

    with ScriptedJudgeServer() as server:
        verifier = create_verifier("accuracy_judge", url=server.url, model=server.model)
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Reply", "ScriptedJudgeServer", "ScriptedRequest", "gullible_script", "semantic_script"]


@dataclass
class Reply:
    """What the server does with one request.

    ``content``: the assistant message text (HTTP 200). ``status`` other than 200: an error
    response with ``content`` as its body. ``raw``: this exact body with status 200 (malformed
    replies). ``delay``: seconds to wait first. ``drop``: close the connection without replying.
    """

    content: str = "Correct"
    status: int = 200
    raw: bytes | None = None
    delay: float = 0.0
    drop: bool = False
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ScriptedRequest:
    """One request as the script sees it (and as the server logs it); header names lower-cased."""

    body: dict[str, Any]
    prompt: str
    output: str | None
    answer: str | None
    question: str | None
    client_port: int
    headers: dict[str, str]
    index: int


_OUTPUT = re.compile(r'Output sentence: """(.*?)"""', re.S)
_ANSWER = re.compile(r"Correct answer: (.*?)\n\s*\nJudgement:", re.S)
_QUESTION = re.compile(r'Question: """(.*?)"""', re.S)
_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "half": "1/2", "a half": "1/2", "one half": "1/2", "thirty minutes": "1/2 hour",
}


def _norm(text: str) -> str:
    t = text.lower()
    t = re.sub(r"\\(?:text|mathrm|textbf)\{([^{}]*)\}", r"\1", t)
    t = re.sub(r"[\s$\\{}.,!]+", " ", t).strip()
    for word, value in sorted(_WORDS.items(), key=lambda kv: -len(kv[0])):
        t = re.sub(rf"\b{re.escape(word)}\b", value, t)
    t = re.sub(r"\b(apples?|dollars?|cm|meters?|units?|hours?|minutes?|the|answer|is|a)\b", " ", t)
    return re.sub(r"\s+", "", t)


def semantic_script(req: ScriptedRequest) -> Reply:
    """A verifier model: normalised match → "Correct"; text in the prompt gives it no orders."""
    if req.output is None or req.answer is None:
        return Reply("I cannot tell.")
    golds = [g.strip() for g in req.answer.split("|")]
    ok = any(_norm(req.output) == _norm(g) and _norm(g) for g in golds)
    return Reply("Correct" if ok else "Incorrect")


_INJECTION = re.compile(r"ignore (?:all )?previous instructions", re.I)


def gullible_script(req: ScriptedRequest) -> Reply:
    """:func:`semantic_script` that obeys injected orders: "ignore previous instructions" → "Correct"."""
    if _INJECTION.search(req.prompt):
        return Reply("Correct")
    return semantic_script(req)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client should reuse its connections
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _authorised(self) -> bool:
        key = self.server.owner.api_key
        if key and self.headers.get("Authorization") != f"Bearer {key}":
            self._send(401, b'{"error": {"message": "invalid api key"}}')
            return False
        return True

    def do_GET(self) -> None:  # noqa: N802
        if not self._authorised():
            return
        if self.path.rstrip("/").endswith("/models"):
            body = {"object": "list", "data": [{"id": self.server.owner.model, "object": "model"}]}
            self._send(200, json.dumps(body).encode())
        else:
            self._send(404, b'{"error": {"message": "not found"}}')

    def do_POST(self) -> None:  # noqa: N802
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length)
        try:
            body = json.loads(data)
            prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        except (ValueError, AttributeError):
            body, prompt = None, ""
        out, ans, q = _OUTPUT.search(prompt), _ANSWER.search(prompt), _QUESTION.search(prompt)
        req = owner._log(
            body=body if isinstance(body, dict) else {}, prompt=prompt, output=out.group(1) if out else None,
            answer=ans.group(1).strip() if ans else None, question=q.group(1) if q else None,
            client_port=self.client_address[1], headers={k.lower(): v for k, v in self.headers.items()},
        )
        if not self._authorised():
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, b'{"error": {"message": "not found"}}')
            return
        if not isinstance(body, dict):
            self._send(400, b'{"error": {"message": "bad json"}}')
            return
        gen = owner._enter()
        try:
            try:
                reply = owner.script(req)
            except Exception as exc:  # noqa: BLE001 - a broken script is a 500, not a hung test
                reply = Reply(f"script error: {exc}", status=500)
            if reply.delay and owner._stop.wait(reply.delay):
                self.close_connection = True
                return
            if reply.drop:
                self.close_connection = True
                return
            if reply.raw is not None:
                self._send(200, reply.raw, reply.headers)
            elif reply.status != 200:
                self._send(reply.status, json.dumps({"error": {"message": reply.content}}).encode(), reply.headers)
            else:
                completion = {
                    "id": f"chatcmpl-{req.index}", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.content}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": 2, "total_tokens": len(prompt) // 4 + 2},
                }
                self._send(200, json.dumps(completion).encode(), reply.headers)
        except OSError:
            self.close_connection = True
        finally:
            owner._leave(gen)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    owner: ScriptedJudgeServer


class ScriptedJudgeServer:
    """A loopback chat-completions server whose replies come from ``script`` (see module doc)."""

    def __init__(
        self,
        script: Callable[[ScriptedRequest], Reply] = semantic_script,
        *,
        model: str = "scripted-judge",
        api_key: str | None = None,
        port: int = 0,
        max_lifetime: float = 300.0,
    ) -> None:
        self.script = script
        self.model = model
        self.api_key = api_key
        self.max_lifetime = max_lifetime
        self.requests: list[ScriptedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._gen = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.owner = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ScriptedJudgeServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True, name="scripted-judge")
        self._thread.start()
        threading.Thread(target=self._expire, daemon=True, name="scripted-judge-expiry").start()
        return self

    def _expire(self) -> None:
        if not self._stop.wait(self.max_lifetime):
            self.stop()

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ScriptedJudgeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self, script: Callable[[ScriptedRequest], Reply] | None = None) -> None:
        """Forget logged requests and the concurrency peak (and set a new script)."""
        with self._lock:
            self.requests.clear()
            self._gen += 1
            self.in_flight = self.max_in_flight = 0
        if script is not None:
            self.script = script

    @property
    def count(self) -> int:
        """Requests logged since the last reset."""
        return len(self.requests)

    def _log(self, **kwargs: Any) -> ScriptedRequest:
        with self._lock:
            req = ScriptedRequest(index=len(self.requests), **kwargs)
            self.requests.append(req)
        return req

    def _enter(self) -> int:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self._gen

    def _leave(self, gen: int) -> None:
        with self._lock:
            if gen == self._gen:  # requests from before a reset do not count against the new peak
                self.in_flight -= 1


def main(argv: list[str] | None = None) -> int:
    """``python tests/support/fake_server.py [--port N] [--delay S]``: serve the default
    script in a process of its own (benchmarks); prints the base URL, stops when stdin closes."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(description="scripted OpenAI-compatible judge on loopback")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each reply")
    ap.add_argument("--model", default="scripted-judge")
    ap.add_argument("--max-lifetime", type=float, default=3600.0)
    args = ap.parse_args(argv)

    def script(req: ScriptedRequest) -> Reply:
        reply = semantic_script(req)
        reply.delay = args.delay
        return reply

    with ScriptedJudgeServer(script, model=args.model, port=args.port, max_lifetime=args.max_lifetime) as server:
        print(server.url, flush=True)
        try:
            for line in sys.stdin:
                if line.strip() == "count":
                    print(server.count, flush=True)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
