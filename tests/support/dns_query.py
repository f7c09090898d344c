#!/usr/bin/env python3
"""Sends one DNS query and prints the reply: the fixtures' readiness check
and their self-test use it. Standard library only.

    dns_query.py --port PORT [--server 127.0.0.1] [--tcp] [--edns]
                 [--timeout SECONDS] [--pid PID] NAME [TYPE]

TYPE is A (the default), AAAA, TYPEn... Until a reply comes or the timeout
(default 2 s) passes, a UDP query is sent again every 250 ms and a refused
TCP connection is tried again. With --pid it gives up as soon as that
process has exited. Prints

    rcode=N tc=0|1 answers=N
    NAME TYPE TTL DATA        (one line per answer record)

and exits 0 when a reply came, 1 on timeout, 3 if the --pid process exited.
"""

import argparse
import os
import random
import socket
import struct
import sys
import time

# The shared module sits beside this script; no bytecode in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnswire  # noqa: E402


def alive(pid):
    """Whether pid runs (a zombie does not)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return True


def make_query(qid, name, qtype, edns):
    msg = struct.pack("!6H", qid, 0x0100, 1, 0, 0, 1 if edns else 0)
    msg += dnswire.encode_name(name) + struct.pack("!HH", qtype, 1)
    if edns:
        # OPT: root name, type 41, UDP payload 1232, no flags, no options.
        msg += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
    return msg


def query_udp(server, port, query, qid, deadline, pid):
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        while time.monotonic() < deadline:
            if pid and not alive(pid):
                return "exited"
            try:
                sock.sendto(query, (server, port))
            except OSError:
                pass
            until = min(deadline, time.monotonic() + 0.25)
            while time.monotonic() < until:
                sock.settimeout(max(0.001, until - time.monotonic()))
                try:
                    reply = sock.recv(65535)
                except (socket.timeout, ConnectionRefusedError):
                    break
                if len(reply) >= 2 and struct.unpack("!H", reply[:2])[0] == qid:
                    return reply
    return None


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def query_tcp(server, port, query, deadline, pid):
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    while time.monotonic() < deadline:
        if pid and not alive(pid):
            return "exited"
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(max(0.001, deadline - time.monotonic()))
                sock.connect((server, port))
                sock.sendall(struct.pack("!H", len(query)) + query)
                length = struct.unpack("!H", recv_exact(sock, 2))[0]
                return recv_exact(sock, length)
        except socket.timeout:
            return None
        except OSError:
            time.sleep(0.05)
    return None


def main():
    parser = argparse.ArgumentParser(description="Send one DNS query.")
    parser.add_argument("--server", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tcp", action="store_true")
    parser.add_argument("--edns", action="store_true",
                        help="add an EDNS OPT record to the query")
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--pid", type=int, default=0,
                        help="give up when this process has exited")
    parser.add_argument("name")
    parser.add_argument("type", nargs="?", default="A")
    args = parser.parse_args()

    qid = random.randrange(65536)
    query = make_query(qid, args.name, dnswire.type_number(args.type),
                       args.edns)
    deadline = time.monotonic() + args.timeout
    if args.tcp:
        reply = query_tcp(args.server, args.port, query, deadline, args.pid)
    else:
        reply = query_udp(args.server, args.port, query, qid, deadline,
                          args.pid)
    if reply == "exited":
        print("process %d exited" % args.pid, file=sys.stderr)
        return 3
    if reply is None:
        print("timeout", file=sys.stderr)
        return 1
    header, _, offset = dnswire.parse_questions(reply)
    answers, _ = dnswire.parse_records(reply, offset, header[3])
    print("rcode=%d tc=%d answers=%d" % (header[1] & 0xF,
                                         (header[1] >> 9) & 1, len(answers)))
    for name, rtype, _, ttl, text in answers:
        print("%s %s %d %s" % (name, dnswire.type_name(rtype), ttl, text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
