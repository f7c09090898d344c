#!/usr/bin/env python3
"""A scripted DNS server for the resolver tests: it answers each name the
way the tests need, failures included. UDP and TCP on the same port.

    dns_script.py [--address 127.0.0.1] [--port 0] [--log FILE]

With --port 0 (the default) it picks a free port. When its sockets are
bound it prints the port on a line of its own on stdout.

Names (class IN; case does not matter; the first question of a query is
the one answered):

    nx.test        NXDOMAIN (rcode 3) for every type
    servfail.test  SERVFAIL (rcode 2) for every type
    silent.test    never answered
    v6only.test    AAAA ::1 (TTL 60); no records for A (NOERROR)
    many.test      16 A records 127.0.0.10 .. 127.0.0.25 (TTL 60)
    count.test     A 127.0.0.1 (TTL 60), no AAAA, each reply sent 200 ms
                   after the query (other queries are answered meanwhile)
    ttl.test       A 127.0.0.1 (TTL 2)
    trunc.test     over UDP a truncated reply (TC set, no records); over TCP
                   40 A records 127.0.1.1 .. 127.0.1.40 (TTL 60)
    anything else  NXDOMAIN

A name it knows but a type it has no record of gets NOERROR with no
records. Negative replies carry the SOA of "test" (TTL and minimum 5) in
the authority section. EDNS OPT records in queries are ignored (replies
carry none).

With --log, every question received is appended to FILE as one line,
"NAME TYPE PROTO" (name in lower case without the final dot, type as A,
AAAA or TYPEn, proto udp or tcp), written and flushed before the reply, so
tests can count the queries a resolver made. The file may be truncated
while the server runs.
"""

import argparse
import heapq
import itertools
import os
import selectors
import socket
import struct
import sys
import time

# The shared module sits beside this script; no bytecode in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnswire  # noqa: E402

A = 1
AAAA = 28
SOA = 6

NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP = 0, 1, 2, 3, 4


def ipv4(text):
    return socket.inet_pton(socket.AF_INET, text)


def ipv6(text):
    return socket.inet_pton(socket.AF_INET6, text)


class Reply:
    def __init__(self, rcode=NOERROR, answers=(), delay=0.0, tc=False,
                 silent=False):
        self.rcode = rcode
        self.answers = list(answers)  # (type, ttl, rdata)
        self.delay = delay
        self.tc = tc
        self.silent = silent


def records(qtype, table):
    """The records of the question's type, from {type: [(ttl, rdata)]}."""
    return [(qtype, ttl, rdata) for ttl, rdata in table.get(qtype, [])]


def script(name, qtype, proto):
    """The reply to one question."""
    if name == "nx.test":
        return Reply(NXDOMAIN)
    if name == "servfail.test":
        return Reply(SERVFAIL)
    if name == "silent.test":
        return Reply(silent=True)
    if name == "v6only.test":
        return Reply(answers=records(qtype, {AAAA: [(60, ipv6("::1"))]}))
    if name == "many.test":
        many = [(60, ipv4("127.0.0.%d" % i)) for i in range(10, 26)]
        return Reply(answers=records(qtype, {A: many}))
    if name == "count.test":
        return Reply(answers=records(qtype, {A: [(60, ipv4("127.0.0.1"))]}),
                     delay=0.2)
    if name == "ttl.test":
        return Reply(answers=records(qtype, {A: [(2, ipv4("127.0.0.1"))]}))
    if name == "trunc.test":
        if proto == "udp":
            return Reply(tc=True)
        big = [(60, ipv4("127.0.1.%d" % i)) for i in range(1, 41)]
        return Reply(answers=records(qtype, {A: big}))
    return Reply(NXDOMAIN)


def soa_record():
    rdata = (dnswire.encode_name("ns.test") +
             dnswire.encode_name("hostmaster.test") +
             struct.pack("!5I", 1, 3600, 600, 86400, 5))
    return dnswire.record(dnswire.encode_name("test"), SOA, 5, rdata)


def build_reply(header, question, reply):
    qid, flags = header[0], header[1]
    # QR, the query's opcode and RD, AA, RA.
    rflags = 0x8000 | (flags & 0x7800) | (flags & 0x0100) | 0x0400 | 0x0080
    rflags |= reply.rcode
    if reply.tc:
        rflags |= 0x0200
    authority = []
    if not reply.answers and reply.rcode in (NOERROR, NXDOMAIN) \
            and not reply.tc:
        authority.append(soa_record())
    body = question
    for rtype, ttl, rdata in reply.answers:
        # 0xC00C points at the question's name, right after the header.
        body += dnswire.record(b"\xc0\x0c", rtype, ttl, rdata)
    body += b"".join(authority)
    return struct.pack("!6H", qid, rflags, 1, len(reply.answers),
                       len(authority), 0) + body


def error_reply(header, rcode):
    flags = 0x8000 | (header[1] & 0x7900) | 0x0080 | rcode
    return struct.pack("!6H", header[0], flags, 0, 0, 0, 0)


class Server:
    def __init__(self, address, port, log_path):
        self.log = open(log_path, "a", buffering=1) if log_path else None
        self.udp, self.tcp = bind(address, port)
        self.port = self.udp.getsockname()[1]
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.udp, selectors.EVENT_READ, self.on_udp)
        self.selector.register(self.tcp, selectors.EVENT_READ, self.on_accept)
        self.timers = []  # heap of (due, sequence, function)
        self.sequence = itertools.count()
        self.buffers = {}

    def later(self, delay, function):
        heapq.heappush(self.timers,
                       (time.monotonic() + delay, next(self.sequence),
                        function))

    def run(self):
        while True:
            timeout = None
            if self.timers:
                timeout = max(0.0, self.timers[0][0] - time.monotonic())
            for key, _ in self.selector.select(timeout):
                key.data(key.fileobj)
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                heapq.heappop(self.timers)[2]()

    def on_udp(self, sock):
        try:
            msg, peer = sock.recvfrom(65535)
        except OSError:
            return

        def send(data):
            try:
                sock.sendto(data, peer)
            except OSError:
                pass
        self.handle(msg, "udp", send)

    def on_accept(self, sock):
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        # Reads happen only when the selector says the socket is readable;
        # the timeout bounds a send to a client that stopped reading.
        conn.settimeout(2.0)
        self.buffers[conn] = b""
        self.selector.register(conn, selectors.EVENT_READ, self.on_tcp)

    def on_tcp(self, conn):
        try:
            data = conn.recv(65535)
        except OSError:
            data = b""
        if not data:
            self.selector.unregister(conn)
            del self.buffers[conn]
            conn.close()
            return
        buf = self.buffers[conn] + data
        while len(buf) >= 2:
            length = struct.unpack("!H", buf[:2])[0]
            if len(buf) < 2 + length:
                break
            msg, buf = buf[2:2 + length], buf[2 + length:]

            def send(reply, conn=conn):
                try:
                    conn.sendall(struct.pack("!H", len(reply)) + reply)
                except OSError:
                    pass
            self.handle(msg, "tcp", send)
        self.buffers[conn] = buf

    def handle(self, msg, proto, send):
        try:
            header, questions, _ = dnswire.parse_questions(msg)
        except dnswire.FormatError:
            if len(msg) >= 12:
                send(error_reply(dnswire.parse_header(msg), FORMERR))
            return
        if header[1] & 0x8000:
            return  # a response, not a query
        for name, qtype, _, _ in questions:
            self.write_log(name, qtype, proto)
        if (header[1] >> 11) & 0xF != 0:
            send(error_reply(header, NOTIMP))
            return
        if not questions:
            send(error_reply(header, FORMERR))
            return
        name, qtype, qclass, raw = questions[0]
        reply = script(name.lower().rstrip("."), qtype, proto)
        if qclass != dnswire.CLASS_IN:
            reply.answers = []
        if reply.silent:
            return
        data = build_reply(header, raw, reply)
        if reply.delay > 0:
            self.later(reply.delay, lambda: send(data))
        else:
            send(data)

    def write_log(self, name, qtype, proto):
        if self.log is not None:
            self.log.write("%s %s %s\n" % (name.lower().rstrip("."),
                                           dnswire.type_name(qtype), proto))


def bind(address, port):
    """Binds UDP and TCP sockets to the same port (a free one if port is
    0)."""
    for _ in range(50):
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind((address, port))
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind((address, tcp.getsockname()[1]))
        except OSError:
            tcp.close()
            udp.close()
            if port:
                raise
            continue
        tcp.listen(64)
        tcp.setblocking(False)
        udp.setblocking(False)
        return udp, tcp
    raise OSError("no port free for both UDP and TCP")


def main():
    parser = argparse.ArgumentParser(
        description="Scripted DNS server for libasync's tests.")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", help="append one line per question here")
    args = parser.parse_args()
    server = Server(args.address, args.port, args.log)
    print(server.port, flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
