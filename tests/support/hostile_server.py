#!/usr/bin/env python3
"""A scripted HTTP/1.1 server for the HTTP client's tests: it answers each
path the way a test needs, malformed and hostile replies included.

    hostile_server.py [--address 127.0.0.1] [--port 0]

With --port 0 (the default) it picks a free port. When it listens it
prints the port on a line of its own on stdout.

It reads a request head (at most 64 KiB: more gets 431 and a close) and
its body (Content-Length or chunked; read and dropped), then answers by the
path (the query string is ignored). Connections are HTTP/1.1 keep-alive
unless said otherwise below: requests on one connection are served one
after the other, until the client sends "Connection: close" (honoured after
the response), speaks HTTP/1.0 without "Connection: keep-alive", or
closes. An idle connection is closed
after 300 s. A HEAD request gets the head of what GET would get, without
the body, on the well-formed paths (those marked "keep-alive" below); the
hostile ones send the same bytes whatever the method.

Well-formed answers:

    /ok                    200, Content-Length 3, "ok\\n"; keep-alive
    /no-reason             "HTTP/1.1 200\\r\\n" (no reason phrase, valid),
                           Content-Length 3, "ok\\n"; keep-alive
    /http10                "HTTP/1.0 200 OK", no length, "http 1.0\\n", then
                           the server closes
    /close-delimited       "HTTP/1.1 200 OK" with neither Content-Length nor
                           chunked (nor Connection), "till close\\n", then
                           the server closes
    /gzip                  Content-Encoding: gzip, Content-Length; decodes
                           to "hello gzip\\n" 100 times; keep-alive
    /deflate               Content-Encoding: deflate (zlib-wrapped, RFC 1950),
                           Content-Length; decodes to "hello deflate\\n"
                           100 times; keep-alive
    /304                   304 Not Modified, an ETag, no body; keep-alive
    /keepalive-timeout     200 with "Connection: keep-alive" and
                           "Keep-Alive: timeout=1", "ka\\n"; the server
                           closes the connection itself once it has been
                           idle for 1 s after this response
    /redirect-loop         302 to /redirect-loop (itself); keep-alive
    /redirect-ftp          302 to ftp://127.0.0.1/x; keep-alive
    /status/N              status N (100..999), body "status N\\n" (none for
                           204, 304 and HEAD); for 1xx an interim response
                           "HTTP/1.1 N ..." then a final 200 "after N\\n";
                           anything but a number: 400; keep-alive
    /echo                  200, text/plain: the request as received (head,
                           then the body decoded from its framing);
                           keep-alive
    /stats                 200, JSON {"connections": C, "open": O,
                           "requests": R}; keep-alive (see below)
    /stats/reset           zeroes C and R (O is a current value), then
                           answers as /stats; keep-alive
    anything else          404, Content-Length, "not found\\n"; keep-alive

Hostile answers (the server closes the connection after each, unless
said otherwise):

    /bad-status            "HTTP/1.1 abc OK" as the status line
    /not-http              "SSH-2.0-hello\\r\\n", no HTTP at all
    /conflicting-length    two Content-Length headers, 5 and 6, and 6 bytes
    /length-and-chunked    Content-Length: 5 and Transfer-Encoding: chunked,
                           a chunked "hello"
    /negative-length       Content-Length: -5, and 5 bytes
    /huge-length           Content-Length: 99999999999999999999999, and
                           10 bytes
    /bad-chunk             chunked, the first chunk size "zz" (not hex)
    /chunk-cut             chunked: a complete chunk "hello", then a chunk
                           of size 0x10 of which 5 bytes come; then the
                           close
    /short-body            Content-Length: 100, then 10 bytes
    /empty-reply           nothing at all
    /close-after-headers   a complete head with Content-Length: 10, no body
    /reset-headers         "HTTP/1.1 20" (half a status line), then, after
                           50 ms, a reset (RST: SO_LINGER 0 and close)
    /reset-body            a head with Content-Length: 1000 and 100 bytes of
                           it, then, after 50 ms, a reset
    /header-flood          200 with 10,000 header fields "X-Flood-N: N"
                           (about 190 KB), Content-Length 3, "ok\\n"
    /huge-header           200 with one header "X-Huge" whose value is
                           100 KiB of "a", Content-Length 3, "ok\\n"
    /endless               200, chunked, a 4 KiB chunk after another (about
                           6 MB/s) forever, until the client goes away
    /endless-close         200 without a length, 4 KiB after another
                           (about 6 MB/s) forever, until the client goes away
    /slow-drip             Content-Length: 20, one byte ("a".."t") every
                           200 ms (4 s in all); keep-alive afterwards
    /silence               never answers; keeps the connection until the
                           client closes it
    /broken-gzip           Content-Encoding: gzip, a body that is not gzip,
                           the right Content-Length; keep-alive
    /truncated-gzip        Content-Encoding: gzip, the first half of /gzip's
                           body (Content-Length says that half); keep-alive
    /unknown-encoding      Content-Encoding: br-weird, Content-Length, some
                           bytes; keep-alive
    /close-after-response  200, Content-Length 3, "ok\\n", and no
                           "Connection: close"; then the server closes (a
                           client that reuses the connection finds it
                           closed: a stale connection)
    /unsolicited           200, Content-Length 3, "ok\\n", and right after it
                           5 bytes "extra" nobody asked for; the connection
                           stays open (a client must not reuse it)
    /204-with-body         "204 No Content" with Content-Length: 5 and the 5
                           bytes "hello" (a 204 has no body: those bytes are
                           unsolicited); the connection stays open

Counts (/stats): C is the number of TCP connections accepted, R the number
of requests read, since the start or the last /stats/reset; O is the number
of connections open now. Requests for /stats and /stats/reset are not
counted, and neither is a connection whose first request is one of them, so
checking the counts on a connection of its own does not change them. A
connection counts from the moment it is accepted, so C is exact once the
client has its responses; O drops only when the server has seen the close,
a moment after the client closed (poll for it).

Nothing a client does (going away mid-response, resetting, sending
garbage) stops the server; errors are printed on stderr. It raises its
open-file limit to the hard limit to serve thousands of connections.
"""

import argparse
import asyncio
import gzip
import http
import json
import resource
import socket
import struct
import sys
import zlib

MAX_HEAD = 64 * 1024
IDLE_TIMEOUT = 300.0
CRLF = b"\r\n"

GZIP_PLAIN = b"hello gzip\n" * 100
GZIP_BODY = gzip.compress(GZIP_PLAIN, mtime=0)
DEFLATE_BODY = zlib.compress(b"hello deflate\n" * 100)
# A chunk of the endless bodies, and how they are paced.
ENDLESS_CHUNK = b"x" * 4095 + b"\n"
ENDLESS_BURST = 16
ENDLESS_PAUSE = 0.01


class BadRequest(Exception):
    pass


class Stats:
    def __init__(self):
        self.connections = 0
        self.open = 0
        self.requests = 0

    def as_json(self):
        return json.dumps({"connections": self.connections, "open": self.open,
                           "requests": self.requests}) + "\n"


STATS = Stats()


class Request:
    def __init__(self, method, target, version, headers, head, body):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers  # [(lower-case name, value)]
        self.head = head
        self.body = body
        self.path = target.split("?", 1)[0]
        if "://" in self.path:
            # Absolute form: keep the path.
            rest = self.path.split("://", 1)[1]
            self.path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"

    def header(self, name):
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def wants_close(self):
        tokens = [t.strip().lower()
                  for key, value in self.headers if key == "connection"
                  for t in value.split(",")]
        if self.version == "HTTP/1.0":
            return "keep-alive" not in tokens
        return "close" in tokens


def reason(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Status"


async def read_chunked(reader):
    body = b""
    while True:
        line = await reader.readuntil(CRLF)
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadRequest("bad chunk size %r" % size_text)
        if size == 0:
            # Trailer fields up to an empty line.
            while (await reader.readuntil(CRLF)) != CRLF:
                pass
            return body
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != CRLF:
            raise BadRequest("chunk not followed by CRLF")


async def read_request(reader):
    """The next request, or None at a clean end of the connection."""
    try:
        head = await reader.readuntil(CRLF + CRLF)
    except asyncio.IncompleteReadError as e:
        if e.partial.strip():
            raise BadRequest("connection closed within a request head")
        return None
    except asyncio.LimitOverrunError:
        raise BadRequest("request head too large")
    # Tolerate empty lines before a request line (RFC 9112 2.2).
    text = head.lstrip(b"\r\n").decode("latin-1")
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest("bad request line %r" % lines[0])
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest("bad header line %r" % line)
        headers.append((name.lower(), value.strip()))
    request = Request(parts[0], parts[1], parts[2], headers, head, b"")
    te = request.header("transfer-encoding")
    length = request.header("content-length")
    if te is not None:
        if te.lower() != "chunked":
            raise BadRequest("transfer coding %r" % te)
        request.body = await read_chunked(reader)
    elif length is not None:
        if not length.isdigit():
            raise BadRequest("bad Content-Length %r" % length)
        request.body = await reader.readexactly(int(length))
    return request


class Connection:
    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.counted = True
        self.first = True
        self.idle_timeout = IDLE_TIMEOUT

    def write(self, data):
        self.writer.write(data)

    async def flush(self):
        await self.writer.drain()

    def response(self, request, status, body=b"", headers=(), status_line=None,
                 length=True):
        """Writes a well-formed response (no body for HEAD, 1xx, 204,
        304)."""
        if status_line is None:
            status_line = "HTTP/1.1 %d %s" % (status, reason(status))
        close = request.wants_close()
        lines = [status_line]
        lines += ["%s: %s" % (name, value) for name, value in headers
                  if not (close and name.lower() in ("connection",
                                                     "keep-alive"))]
        no_body = request.method == "HEAD" or status in (204, 304) or \
            100 <= status < 200
        if length and not (status in (204, 304) or 100 <= status < 200):
            lines.append("Content-Length: %d" % len(body))
        if close:
            lines.append("Connection: close")
        elif request.version == "HTTP/1.0" and not any(
                name.lower() == "connection" for name, _ in headers):
            lines.append("Connection: keep-alive")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        # One write: one segment for a small response.
        self.write(head if no_body else head + body)

    def reset(self):
        """Closes with a RST rather than a FIN."""
        sock = self.writer.get_extra_info("socket")
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.writer.transport.abort()

    async def wait_for_close(self):
        """Reads (and drops) whatever comes until the client closes."""
        while await self.reader.read(65536):
            pass

    async def endless_writer(self, chunked):
        data = ENDLESS_CHUNK
        if chunked:
            data = b"%x\r\n%s\r\n" % (len(ENDLESS_CHUNK), ENDLESS_CHUNK)
        while not self.writer.transport.is_closing():
            for _ in range(ENDLESS_BURST):
                if self.writer.transport.is_closing():
                    break
                self.write(data)
            await self.flush()
            await asyncio.sleep(ENDLESS_PAUSE)

    async def serve(self):
        STATS.connections += 1
        STATS.open += 1
        try:
            while True:
                try:
                    request = await asyncio.wait_for(
                        read_request(self.reader), self.idle_timeout)
                except asyncio.TimeoutError:
                    return
                except BadRequest as e:
                    status = 431 if "too large" in str(e) else 400
                    self.write(b"HTTP/1.1 %d %s\r\nContent-Length: %d\r\n"
                               b"Connection: close\r\n\r\n%s\n" % (
                                   status, reason(status).encode(),
                                   len(str(e)) + 1, str(e).encode()))
                    await self.flush()
                    return
                if request is None:
                    return
                self.idle_timeout = IDLE_TIMEOUT
                is_stats = request.path in ("/stats", "/stats/reset")
                if self.first and is_stats:
                    self.counted = False
                    STATS.connections -= 1
                    STATS.open -= 1
                self.first = False
                if not is_stats:
                    STATS.requests += 1
                keep = await self.answer(request)
                if not self.writer.transport.is_closing():
                    await self.flush()
                if not keep or request.wants_close():
                    return
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        except Exception as e:  # a bug here must not stop the server
            print("hostile_server: %s: %r" % (type(e).__name__, e),
                  file=sys.stderr, flush=True)
        finally:
            if self.counted:
                STATS.open -= 1
            try:
                self.writer.close()
            except Exception:
                pass

    async def answer(self, request):
        """Answers request; returns whether the connection stays open."""
        path = request.path
        handler = ROUTES.get(path)
        if handler is not None:
            return await handler(self, request)
        if path.startswith("/status/"):
            return await self.status(request, path[len("/status/"):])
        self.response(request, 404, b"not found\n",
                      [("Content-Type", "text/plain")])
        return True

    # ---- well-formed --------------------------------------------------------

    async def ok(self, request):
        self.response(request, 200, b"ok\n", [("Content-Type", "text/plain")])
        return True

    async def no_reason(self, request):
        self.response(request, 200, b"ok\n", [("Content-Type", "text/plain")],
                      status_line="HTTP/1.1 200")
        return True

    async def http10(self, request):
        self.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        if request.method != "HEAD":
            self.write(b"http 1.0\n")
        return False

    async def close_delimited(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        if request.method != "HEAD":
            self.write(b"till close\n")
        return False

    async def gzip(self, request):
        self.response(request, 200, GZIP_BODY,
                      [("Content-Type", "text/plain"),
                       ("Content-Encoding", "gzip")])
        return True

    async def deflate(self, request):
        self.response(request, 200, DEFLATE_BODY,
                      [("Content-Type", "text/plain"),
                       ("Content-Encoding", "deflate")])
        return True

    async def not_modified(self, request):
        self.response(request, 304, headers=[("ETag", '"hostile"')])
        return True

    async def keepalive_timeout(self, request):
        self.response(request, 200, b"ka\n",
                      [("Content-Type", "text/plain"),
                       ("Connection", "keep-alive"),
                       ("Keep-Alive", "timeout=1")])
        self.idle_timeout = 1.0
        return True

    async def redirect_loop(self, request):
        self.response(request, 302, b"again\n",
                      [("Location", "/redirect-loop")])
        return True

    async def redirect_ftp(self, request):
        self.response(request, 302, b"ftp\n",
                      [("Location", "ftp://127.0.0.1/x")])
        return True

    async def status(self, request, text):
        if not text.isdigit() or not 100 <= int(text) <= 999:
            self.response(request, 400, b"bad status %r\n" % text.encode())
            return True
        status = int(text)
        if 100 <= status < 200:
            self.write(b"HTTP/1.1 %d %s\r\n\r\n" %
                       (status, reason(status).encode()))
            self.response(request, 200, b"after %d\n" % status)
            return True
        self.response(request, status, b"status %d\n" % status,
                      [("Content-Type", "text/plain")])
        return True

    async def echo(self, request):
        self.response(request, 200, request.head + request.body,
                      [("Content-Type", "text/plain")])
        return True

    async def stats(self, request):
        self.response(request, 200, STATS.as_json().encode(),
                      [("Content-Type", "application/json")])
        return True

    async def stats_reset(self, request):
        STATS.connections = 0
        STATS.requests = 0
        return await self.stats(request)

    # ---- hostile ------------------------------------------------------------

    async def bad_status(self, request):
        self.write(b"HTTP/1.1 abc OK\r\nContent-Length: 3\r\n\r\nok\n")
        return False

    async def not_http(self, request):
        self.write(b"SSH-2.0-hello\r\n")
        return False

    async def conflicting_length(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                   b"Content-Length: 6\r\n\r\nhello\n")
        return False

    async def length_and_chunked(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n"
                   b"5\r\nhello\r\n0\r\n\r\n")
        return False

    async def negative_length(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello")
        return False

    async def huge_length(self, request):
        self.write(b"HTTP/1.1 200 OK\r\n"
                   b"Content-Length: 99999999999999999999999\r\n\r\n"
                   b"0123456789")
        return False

    async def bad_chunk(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"zz\r\nhello\r\n0\r\n\r\n")
        return False

    async def chunk_cut(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"5\r\nhello\r\n10\r\nhello")
        return False

    async def short_body(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
                   b"0123456789")
        return False

    async def empty_reply(self, request):
        return False

    async def close_after_headers(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
        return False

    async def reset_headers(self, request):
        self.write(b"HTTP/1.1 20")
        await self.flush()
        await asyncio.sleep(0.05)
        self.reset()
        return False

    async def reset_body(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" +
                   b"r" * 100)
        await self.flush()
        await asyncio.sleep(0.05)
        self.reset()
        return False

    async def header_flood(self, request):
        fields = b"".join(b"X-Flood-%d: %d\r\n" % (i, i)
                          for i in range(10000))
        self.write(b"HTTP/1.1 200 OK\r\n" + fields +
                   b"Content-Length: 3\r\n\r\nok\n")
        return False

    async def huge_header(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nX-Huge: " + b"a" * (100 * 1024) +
                   b"\r\nContent-Length: 3\r\n\r\nok\n")
        return False

    async def endless(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n")
        await self.endless_body(True)
        return False

    async def endless_close(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        await self.endless_body(False)
        return False

    async def endless_body(self, chunked):
        # The client going away ends it: a write error, or EOF on the
        # reading side, whichever comes first.
        watcher = asyncio.ensure_future(self.wait_for_close())
        try:
            writing = asyncio.ensure_future(self.endless_writer(chunked))
            await asyncio.wait([watcher, writing],
                               return_when=asyncio.FIRST_COMPLETED)
            for task in (watcher, writing):
                task.cancel()
            for task in (watcher, writing):
                try:
                    await task
                except BaseException:
                    pass
        finally:
            watcher.cancel()

    async def slow_drip(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                   b"Content-Length: 20\r\n\r\n")
        await self.flush()
        for i in range(20):
            await asyncio.sleep(0.2)
            self.write(bytes([ord("a") + i]))
            await self.flush()
        return True

    async def silence(self, request):
        await self.wait_for_close()
        return False

    async def broken_gzip(self, request):
        self.response(request, 200, b"this is not gzip at all\n",
                      [("Content-Type", "text/plain"),
                       ("Content-Encoding", "gzip")])
        return True

    async def truncated_gzip(self, request):
        self.response(request, 200, GZIP_BODY[:len(GZIP_BODY) // 2],
                      [("Content-Type", "text/plain"),
                       ("Content-Encoding", "gzip")])
        return True

    async def unknown_encoding(self, request):
        self.response(request, 200, b"\x8b\x01\x80weird bytes\x03",
                      [("Content-Type", "text/plain"),
                       ("Content-Encoding", "br-weird")])
        return True

    async def close_after_response(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                   b"Content-Length: 3\r\n\r\nok\n")
        return False

    async def unsolicited(self, request):
        self.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                   b"Content-Length: 3\r\n\r\nok\nextra")
        return True

    async def no_content_with_body(self, request):
        self.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
                   b"hello")
        return True


ROUTES = {
    "/ok": Connection.ok,
    "/no-reason": Connection.no_reason,
    "/http10": Connection.http10,
    "/close-delimited": Connection.close_delimited,
    "/gzip": Connection.gzip,
    "/deflate": Connection.deflate,
    "/304": Connection.not_modified,
    "/keepalive-timeout": Connection.keepalive_timeout,
    "/redirect-loop": Connection.redirect_loop,
    "/redirect-ftp": Connection.redirect_ftp,
    "/echo": Connection.echo,
    "/stats": Connection.stats,
    "/stats/reset": Connection.stats_reset,
    "/bad-status": Connection.bad_status,
    "/not-http": Connection.not_http,
    "/conflicting-length": Connection.conflicting_length,
    "/length-and-chunked": Connection.length_and_chunked,
    "/negative-length": Connection.negative_length,
    "/huge-length": Connection.huge_length,
    "/bad-chunk": Connection.bad_chunk,
    "/chunk-cut": Connection.chunk_cut,
    "/short-body": Connection.short_body,
    "/empty-reply": Connection.empty_reply,
    "/close-after-headers": Connection.close_after_headers,
    "/reset-headers": Connection.reset_headers,
    "/reset-body": Connection.reset_body,
    "/header-flood": Connection.header_flood,
    "/huge-header": Connection.huge_header,
    "/endless": Connection.endless,
    "/endless-close": Connection.endless_close,
    "/slow-drip": Connection.slow_drip,
    "/silence": Connection.silence,
    "/broken-gzip": Connection.broken_gzip,
    "/truncated-gzip": Connection.truncated_gzip,
    "/unknown-encoding": Connection.unknown_encoding,
    "/close-after-response": Connection.close_after_response,
    "/unsolicited": Connection.unsolicited,
    "/204-with-body": Connection.no_content_with_body,
}


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass


async def main_async(address, port):
    async def on_connection(reader, writer):
        sock = writer.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        await Connection(reader, writer).serve()

    server = await asyncio.start_server(on_connection, address, port,
                                        limit=MAX_HEAD, backlog=4096,
                                        reuse_address=True)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def quiet_exceptions(loop, context):
    # A client that went away is no news; anything else is logged.
    exc = context.get("exception")
    if isinstance(exc, (ConnectionError, OSError)):
        return
    loop.default_exception_handler(context)


def main():
    parser = argparse.ArgumentParser(
        description="Scripted hostile HTTP/1.1 server for libasync's tests.")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    raise_file_limit()
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(quiet_exceptions)
    try:
        loop.run_until_complete(main_async(args.address, args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
