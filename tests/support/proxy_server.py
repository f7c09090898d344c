#!/usr/bin/env python3
"""A forward HTTP proxy for the HTTP client's tests.

    proxy_server.py [--address 127.0.0.1] [--port 0] [--log FILE]

With --port 0 (the default) it picks a free port. When it listens it
prints the port on a line of its own on stdout.

One request per client connection:

  * "METHOD http://HOST[:PORT]/PATH HTTP/1.x" (absolute form): the request
    goes to HOST:PORT (80 by default) as "METHOD /PATH HTTP/1.1" with the
    client's header fields (but Connection, Keep-Alive, Proxy-Connection
    and Proxy-Authorization, and the fields Connection names) and its body
    (Content-Length or chunked), plus "Connection: close". The origin's
    response is relayed with its Connection and Keep-Alive fields replaced
    by "Connection: close", then everything the origin sends until it
    closes; then the proxy closes the client's connection.
  * "CONNECT HOST:PORT HTTP/1.x": the proxy connects to HOST:PORT, answers
    "HTTP/1.1 200 Connection established" and relays bytes both ways until
    either side closes (a TLS client then talks to the origin through it).
    If the connection fails (nothing listens there, say) it answers 502.

Either way, when one side goes away the other is closed too.

Targets never leave the loopback interface. HOST may be an IP literal in
127.0.0.0/8 or ::1 (in brackets in a URL or a CONNECT target),
"localhost", or a name under ".test": all those names mean 127.0.0.1,
except "nx.test" and the names under it, which the proxy "cannot resolve"
(502). Any other name gets 502 as well, and any other address 403. A
request that is neither of the above (origin form, another scheme, bad
syntax) gets 400.

With --log, each request is appended to FILE as one line "METHOD TARGET"
(the request target exactly as the client sent it: "GET
http://127.0.0.1:8080/get", "CONNECT 127.0.0.1:8443"), written and flushed
before the proxy acts on it. The file may be truncated while the server
runs.

Errors are printed on stderr; nothing a client or an origin does stops the
server.
"""

import argparse
import asyncio
import ipaddress
import resource
import sys

MAX_HEAD = 64 * 1024
CONNECT_TIMEOUT = 5.0
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection",
              "proxy-authorization", "te", "trailer", "upgrade"}


class ProxyError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


REASONS = {400: "Bad Request", 403: "Forbidden", 502: "Bad Gateway"}


def resolve(host):
    """The address to connect to for host, or ProxyError."""
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.lower().rstrip(".")
        if name == "nx.test" or name.endswith(".nx.test"):
            raise ProxyError(502, "cannot resolve %s" % host)
        if name == "localhost" or name.endswith(".test"):
            return "127.0.0.1"
        raise ProxyError(502, "cannot resolve %s (only loopback targets)"
                         % host)
    if not address.is_loopback:
        raise ProxyError(403, "%s is not a loopback address" % host)
    return str(address)


def split_host_port(text, default_port):
    """("host", port) from "host", "host:port", "[v6]" or "[v6]:port"."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ProxyError(400, "bad host %r" % text)
        host, rest = text[:end + 1], text[end + 1:]
        if rest and not rest.startswith(":"):
            raise ProxyError(400, "bad host %r" % text)
        port_text = rest[1:] if rest else ""
    else:
        host, _, port_text = text.partition(":")
    if not host:
        raise ProxyError(400, "no host in %r" % text)
    if not port_text:
        if default_port is None:
            raise ProxyError(400, "no port in %r" % text)
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ProxyError(400, "bad port in %r" % text)
    return host, int(port_text)


async def read_head(reader):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    except asyncio.LimitOverrunError:
        raise ProxyError(400, "request head too large")
    lines = head.decode("latin-1").split("\r\n")
    while lines and not lines[0]:
        lines.pop(0)
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise ProxyError(400, "bad header line %r" % line)
        headers.append((name, value.strip()))
    return lines[0], headers


def header(headers, name):
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


async def read_body(reader, headers):
    """The request body as it came (still chunked, if it was)."""
    te = header(headers, "transfer-encoding")
    if te is not None:
        if te.lower() != "chunked":
            raise ProxyError(400, "transfer coding %r" % te)
        body = b""
        while True:
            line = await reader.readuntil(b"\r\n")
            body += line
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ProxyError(400, "bad chunk size")
            if size == 0:
                while True:
                    line = await reader.readuntil(b"\r\n")
                    body += line
                    if line == b"\r\n":
                        return body
            body += await reader.readexactly(size + 2)
    length = header(headers, "content-length")
    if length is None:
        return b""
    if not length.isdigit():
        raise ProxyError(400, "bad Content-Length %r" % length)
    return await reader.readexactly(int(length))


def without_hop_by_hop(headers):
    named = set()
    for key, value in headers:
        if key.lower() == "connection":
            named.update(t.strip().lower() for t in value.split(","))
    return [(k, v) for k, v in headers
            if k.lower() not in HOP_BY_HOP and k.lower() not in named]


async def pipe(reader, writer):
    """Copies reader to writer (or, with writer None, drops what comes)
    until EOF or an error."""
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if writer is not None:
                writer.write(data)
                await writer.drain()
    except (ConnectionError, OSError, asyncio.IncompleteReadError):
        pass


async def until_first_ends(*coroutines):
    """Runs the coroutines until one of them ends, then cancels the
    others."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except BaseException:
                pass


async def relay_response(origin_reader, client_writer):
    """The origin's response head with Connection: close, then the rest."""
    try:
        try:
            head = await origin_reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as e:
            # Not an HTTP response (or none): pass on what came.
            client_writer.write(e.partial)
            await client_writer.drain()
            return
        except asyncio.LimitOverrunError:
            await pipe(origin_reader, client_writer)
            return
        lines = head.decode("latin-1").split("\r\n")
        out = [lines[0]]
        out += [line for line in lines[1:] if line and
                line.split(":", 1)[0].strip().lower() not in
                ("connection", "keep-alive", "proxy-connection")]
        out.append("Connection: close")
        client_writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
        await client_writer.drain()
        await pipe(origin_reader, client_writer)
    except (ConnectionError, OSError):
        pass


class Proxy:
    def __init__(self, log_path):
        self.log_path = log_path
        self.log = open(log_path, "a", buffering=1) if log_path else None

    def write_log(self, method, target):
        if self.log is not None:
            self.log.write("%s %s\n" % (method, target))
            self.log.flush()

    async def connect(self, host, port):
        address = resolve(host)
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(address, port, limit=MAX_HEAD),
                CONNECT_TIMEOUT)
        except (OSError, asyncio.TimeoutError) as e:
            raise ProxyError(502, "cannot connect to %s:%d: %s" %
                             (host, port, e or "timeout"))

    async def serve(self, reader, writer):
        origin_writer = None
        try:
            try:
                request = await read_head(reader)
                if request is None:
                    return
                line, headers = request
                parts = line.split(" ")
                if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
                    raise ProxyError(400, "bad request line %r" % line)
                method, target, _ = parts
                self.write_log(method, target)
                if method == "CONNECT":
                    host, port = split_host_port(target, None)
                    origin_reader, origin_writer = await self.connect(
                        host, port)
                    writer.write(b"HTTP/1.1 200 Connection established\r\n"
                                 b"\r\n")
                    await writer.drain()
                    await until_first_ends(
                        pipe(reader, origin_writer),
                        pipe(origin_reader, writer))
                    return
                if not target.lower().startswith("http://"):
                    raise ProxyError(400, "not an absolute http:// URL: %r"
                                     % target)
                rest = target[len("http://"):]
                authority, slash, path = rest.partition("/")
                authority, _, query = authority.partition("?")
                path = slash + path if slash else "/"
                if query and not slash:
                    path = "/?" + query
                if "@" in authority:
                    raise ProxyError(400, "userinfo in %r" % target)
                host, port = split_host_port(authority, 80)
                body = await read_body(reader, headers)
                origin_reader, origin_writer = await self.connect(host, port)
                fields = without_hop_by_hop(headers)
                if header(fields, "host") is None:
                    fields.insert(0, ("Host", authority))
                fields.append(("Connection", "close"))
                head = "%s %s HTTP/1.1\r\n" % (method, path)
                head += "".join("%s: %s\r\n" % f for f in fields) + "\r\n"
                origin_writer.write(head.encode("latin-1") + body)
                await origin_writer.drain()
                # Until the origin has sent all, or the client went away.
                await until_first_ends(relay_response(origin_reader, writer),
                                       pipe(reader, None))
            except ProxyError as e:
                text = (str(e) + "\n").encode()
                writer.write(b"HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
                             b"Content-Length: %d\r\nConnection: close\r\n"
                             b"\r\n%s" % (e.status,
                                          REASONS[e.status].encode(),
                                          len(text), text))
                await writer.drain()
        except (ConnectionError, OSError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError):
            pass
        except Exception as e:  # a bug here must not stop the server
            print("proxy_server: %s: %r" % (type(e).__name__, e),
                  file=sys.stderr, flush=True)
        finally:
            for w in (writer, origin_writer):
                if w is not None:
                    try:
                        w.close()
                    except Exception:
                        pass


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass


async def main_async(args):
    proxy = Proxy(args.log)
    server = await asyncio.start_server(proxy.serve, args.address, args.port,
                                        limit=MAX_HEAD, backlog=1024,
                                        reuse_address=True)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def quiet_exceptions(loop, context):
    if isinstance(context.get("exception"), (ConnectionError, OSError)):
        return
    loop.default_exception_handler(context)


def main():
    parser = argparse.ArgumentParser(
        description="Forward HTTP proxy for libasync's tests.")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", help="append one line per request here")
    args = parser.parse_args()
    raise_file_limit()
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(quiet_exceptions)
    try:
        loop.run_until_complete(main_async(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
