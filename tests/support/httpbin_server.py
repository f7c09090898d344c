#!/usr/bin/env python3
"""Serves httpbin (Debian's python3-httpbin: its Flask application) for the
HTTP client's tests, with werkzeug's threaded server speaking HTTP/1.1 with
keep-alive.

    httpbin_server.py [--address 127.0.0.1] [--port 0]

With --port 0 (the default) it picks a free port. When it listens it
prints the port on a line of its own on stdout; one line per request goes
to stderr.

Debian's httpbin 0.7.0 can run itself ("python3 -m httpbin.core"), but
through Flask's development server, whose werkzeug (2.2) sends
"Connection: close" with every response. Here a request handler keeps the
connection open instead, unless the client asked for it to be closed
(Connection: close, or HTTP/1.0 without keep-alive) or the response could
not be framed; it reads the whole request body before the application
runs, so that a body the application ignores cannot be taken for the next
request. A chunked request body reaches httpbin de-chunked, with a
Content-Length and without Transfer-Encoding (httpbin would refuse it
otherwise), so /post and /anything echo it but not its framing; the
hostile server's /echo shows a request as it was sent. A response without
Content-Length is sent chunked (werkzeug does that for HTTP/1.1). An idle
connection is closed after 60 s.

It must run under a Python that can import httpbin (Debian's
/usr/bin/python3 once python3-httpbin is installed).
"""

import argparse
import io
import resource
import sys

try:
    from httpbin.core import app
except ImportError as e:
    sys.exit("httpbin_server.py: cannot import httpbin (%s): install "
             "Debian's python3-httpbin (apt-get install python3-httpbin) "
             "and run this with the Python it is for" % e)
from werkzeug.serving import WSGIRequestHandler, make_server

IDLE_TIMEOUT = 60


class KeepAliveHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    # Closes a connection idle for this long (socketserver's timeout).
    timeout = IDLE_TIMEOUT

    def make_environ(self):
        environ = super().make_environ()
        # The whole body now, from its framing (in place of werkzeug's
        # de-chunking reader, which knows neither chunk extensions nor
        # trailer fields).
        if environ.get("wsgi.input_terminated"):
            body = self.read_chunked()
            del environ["wsgi.input_terminated"]
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["CONTENT_LENGTH"] = str(len(body))
        else:
            length = environ.get("CONTENT_LENGTH", "")
            body = b""
            if length.isdigit() and int(length) > 0:
                body = self.rfile.read(int(length))
        environ["wsgi.input"] = io.BytesIO(body)
        return environ

    def read_chunked(self):
        body = b""
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ConnectionError("bad chunk size %r" % line)
            if size == 0:
                # Trailer fields, up to an empty line.
                while self.rfile.readline(65537).strip():
                    pass
                return body
            body += self.rfile.read(size)
            if self.rfile.readline(3) != b"\r\n":
                raise ConnectionError("chunk not followed by CRLF")

    def send_error(self, *args, **kwargs):
        # A request http.server could not parse: the connection cannot go
        # on.
        self.close_connection = True
        super().send_error(*args, **kwargs)

    def send_header(self, keyword, value):
        # werkzeug adds "Connection: close" to every response; keep the
        # connection instead, unless the request asked for a close
        # (http.server has set close_connection from it already).
        if keyword.lower() == "connection" and value.lower() == "close" \
                and not self.close_connection:
            return
        super().send_header(keyword, value)


def main():
    parser = argparse.ArgumentParser(
        description="httpbin over HTTP/1.1 with keep-alive, threaded.")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
    server = make_server(args.address, args.port, app, threaded=True,
                         request_handler=KeepAliveHandler)
    server.request_queue_size = 1024
    server.socket.listen(1024)
    print(server.server_port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
