#!/usr/bin/env python3
"""A small OpenAI-compatible chat-completions server that streams, for kinfer's tests and demos.

No language model runs here: the reply is `max_tokens` (default 5) words, "tok0", " tok1", ..., streamed as
server-sent events the way vLLM, llama.cpp's server and Ollama stream them, ending with `data: [DONE]`.

The last message's content may carry directives, words of the form key=value, that make the stub misbehave:
  fail=500        answer 500 with a plain-text body
  fail=429        answer 429 (any status works; 4xx other than 408 and 429 carry an OpenAI error body)
  fail=400        answer 400 with {"error": {"message": "...", "type": "invalid_request_error", ...}}
  cut=N           end the response cleanly after N tokens, without [DONE]
  drop=N          close the connection after N tokens, in the middle of the chunked body
  pause=N:MS      wait MS milliseconds before token N
  interval=MS     wait MS milliseconds before every token
  stream-error=N  after N tokens send `data: {"error": {...}}` and end the stream
  finish=REASON   the finish_reason of the last chunk (default: "length" with max_tokens, else "stop")

Control endpoints for tests: GET /stub/requests (the chat requests received, newest last, each with its body and
Authorization header) and GET /stub/disconnects (how many streams the client closed before their end).

Only the standard library, so that it runs wherever Python 3 does:
  scripts/openai_stub.py --port 8000 --model stub-model     # prints "listening on http://127.0.0.1:PORT"
"""

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
received = []
disconnects = 0


def directives(messages):
    """The key=value words of the last message's content."""
    if not messages:
        return {}
    content = messages[-1].get("content") or ""
    found = {}
    for word in str(content).split():
        key, sep, value = word.partition("=")
        if sep:
            found[key] = value
    return found


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    model = "stub-model"

    def log_message(self, format, *args):  # quiet: the tests read stdout for the port only
        pass

    def send_json(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.rstrip("/").endswith("/v1/models"):
            self.send_json(200, {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "stub"}]})
        elif self.path == "/stub/requests":
            with lock:
                self.send_json(200, list(received))
        elif self.path == "/stub/disconnects":
            with lock:
                self.send_json(200, {"disconnects": disconnects})
        else:
            self.send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self.send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self.send_json(400, {"error": {"message": "the body is not JSON", "type": "invalid_request_error"}})
            return
        with lock:
            received.append({"body": body, "authorization": self.headers.get("Authorization")})
        rules = directives(body.get("messages"))
        if "fail" in rules:
            status = int(rules["fail"])
            if 400 <= status < 500 and status not in (408, 429):
                self.send_json(status, {"error": {"message": f"stub refused the request ({status})", "type": "invalid_request_error", "param": "messages", "code": None}})
            else:
                text = f"stub failure {status}".encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)
            return
        self.stream(body, rules)

    def stream(self, body, rules):
        global disconnects
        max_tokens = body.get("max_tokens")
        count = int(max_tokens) if max_tokens else 5
        finish = rules.get("finish", "length" if max_tokens else "stop")
        cut = int(rules["cut"]) if "cut" in rules else None
        drop = int(rules["drop"]) if "drop" in rules else None
        stream_error = int(rules["stream-error"]) if "stream-error" in rules else None
        interval = int(rules.get("interval", "0")) / 1000
        pause_at, pause = None, 0.0
        if "pause" in rules:
            at, _, ms = rules["pause"].partition(":")
            pause_at, pause = int(at), int(ms) / 1000
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        created = int(time.time())

        def write(data):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def end():
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def event(payload):
            write(b"data: " + (payload if isinstance(payload, bytes) else json.dumps(payload).encode()) + b"\n\n")

        def chunk(delta, finish_reason=None):
            return {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": created, "model": body.get("model"),
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}

        try:
            # A comment and the role-only first chunk, as vLLM and Ollama send them: neither is text.
            write(b": stub stream\n\n")
            event(chunk({"role": "assistant", "content": ""}))
            for index in range(count):
                if cut is not None and index == cut:
                    end()
                    return
                if drop is not None and index == drop:
                    self.close_connection = True
                    return
                if stream_error is not None and index == stream_error:
                    event({"error": {"message": "stub engine failed mid-stream", "type": "internal_error"}})
                    end()
                    return
                if index == pause_at:
                    time.sleep(pause)
                if interval:
                    time.sleep(interval)
                event(chunk({"content": ("tok%d" % index) if index == 0 else (" tok%d" % index)}))
            event(chunk({}, finish))
            event(b"[DONE]")
            end()
        except ConnectionError:  # broken pipe, reset or aborted: the client went away
            with lock:
                disconnects += 1
            self.close_connection = True


def main():
    parser = argparse.ArgumentParser(description="An OpenAI-compatible streaming chat-completions stub (no model).")
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="the port; 0 (the default) picks a free one")
    parser.add_argument("--model", default="stub-model", help="the model /v1/models lists (default stub-model)")
    arguments = parser.parse_args()
    Handler.model = arguments.model
    server = ThreadingHTTPServer((arguments.host, arguments.port), Handler)
    server.daemon_threads = True
    print(f"listening on http://{arguments.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
