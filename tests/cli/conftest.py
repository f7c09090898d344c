"""Shared by the tests of tests/cli: the servers' variables, and a small
HTTP server of the tests' own whose answers take as long as they are told.
"""

import http.server
import os
import threading
import time

import pytest


def env(name):
    """The value of a with-servers.sh variable; skips the test if unset."""
    value = os.environ.get(name)
    if not value:
        if "ASYNC_TEST_DIR" not in os.environ:
            pytest.fail("%s is not set: run the tests through "
                        "tests/support/with-servers.sh (ctest does)" % name)
        pytest.skip("%s is not set: its server was not started" % name)
    return value


class Handler(http.server.BaseHTTPRequestHandler):
    """/delay/SECONDS/TEXT answers TEXT after SECONDS; /redirect/N answers
    302 to /redirect/N-1, and /redirect/0 "landed". /expect/METHOD/BODY
    answers 200 to that method with that body, 400 to anything else, and
    /expect-header/NAME/VALUE 200 when the request has that header. It
    counts how many requests it serves at once."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = self.path.split("/")
        server = self.server
        if len(parts) == 4 and parts[1] == "delay":
            with server.lock:
                server.now += 1
                server.most = max(server.most, server.now)
            time.sleep(float(parts[2]))
            with server.lock:
                server.now -= 1
            self.reply(200, parts[3].encode() + b"\n")
        elif len(parts) == 4 and parts[1] == "expect-header":
            ok = self.headers.get(parts[2]) == parts[3]
            self.reply(200 if ok else 400, b"header\n")
        elif len(parts) == 4 and parts[1] == "expect":
            self.expect(parts[2], parts[3])
        elif len(parts) == 3 and parts[1] == "redirect":
            n = int(parts[2])
            if n == 0:
                self.reply(200, b"landed\n")
            else:
                self.reply(302, b"moved\n",
                           [("Location", "/redirect/%d" % (n - 1))])
        else:
            self.reply(404, b"not found\n")

    def expect(self, method, body):
        length = int(self.headers.get("Content-Length") or 0)
        got = self.rfile.read(length) if length else b""
        ok = self.command == method and got == body.encode()
        self.reply(200 if ok else 400, b"expected\n" if ok else b"no\n")

    def do_POST(self):
        parts = self.path.split("/")
        if len(parts) == 4 and parts[1] == "expect":
            self.expect(parts[2], parts[3])
        else:
            self.reply(404, b"not found\n")

    do_PUT = do_DELETE = do_POST


@pytest.fixture
def local():
    """A threaded HTTP/1.1 server on 127.0.0.1: (base URL, server)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.lock = threading.Lock()
    server.now = server.most = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1], server
    server.shutdown()
    server.server_close()


